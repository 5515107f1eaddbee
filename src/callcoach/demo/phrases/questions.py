"""Single questions prospects ask about the product, and factual answers (neutral on the rubric).

A call draws a handful without repeats; the answer comes from the rep, or from the solutions
engineer when one is on the call.
"""

from __future__ import annotations

QA = (
    (
        "(Does it|Can it) (handle|deal with) partial payments?",
        "(Yes|It does): a partial payment (stays|is kept) (linked|matched) to the (invoice|"
        "open item) and the (remainder|balance) (stays open|shows as outstanding) until "
        "(it's paid|the rest comes in).",
    ),
    (
        "What (happens|do you do) with (duplicates|duplicate invoices)?",
        "(They're|Duplicates are) (flagged|held) (on the way in|at capture) (by|using) "
        "(vendor, amount and date|invoice number and amount), so (nobody|no one) (can|"
        "would) (pay|approve) the same one twice.",
    ),
    (
        "(Can we|Could we) set (approval limits|different approval thresholds) (by|per) "
        "(department|entity)?",
        "(Yes|Absolutely), (limits|thresholds) (are|can be) set (per|by) (department, "
        "entity|user, amount) (or|and) (GL account|vendor), (and|with) (backup|delegate) "
        "approvers for (vacations|when people are out).",
    ),
    (
        "(How|In what way) (do you|does it) (match|reconcile) the bank lines?",
        "(Rules first|By rules first): (amount|exact amount), date (window|range) and "
        "(reference|memo) (text|fields); (then|after that) (a|the) (learning|suggestion) "
        "(engine|model) (proposes|suggests) matches (for|on) what's left, and (someone|a "
        "person) (confirms|approves) (them|those).",
    ),
    (
        "(Is there|Do you have) an (API|open API)?",
        "(Yes|There is), a (REST|documented REST) API (with|plus) webhooks, (so|and) "
        "(IT|{tech}) (can|could) (connect|hook up) (other|internal) (systems|tools) (if "
        "needed|later).",
    ),
    (
        "(How does|How well does) (the|your) (OCR|invoice capture) (handle|cope with) (bad|"
        "blurry) (scans|PDFs)?",
        "(It|Capture) (reads|handles) (most|the large majority of) (scans|PDFs) (fine|"
        "cleanly); (anything|whatever) (it's|it is) (unsure about|not confident on) "
        "(goes|lands) in a (review|verification) queue (instead of|rather than) "
        "(being posted|posting) (wrong|blindly).",
    ),
    (
        "(Can|Could) we (keep|run) (our|the) (month-end|close) checklist in (it|there)?",
        "(Yes|It can): (tasks|checklist items) (have|get) (owners|assignees), (due "
        "dates|deadlines) and (dependencies|prerequisites), and (you see|the controller "
        "sees) (what's late|the status) (at a glance|in one view).",
    ),
    (
        "(Does it|Can it) (work|cope) with (intercompany|intercompany transactions)?",
        "(It does|Yes), (intercompany|those) (entries|transactions) (are|get) "
        "(matched|paired) (across|between) entities and (eliminated|flagged for "
        "elimination) (on|at) consolidation.",
    ),
    (
        "(How do user roles work|What do the user roles look like|How does permission "
        "management work)?",
        "(There are|We have) (standard|preset) roles (like|such as) (admin, approver|"
        "preparer, reviewer) and (viewer|read-only), (and|plus) custom roles (if you "
        "need|for) (finer control|anything specific).",
    ),
    (
        "(Can|Could) we (export|get) (everything|our data) (out|back) (if|should) we "
        "(leave|ever leave)?",
        "(Always|Yes, always). (Full|Complete) (exports|data exports) (in|as) (CSV|CSV or "
        "Excel) (at any time|whenever you want), and (on|at) (exit|termination) (we|"
        "we'll) (hand over|provide) (a full|a complete) (extract|export).",
    ),
    (
        "(What has your uptime been like|How's your uptime been)?",
        "(Ninety-nine point nine|Over ninety-nine point nine) percent (over|across) the "
        "(last|past) (twelve months|year), (and|with) (a public|a live) status page "
        "(you can|anyone can) (check|subscribe to).",
    ),
    (
        "(Does|Can) (it|{product}) (handle|support) (recurring|accrual) (journal entries|entries)?",
        "(Yes|It does): (recurring|scheduled) (entries|journals) (are|get) (set up|"
        "defined) once and (posted|post) (automatically|on schedule) (with|after) (an "
        "approval|review).",
    ),
    (
        "How long (does|would) it take to add a new (entity|location)?",
        "(Usually|Typically) (a day|a couple of days): (connect|link) the (bank|accounts), "
        "(copy|clone) the (rules|settings) from an existing entity, and (you're|it's) "
        "(live|running).",
    ),
    (
        "(Can|Could) (approvers|managers) (approve|sign off) from email?",
        "(Yes|They can): (a|the) (link|button) in the email (opens|goes to) the (invoice|"
        "item) (with|and) (approve|one-click approve) (and|or) reject, (logged|recorded) "
        "(like any other|the same as any) approval.",
    ),
    (
        "Is there (a|any) (sandbox|test environment)?",
        "(Yes|There is), (every|each) (customer|account) (gets|has) a sandbox (for|to) "
        "(testing|trying out) (rules|changes) before (they go|pushing them) live.",
    ),
    (
        "(How do you handle|What happens with) (foreign|multi-currency) (payments|invoices)?",
        "(Rates|Exchange rates) (come|are pulled) (daily|every day) (from|via) (the|your) "
        "(bank|ERP), (and|so) (gains and losses|FX differences) (are|get) (calculated|"
        "booked) (automatically|on their own).",
    ),
    (
        "(Can|Could) (we|I) see (an audit log|a change history)?",
        "(Every|Each) (change|action) (is|gets) (logged|recorded) with (who|the user) and "
        "(when|the timestamp), (and|so) (you|auditors) (can|could) (filter|search) (it|"
        "the log) (by|for) (account|period) (or|and) (user|person).",
    ),
    (
        "(Which banks do you connect to|What bank connections do you support|Which banks "
        "does it work with)?",
        "(Most|All the major) (US|North American) banks (directly|via direct feeds), "
        "(and|plus) (the rest|others) (through|via) (an aggregator|Plaid) (or|and) "
        "(file|BAI2) (imports|uploads).",
    ),
    (
        "(How does (the|your) (pricing|price) change|What happens to (the|your) (pricing|"
        "price)) (if|as) (we grow|the business grows)?",
        "(Pricing|The price) (is|goes) by module and entity, (not|"
        "rather than) (users|headcount), (so|which means) (growth|more volume) (doesn't|"
        "won't) (change|move) (the number|it) (unless|until) (you|we) (add|bring on) "
        "(an entity|a module).",
    ),
    (
        "(Can|Could) (we|I) (try|test) it (with|on) (our|my) (own|real) data (first|"
        "before anything)?",
        "(Yes|Sure): (we|we can) (load|connect) (a month|last month) of your data into a "
        "sandbox (for|over) (two weeks|a couple of weeks), (no|at no) (cost|charge).",
    ),
    (
        "(Does it|Can it) (work|run) (in|on) (a|the) browser, or (is there|do we need) "
        "(something|software) to install?",
        "(Browser only|Just the browser): (Chrome, Edge|any modern browser), (nothing|no "
        "software) to install, (and|plus) (the|a) (mobile app|phone app) for approvals.",
    ),
    (
        "(How often|How frequently) (do you|does {product}) (release|ship) (updates|new features)?",
        "Every (two|three) weeks, (with|and) (release notes|a changelog) (in|inside) "
        "the app; (nothing|no change) (that affects|touching) (your|the) (rules|close) "
        "(ships|lands) (during|in) (the|your) close week.",
    ),
    (
        "(Where|Who) (would|do) (we|I) (go|call) (with|for) (questions|help) (during|in) "
        "the (first|early) (weeks|months)?",
        "(Your|The) onboarding (lead|manager) (first|directly), (and|then) (chat|the chat "
        "in the app) (any time|during business hours); (after|once) (go-live|you're live) "
        "(it's|you have) (your|the) customer success manager.",
    ),
    (
        "(Can|Could) (it|{product}) (send|push) (reminders|nudges) to (people|approvers) "
        "(who|that) (sit|are sitting) on (approvals|invoices)?",
        "(Yes|It does): (reminders|nudges) (go out|are sent) after (two|three) days (by "
        "default|, and you can change that), with the option to escalate to (their|the "
        "approver's) manager.",
    ),
)

# Items of a proposal walked through on negotiation calls: (buyer asks, rep answers).
PROPOSAL_ITEMS = (
    (
        "(Let's start with scope.|Can we go through the scope first?) (What's included in|"
        "What exactly is in) {price}?",
        "{module}, the {erp} connector, (onboarding|implementation) and (training|the "
        "training sessions), (plus|and) (unlimited users|support) (for|over) (the|a) "
        "(twelve months|year).",
    ),
    (
        "(Is there an implementation fee on top|Do you charge a setup fee as well)?",
        "(It's|That's) (included|waived) (on|for) (the|an) annual (plan|contract); "
        "(on|for) monthly (plans|billing) there's a one-time setup fee.",
    ),
    (
        "(What support tier are we getting|Which support level is included)?",
        "(The|Our) (standard|business) tier: (chat and email|chat, email and phone) "
        "(on business days|every weekday), (with|plus) (a|the) (customer success "
        "manager|named CSM) for the first year.",
    ),
    (
        "(What happens to our data|How do you handle data retention) (after the contract "
        "ends|if we cancel)?",
        "(Data|Your data) (stays|is kept) (available|accessible) for (ninety|sixty) days "
        "(after|following) (termination|the end date) (for exports|so you can export everything), "
        "then it's deleted (and we send a certificate|with a deletion certificate).",
    ),
    (
        "(Is there an uptime SLA in the contract|What's the SLA on uptime)?",
        "(Ninety-nine point nine|Ninety-nine point five) percent (monthly|per month), "
        "(with|and) service credits (if|when) (we miss it|it's missed).",
    ),
    (
        "(Can|Could) (we|you) (add|include) (a|another) (module|entity) (later|mid-term) "
        "(at|for) the same (rate|discount)?",
        "(Yes|Sure), (additions mid-term are|anything added during the year is) prorated at "
        "(the same|your) (rate|pricing) and (lines up|co-terminates) with the renewal.",
    ),
    (
        "(What|Which) (start|go-live) date (does|did) (the|this) proposal (assume|use)?",
        "(It|The proposal) assumes (a kickoff|kickoff) on the first of (next|the coming) "
        "month, (with|and) go-live (about|roughly) (five|six) weeks (later|after that).",
    ),
    (
        "(Legal|Our legal team) (will|is going to) (want|ask for) (changes|edits) to "
        "(the|your) (limitation of liability|liability cap).",
        "(That's|That is) (normal|standard); (send|please send) (the|your) redlines and "
        "(our|the) legal (team|counsel) (turns them around|reviews them) within (three|five) "
        "(business|working) days.",
    ),
    (
        "(Who|Which person) (signs|would sign) (on your side|from {product})?",
        "(Our|My) (VP of Sales|regional director) (countersigns|signs); (it's|that's) "
        "(usually|normally) (same day|within a day) (once|after) (it's|yours is) (in|"
        "signed).",
    ),
)
