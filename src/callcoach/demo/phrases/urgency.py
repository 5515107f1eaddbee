"""Urgency creation, level by level (one-call-close anchors).

1 never raises timing, or says there is no rush; 2 a generic discount or deadline unrelated to
the prospect; 3 asks the timeline without connecting it to a cost; 4 quantifies the cost of
waiting with the prospect's own numbers and ties it to a date or event; 5 the prospect states
the cost of delay and commits to a date driven by their own event, and the rep plans back from it.
"""

from __future__ import annotations

from callcoach.demo.scene import Scene

CRITERION = "urgency_creation"

PROSPECT_SLOW = (
    "(To be honest|Just so you know|Full transparency), we're not in a (huge|big) (hurry|rush) "
    "(on this|here). (It's|This is) (probably a next-quarter thing|something for later "
    "this year|more of a someday project).",
    "(We've got a lot going on|It's a busy stretch) (right now|this quarter), so (this|a "
    "project like this) (might|would probably) (have to wait|sit on the back burner) (a "
    "bit|for a while).",
    "(I'm not sure|I don't know) (when|if) we'd (get to|be ready for) (this|something like "
    "this). (Maybe|Possibly) after {event}.",
)

NO_RUSH = (
    "(No rush|There's no rush) at all, (take all the time you need|honestly|whenever suits you).",
    "(Whenever you're ready|Whenever it suits you|Whenever the timing's right), (just|"
    "simply) (let me know|give me a shout|drop me a line).",
    "(Totally|Completely) (understand|get it), (there's|we've got) no pressure (from our "
    "side|at all). (This can|It can) (wait until things calm down|wait as long as you "
    "need).",
    "(Oh|Yeah), (don't worry about timing|timing's not a problem), (we're not going "
    "anywhere|we'll be here whenever you're ready).",
)

GENERIC_DEADLINE = (
    "(If you can|If we can) (sign|get the paperwork done) (before|by) the end of the "
    "(month|quarter), I can (take|knock) (ten|fifteen|twenty) percent off.",
    "(Just so you know|Heads up), our (prices|list prices) (go up|are going up) (in "
    "January|in the new year|next quarter), so it'd be (good|smart) to lock it in (now|"
    "before then).",
    "(We've got|There's) (a promotion|a special offer|an end-of-quarter deal) running (until|through) "
    "Friday: (two months free|no setup fee|a free training package) if you (sign|commit) "
    "(by then|this week).",
    "(My manager|Our finance team) (told me|said) I can (hold|keep) this (price|discount) "
    "(until|through) the end of the month, (after that|then) (it goes back up|I can't "
    "promise anything).",
)
DEADLINE_REPLY = (
    "(Okay.|Hm, okay.|Noted.) (That's not really|The discount isn't really) (what drives "
    "it for us|the issue), (but thanks|though).",
    "(Sure.|Right.) (We'll see|I'll keep that in mind), (we|I) (can't|won't) (rush|decide "
    "faster) (just for a discount|because of a promo).",
)

TIMELINE_QUESTION = (
    "(What's|What is) your timeline (for|on) (making a decision|this|getting something in place)?",
    "(When|By when) (are you|were you) (hoping|looking) to (have something in place|make a "
    "call on this|get started)?",
    "(Is there|Do you have) a (date|timeframe) (in mind|you're working towards) for this?",
)
TIMELINE_ANSWER = (
    "(Probably|Maybe|Ideally) (sometime|some time) (next quarter|after {event}|in the "
    "spring|before the end of the year).",
    "(No hard date|Nothing firm), (but|honestly) (sooner rather than later|in the next few "
    "months would be nice).",
)
TIMELINE_NOTED = (
    "{ack}, (good to know|noted|I'll make a note of that). (That's helpful.|Thanks.)",
    "{ack}, (that works|perfect), (we can work with that|that's a normal timeframe).",
)

COST_OF_WAITING = (
    "(You said it's|Based on what you told me, it's) (about|roughly) {hours} hours a "
    "week at (around|about) {rate} an hour, which (is|comes to) (roughly|about) "
    "{monthly_cost} a month. (Every month this waits|Each month we push this out|Every month "
    "you stay on {tool}) is another {monthly_cost} (gone|you don't get back|out the door).",
    "(Let's put a number on waiting|Here's what waiting costs, on your numbers): {hours} "
    "hours a week, {rate} an hour, (that's|so) {monthly_cost} a month, or {quarterly_cost} "
    "(a quarter|if this slips to next quarter).",
    "(If I take your numbers|Using your own numbers), (pushing this|waiting) a quarter "
    "(costs|means) (roughly|about) {quarterly_cost} in hours alone, (before|not counting) "
    "the {errors} (errors|mismatches) a quarter.",
)
TIE_TO_EVENT = (
    "And with {event}, if this isn't live (before|by) then, (your team is|{team_size} "
    "people are) still {task} by hand (through|during) the (busiest|worst) (stretch|month) "
    "of the year.",
    "(And the real date is|What matters is) {event}: to be live (by then|before that), "
    "(we'd need|we need) (about|roughly) six weeks, (which puts|so that puts) the "
    "(decision|start) (in the next two weeks|at the end of this month).",
    "(So|And) working back from {event}, (every week|each week) (we wait|of delay) "
    "(pushes|moves) go-live (closer to|past) it.",
)
PROSPECT_HEARS_COST = (
    "(Hm.|Huh.|Wow, okay.) (When you put it like that|Put that way), (it's|that's) (a lot|"
    "more than I thought|real money).",
    "(Yeah|True), (I hadn't|I never) (really|actually) (added it up|done the math like "
    "that). (That's|It's) (a fair point|hard to argue with).",
)

ASK_COST_OF_DELAY = (
    "What happens if (this isn't|nothing's) (fixed|in place|live) (before|by) {event}?",
    "(If this slips|Say this waits) (six months|until after {event}), what does that "
    "(cost you|actually mean for {company_short})?",
    "(What's|What is) (it|the current process) costing you (every month|each month) you "
    "stay on {tool}?",
)
STATES_COST = (
    "(Honestly?|Hm.) (We'd be|We'll be) (hiring a temp|bringing in contractors), "
    "(probably|maybe) two, (and|and even then) (it'd|things would) still be late. (It's|"
    "That's) (costing us|running) (around|about) {monthly_cost} a month (as is|already), "
    "and (it'd|that would) (double|get worse) (around|during) {event}.",
    "(Well,|If I'm honest,) (it's|that's) (roughly|about) {monthly_cost} a month in "
    "(hours|people time), and going into {event} (like this|this way) means (overtime|late "
    "nights) for (the whole team|everyone). (I can't "
    "afford|I don't want) that (again|this year).",
)
ASK_DATE = (
    "(So|Then) when does this (need|have) to be live for that not to happen?",
    "(What's|What would be) the (latest|last) date (it|this) (can|could) be (live|working) "
    "(to avoid that|for {event})?",
)
COMMITS_DATE = (
    "(The first of|Early) {deadline_month} (at the latest|would be the deadline). Anything "
    "after that is (too late|pointless for this year).",
    "(Realistically,|Honestly,) (mid|early) {deadline_month}. (That's|That is) (the date|"
    "our line in the sand).",
)
PLAN_BACK = (
    "Then (let's|we can) work back from (that|{deadline_month}): (about|roughly) (three|four) "
    "weeks of (setup|implementation), a week of parallel run, (which means|so) (we'd need|"
    "we need) (the paperwork signed|a decision) by the end of (next week|this month). "
    "(Does that|Can that) work (on your side|for you and {buyer})?",
    "(Okay|Great), so (if go-live is|with go-live in) {deadline_month}, (kickoff|the kickoff "
    "call) (has to|needs to) happen (in|within) (three|four) weeks, and (that means|so) "
    "{buyer} (signs off|needs to sign off) (by|before) the end of the month. (Can we "
    "commit to that|Does that timeline work)?",
)
DATE_AGREED = (
    "{yes}, (that works|that's doable|let's aim for that). (I'll|Let me) (get|put) it in "
    "front of {buyer} (this week|tomorrow).",
    "(Okay|Alright), (that's tight but|that's) (doable|realistic). (Let's|We can) "
    "(commit to that|hold ourselves to that).",
)


def urgency(scene: Scene) -> None:
    level = scene.level(CRITERION)
    if level == 1:
        if scene.chance(0.6):
            scene.prospect(PROSPECT_SLOW)
        scene.rep(NO_RUSH, tag=CRITERION)
        return
    if level == 2:
        scene.rep(GENERIC_DEADLINE, tag=CRITERION)
        scene.prospect(DEADLINE_REPLY)
        return
    if level == 3:
        scene.rep(TIMELINE_QUESTION, tag=CRITERION)
        scene.prospect(TIMELINE_ANSWER)
        scene.rep(TIMELINE_NOTED, tag=CRITERION)
        return
    if level == 4:
        if scene.chance(0.4):
            scene.prospect(PROSPECT_SLOW)
        scene.rep(COST_OF_WAITING, TIE_TO_EVENT, tag=CRITERION)
        scene.prospect(PROSPECT_HEARS_COST)
        return
    scene.rep(ASK_COST_OF_DELAY, tag=CRITERION)
    scene.prospect(STATES_COST)
    scene.rep(ASK_DATE, tag=CRITERION)
    scene.prospect(COMMITS_DATE)
    scene.rep(PLAN_BACK, tag=CRITERION)
    scene.prospect(DATE_AGREED)
