"""Prospect accounts: named companies in real industries, their contacts and their numbers.

Every account carries a situation (hours lost to manual work, cost per hour, days to close the
books, a business event with a month) so that reps who are good at discovery, urgency and value
can quote the prospect's own numbers back, and reps who are not, cannot.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from callcoach.demo.grammar import pick_one
from callcoach.demo.names import (
    BUYER_TITLES,
    CHAMPION_TITLES,
    COMPANY_FORMS,
    COMPANY_HEADS,
    COMPANY_TAILS,
    COMPETITORS,
    CURRENT_TOOLS,
    ERPS,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    PRODUCT_MODULES,
    TECH_TITLES,
    VENDOR,
    money,
    number_word,
)


@dataclass(frozen=True)
class Industry:
    key: str
    label: str
    company_words: tuple[str, ...]
    docs: tuple[str, ...]  # the paperwork the finance team drowns in
    business_unit: str  # what the business counts ("loads", "patients")
    ops_team: str
    events: tuple[str, ...]  # business events that make timing matter; {month} filled in


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "logistics",
        "Logistics",
        ("Freight", "Logistics", "Transport", "Carriers", "Haulage"),
        ("carrier invoices", "fuel card statements", "freight bills"),
        "loads",
        "dispatch",
        ("peak season starting in {month}", "the new depot opening in {month}"),
    ),
    Industry(
        "healthcare",
        "Healthcare clinics",
        ("Dental Group", "Health Partners", "Medical Group", "Clinics", "Physical Therapy"),
        ("insurance remittances", "patient payments", "payer statements"),
        "patient visits",
        "the front desk",
        ("the annual audit in {month}", "the two new clinics opening in {month}"),
    ),
    Industry(
        "retail",
        "Retail",
        ("Outfitters", "Home Goods", "Market", "Supply Co.", "Stores"),
        ("store deposits", "card settlements", "vendor invoices"),
        "stores",
        "store operations",
        ("the holiday season starting in {month}", "the inventory count in {month}"),
    ),
    Industry(
        "manufacturing",
        "Manufacturing",
        ("Manufacturing", "Industries", "Fabrication", "Components", "Plastics"),
        ("supplier invoices", "purchase orders", "receiving slips"),
        "production lines",
        "the plant",
        ("the lender covenant review in {month}", "the second shift starting in {month}"),
    ),
    Industry(
        "construction",
        "Construction",
        ("Builders", "Construction", "Contracting", "Homes", "Civil"),
        ("subcontractor invoices", "lien waivers", "progress billings"),
        "job sites",
        "the project managers",
        ("the bonding renewal in {month}", "the spring building season in {month}"),
    ),
    Industry(
        "hospitality",
        "Hospitality",
        ("Hotels", "Hospitality Group", "Resorts", "Restaurant Group", "Inns"),
        ("nightly revenue reports", "vendor invoices", "tip reconciliations"),
        "properties",
        "the property managers",
        ("the summer season starting in {month}", "the new property opening in {month}"),
    ),
    Industry(
        "property",
        "Property management",
        ("Property Management", "Realty", "Residential", "Properties", "Communities"),
        ("rent payments", "maintenance invoices", "owner statements"),
        "units",
        "the leasing team",
        ("the owner reporting deadline in {month}", "the portfolio acquisition in {month}"),
    ),
    Industry(
        "software",
        "Software",
        ("Software", "Labs", "Cloud", "Analytics", "Systems"),
        ("Stripe payouts", "subscription invoices", "usage credits"),
        "customers",
        "customer success",
        ("the Series C due diligence in {month}", "the SOC 2 audit in {month}"),
    ),
    Industry(
        "distribution",
        "Wholesale distribution",
        ("Distribution", "Wholesale", "Supply", "Trading Co.", "Distributors"),
        ("customer remittances", "supplier credits", "rebate statements"),
        "SKUs",
        "the warehouse",
        ("the new warehouse go-live in {month}", "the year-end rebate true-up in {month}"),
    ),
    Industry(
        "nonprofit",
        "Nonprofit",
        ("Foundation", "Alliance", "Community Services", "Trust", "Network"),
        ("grant expenses", "donation batches", "program invoices"),
        "programs",
        "the program leads",
        ("the single audit in {month}", "the grant renewal in {month}"),
    ),
    Industry(
        "services",
        "Professional services",
        ("Consulting", "Advisors", "Partners", "Engineering", "Associates"),
        ("client invoices", "expense reports", "timesheet exports"),
        "client projects",
        "the project leads",
        ("the partner meeting in {month}", "the merger with the Denver office in {month}"),
    ),
    Industry(
        "food",
        "Food and beverage",
        ("Foods", "Brewing Co.", "Bakeries", "Provisions", "Farms"),
        ("distributor invoices", "chargebacks", "broker statements"),
        "accounts",
        "sales ops",
        ("the new distributor contract in {month}", "the summer peak in {month}"),
    ),
)


@dataclass(frozen=True)
class Pain:
    key: str
    task: str  # what eats the hours, with {docs}
    short: str
    module: str
    outcome: str  # what the product changes, in the prospect's terms


PAINS: tuple[Pain, ...] = (
    Pain(
        "reconciliation",
        "matching the {docs} against the bank feed",
        "the reconciliation",
        "Reconcile",
        "the matching runs overnight and your team only looks at the exceptions",
    ),
    Pain(
        "payables",
        "keying in {docs} and chasing approvals",
        "invoice entry",
        "Payables",
        "invoices are captured, coded and routed for approval without anyone retyping them",
    ),
    Pain(
        "close",
        "pulling the month-end close together",
        "the close",
        "Close",
        "the close checklist, accruals and tie-outs run themselves and you see what's late",
    ),
    Pain(
        "reporting",
        "building the weekly cash report",
        "the cash report",
        "Insights",
        "the cash report refreshes every morning straight from the ERP and the bank",
    ),
)


@dataclass(frozen=True)
class Contact:
    first: str
    last: str
    title: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Account:
    """A prospect company and what is true about it; phrases quote these numbers."""

    name: str
    industry: Industry
    pain: Pain
    docs: str
    employees: int
    finance_team: int
    hours_week: int
    rate: int
    close_days: int
    target_days: int
    volume: int  # documents a month
    errors_quarter: int
    event: str  # a business event with its month ("the annual audit in March")
    event_month: str
    deadline_month: str  # when the prospect would need to be live: a month or two before
    tool: str
    erp: str
    competitor: str | None
    price_month: int
    champion: Contact
    buyer: Contact
    tech: Contact
    reference: str  # a customer in the same industry the rep can cite
    reference_before: int
    reference_after: int

    @property
    def monthly_cost(self) -> float:
        return self.hours_week * 4.33 * self.rate

    @property
    def annual_value(self) -> int:
        return self.price_month * 12

    def slots(self) -> dict[str, str]:
        """The account's facts as phrase slots."""
        docs = self.docs
        monthly = self.monthly_cost
        hours_saved = max(2, round(self.hours_week * 0.7))
        return {
            "company": self.name,
            "company_short": self.name.split()[0],
            "industry": self.industry.label.lower(),
            "docs": docs,
            "task": self.pain.task.replace("{docs}", docs),
            "pain": self.pain.short,
            "module": self.pain.module,
            "outcome": self.pain.outcome,
            "product": VENDOR,
            "unit": self.industry.business_unit,
            "ops_team": self.industry.ops_team,
            "employees": f"{self.employees:,}",
            "team_size": number_word(self.finance_team),
            "hours": str(self.hours_week),
            "hours_saved": str(hours_saved),
            "rate": money(self.rate),
            "monthly_cost": money(monthly),
            "monthly_saving": money(hours_saved * 4.33 * self.rate),
            "quarterly_cost": money(monthly * 3),
            "yearly_cost": money(monthly * 12),
            "close_days": number_word(self.close_days),
            "target_days": number_word(self.target_days),
            "volume": f"{self.volume:,}",
            "errors": number_word(self.errors_quarter),
            "event": self.event,
            "event_month": self.event_month,
            "deadline_month": self.deadline_month,
            "tool": self.tool,
            "erp": self.erp,
            "competitor": self.competitor or "one of the bigger suites",
            "price": f"{money(self.price_month)} a month",
            "annual_price": money(self.annual_value),
            "payback": payback_phrase(self.price_month, hours_saved * 4.33 * self.rate),
            "champion": self.champion.first,
            "champion_title": self.champion.title,
            "buyer": self.buyer.first,
            "buyer_full": self.buyer.name,
            "buyer_title": self.buyer.title,
            "tech": self.tech.first,
            "reference": self.reference,
            "ref_before": number_word(self.reference_before),
            "ref_after": number_word(self.reference_after),
        }


def payback_phrase(price_month: float, saving_month: float) -> str:
    if saving_month <= 0:
        return "about a year"
    months = max(1, round(price_month * 12 / saving_month))
    if months <= 1:
        return "inside the first month"
    if months >= 18:
        return "in about a year and a half"
    return f"in about {number_word(months)} months"


def _unique_person(rng: random.Random, taken: set[str], title: str) -> Contact:
    while True:
        contact = Contact(pick_one(rng, FIRST_NAMES), pick_one(rng, LAST_NAMES), title)
        if contact.first not in taken:
            taken.add(contact.first)
            return contact


def company_name(rng: random.Random, industry: Industry, used: set[str]) -> str:
    for attempt in range(1000):
        form = pick_one(rng, COMPANY_FORMS)
        name = form.format(
            head=pick_one(rng, COMPANY_HEADS),
            tail=pick_one(rng, COMPANY_TAILS),
            other=pick_one(rng, COMPANY_HEADS),
            last=pick_one(rng, LAST_NAMES),
            last2=pick_one(rng, LAST_NAMES),
            word=pick_one(rng, industry.company_words),
        )
        if attempt > 500:
            name = f"{name} {attempt}"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("company name space exhausted")


def make_account(rng: random.Random, used_names: set[str]) -> Account:
    """One prospect account with consistent numbers (bigger companies, bigger numbers)."""
    industry = pick_one(rng, INDUSTRIES)
    pain = pick_one(rng, PAINS)
    employees = int(rng.lognormvariate(5.3, 0.8))
    employees = min(max(employees, 35), 4000)
    finance_team = min(max(2, round(employees / rng.uniform(45, 90))), 30)
    hours_week = min(max(6, round(finance_team * rng.uniform(2.5, 6.0))), 90)
    rate = rng.choice((42, 45, 48, 52, 55, 58, 62, 65, 70, 75, 80, 85))
    close_days = rng.randint(6, 15)
    price_month = round(max(600.0, finance_team * rng.uniform(180, 320) + hours_week * 12), -2)
    names_in_account: set[str] = set()
    reference_before = rng.randint(8, 14)
    event_month = rng.randrange(12)
    return Account(
        name=company_name(rng, industry, used_names),
        industry=industry,
        pain=pain,
        docs=pick_one(rng, industry.docs),
        employees=employees,
        finance_team=finance_team,
        hours_week=hours_week,
        rate=rate,
        close_days=close_days,
        target_days=rng.randint(3, min(5, close_days - 2)),
        volume=int(round(employees * rng.uniform(4, 20), -1)),
        errors_quarter=rng.randint(3, 30),
        event=pick_one(rng, industry.events).replace("{month}", MONTHS[event_month]),
        event_month=MONTHS[event_month],
        deadline_month=MONTHS[(event_month - rng.randint(1, 2)) % 12],
        tool=pick_one(rng, CURRENT_TOOLS),
        erp=pick_one(rng, ERPS),
        competitor=pick_one(rng, COMPETITORS) if rng.random() < 0.55 else None,
        price_month=int(price_month),
        champion=_unique_person(rng, names_in_account, pick_one(rng, CHAMPION_TITLES)),
        buyer=_unique_person(rng, names_in_account, pick_one(rng, BUYER_TITLES)),
        tech=_unique_person(rng, names_in_account, pick_one(rng, TECH_TITLES)),
        reference=f"{pick_one(rng, COMPANY_HEADS)} {pick_one(rng, industry.company_words)}",
        reference_before=reference_before,
        reference_after=rng.randint(2, max(3, reference_before // 3)),
    )


__all__ = ["INDUSTRIES", "PAINS", "PRODUCT_MODULES", "Account", "Contact", "make_account"]
