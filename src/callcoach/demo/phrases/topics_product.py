"""Neutral exchanges about the product: security, integration, implementation, features."""

from __future__ import annotations

from callcoach.demo.phrases.topics_business import Topic

SECURITY: Topic = (
    (
        "tech",
        (
            "(Quick one from the IT side|From a security standpoint|Before I forget): (are "
            "you|is {product}) SOC 2 (compliant|certified), and where is the data (stored|"
            "hosted)?",
        ),
        (
            "(And|Also), (do you support|can we use) single sign-on (with|through) (Okta|Azure "
            "AD|Google)?",
        ),
    ),
    (
        "rep",
        (
            "(Yes|Yep), SOC 2 Type II, audited every year. (Data|Everything) is hosted in (the "
            "US|AWS US-East) (by default|unless you need otherwise) and (encrypted|it's "
            "encrypted) at rest and in transit.",
        ),
        (
            "(SSO|Single sign-on) works with (Okta, Azure AD and Google|all the big providers), "
            "(and|plus) (SCIM provisioning|user provisioning) (if you want it|on the annual "
            "plan).",
        ),
        (
            "(I'll|Let me) (send|share) (the|our) (security pack|trust report) (after the "
            "call|today) so {tech} has everything in one place.",
        ),
    ),
    ("tech", ("(Okay, good.|Perfect.|That covers it.) (Send that over.|That's what I needed.)",)),
)

INTEGRATION: Topic = (
    (
        "tech",
        (
            "(How does|How exactly does) the {erp} (sync|connection) work? (Is it|Are we "
            "talking) real time, (batch|a nightly batch), or (a file|file uploads)?",
            "(What|Which) (fields|objects) (come across|do you pull) from {erp}, and does "
            "(it|the sync) write anything back?",
        ),
    ),
    (
        "rep",
        (
            "It uses (the|their) (native|official) API, syncing every (fifteen minutes|hour) "
            "(by default|out of the box). (Vendors, open items|Bank lines, invoices) and "
            "(the chart of accounts|GL codes) come (across|in); (journal entries|matched "
            "items) (are|get) written back (once approved|after approval).",
        ),
        (
            "(Connecting it|Setup) (takes|is) (about an hour|half a day) with (someone who has "
            "admin on|an admin in) {erp}; our team does the mapping.",
        ),
    ),
    (
        "tech",
        (
            "(Okay.|Alright.) (And if|What if) we (have|use) custom fields? (I'd also|We'd) want "
            "to test it on (a sandbox|our test instance) first.",
        ),
    ),
    (
        "rep",
        (
            "(Custom fields|Those) (map|come across) (too|as well), (we set that up|that's "
            "configured) in the mapping session, and (absolutely|of course), we (can|will) "
            "connect your sandbox first.",
        ),
    ),
)

IMPLEMENTATION: Topic = (
    (
        "prospect",
        (
            "(What does implementation look like|How does implementation actually work), and "
            "who (would need|needs) to be involved (on our side|from my team)?",
            "(How long does the rollout take|How long are we talking for setup), and how much "
            "time will it take from my team?",
        ),
    ),
    (
        "rep",
        (
            "(Typically|Usually) (four to six|about five) weeks. (Week one|First) is the "
            "kickoff and the {erp} connection, then (we build|our team builds) the (matching "
            "rules|workflows) from your current process, and (you run|we run) one close in "
            "parallel before (switching over|go-live).",
        ),
        (
            "(From your side|On your team), it's mostly (you|one person) and (someone from "
            "IT|{tech}) for (a few hours|maybe six hours) (in total|across the project). You "
            "get a (named|dedicated) (onboarding|implementation) (manager|lead) (the whole "
            "way|throughout).",
        ),
    ),
    (
        "prospect",
        (
            "(Okay.|Alright.) (That's|That is) (less than I expected|better than I feared|"
            "reasonable). (And training?|What about training for the team?)",
        ),
    ),
    (
        "rep",
        (
            "Training is (included|part of it): (two|a couple of) live sessions (plus|and) "
            "(recordings|on-demand videos), and (support|our support team) (on chat|by chat) "
            "(during business hours|every weekday).",
        ),
    ),
)

PRODUCT_QA: Topic = (
    (
        "prospect",
        (
            "(Can|Does) {product} (handle|do) (multiple entities|multi-currency)? (We have|"
            "There's) a (Canadian entity|UK subsidiary|second company) (too|as well).",
        ),
    ),
    (
        "rep",
        (
            "(Yes|It does): each entity (has|gets) its own (books|ledger view), and you can "
            "(consolidate|roll up) across them for reporting. (Currencies|Exchange rates) "
            "(come from|are pulled from) (the|your) (bank|ERP) (daily|every day).",
        ),
    ),
    (
        "prospect",
        (
            "(Good.|Okay, good.) (And|Also,) is there (a mobile app|mobile approval)? (Our|The) "
            "(managers|approvers) (are|live) on their phones.",
        ),
    ),
    (
        "rep",
        (
            "(There is|Yes), on iOS and Android; approvers get a (push|notification) and "
            "(approve|sign off) in two taps.",
        ),
    ),
    ("prospect", ("{ack}, (good|that's what I hoped). (Thanks.|Good to know.)",)),
)

REPORTING_QA: Topic = (
    (
        "prospect",
        (
            "(What|Which) reports come (out of the box|as standard)? (I'm|I am) (always|"
            "constantly) (asked|getting asked) for (aging|cash) (reports|numbers).",
        ),
    ),
    (
        "rep",
        (
            "(About|Around) (thirty|forty) standard reports (including|with) (aging|AP and AR "
            "aging), (cash position|cash) and (close status|the close tracker), (plus|and) a "
            "report builder for anything else. (You can|And you can) schedule them to "
            "(land in|go to) (an inbox|email) (every morning|weekly).",
        ),
    ),
    ("prospect", ("(Can|Could) {buyer} (get|have) (their own|a read-only) (login|view)?",)),
    (
        "rep",
        (
            "(Yes|Of course), (read-only|viewer) (seats|users) are (free|included), (so|and) "
            "(anyone|{buyer}) (can|could) (look|check) (without|with no) (extra cost|licence).",
        ),
    ),
)

SUPPORT_QA: Topic = (
    (
        "prospect",
        (
            "(What does support look like|How does support work) (after go-live|once we're live)? "
            "(Do we get|Is there) (a named person|someone we can call)?",
        ),
    ),
    (
        "rep",
        (
            "(You get|There's) a customer success manager (for the first year|assigned to you), "
            "(plus|and) (chat|live chat) and email support (on business days|every weekday). "
            "(Response|First response) (times are|time is) (under an hour|about thirty "
            "minutes) (on average|typically).",
        ),
    ),
    (
        "prospect",
        ("(And|What about) (month-end|the close)? (That's|It's) (when|the time) things break.",),
    ),
    (
        "rep",
        (
            "(Month-end|During the close) (we run|the team runs) extended (hours|coverage) "
            "(for|on) the (last|final) (two|three) days (of the month|and first days of the "
            "next).",
        ),
    ),
)

DATA_MIGRATION: Topic = (
    (
        "tech",
        (
            "(What happens|How do we handle) (the|our) (historical data|history)? (Do we|Would "
            "we) (bring|have to bring) (everything|years of data) (over|across)?",
        ),
    ),
    (
        "engineer",
        (
            "(Most customers|Most teams) (bring|load) (twelve|eighteen) months of (history|"
            "transactions), (which we load|which our team imports) from {erp} directly. "
            "(Older data|Anything older) (stays|remains) in {erp} (for reference|for audit).",
        ),
    ),
    (
        "tech",
        ("(Okay|Fine). (And the spreadsheet formulas?|What about the rules in our spreadsheets?)",),
    ),
    (
        "engineer",
        (
            "(We|We'll) (rebuild|recreate) (those|the rules) (as|into) matching rules (in the "
            "first week|during setup) and (test|check) them against last month's (data|close).",
        ),
    ),
)

PRODUCT_TOPICS: tuple[Topic, ...] = (
    SECURITY,
    INTEGRATION,
    IMPLEMENTATION,
    PRODUCT_QA,
    REPORTING_QA,
    SUPPORT_QA,
    DATA_MIGRATION,
)
