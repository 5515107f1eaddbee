"""Objections (price, timing, authority, competitor, status quo) and how reps handle them.

Handling follows the one-call-close anchors: 1 ignores, argues or concedes at once; 2 a stock
reply or a feature list, no question; 3 acknowledges and answers relevantly, no check; 4
acknowledges, asks what is behind it, answers with evidence specific to the prospect and
confirms; 5 isolates it, reframes it around the prospect's goals, resolves it with proof,
confirms and surfaces any remaining concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcoach.demo.scene import Bank, Scene

CRITERION = "objection_handling"
KINDS = ("price", "timing", "authority", "competitor", "status_quo")


@dataclass(frozen=True)
class Objection:
    raised: Bank  # how the prospect raises it
    ignore: Bank  # level 1: argue, brush off or concede
    stock: Bank  # level 2: stock reply or feature list
    relevant: Bank  # level 3 and up: a relevant answer
    probe: Bank  # level 4 and up: what is behind it?
    behind: Bank  # the real concern, when asked
    specific: Bank  # level 4 and up: evidence specific to this prospect
    reframe: Bank  # level 5: the prospect's own goal


OBJECTIONS: dict[str, Objection] = {
    "price": Objection(
        raised=(
            "(Honestly,|I'll be honest,) {price} is (more than|a lot more than|above what) "
            "(we were expecting|I had in mind|we budgeted).",
            "(The price|Pricing) is (going to be|probably) (a problem|the sticking point). "
            "{annual_price} a year is (a lot|hard to justify) for a team of {team_size}.",
            "(It looks great, but|I like it, but) (it's expensive|that's steep). (Is there|"
            "Any) (room|flexibility) on the price?",
        ),
        ignore=(
            "(Okay|Alright), (I can|let me see if I can) (knock|take) (twenty|twenty-five) "
            "percent off (right now|if that helps).",
            "(Honestly|Look), (everyone says that at first|every customer says that). (It's|"
            "We're) (really not expensive|actually cheap) (compared to the market|for what "
            "you get).",
            "(Well|Hm), (that's our price|the price is the price). (Anyway|Moving on), (let "
            "me show you one more feature|next slide).",
        ),
        stock=(
            "(We hear that a lot|I get that a lot), but (you get|it includes) (everything|the "
            "whole platform): (dashboards|reconciliation), (integrations|approvals), "
            "(single sign-on|an audit trail) and (an API|unlimited users). (It's great "
            "value|Best value on the market).",
            "(Our customers say|Most people find) (it pays for itself|it's worth every "
            "penny). (It's|We're) (an investment|the market leader), (really|after all).",
        ),
        relevant=(
            "(That's fair|I understand|Fair point). (For a team your size|With {team_size} "
            "people on it), (most customers|teams like yours) (see|get) (payback|the money "
            "back) {payback}, because (the hours come back|the manual work goes away).",
        ),
        probe=(
            "(That's fair.|Understood.) When you say it's expensive, is that compared to "
            "(another quote|{competitor}) or to (your budget|what you set aside)?",
            "(Fair enough.|I hear you.) (Help me understand|Can I ask): is it the (total|"
            "annual number) or (the timing of the spend|when the budget lands)?",
        ),
        behind=(
            "(It's the budget, really.|Mostly budget.) (We set aside|I have) (about|around) "
            "(half of that|{price} less) for (tools|software) this year.",
            "(Compared to|Against) {competitor}, (honestly|to be fair). (Their quote|They) "
            "came in (lower|a bit cheaper).",
        ),
        specific=(
            "(Okay, so on your numbers|Let's use your numbers): {hours} hours a week at "
            "{rate} is (about|roughly) {monthly_cost} a month; {product} is {price}, so it "
            "pays back {payback}. (And|Plus) we can (phase|spread) the (first year|invoice) "
            "(quarterly|over two payments) so it fits (this year's budget|the budget).",
            "The difference (with|from) {competitor} is (implementation|the matching): {reference} (moved from them|compared both) and (cut|took) their "
            "close from {ref_before} days to {ref_after}. On {monthly_cost} a month of "
            "manual work, the gap (pays for itself|is covered) {payback}.",
        ),
        reframe=(
            "(Let's step back for a second|Can I zoom out): you told me the goal is closing in "
            "{target_days} days before {event}. (Is the question really|So the real "
            "question is) whether {price} (gets you there|buys that), (rather than|not) "
            "whether it's the cheapest?",
        ),
    ),
    "timing": Objection(
        raised=(
            "(The timing's|Timing is) (just|really) not great. (We've got|With) {event} "
            "(coming up|on the way), (I don't think|not sure) we can take on a project "
            "(right now|this quarter).",
            "(Can we revisit this|Could we pick this up) after {event_month}? (We're|The "
            "team's) (slammed|stretched) (at the moment|until then).",
        ),
        ignore=(
            "(Sure|No problem), (I'll|let me) (call you|check back) (in|after) "
            "{event_month} (then|and we'll see).",
            "(Honestly|Come on), (there's never a good time|it's never the right time). "
            "(You just have to|Just) (do it|jump in).",
        ),
        stock=(
            "(Our implementation is really fast|We're super quick to implement): (most "
            "customers|customers) are live in (a few weeks|no time), (it's|it is) (plug and "
            "play|really easy).",
            "(Everyone says that|We hear that all the time), but (our onboarding team "
            "handles|we do) (everything|all the heavy lifting).",
        ),
        relevant=(
            "(I understand|That's fair), {event} is (a lot|a big deal). (Setup|The "
            "implementation) (takes|is) (about|roughly) (four|six) weeks and (our team "
            "does|we handle) most of it, so (it shouldn't|it won't) (need much from your "
            "team|pull people off {event}).",
        ),
        probe=(
            "(Totally fair.|That makes sense.) (Is it|When you say timing, is it) the "
            "(team's bandwidth|hours it'll take from your team) or (the budget "
            "cycle|when the money's available)?",
            "(Understood.|Sure.) What would (need to be true|have to happen) for (now|this "
            "quarter) to (work|be the right time)?",
        ),
        behind=(
            "(Bandwidth, honestly.|It's the people.) (I can't|We can't) (take|pull) "
            "(anyone|two people) off (the close|month-end) for (weeks|a project).",
            "(Mostly|Honestly) (I'm worried|the worry is) (we start|it drags) and (it's|"
            "we're) (half done|mid-migration) (when|during) {event}.",
        ),
        specific=(
            "(On your side|From your team) it's (about|roughly) (six|eight) hours in total: "
            "(one|a) kickoff, (one|a) mapping session and sign-off; (we do the rest|our team "
            "builds the rules). {reference} went live in (three|four) weeks (right before|"
            "ahead of) their (busy season|year-end), and it (saved|freed up) their team (hours|"
            "days) (during|through) it.",
        ),
        reframe=(
            "(Can I turn that around|Here's another way to look at it): {event} is exactly "
            "when {task} hurts most. (Isn't the question|So the question is) whether you "
            "(want|can afford) to go into it (by hand|on {tool}) again?",
        ),
    ),
    "authority": Objection(
        raised=(
            "(I like it|This looks good), but (it's not|this isn't) (my call|my decision "
            "alone). {buyer} (signs off|has the final say) on (anything|spend) (like this|"
            "over a certain amount).",
            "(I'll have to|I need to) (run it by|take it to) {buyer} (and|and probably) "
            "(the owners|procurement|our IT folks). (That can take|It usually takes) a "
            "while.",
        ),
        ignore=(
            "(Okay|Sure), (just|then) (forward|send) (them|{buyer}) (my email|the deck) and "
            "(let me know|get back to me).",
            "(Can't you just|Couldn't you just) (sign|approve) it (yourself|this once)? "
            "(It's not that big|It's a small) (a number|an amount).",
        ),
        stock=(
            "(No problem|That's normal), (I'll send you|here's) (our standard|the) (deck|"
            "one-pager|ROI sheet) (to share|for {buyer}). (It has|It covers) (everything|"
            "all the features) (they'll need|they care about).",
        ),
        relevant=(
            "(That makes sense|Of course), {buyer} should (be involved|see this). (I can|"
            "Let me) (put together|send) a (short|one-page) summary (for them|of the "
            "business case) (with|covering) the (numbers|cost and payback).",
        ),
        probe=(
            "(Of course.|Makes sense.) (What will|What does) {buyer} (care most about|need "
            "to see) (to say yes|before signing), and (where do you land personally|how do you "
            "feel about it yourself)?",
            "(Totally.|Sure.) (How does the approval process usually work|Walk me through how "
            "sign-off works) for a purchase like this?",
        ),
        behind=(
            "{buyer} (will want|wants) (to see|proof of) (the payback|the numbers), "
            "(honestly|mostly). (And|Plus) they (got burned|were burned) by (a tool|"
            "the last software purchase) (that nobody used|that never went live).",
            "(It goes|It'd go) to {buyer}, then (procurement|legal) (for the contract|for "
            "security review). (I'm|Personally I'm) (in favor|sold), (for what it's worth|"
            "to be clear).",
        ),
        specific=(
            "(Then|Okay, so) (let's|we can) (give|show) {buyer} (exactly that|the numbers "
            "on one page): {hours} hours a week, {monthly_cost} a month, payback {payback}, "
            "(and|plus) (a reference call with|an intro to) the {buyer_title} at {reference} "
            "(on adoption|who went live in four weeks). (I can|I'll) (send|share) our "
            "security pack (for|to) procurement (today|this afternoon).",
        ),
        reframe=(
            "(And|Also), you told me the goal is a {target_days}-day close before {event}. If "
            "we present it to {buyer} as their goal rather than as a software purchase, "
            "(would that|does that) make it an easier yes?",
        ),
    ),
    "competitor": Objection(
        raised=(
            "(We're also|We're) (looking at|talking to) {competitor}, (to be honest|full "
            "transparency). (They|Their demo) (seemed|looked) (similar|pretty good) and "
            "(a bit cheaper|they're well known).",
            "(How are you|What makes you) different from {competitor}? (On paper|From the "
            "outside) (you|it) (look|all looks) (the same|pretty similar).",
        ),
        ignore=(
            "(Honestly|Oh), {competitor} (is terrible|is a mess|can't do half of this). "
            "(You'd|You would) (regret|hate) it.",
            "(Sure|Okay), (if you|go ahead and) (want to|) (go with|try) {competitor}, "
            "(that's your call|no hard feelings).",
        ),
        stock=(
            "(We're|We are) (the market leader|way ahead of them), (we've got|with) (more "
            "integrations|a better UI|more features) (and|plus) (better support|an "
            "award-winning team). (We win|We beat them) (most of the time|nine times out "
            "of ten).",
        ),
        relevant=(
            "(Good that you're comparing|That's smart, compare us). (The main difference|"
            "Where we differ) is (the matching engine|implementation|the {erp} connector): "
            "(ours is|we're) (built for|native to) {erp}, (theirs|they) (goes|go) "
            "through (exports|a file upload).",
        ),
        probe=(
            "(Makes sense to compare.|Smart.) What (did you like|stood out) about "
            "{competitor}, and (what made you keep looking|is there anything that made you "
            "hesitate)?",
            "(Fair.|Good to know.) When you (compare|look at) us side by side, what "
            "(matters most|will decide it) for (you|your team)?",
        ),
        behind=(
            "(Their price|The price), (mostly|honestly). (But|And) (I'm not sure|I don't "
            "know if) (their|the) {erp} (connection|integration) (is real|actually works) "
            "(for us|with our setup).",
            "(They|Their rep) (promised|talked about) (a two-week|a very fast) "
            "(implementation|go-live), (and|but) (I'm|we're) (skeptical|not sure it's "
            "realistic) (given|with) {tool}.",
        ),
        specific=(
            "(That's the right thing to test.|Fair.) (Our|The) {erp} connector is native, "
            "(so|which means) your {docs} (come in|sync) (every hour|automatically) "
            "(without exports|with no files). {reference} (ran both trials|did a side-by-side "
            "pilot) and (chose us|picked us) (for exactly that|because of it); "
            "their close went from {ref_before} days to {ref_after}. (I can|Happy to) "
            "(connect you with|introduce you to) (them|their controller).",
        ),
        reframe=(
            "(Let's put it against your goal|Zoom out with me): (you need|the goal is) "
            "{target_days} days before {event}. (Whichever tool|The one that) gets you "
            "there (with the least risk|fastest) is the right one, (even if|whether or "
            "not) (it's|that's) us. (Fair|Agree)?",
        ),
    ),
    "status_quo": Objection(
        raised=(
            "(Honestly,|To be fair,) {tool} (works|does the job) for us. (It's|It is) "
            "(not pretty|painful), but (we get there|the books get closed).",
            "(I'm not sure|I don't know if) we (need|really need) (a new tool|another "
            "system). (We've always done it this way|We've been doing it this way for "
            "years), (and it's fine|and it works).",
        ),
        ignore=(
            "(Well|Hm), (that's what everyone says|everybody says that) (until it breaks|"
            "right before they switch). (Trust me|Believe me), {tool} (won't scale|is a "
            "disaster waiting to happen).",
            "(Okay|Fair enough), (if it works, it works|no worries then). (I'll let you "
            "go|I won't take more of your time).",
        ),
        stock=(
            "(We hear that a lot|A lot of our customers said the same), but (once they "
            "switch|after a week) (they love it|they never look back). (It's|{product} is) "
            "(modern|cloud-based), (secure|fast) and (easy to use|really intuitive).",
        ),
        relevant=(
            "(Fair enough|I get that), {tool} (does work|gets it done). (The difference|"
            "What changes) is (that|) the {docs} (match|come in) automatically, so (the "
            "team|your team) (isn't|stops) {task} by hand.",
        ),
        probe=(
            "(That's fair.|Understood.) (If|When) you say it works, what (does it cost|"
            "takes the most effort) to keep it working (each month|every month-end)?",
            "(Fair.|Makes sense.) (What would make you|What would need to happen for you to) "
            "(change it|think about replacing it)?",
        ),
        behind=(
            "(Honestly,|I guess) (the switch|the change) (scares me|is the scary part) "
            "(more than|not) the tool. (Last time|The last time) we (changed|switched) "
            "(something|systems), (it was|it took) (six months of pain|forever).",
            "(It works because|It only works because) (one person|our senior accountant) "
            "(knows|built) (the workbook|the macros). (If they leave|If they're out sick), (we're|"
            "we'd be) (stuck|in trouble).",
        ),
        specific=(
            "(That's real.|That's a fair worry.) (Here's what that looks like for you|For "
            "your setup): we (import|take) your current rules as they are (in the first "
            "week|on day one), (run it|run both) in parallel for one close, and (your|the) "
            "team only (switches|moves over) (once|when) the numbers tie. {reference} did "
            "exactly that and (lost|had) no (data|downtime).",
        ),
        reframe=(
            "(So|Then) (the question isn't really|it isn't really about) whether {tool} "
            "works; (you told me|you said) you need {target_days} days (before|ahead of) "
            "{event} (and not|without) (depending on one person|overtime). (Does|Can) "
            "{tool} get you there?",
        ),
    ),
}

ACKNOWLEDGE = (
    "(That's a fair concern|That's completely fair|I appreciate you saying that|Good that "
    "you raise it|I hear you).",
)
CONFIRM = (
    "Does that (answer|address) the concern (about|on) (the {kind_label}|that)?",
    "(Is that|Would that be) enough to put the {kind_label} question to rest?",
    "(How does that land|Does that help)? (Does that resolve it|Does that cover it)?",
)
ISOLATE = (
    "(Apart from|Other than|Setting aside) the {kind_label}, is there anything else that "
    "would (stop you|hold you back) from going ahead?",
    "(If|Suppose) we (solved|sorted out) the {kind_label} (question|piece), (would you be|"
    "are you) (ready|comfortable) to (move forward|go ahead)?",
)
ISOLATE_ANSWER = (
    "(No|Not really), (that's the main thing|it's really just that|that's the big one).",
    "(Honestly|I think) (that's it|it's mostly that). (If that's solved|If we sort that "
    "out), (yes|I'd be comfortable).",
)
REMAINING = (
    "(Good.|Great.) (Is there anything else|Anything at all) (on your mind|that's still "
    "bugging you) (before we move on|before we talk next steps)?",
    "(Perfect.|Okay.) (Is there any other concern|What else could {buyer} raise that) we "
    "should (get ahead of|cover now)?",
)
REMAINING_ANSWER = (
    "(No, I think we're good|Not that I can think of|No, that covers it).",
    "(Maybe|Possibly) (the {erp} connector|training), but (that's minor|we can cover that later).",
)
RESOLVED = (
    "{yes}, (that helps|that does|that answers it). (That's|It's) (a lot clearer|"
    "reassuring) (now|when you put it that way).",
    "(Okay|Yeah), (that makes sense|fair enough). (I feel|I'm) (better about|okay with) "
    "(it|that) (now|after that).",
)
REFRAMED = (
    "(Hm.|Huh.) (When you put it that way|Put like that), (yes|I suppose), (that's|it's) "
    "(the real question|what matters).",
    "(Fair point.|That's true.) (I hadn't|I hadn't really) (looked at it|framed it) (like "
    "that|that way).",
)
CONFIRMED = (
    "{yes}, (that settles it|that covers it|that answers it). (I'm|We're) (comfortable|"
    "good) (with that|on that front) (now|).",
    "(It does.|Yes, it does.) (That was|That was honestly) (my main worry|the big one), "
    "(and|but) (I'm fine with it now|that works).",
)
PARTLY = (
    "(Hm, maybe.|Okay.|Sure, I guess.) (I'll have to think about it|We'll see).",
    "(Okay.|Mm-hm.) (I'm not sure|Not sure) (that|it) (changes much|solves it), but (okay|noted).",
)
UNCONVINCED = (
    "(Hm.|Right.|Okay.) (That doesn't really|That didn't really) (answer|address) "
    "(my question|the concern), but (okay|alright|fine).",
    "(Sure.|Mm.) (Everyone says that.|I've heard that before.)",
    "(Okay, well.|Right.) (Let's|We can) (just|) (move on|keep going), (I guess|then).",
)
LABELS = {
    "price": "price",
    "timing": "timing",
    "authority": "sign-off",
    "competitor": "{competitor} comparison",
    "status_quo": "switching",
}


def objection(scene: Scene, kind: str) -> None:
    """The prospect raises an objection of `kind`; the rep handles it at their level."""
    level = scene.level(CRITERION)
    obj = OBJECTIONS[kind]
    with scene.using(kind_label=scene.phraser.expand(LABELS[kind], sentence=False)):
        if kind == "authority" and scene.cast.buyer is not None:
            scene.prospect(obj.raised[1])
        else:
            scene.prospect(obj.raised)
        if level == 1:
            scene.rep(obj.ignore, tag=CRITERION)
            scene.prospect(UNCONVINCED)
        elif level == 2:
            scene.rep(obj.stock, tag=CRITERION)
            scene.prospect(UNCONVINCED if scene.chance(0.6) else PARTLY)
        elif level == 3:
            scene.rep(ACKNOWLEDGE, obj.relevant, tag=CRITERION)
            scene.prospect(PARTLY)
        elif level == 4:
            scene.rep(obj.probe, tag=CRITERION)
            scene.prospect(obj.behind)
            scene.rep(obj.specific, CONFIRM, tag=CRITERION)
            scene.prospect(RESOLVED)
        else:
            scene.rep(ACKNOWLEDGE, ISOLATE, tag=CRITERION)
            scene.prospect(ISOLATE_ANSWER)
            scene.rep(obj.probe, tag=CRITERION)
            scene.prospect(obj.behind)
            scene.rep(obj.reframe, tag=CRITERION)
            scene.prospect(REFRAMED)
            scene.rep(obj.specific, CONFIRM, tag=CRITERION)
            scene.prospect(CONFIRMED)
            scene.rep(REMAINING, tag=CRITERION)
            scene.prospect(REMAINING_ANSWER)
