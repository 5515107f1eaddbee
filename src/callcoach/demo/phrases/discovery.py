"""Discovery, level by level (one-call-close anchors).

1 no questions, straight into the pitch; 2 closed or surface questions, no follow-up; 3 open
questions about process and pain, first answer accepted; 4 open questions, follow-ups to the
underlying problem and who it affects, summarised back; 5 layered follow-ups to cost and impact,
and the prospect states the need in their own words before any pitch.
"""

from __future__ import annotations

from callcoach.demo.phrases.topics_business import PITCH_SLIDES
from callcoach.demo.scene import Scene

CRITERION = "discovery"

# level 1: no questions, a pitch
PITCH_NOW = (
    "(Let me just|I'll just|Why don't I just) (show you the product|jump into the demo|share my "
    "screen and show you what we do), (it's easier that way|that usually answers most "
    "questions|it's (pretty|really) self-explanatory).",
    "{so} (let me give you|here's) the (quick|standard|two-minute) overview of {product}. We "
    "(do|offer) (finance automation|automation for finance teams), (reconciliation, payables, "
    "close management and reporting|four modules, all in one platform), and (we work with|"
    "we've got) (hundreds of|over a thousand) customers.",
    "(I won't take up your time with a bunch of questions|No need to go through a big "
    "questionnaire), (I'll just|let me just) (run through|walk you through) (our deck|the "
    "slides|what we do) (and you can stop me|and you tell me what's relevant).",
)
PITCH_CONTINUE = (
    "{so} (slide two here|on this next screen|this next part) (is|shows) (our platform|the "
    "architecture|the main dashboard). (We were founded in 2016|We're (growing|expanding) "
    "fast|We just launched a new version), and (the product|{product}) (covers|handles) "
    "everything from (capture|invoices) to (reporting|the close).",
    "(And then|Next|After that) (there's|we have) the (rules engine|approval workflows|"
    "matching engine), (which is really powerful|customers love it|it's our flagship), and "
    "(it connects to|it integrates with) (basically every ERP|{erp} and the rest).",
)
PROSPECT_TRIES = (
    "(Sure|Okay), (though|but) (just so you know|for context), (our main issue is|what "
    "really hurts is) {pain}.",
    "(Okay.|Alright.) (Before you go too far|Quick thing), (we're on|we use) {erp} and {tool}.",
    "(Mm-hm.|Okay.) (I'm mostly interested in|Our problem is really) {pain}, (if that's|"
    "hopefully that's) (covered|something you do).",
)
RUSH_PAST = (
    "{yes}, (we do all of that|that's all covered|that's no problem), (you'll see|I'll show "
    "you) in a (second|minute). {so} (moving on|next slide).",
    "(Totally|Sure, sure), (everyone says that|we get that a lot). (Anyway|Let me keep "
    "going), (here's|this is) (the dashboard|the main screen).",
)

# level 2: closed, surface questions and no follow-up
CLOSED_QUESTIONS = (
    "How many people (are on|are in) your (finance|accounting) team?",
    "(And|So) what are you using (today|right now|at the moment)?",
    "(Which|What) ERP are you on?",
    "Are you the one who (makes the decision|signs off) on (this|tools like this)?",
    "Do you (have|already have) a budget (set aside|for this)?",
    "(Roughly|About) how many {docs} (do you get|come in) a month?",
)
CLOSED_ANSWERS = (
    "(About|Around|It's) {team_size}[, including me].",
    "{erp}, (and|plus) {tool}.",
    "(We're on|It's) {erp}[, (for|since) (a few|about three) years now].",
    "(It'd be|That's) me and {buyer}, (our|the) {buyer_title}.",
    "(Sort of.|Not formally.|There's some money, yeah.) (It depends on the price.|We'd "
    "find it if it made sense.)",
    "(About|Around|Roughly) {volume}.",
)
MOVE_ON = (
    "{ack}, (great|perfect|good to know). {so} (here's what we do|let me show you the "
    "product|let me tell you about {product}).",
    "{ack}, (thanks|cool). (Let me tell you|I'll tell you) (a bit|a little) about (what we "
    "do|{product}) (then|now).",
    "(Got it|Perfect), (that's all I need|that's helpful). (Let me|I'll) (jump into|show you) "
    "(the platform|the demo) (then|now).",
)

# level 3: open questions, first answer accepted
OPEN_QUESTIONS = (
    "(Walk me through|Can you walk me through|Talk me through) (how {pain} works|what "
    "happens with {pain}) (today|right now)?",
    "(How does|How do) {pain} (work|get done) (on your side|today|at {company_short})?",
    "What's (the biggest|your biggest) (headache|challenge|frustration) with {pain} (right "
    "now|today)?",
    "What (made you|prompted you to) (take this call|look at tools like this) (now|at this point)?",
    "(Tell me|Could you tell me) (a bit|a little) about how your team handles {docs} today?",
)
PROCESS_STORY = (
    "{so} (every|each) (week|month), (someone on the team spends|one of my accountants "
    "spends|{team_size} of us spend) (a couple of days|most of (Friday|Monday)|a big chunk "
    "of the week) {task}. We (export|pull) everything (out of|from) "
    "{erp} into {tool}, (then|and then) (go line by line|tick and tie it by hand|match it "
    "up manually). (When something doesn't match|If there's a mismatch), (someone emails|we "
    "chase) {ops_team} (and then we wait|and it can take days). (It works|It gets done), "
    "(but it's painful|it's just slow|but nobody enjoys it).",
    "(Honestly,|Well,) it's (a bit of a mess|pretty manual|held together with duct tape). "
    "The {docs} come in (from everywhere|through three different channels|by email and "
    "paper), (we key them into|we copy them into) {tool}, and (then|only then) (they go "
    "into|can we post them in) {erp}. (It's about|We spend roughly) {hours} hours a week "
    "(on that alone|just on that), (give or take|across the team).",
    "(It depends on the week, but|So basically,) (we close the books in about|the close "
    "takes us) {close_days} (business|working) days. (A lot of that is|Most of it is) "
    "{task}. (And then|Then) (the {buyer_title}|{buyer}) (wants the numbers|asks for the "
    "report) (and we're|while we're) still (chasing|reconciling) things.",
)
PAIN_ANSWER = (
    "(The time, mostly.|Mostly the hours.|It's just slow.) (We're|I'm) (spending|burning) "
    "{lot} of (time|our week) on {pain}.",
    "(Errors.|Mistakes, honestly.) (Last quarter|This quarter) we (had|found) {errors} "
    "(duplicate payments|mismatches we caught late|errors that went to the auditors).",
    "(Visibility.|Not knowing where things are.) (I never know|Nobody knows) (what's "
    "outstanding|where we are) until (the end of the month|it's too late).",
)
ACCEPT = (
    "{ack}, (that makes sense|I hear that a lot|that's pretty common).",
    "{ack}. (Good to know.|Thanks for sharing that.|Yeah, we see that a lot.)",
    "(Interesting.|Sure.|Right.) (That's helpful.|Okay.)",
)

# level 4 and 5: follow-ups to the underlying problem, its cost and who it affects
# FOLLOW_* questions and *_ANSWER banks are parallel: answer i answers question i.
FOLLOW_COST = (
    "You said (it's|that's) (about|around) {hours} hours a week; what does that (cost|"
    "mean for) the team?",
    "(When you say|You mentioned) (it takes|it eats) (most of the week|a couple of days), "
    "(what does that actually cost you|what doesn't get done because of it)?",
    "(Help me understand|Say more about) the {errors} (errors|mismatches) last quarter: what "
    "(did they cost|happened when they surfaced)?",
)
COST_ANSWER = (
    "(Hm.|Good question.) (If I do the math|Roughly), {hours} hours at (maybe|about) {rate} "
    "an hour, so (call it|roughly) {monthly_cost} a month. (And that's|That's) before (the "
    "overtime at month-end|the mistakes).",
    "(Well,|Honestly,) it means (nobody does analysis|we don't get to the forecasting|I "
    "can't give {buyer} what they ask for). (We're|I'm) (just|always) (keeping the lights "
    "on|catching up).",
    "(One of them was|The worst one was) a (duplicate payment|vendor we paid twice|missed "
    "credit) (of|worth) (about|nearly) {monthly_cost}. (That one|It) (went all the way up "
    "to|got escalated to) {buyer}.",
)
FOLLOW_WHO = (
    "(Who else|Who outside finance) (feels it|is affected) when {pain} (runs late|slips)?",
    "(And|So) when the numbers are late, what happens (downstream|for {ops_team}|for {buyer})?",
    "How does {buyer} (feel about|see) (all this|the {close_days}-day close)?",
)
# Parallel to FOLLOW_WHO: answer i answers question i.
WHO_ANSWER = (
    "{ops_team} (for sure|mostly). They (can't|don't) (see|get) (what's been paid|their "
    "numbers) until (we're done|the close is done), so (they call us|they chase us) "
    "(every day|constantly).",
    "(Everyone, honestly.|The whole leadership team.) (Decisions|Hiring and purchasing "
    "decisions) (wait|get pushed) until (we close|the books are done).",
    "(Not well, honestly.|Frustrated.) (They report to the board|They present to the "
    "owners) and (hate|are tired of) (waiting|getting numbers) {close_days} days after "
    "month-end.",
)
SUMMARISE = (
    "(Let me make sure I've got this right|So if I play that back|Let me summarise): "
    "{team_size} people, (about|roughly) {hours} hours a week on {task}, (a close that|"
    "the books) (takes|take) {close_days} days, and (when it's late|because of that) "
    "{ops_team} and {buyer} are (waiting on|flying blind without) the numbers. (Is that "
    "fair|Did I miss anything|Is that accurate)?",
    "{so} the (real|underlying) problem isn't (really|just) {pain}, it's that (the numbers "
    "arrive|you see the numbers) {close_days} days (late|after month-end) and (everyone|"
    "{buyer}) (decides|plans) (without them|blind). (Fair summary|Is that right)?",
)
SUMMARY_REPLY = (
    "{yes}, (that's exactly it|that's fair|you've got it). (Maybe add|And) the (errors|"
    "overtime at month-end), (but yes|otherwise spot on).",
    "(Yeah, that's|That's) (about right|a good summary|pretty much it).",
)
FOLLOW_IMPACT = (
    "What happens if (nothing changes|you keep doing it this way) (for another year|through "
    "{event})?",
    "(If you|Say you) (could|were able to) (get|win) those {hours} hours back, (what would "
    "the team do with them|what would that change for you)?",
    "(And|So) how (does that|do those late nights) (land|sit) with the team (personally|on "
    "a human level)?",
)
IMPACT_ANSWER = (
    "(Honestly, we'd|We'd probably) (have to|need to) (hire|add) (another person|a temp) "
    "(before|for) {event}, and even then I'm not sure (we'd keep up|it'd be enough).",
    "(We'd|I'd) (finally|actually) (do|get to) (the forecasting|real analysis|the stuff "
    "{buyer} keeps asking for). (That's what|That's the job) (I was hired for|we should be "
    "doing).",
    "(Not great.|People are tired.) (I lost|We lost) (a good accountant|someone) (last "
    "year|in the spring) (partly because of|and the month-end grind was part of it).",
)
NEED_PROMPT = (
    "(If you had to|In your own words,) (put it in one sentence|sum it up), what do you "
    "(actually need|need to be true) (six months from now|by {event})?",
    "(So|Okay), (from your side|in your words), what would (a good outcome|success) look "
    "like here?",
)
NEED_STATEMENT = (
    "(Honestly? We need|Simply put, we need|Simply put, I need) {pain} (off our plate|to "
    "stop eating our week) so we can close in {target_days} days (instead of|not) "
    "{close_days}, (before|ahead of) {event}.",
    "(What we need is|I need) (a way|something) to take {pain} off the team's plate, (so "
    "the team can|so we can) (get the numbers to {buyer}|close) in {target_days} days. "
    "(That's it.|That would change everything.)",
)
NEED_ACK = (
    "(That's|That is) (really clear|exactly how I'd put it|a great way to put it), "
    "(thank you|thanks). (Let's keep that in front of us|I'm going to hold us to that) "
    "(for the rest of the call|as we look at the product).",
    "(Love that.|Perfect.) {so} (everything I show you|the rest of this) should (come "
    "back to|map to) (that|{target_days} days before {event}).",
)

# a later call: a short recap, by level
RECAP = {
    1: ("(Anyway|So), (let's just|I'll) (pick up|jump straight back in) where we left off.",),
    2: (
        "(Still|Are you still) on {tool} (for now|today)?",
        "(Has anything changed|Anything new) (since last time|on your side)?",
    ),
    3: (
        "(What's changed|How have things been) (since we last spoke|with {pain}) (on your "
        "side|this month)?",
    ),
    4: (
        "Last time you said {pain} (takes|was taking) (about|around) {hours} hours a week and "
        "month-end (runs|was running) {close_days} days; (is that still the case|has that "
        "changed), and (who else has weighed in|is anyone new feeling it)?",
    ),
    5: (
        "Before we (dive in|go further), last time you said you need {pain} (off your "
        "plate|fixed) before {event}. (Is that still the|Still the) "
        "(priority|goal), and what has (it cost|month-end cost) you since we spoke?",
    ),
}
RECAP_ANSWER = (
    "(Same as before, really.|Nothing's changed, unfortunately.|If anything, it's "
    "worse.) (Month-end|The close) (was|took) {close_days} days again.",
    "(Pretty much the same.|Still the same.) (We had a couple more mismatches|There were more "
    "late nights) (at month-end|last week).",
    "{yes}, (still the priority|still true). (And|Plus) {buyer} (asked about it again|is "
    "more involved now).",
)


def discovery(scene: Scene, rounds: int) -> None:
    """The discovery part of a call: `rounds` question rounds (more on discovery calls)."""
    level = scene.level(CRITERION)
    if level == 1:
        scene.rep(PITCH_NOW, tag=CRITERION)
        scene.prospect(PROSPECT_TRIES)
        scene.rep(RUSH_PAST, tag=CRITERION)
        if rounds > 1:
            scene.rep(PITCH_CONTINUE, tag=CRITERION)
        _slides(scene, rounds)
        return
    if level == 2:
        questions = list(range(len(CLOSED_QUESTIONS)))
        scene.rng.shuffle(questions)
        for index in questions[: max(2, min(rounds + 1, len(questions)))]:
            scene.rep(CLOSED_QUESTIONS[index], tag=CRITERION)
            scene.prospect(CLOSED_ANSWERS[index])
        scene.rep(MOVE_ON, tag=CRITERION)
        _slides(scene, rounds - 2)
        return
    scene.rep(OPEN_QUESTIONS, tag=CRITERION)
    scene.prospect(PROCESS_STORY)
    if level == 3:
        scene.rep(ACCEPT, OPEN_QUESTIONS, tag=CRITERION)
        scene.prospect(PAIN_ANSWER)
        scene.rep(ACCEPT, tag=CRITERION)
        if rounds > 2:
            scene.rep(OPEN_QUESTIONS, tag=CRITERION)
            scene.prospect(PAIN_ANSWER)
            scene.rep(ACCEPT, tag=CRITERION)
        return
    _ask(scene, FOLLOW_COST, COST_ANSWER)
    _ask(scene, FOLLOW_WHO, WHO_ANSWER)
    if level == 5 or rounds > 3:
        _ask(scene, FOLLOW_IMPACT, IMPACT_ANSWER)
    scene.rep(SUMMARISE, tag=CRITERION)
    scene.prospect(SUMMARY_REPLY)
    if level == 5:
        scene.rep(NEED_PROMPT, tag=CRITERION)
        scene.prospect(NEED_STATEMENT)
        scene.rep(NEED_ACK, tag=CRITERION)


def _ask(scene: Scene, questions: tuple[str, ...], answers: tuple[str, ...]) -> None:
    """A follow-up question and the answer written for that question (the banks are parallel)."""
    index = scene.rng.randrange(len(questions))
    scene.rep(questions[index], tag=CRITERION)
    scene.prospect(answers[index])


def _slides(scene: Scene, count: int) -> None:
    """Reps who do not ask fill the time by presenting: a few slides of the standard pitch."""
    order = list(range(len(PITCH_SLIDES)))
    scene.rng.shuffle(order)
    for index in order[: max(0, count)]:
        scene.rep(PITCH_SLIDES[index], tag=CRITERION)
        if scene.chance(0.5):
            scene.prospect("(Okay.|Mm-hm.|Right.|Sure.)")


def recap(scene: Scene) -> None:
    """A follow-up call opens with a recap whose depth shows the rep's discovery level."""
    level = scene.level(CRITERION)
    scene.rep(RECAP[level], tag=CRITERION)
    if level > 1:
        scene.prospect(RECAP_ANSWER)
    if level >= 4:
        if level == 4:
            _ask(scene, FOLLOW_COST, COST_ANSWER)
        else:
            _ask(scene, FOLLOW_IMPACT, IMPACT_ANSWER)
