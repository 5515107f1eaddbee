"""Neutral exchanges about the prospect's business: stories, team, systems, plans.

A topic is a list of steps `(speaker, part, part...)`; each part is a bank (one template picked)
or a single template. Speakers: rep, prospect, buyer, tech, engineer.
"""

from __future__ import annotations

Step = tuple[object, ...]
Topic = tuple[Step, ...]

MONTH_END_STORY: Topic = (
    (
        "rep",
        (
            "(How did|How'd) (last|the last) month-end go?",
            "(Out of curiosity|Just curious), what does a bad month-end look like (for you|"
            "on your side)?",
            "(What was the last close like|Tell me about the most recent close)?",
        ),
    ),
    (
        "prospect",
        (
            "(Oh, don't get me started.|Ha, it was rough.|Honestly? Painful.)",
            "(Not great, to be honest.|About as bad as usual.|Let's just say it was long.)",
        ),
        (
            "(The bank feed|The export from {erp}) broke on day two, so (we had to redo|we "
            "ended up redoing) (the whole|a week's worth of) (matching|reconciliation) by hand.",
            "(Half the|A bunch of the) {docs} (came in|arrived) late, (so|and) (nothing|none "
            "of it) (tied out|matched) until (the very end|the last day).",
        ),
        (
            "(Two of us|My senior accountant and I) (stayed until|were there past) (nine|ten) "
            "(two nights in a row|most of that week), and (someone was out sick|one person was "
            "on vacation), (so we were covering|which meant covering) their (accounts|part) "
            "too.",
            "(I|We) (cancelled|skipped) (a|my) (weekend|kid's game) (for it|to finish), "
            "(which|and that) (is|was) (not sustainable|not the first time).",
        ),
        (
            "By the time we (closed|finally closed), (it was|we were at) day {close_days}, and "
            "{buyer} had (already asked|been asking) (twice|three times) where the numbers were.",
        ),
    ),
    (
        "rep",
        (
            "(That sounds|Sounds) (exhausting|brutal|really tough). (I'm sorry.|Ugh.|Not fun.)",
            "(Wow.|Oof.) (That's|That is) (a lot|a rough month) (for a team of {team_size}|for "
            "any team).",
        ),
    ),
)

AUDIT_STORY: Topic = (
    (
        "prospect",
        (
            "(Actually, one thing I should mention.|Side note, and this is relevant.)",
            "(Oh, and|By the way,) (something|one thing) (you should know|that matters here).",
        ),
        (
            "(Our|The) auditors (flagged|wrote us up for) (our reconciliations|our controls) "
            "(last year|in the last audit). It wasn't (serious|major), but they (want|wanted) "
            "(evidence|sign-offs) (for|on) every account (this time|going forward).",
        ),
        (
            "Right now that (evidence lives|all lives) in (email|a shared drive) and "
            "(screenshots|printouts). (We spend|It takes) (a week|days) (just pulling|pulling) "
            "together (the binder|the audit file).",
        ),
    ),
    (
        "rep",
        (
            "(That's|That is) (really useful|helpful) (context|to know), {champion}. (Every|"
            "Each) (sign-off|approval) in {product} is (stamped|logged) with (who did it|the "
            "user) and (when|the date), and (you can|the auditors can) (export|pull) the audit "
            "(file|binder) in (one click|a few minutes).",
        ),
    ),
    (
        "prospect",
        (
            "{yes}, (that alone|that by itself) would (help|be worth a lot).",
            "(That would|That'd) (save|take) (a week|days) off (audit prep|the audit), "
            "(honestly|easily).",
        ),
    ),
)

TEAM_STORY: Topic = (
    (
        "rep",
        (
            "(Tell me about the team.|How's the team these days?) Who does what?",
            "(How is|How's) the work split (across|on) the team?",
        ),
    ),
    (
        "prospect",
        (
            "(So|Well,) there are {team_size} of us. I (run|oversee) the close, (one person|"
            "someone) handles (payables|AP), and the (others|rest) split (receivables|AR), "
            "(payroll|expenses) and the (reconciliations|bank recs).",
        ),
        (
            "We (hired|added) a junior accountant (this year|in the spring), and (honestly|to "
            "be fair) they (spent|spend) half their time (learning|fighting) {tool} instead of "
            "(learning the business|actual accounting).",
            "(Turnover's|Retention's) been (hard|tough); (we lost|I lost) (one|a good) "
            "(person|accountant) (last year|in the fall) and (it took|we needed) (four|five) "
            "months to (replace them|backfill).",
        ),
        (
            "(Everybody's|The team is) (good|solid), they're just (stretched|tired|doing too "
            "much by hand).",
        ),
    ),
    (
        "rep",
        (
            "{ack}, (that's helpful|thanks for the picture). (That's a lean team for|That's not "
            "a big team for) {employees} people.",
            "(Makes sense.|Got it.) (Sounds like a|That's a) (strong|capable) team (that's "
            "stretched thin|carrying a lot).",
        ),
    ),
)

SYSTEMS_LANDSCAPE: Topic = (
    (
        "rep",
        (
            "(What|Which) (other systems|tools) (sit|live) (around|next to) {erp} (today|right "
            "now)?",
            "(Can you|Could you) (map out|sketch) the (systems|tools) (the|your) {docs} (touch|"
            "go through) (before|on the way into) {erp}?",
        ),
    ),
    (
        "prospect",
        (
            "(So|Well,) {erp} is the (core|system of record). (Around it|Next to it) (we have|"
            "there's) (a payroll provider|ADP for payroll), (a|the) (bank portal|banking "
            "portal), (Expensify|an expense tool) and then {tool} (holding|gluing) it all "
            "together.",
        ),
        (
            "(Nothing|None of it) (talks to|syncs with) (each other|anything else) (really|"
            "properly), (so|which is why) (we export|my team exports) (CSVs|files) (every "
            "day|all day).",
            "(IT|{tech}) (built|set up) a (couple of|few) (scripts|scheduled exports) (a while "
            "back|years ago), but (they break|they fail) (whenever|every time) (something "
            "changes|a column moves).",
        ),
    ),
    (
        "rep",
        ("{ack}. (And|So) (who fixes those exports when they break|who owns it when it breaks)?",),
    ),
    (
        "prospect",
        (
            "(Me, usually.|Usually me, at eleven at night.|Whoever notices first, honestly.)",
            "({tech}, when they have time|IT, eventually), (which|and that) (is|can be) "
            "(days|a while).",
        ),
    ),
)

GROWTH_PLANS: Topic = (
    (
        "rep",
        (
            "(Where is|Where's) the business (heading|going) (this year|over the next year or "
            "two)?",
            "(What|Which) (plans|changes) (are coming|are on the horizon) (for|at) "
            "{company_short} (this year|in the next twelve months)?",
        ),
    ),
    (
        "prospect",
        (
            "(We're growing.|Growth, mostly.) (We're adding|We plan to add) (more|a few more) "
            "{unit} (this year|next year), (and|plus) (there's talk of|we're looking at) "
            "(an acquisition|another entity|a second location).",
        ),
        (
            "(The owners want|{buyer} wants) (finance|us) to (scale|keep up) without "
            "(adding|hiring) (headcount|people) (at the same rate|one for one).",
            "(Which is|That's) (exciting|great) (for the business|on paper), (but|and) "
            "(finance|my team) (can barely|already struggles to) keep up (as it is|today).",
        ),
    ),
    (
        "rep",
        (
            "(That's|That is) (a big|an important) (point|piece). (So|And) (more|twice the) "
            "{docs} with the same {team_size} people?",
        ),
    ),
    ("prospect", ("{yes}, (that's|that is) (the plan|the expectation|basically it).",)),
)

PREVIOUS_TOOL: Topic = (
    (
        "rep",
        (
            "(Have you tried|Did you look at) (anything|a tool) (for this|like this) (before|in "
            "the past)?",
        ),
    ),
    (
        "prospect",
        (
            "(We did, actually.|Yes, a couple of years ago.) (We bought|We signed up for) (a "
            "tool|an add-on) (for|to do) (the matching|this), (and|but) (it never really went "
            "live|nobody used it after the first month).",
        ),
        (
            "The (setup|implementation) (was|took) (all on us|way longer than promised), "
            "(and|so) (it|the project) (died|fizzled out) (when|after) (the person who "
            "championed it left|month-end hit).",
        ),
        (
            "(So|That's why) (I'm|we're) (a bit|a little) (cautious|gun-shy) (this time|about "
            "tools like this).",
        ),
    ),
    (
        "rep",
        (
            "(That's|That is) (really|completely) (fair|understandable), (and|so) (thank you|"
            "thanks) for (telling me|being upfront). (What|Which) (part|bit) (of that) "
            "(hurt|went wrong) (the most|first)?",
        ),
    ),
    (
        "prospect",
        (
            "(The setup.|Honestly, the setup.) (Nobody|No one) (on their side|from the vendor) "
            "(helped|showed up) after (the contract|we signed).",
        ),
    ),
)

DAY_IN_LIFE: Topic = (
    ("rep", ("(What does|What's) a (typical|normal) (day|week) look like for (you|your team)?",)),
    (
        "prospect",
        (
            "(Mornings are|First thing in the morning is) the bank portal and email. (Then|After "
            "that) I'm in {tool} (most of the day|until lunch), (chasing|matching) {docs}.",
        ),
        (
            "(Afternoons|In the afternoon) (it's|there are) (meetings|questions from {ops_team}), "
            "(approvals|approval requests) (and|plus) (whatever|anything) {buyer} (needs|asks "
            "for).",
        ),
        (
            "(Somewhere in there|At some point) (I'm supposed to|I should) (do|be doing) "
            "(analysis|forecasting), (but|and) (honestly|realistically) (that|it) (happens|gets "
            "done) (at night|on weekends|never).",
        ),
    ),
    (
        "rep",
        ("{ack}. (So|And) (the|your) (strategic|analysis) work (gets squeezed|is what suffers).",),
    ),
    ("prospect", ("(Exactly.|Every week.|Yeah, always.)",)),
)

BOARD_PRESSURE: Topic = (
    (
        "buyer",
        (
            "(Let me|If I can) (add|jump in with) (some|a bit of) context (from my side|from "
            "the top).",
        ),
        (
            "(The board expects|Our lenders expect|The owners expect) (monthly|the monthly) numbers "
            "(within|by) (day five|the first week), and (right now|today) we're (at|closer to) "
            "day {close_days}.",
        ),
        (
            "(That's|It's) (not|no longer) (a nice-to-have|optional); (it came up|we got asked "
            "about it) in (the last|our last) (board meeting|review).",
        ),
    ),
    (
        "rep",
        (
            "(That's|That is) (really|super) helpful (context|to hear), (thank you|thanks), "
            "{buyer}. (It|That) explains (a lot|why this is a priority).",
        ),
    ),
    (
        "buyer",
        (
            "(Not a hard deadline yet.|Nothing formal yet.) (But|Though) I'd (like|want) to "
            "(show|report) (progress|improvement) (by|at) (the next meeting|next quarter).",
        ),
    ),
)

INDUSTRY_CHAT: Topic = (
    (
        "rep",
        (
            "(How's business been|How are things in {industry}) (this year|lately)? (We hear|I "
            "hear) (mixed things|a lot of different stories) from (other|our) customers.",
        ),
    ),
    (
        "prospect",
        (
            "(Busy.|It's been busy.) (Volumes are up|Demand's up), (but|and) (margins|costs) "
            "(are|have been) (tight|under pressure), (so|which means) (every|each) "
            "(hour|dollar) (counts|gets looked at).",
            "(Up and down.|Mixed.) (The first half|The spring) was (slow|quiet), (the second|"
            "now it) is (picking up|crazy), (and|which means) the {unit} (are|keep) "
            "(growing|piling up).",
        ),
    ),
    (
        "rep",
        (
            "(That matches|That's consistent with) what (we see|I hear) (elsewhere|from other "
            "{industry} teams). (Cost|Headcount) (pressure|scrutiny) (is|seems) "
            "(everywhere|universal) (right now|this year).",
        ),
    ),
)

DECISION_PROCESS: Topic = (
    (
        "rep",
        (
            "How do (decisions|purchases) like this (usually|typically) (get made|happen) at "
            "{company_short}?",
            "(Who|Which people) (would|will) (be involved in|need to weigh in on) a (decision|"
            "purchase) like this?",
        ),
    ),
    (
        "prospect",
        (
            "(I|Me and my team) (evaluate|do the evaluation), (then|and then) (it goes|it "
            "would go) to {buyer} for (budget|the budget) (and|plus) (IT|{tech}) (for|does) "
            "(security|a security review).",
        ),
        (
            "Anything (over|above) (twenty-five|fifty) thousand also (needs the owners' "
            "signature|goes to the CEO to sign).",
            "(Usually|Normally) (it takes|that's) (two to four|a few) weeks (end to end|from "
            "start to finish), (if|as long as) nothing (gets stuck|stalls).",
        ),
    ),
    (
        "rep",
        (
            "(That's helpful.|Good to know.) (I'll|Let me) (make sure|plan so) we (have|give) "
            "(what|everything) {buyer} and {tech} (need|will want) (at each step|up front).",
        ),
    ),
)

BUSINESS_TOPICS: tuple[Topic, ...] = (
    MONTH_END_STORY,
    AUDIT_STORY,
    TEAM_STORY,
    SYSTEMS_LANDSCAPE,
    GROWTH_PLANS,
    PREVIOUS_TOOL,
    DAY_IN_LIFE,
    BOARD_PRESSURE,
    INDUSTRY_CHAT,
    DECISION_PROCESS,
)

# How the work gets done today, step by step, in the prospect's words (one pool per pain).
PROCESS_STEPS = {
    "reconciliation": (
        "First thing, (someone|one of us) (downloads|pulls) the (statements|bank "
        "statements) from the (bank portal|portal).",
        "Then we export (the|all the) open items from {erp} (into|as) a CSV.",
        "(Both|Both files) go into {tool}, and we run (the lookups|a VLOOKUP) (to|that) "
        "(pair|match) them up.",
        "Anything that doesn't match gets (highlighted|coloured yellow), and (someone|"
        "one of us) (works through|goes through) them (one by one|line by line).",
        "(For|The) unknown deposits, we email {ops_team} and (wait|hope someone answers).",
        "Once it ties, I review (it|the workbook) and (sign off|initial it).",
        "(And then|Then) the adjusting entries get keyed into {erp} (by hand|manually).",
    ),
    "payables": (
        "The {docs} (land in|come into) a shared inbox, (dozens|hundreds) a day.",
        "Someone (saves each one into a folder|downloads each one and files it in a folder).",
        "We key the (header|vendor, date, amount) and the lines into {erp} (by hand|manually).",
        "Then we email the approver (and wait|and chase), (sometimes|often) for a week.",
        "Approvals come back (by email|in replies), (some|a few) (on sticky notes|"
        "verbally), which (drives|is driving) (audit|the auditors) crazy.",
        "(The|Our) payment run is on (Thursdays|Fridays), so anything (late|not approved) "
        "(slips|waits) a week.",
        "(And then|Then) (someone|we) (matches|tick) the (payments|remittances) back "
        "(against|to) the bank.",
    ),
    "close": (
        "Day one we (close|lock) (the|AP and AR) sub-ledgers.",
        "Day two is accruals, (mostly|which is mostly) (from|out of) a workbook "
        "(nobody|no one) (wants to touch|fully understands).",
        "Then (it's|we do) the bank recs for (every account|all the accounts), (which|and that) "
        "(takes|eats) (two|three) days on its own.",
        "(Then|After that) intercompany, (which|and that) (never|rarely) ties (the first "
        "time|on the first pass).",
        "(Then|After that) (I|we) review (the|all the) variances and chase {ops_team} (for "
        "explanations|about the big ones).",
        "(And finally|Finally) (we build|I put together) the (package|reporting pack) for "
        "{buyer}, (again|all) in {tool}.",
    ),
    "reporting": (
        "(Monday morning|First thing Monday) (I|we) (pull|download) (balances|the "
        "balances) from (every|each) bank portal.",
        "Then (we|I) export (AR|the AR aging) and (AP|the AP aging) from {erp}.",
        "(Everything|All of it) gets pasted into the workbook, (and|and then) (we|I) fix "
        "(whatever|the formulas that) broke (this week|since last time).",
        "Then (I|we) (write|add) the (commentary|notes) (on|about) (the big moves|what changed).",
        "(It|The report) (goes|has to go) to {buyer} by Monday (noon|lunchtime), (and|"
        "but) (it's|it is) (already|always) (stale|out of date) by then.",
    ),
}
PROCESS_LEAD_IN = (
    "(Let me|I can) (walk you through|talk you through) (it|how it works) (step by step|"
    "quickly), (it's|it is) (easier|simpler) that way.",
    "(Okay, so|Right, so) (here's how it actually works|this is what actually happens) (day "
    "to day|each month).",
)
PROCESS_WRAP = (
    "(And that's|That's) (basically|pretty much) (it|the process). (Every|Each) (week|"
    "month), (more or less|give or take).",
    "(So|Yeah,) (that's|that is) (the|our) (process|routine), (warts and all|in all its glory).",
)

# Slides low-discovery reps talk through instead of asking questions (the pitch they default to).
PITCH_SLIDES = (
    "{so} (a bit about us|quick background): {product} (was founded|started) in 2016, "
    "(we're|we are) (about|roughly) (three hundred|four hundred) people, (and|with) "
    "(offices|teams) in (Austin, Toronto and Dublin|three countries).",
    "(We work with|Our customers include) (over|more than) (a thousand|twelve hundred) "
    "finance teams, (from|everything from) (small businesses|startups) to (public "
    "companies|large enterprises), (across|in) (every|all sorts of) (industry|industries).",
    "(We've|We have) (won|picked up) (a bunch of|several) (awards|industry awards) (this "
    "year|recently), (including|like) (best finance automation platform|a top-rated "
    "spot on G2).",
    "(On the roadmap|Coming soon), (we've got|there's) (AI-assisted matching|a new "
    "forecasting module), (better|deeper) (analytics|reporting) and (more|new) "
    "integrations.",
    "(Our|The) platform (has|is built on) (four|four main) modules: Reconcile, Payables, "
    "Close and Insights, (and|which) (you can|customers) (buy|start with) (one|any one) "
    "(or all of them|and add more later).",
    "(What|The thing) (makes us different|sets us apart) is (really|honestly) (the "
    "platform|our technology|the team): (it's|we're) (modern|cloud-native), (fast|"
    "secure) and (built for finance|designed by accountants).",
)

# Things people add at the end of an answer; appended now and then to a prospect's answer.
ASIDES = (
    "(That's|It's) been (like that|the case) since before I joined, (honestly|to be fair).",
    "(But|And) (that's|that is) (a whole other|another) story.",
    "(We keep|We kept|I keep) saying we'll fix it after (year-end|the next audit).",
    "{buyer} (knows|is aware of it), (for what it's worth|by the way).",
    "(It's not ideal|Not ideal), I know.",
    "Sorry, (I'm rambling|I'm going on a bit).",
    "(The team|My team) (jokes|likes to joke) that the workbook has a mind of its own.",
    "We've (talked about|discussed) (it|this) internally (for a while|a few times) (already|now).",
    "(Anyway|Either way), that's (the context|where we are).",
    "(I'd|I would) (love|really like) to stop being the bottleneck (on that|there).",
    "(It|That) got (worse|harder) when we added (more|the last few) {unit}.",
    "(Our|The) auditors (asked|had questions) about (that|it) too, (now that I think of "
    "it|come to think of it).",
    "(At least|Well,) that was (the plan|the idea) at the time.",
    "(We|I) (even|actually) (put|logged) (it|that) on the risk register.",
)
