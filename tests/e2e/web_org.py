"""A small sales org for the web tests: two teams, four reps, scored calls, one user per role.

Built through the real store and services (rubric templates, the deterministic fake scorer), so
the pages and the API read exactly what a real installation holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, Deal, DealOutcome, Rep, Segment, SpeakerRole
from callcoach.scoring.base import ScoringRequest
from callcoach.scoring.fake import FakeScorer
from callcoach.services.accounts.users import add_user
from callcoach.services.rubrics.catalog import install_templates
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")

PASSWORD = "correct horse battery"
RUBRIC = "one-call-close"

REPS = {
    "Ana Alvarez": "East",
    "Ben Brooks": "East",
    "Cara Chen": "West",
    "Dev Desai": "West",
}
USERS = {
    # username: (role, teams, rep)
    "admin": ("admin", [], None),
    "mia": ("manager", ["East"], None),
    "wes": ("manager", ["West"], None),
    "ana": ("rep", [], "Ana Alvarez"),
    "cara": ("rep", [], "Cara Chen"),
}


@dataclass
class SmallOrg:
    calls_by_rep: dict[str, list[str]] = field(default_factory=dict)

    def calls_of_team(self, team: str) -> list[str]:
        return [c for rep, calls in self.calls_by_rep.items() if REPS[rep] == team for c in calls]


def _segments(rep: str, keyword: str, number: int) -> list[Segment]:
    first = rep.split()[0]
    lines = [
        (
            first,
            SpeakerRole.REP,
            f"Thanks for joining, I am {first}. What made you look at this now?",
        ),
        ("Prospect", SpeakerRole.PROSPECT, "Our spreadsheet process breaks every month end."),
        (first, SpeakerRole.REP, "What is it costing you every month you stay on the spreadsheet?"),
        (
            "Prospect",
            SpeakerRole.PROSPECT,
            f"Probably {number + 2} days of work, and the {keyword} report.",
        ),
        (first, SpeakerRole.REP, "If we fix month end by the first, would you sign this week?"),
        ("Prospect", SpeakerRole.PROSPECT, "The price seems high compared to what we pay now."),
        (
            first,
            SpeakerRole.REP,
            "Compared to two lost days a month, what would it be worth to you?",
        ),
        ("Prospect", SpeakerRole.PROSPECT, "Fair point. Send the proposal and I will review it."),
        (first, SpeakerRole.REP, "I will send it today and book Thursday to sign it together."),
    ]
    return [
        Segment(i, speaker, role, text, start=i * 20.0, end=i * 20.0 + 18.0)
        for i, (speaker, role, text) in enumerate(lines)
    ]


def build_small_org(store: Store, calls_per_rep: int = 3, with_users: bool = True) -> SmallOrg:
    install_templates(store)
    org = SmallOrg()
    scorer = FakeScorer()
    start = datetime(2026, 7, 6, 10, 0)
    with store.unit_of_work() as uow:
        stored = uow.rubrics.latest(RUBRIC)
        assert stored is not None
        for rep_index, (rep, team) in enumerate(REPS.items()):
            manager = "Mia Moore" if team == "East" else "Wes Wu"
            rep_row, _ = uow.people.upsert_rep(
                Rep(
                    name=rep,
                    email=f"{rep.split()[0].lower()}@example.com",
                    team=team,
                    manager=manager,
                    start_date=date(2025, 1, 1),
                )
            )
            ids = []
            for n in range(calls_per_rep):
                call_id = f"{rep.split()[0].lower()}-{n + 1}"
                deal_row, _ = uow.deals.upsert(
                    Deal(
                        external_id=f"deal-{call_id}",
                        account=f"{rep.split()[1]} Account {n + 1}",
                        outcome=DealOutcome.WON if n % 2 == 0 else DealOutcome.LOST,
                        close_date=(start + timedelta(days=30 + n)).date(),
                    ),
                    rep_row.id,
                    "test",
                )
                call = Call(
                    external_id=call_id,
                    segments=_segments(rep, f"zebra{rep.split()[0].lower()}", n),
                    rep=rep,
                    date=start + timedelta(days=7 * n + rep_index),
                    account=f"{rep.split()[1]} Account {n + 1}",
                    deal_external_id=deal_row.external_id,
                    call_type="discovery",
                )
                call_row, _ = uow.calls.save(call, rep_row.id, deal_row.id)
                stored_call = uow.calls.get(call_id, scope=EVERYONE)
                assert stored_call is not None
                score = scorer.score(ScoringRequest(stored_call, stored.rubric, stored.version))
                uow.scores.save(score, call_row.id, stored.version_pk)
                ids.append(call_id)
            org.calls_by_rep[rep] = ids
    if with_users:
        for username, (role, teams, rep_name) in USERS.items():
            add_user(store, username, role, PASSWORD, teams=teams, rep=rep_name)
    return org
