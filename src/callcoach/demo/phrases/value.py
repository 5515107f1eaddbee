"""Value articulation, level by level (one-call-close anchors), and the demo walkthrough.

1 lists features with no link to anything the prospect said; 2 generic benefits that fit any
customer; 3 links capabilities to the prospect's situation, without outcomes or proof; 4 ties
each capability to a stated problem and its outcome, with an example or number; 5 builds the
business case in the prospect's numbers and gets the prospect to agree it solves the problem.
A demo is narrated at the same level, screen by screen.
"""

from __future__ import annotations

from callcoach.demo.scene import Scene

CRITERION = "value_articulation"

FEATURES = (
    "(We also have|There's also|And we've got) (dashboards|custom dashboards), "
    "(integrations|sixty-plus integrations), (single sign-on|SSO) and (an API|a full REST "
    "API).",
    "(It does|You get) (automated matching|auto-matching), (a rules engine|custom rules), "
    "(approval workflows|multi-level approvals), (an audit trail|full audit logs) and "
    "(role-based permissions|user roles), (the works|all of it).",
    "(Feature-wise|On the feature side), (there's|we have) (OCR|invoice capture), "
    "(three-way matching|PO matching), (a mobile app|mobile approvals), (scheduled "
    "reports|report scheduling) and (a close checklist|task management).",
)
GENERIC = (
    "(It just|It really) saves (everybody|your team) (a lot of|so much) time and makes "
    "(things|everything) (more efficient|easier).",
    "(Our customers|People) (love it|really like it); (it's|it is) (super|really) easy to "
    "use and (the team|everyone) (picks it up|gets it) in (a day|no time).",
    "(Basically|The big thing is), it makes (your finance team|finance) (more productive|"
    "faster and more accurate): (less manual work|fewer errors), (that kind of thing|all the "
    "good stuff).",
)
LINKED = (
    "(Since|Because) you're on {tool}, we'd (pull|bring) the {docs} (straight|directly) "
    "(in|into {product}), so (you wouldn't be|nobody's) (copying them over|retyping them).",
    "(For|With) {erp}, (we have|there's) a (native|direct) connector, so {pain} (would "
    "happen|happens) (inside|in) {product} (instead of|rather than) in {tool}.",
    "(The|Our) {module} module (is built for|handles) exactly (this|what you described) "
    "with the {docs}.",
)
TIED = (
    "You mentioned {task} (takes|eats) (about|around) {hours} hours a week; {module} "
    "(means|is where) {outcome}, so (most of|the bulk of) those hours come back to "
    "(the team|your team).",
    "(You said|Earlier you said) the close (runs|takes) {close_days} days; (with|once "
    "you have) {module}, {outcome}. {reference}, a {industry} company (about|roughly) your "
    "size, went from {ref_before} days to {ref_after}.",
    "(Remember the {errors} (mismatches|errors) last quarter?|You told me about the {errors} "
    "(mismatches|errors) last quarter.) (The matching|The {module} module) (flags|catches) (duplicates|those) before (anything|"
    "payment) (goes out|is posted), so (those|that kind of thing) (stop reaching|never "
    "reaches) {buyer}.",
)
CASE = (
    "(So let's put it in your numbers|Let me build the case on your numbers): {hours_saved} "
    "hours a week (back|saved) at {rate} an hour is (about|roughly) {monthly_saving} a month "
    "(in|of) team time, against {price} for {product}. (It|That) pays back {payback}, "
    "(and|plus) the close (goes|drops) from {close_days} days to {target_days}. (Does that|"
    "Would that) solve the problem you described?",
    "(Here's the business case|On your own numbers): (you're spending|you spend) "
    "{monthly_cost} a month on {task}; we take (about|roughly) seventy percent of that "
    "away for {price}, (which means|so) (payback|it pays back) {payback} and (you|your "
    "team) (close|closes) in {target_days} days (before|ahead of) {event}. (Is that|Does "
    "that look like) (the outcome|what) you (need|were after)?",
)
CASE_AGREED = (
    "{yes}. (On those numbers|If it does that), (it|it basically) pays for itself. (That's|"
    "That is) (exactly|pretty much) (the problem|what I need solved).",
    "(Honestly, yes.|Yes, it would.) (If|As long as) (the matching|the connector) works "
    "(like that|as shown), (that solves|that's) (it|the whole problem).",
)
PROSPECT_NODS = (
    "(Okay.|Mm-hm.|Right.) (Cool.|Sure.|Interesting.)",
    "(Okay|Alright), (got it|makes sense).",
    "(Huh, okay.|Nice.) (Good to know.|I see.)",
)

# The demo, screen by screen: the same screens narrated at each level.
SCREENS = (
    ("the (import|inbox) screen", "(where|this is where) the {docs} (land|come in)"),
    ("the matching view", "(where|this is where) (lines|items) get (matched|paired up)"),
    (
        "the exceptions queue",
        "(where|this is where) (anything|whatever) (doesn't match|is off) (ends up|goes)",
    ),
    ("the approvals tab", "(where|this is where) (people|managers) (approve|sign off)"),
    (
        "the close checklist",
        "(where|this is where) (the|each) (close task|step) (is tracked|gets tracked)",
    ),
    (
        "the cash dashboard",
        "(where|this is where) (you see|{buyer} sees) (the|your) "
        "(position|cash) (every morning|daily)",
    ),
)
SCREEN_BY_LEVEL = {
    1: (
        "(Okay, so|And) (this is|here's) {screen}. (You can|We can) (filter|sort), "
        "(export|export to CSV), (set columns|customise columns), (there's|and) (bulk "
        "actions|keyboard shortcuts) (too|as well).",
        "(Next|Moving on), {screen}: (there are|you have) (tabs|filters) (here|up top), "
        "(settings|configuration) (on the right|down here), (and|plus) (audit history|"
        "version history).",
    ),
    2: (
        "{so} {screen}, {purpose}. (It's|It is) (really|super) (intuitive|clean), "
        "(customers|our customers) (love|like) (it|this screen).",
        "(And|Then) {screen}, {purpose}. (Saves|It saves) (a lot of|loads of) time "
        "(for|for the) (finance teams|teams).",
    ),
    3: (
        "{so} {screen}, {purpose}. (For you|In your case), (that's|those would be) the "
        "{docs} (from|out of) {erp}.",
        "(Here's|This is) {screen}, {purpose}. (This is what your team would use|This is "
        "where your team would work) instead of {tool}.",
    ),
    4: (
        "{so} {screen}, {purpose}. (For you|In your world), (that's|those are) the {docs} "
        "(that take|eating) {hours} hours a week today; (here|in this view) {outcome}.",
        "(Now|Next), {screen}, {purpose}. (You said|You mentioned) your team chases "
        "{ops_team} (by email|every day); (here|with this) {ops_team} can see the status "
        "(themselves|directly), so those (emails|calls) (go away|stop).",
    ),
    5: (
        "{so} {screen}, {purpose}. (This is|Here is) (your|the) Friday problem (solved|"
        "gone): {outcome}, (which is|that's) {hours_saved} of your {hours} hours a week. "
        "(Is that|Does that match) how you (pictured|imagined) it?",
        "(And|Now) {screen}, {purpose}. (This is what|Here's what) gets (you|{buyer}) the "
        "close in {target_days} days instead of {close_days}. (Can you see|Do you see) "
        "(your team|{champion}'s team) (working this way|using this) (before|by) {event}?",
    ),
}
SCREEN_QA = (
    (
        "(Okay.|Mm-hm.|Right.) (Can it|Does it) (handle|work with) (partial payments|split "
        "lines|multiple entities)?",
        "(Yes|It does), (out of the box|natively). You (just|only) (set|pick) (the|a) "
        "(rule|tolerance) once (and it applies everywhere|per entity).",
    ),
    (
        "(Okay|Sure). (And|So) (who|which of us) (would|could) (set up|maintain) the rules?",
        "(Good question.|Great question.) (Anyone on|Someone on) (the team|your team) (with|"
        "who has) admin rights; (it's|the rules are) (point and click|no code).",
    ),
    (
        "(Hm.|Mm.) (What happens|And what happens) (if|when) (the|a) {erp} (sync|"
        "connection) (fails|goes down)?",
        "(It|We) (retries|retry) (automatically|every fifteen minutes) and (you get|it sends) "
        "(an alert|an email), (nothing's lost|no data is lost).",
    ),
    (
        "(Can I|Could we) (see|get) (an audit trail|a history) of who (changed|approved) what?",
        "(Yes, every|Every) (change|action) is (logged|stamped) with (the user|who) and "
        "(the time|when); (auditors|your auditors) (usually|tend to) (love|like) that bit.",
    ),
)
SCREEN_COMMENT = (
    "(Oh, nice.|Huh, nice.) (That's|That is) (cleaner than|a lot better than) {tool}.",
    "(Yeah|Oh yes), (I can see that|that would help|that's the bit we need).",
    "(Okay, cool.|Interesting.) (That's|That is) (pretty|quite) (slick|straightforward).",
)


# What a demo sounds like between the screens: clicks, filters, loading.
DEMO_STEPS = (
    "(I'll|Let me) click into (this one|the first line|this row) (so you can see|to show "
    "you) the (detail|whole record).",
    "(If I|When I) filter (by vendor|by date|on this account), (the list|the view) "
    "(narrows|updates) (right away|straight away).",
    "(You can see|Notice) the status (change|flip) (to|over to) (matched|approved|done) "
    "(here|up top).",
    "(Give it|Just give it) a (second|moment) to load, (the demo environment|our sandbox) "
    "(is|can be) a bit slow (today|sometimes).",
    "(I'll|Let me) (zoom in|make this bigger) (a little|a bit), (is that|is it) (easier "
    "to read|readable)?",
    "(And|So) (if|when) (I|you) (hover|mouse over) (here|this icon), (you get|it shows) "
    "(the history|who touched it last).",
    "(Down here|At the bottom) (are|you'll see) the (totals|counts) (for|by) (status|"
    "period), (which|and they) (update|refresh) (as|when) (you|we) (work|go).",
)


def value(scene: Scene) -> None:
    """A value statement after discovery; levels 5 closes it with the prospect's agreement."""
    level = scene.level(CRITERION)
    bank = {1: FEATURES, 2: GENERIC, 3: LINKED, 4: TIED, 5: CASE}[level]
    scene.rep(bank, tag=CRITERION)
    scene.prospect(CASE_AGREED if level == 5 else PROSPECT_NODS)
    if level == 4 and scene.chance(0.5):
        scene.rep(TIED, tag=CRITERION)
        scene.prospect(PROSPECT_NODS)


def walkthrough(scene: Scene, screens: int) -> None:
    """A demo of `screens` screens narrated at the rep's value-articulation level."""
    level = scene.level(CRITERION)
    order = list(range(len(SCREENS)))
    scene.rng.shuffle(order)
    scene.rep(
        "(Let me|I'll) share my screen. (Can you see it|Is that coming through|You should "
        "see {product} now)?"
    )
    scene.prospect("{yes}, (I can see it|got it|looks good).")
    for index in order[:screens]:
        name, purpose = SCREENS[index]
        with scene.using(
            screen=scene.phraser.expand(name, sentence=False),
            purpose=scene.phraser.expand(purpose, sentence=False),
        ):
            scene.rep(SCREEN_BY_LEVEL[level], tag=CRITERION)
            for _ in range(scene.rng.randint(0, 2 if scene.compact else 3)):
                scene.rep(DEMO_STEPS)
                if scene.chance(0.4):
                    scene.prospect(PROSPECT_NODS)
            reaction = scene.rng.random()
            if reaction < 0.4:
                question, answer = SCREEN_QA[scene.rng.randrange(len(SCREEN_QA))]
                scene.prospect(question)
                scene.engineer(answer)
            elif reaction < 0.7:
                scene.prospect(SCREEN_COMMENT)
            else:
                scene.prospect(PROSPECT_NODS)


# A worked example on the prospect's own kind of document, step by step (neutral narration).
SCENARIO_INTRO = (
    "(Let's|Let me) (take|run) (one|a real example) (of your|like your) {docs} (through "
    "it|end to end), (so|and) you (can|get to) see (the whole flow|what actually happens).",
    "(How about|Why don't) (we|I) (walk|push) (an example|a sample) (all the way|from "
    "start to finish) (through|in) {product}?",
)
SCENARIO_STEPS = (
    "(First|Step one), (it|the document) (comes in|arrives) (by email|through the inbox) "
    "(and|so) (you|we) (never|don't) (touch|open) it (yourself|by hand).",
    "(Capture|The capture step) (reads|pulls out) the (vendor|counterparty), (date|the "
    "date), (amount|the amount) and (the lines|each line) (in|within) a (few|couple of) "
    "seconds.",
    "(Then|Next) (it|the system) (checks|looks) (for|at) (duplicates|a duplicate) and "
    "(whether|if) (there's|there is) (an open|a matching) (PO|item) (in|from) {erp}.",
    "(Here|At this point) (it|the item) (goes|is routed) to the (right|correct) approver "
    "(based on|using) the (amount|GL code) (and|plus) the (entity|department).",
    "(Once|After) (it's|it is) approved, (it|the entry) (posts|syncs) to {erp} (on the "
    "next sync|within fifteen minutes), (no retyping|nobody retypes anything).",
    "(And|Then) (when|once) the (payment|money) (goes out|clears), (the|that) bank line "
    "(matches|is matched) (back|against it) (automatically|on its own).",
    "(If|When) (something|anything) (doesn't|does not) (line up|match), (it|the item) "
    "(lands|shows up) in (the|an) exceptions (list|queue) with (the reason|why) (next to "
    "it|spelled out).",
    "(Everything|Every step) (we|I) just (did|clicked) (is|gets) (in|written to) the "
    "audit log (with|including) (who|the user) and (when|the time).",
    "(Now|Next), (let's|let me) (pretend|say) (the|this) (amount|total) (is|was) "
    "(slightly|a few dollars) off (from|versus) the (PO|order): (it|the system) (holds|"
    "parks) it and (asks|pings) (the buyer|purchasing) to confirm.",
    "When I approve it (from|on) my phone, you'll see the status (update|change) (here|on "
    "screen) (a second later|straight away).",
    "(Here|At this point) (you|the controller) (can|could) (add|leave) a (note|comment) "
    "(for|to) (the auditors|the reviewer), (which|and it) (stays|is kept) with the "
    "(item|record) (forever|for good).",
    "(Let's|Let me) (switch|flip) to the (other|second) entity (for a second|quickly): "
    "(same|the same) (rules|flow), (its own|separate) (approvers|bank accounts).",
    "(I'll|Let me) (run|trigger) the (sync|matching) (manually|now) (so|and) you (don't|"
    "won't) (have to|need to) wait (for|the) fifteen minutes.",
    "(You'll notice|Notice) (the|a) (little|small) (flag|icon) (next to|beside) "
    "(it|the line): (that|it) (means|tells you) (the|a) rule (matched|caught) it, (not|"
    "rather than) a person.",
    "(Now|So) (if|when) (we|you) (look|check) (at|in) {erp}, (the|that) (entry|"
    "transaction) (is|is already) (there|sitting there), (with|including) (the|a) "
    "(link|reference) back to {product}.",
    "(And|Last thing), (the|this) (dashboard|summary) (tile|card) (updates|moved): "
    "(one|another) (fewer|less) (item|thing) (open|outstanding) (for the month|this "
    "period).",
)
SCENARIO_REACTIONS = (
    "(Okay, that's|That's) (quick|fast|neat).",
    "(And|So) (if|what if) the approver's (out|on vacation)?",
    "(Wait|Sorry), (can you|could you) (go back|scroll back) (a step|for a second)?",
    "(Huh.|Interesting.) (That|This) (would|could) (save|cut) (a lot|a ton) (of emails|of "
    "back and forth).",
    "(Mm-hm.|Okay.|Right.)",
)
SCENARIO_REPLIES = (
    "(Then|In that case) (it|the item) (goes|routes) to (their|the) (delegate|backup) "
    "(automatically|after a day).",
    "(Sure|Of course), (here|there) (you go|it is).",
)


def scenario(scene: Scene, steps: int) -> None:
    """The solutions engineer (or the rep) runs one of the prospect's documents through."""
    scene.engineer(SCENARIO_INTRO)
    scene.prospect("{yes}, (please|let's do that|go for it).")
    order = list(range(len(SCENARIO_STEPS)))
    start = scene.rng.randint(0, max(0, len(order) - steps))
    for index in order[start : start + steps]:
        scene.engineer(SCENARIO_STEPS[index])
        roll = scene.rng.random()
        if roll < 0.25:
            reaction = SCENARIO_REACTIONS[scene.rng.randrange(len(SCENARIO_REACTIONS))]
            scene.prospect(reaction)
            if reaction in SCENARIO_REACTIONS[1:3]:
                scene.engineer(SCENARIO_REPLIES[SCENARIO_REACTIONS.index(reaction) - 1])
        elif roll < 0.5:
            scene.prospect(PROSPECT_NODS)
