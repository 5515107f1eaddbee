"""Close attempts, level by level (one-call-close anchors), and how the prospect answers.

1 never asks: the call ends on a vague "let me know"; 2 asks weakly or too early, with no
concrete proposal; 3 proposes a next step or the purchase clearly, once, without handling the
answer; 4 asks directly for the business or a dated next step and handles the answer; 5
summarises the agreed value, asks for the decision with terms and a date, handles the answer and
secures a confirmed commitment. What the prospect answers follows the call's result (a deal that
advances, commits, stalls or is lost), so transcripts and deal outcomes agree.
"""

from __future__ import annotations

from callcoach.demo.scene import Scene

CRITERION = "close_attempt"

# What a commitment means at each stage of the deal.
NEXT_STEP = {
    "discovery": (
        "a proper demo with you and {tech}",
        "a (forty-five minute|one-hour) demo (for|with) your team",
        "a (working session|deeper session) (on|with) your actual {docs}",
    ),
    "demo": (
        "a proposal review with {buyer}",
        "a (two-week|short) pilot on (last month's|your real) {docs}",
        "a call with {buyer} to (go through|walk through) (pricing|the proposal)",
    ),
    "negotiation": (
        "(a|the) sign-off (meeting|call) with {buyer}",
        "(getting|sending over) the order form for (the annual plan|{annual_price})",
        "(a|the) (final|last) (review|call) with {buyer} and procurement",
    ),
    "closing": (
        "(signing|the signature on) the order form",
        "(getting you|getting {company_short}) started on the annual plan",
        "(the|your) (signature|go-ahead) (on|for) {annual_price}",
    ),
}

NO_ASK = (
    "(Anyway|Alright), (have a think|take a look) and (let me know|get back to me).",
    "I'll send (some|a bit of) (information|material|stuff) over and you can (get back to "
    "me|reach out) (if it's interesting|whenever).",
    "(Okay, well|So), (have a look|mull it over), (no pressure, and|and) (let me know what "
    "you think|give me a shout if you want to chat again).",
)
NO_ASK_REPLY = (
    "(Sure|Okay|Will do), (I'll|we'll) (take a look|be in touch|let you know).",
    "{yes}, (send it over|sounds good). (I'll|We'll) (get back to you|see).",
)

WEAK_ASK = (
    "(So|Okay, so), (any interest so far|is this interesting at all|does this sound like "
    "something you'd maybe want to look at)?",
    "(What do you think|Thoughts)? (Is this|Could this be) (something|a thing) you (might|"
    "could) (want|be interested in) (at some point|down the line)?",
    "(Would you|Would your team) (maybe|possibly) be (open to|interested in) (learning "
    "more|another chat) (sometime|at some point)?",
)
WEAK_REPLY = (
    "(Maybe.|Possibly.|Hard to say.) (It's early|I need to see more|We'll see).",
    "(Sure, I guess|I mean, maybe). (Send me something|Let's see how it goes).",
)

CLEAR_ASK = (
    "(The|Our) next step would be {step}. (Shall I|Can I|Should I) (set that up|send an "
    "invite) for (next|this) {week_day}?",
    "(I'd suggest|My suggestion is) {step} (as the next step|next). (Want me to|Shall I) "
    "(book it|put it in the calendar)?",
    "(Would you like to|Do you want to) (go ahead with|move on to) {step}?",
)
HESITATE = (
    "(Let me|I'll need to) (check with|talk to) {buyer} (first|before I commit) and (get "
    "back to you|let you know).",
    "(I'm not sure yet.|Maybe.) (Let me|I'll) (think about it|look at the calendar) and "
    "(come back to you|email you).",
    "(Not this week|This week's bad), (maybe|possibly) (later in the month|after {event_month}).",
)
LET_GO = (
    "(Sure|Okay|No problem), (just|) (let me know|get back to me whenever).",
    "(Of course|Totally), (whenever works|no pressure). (I'll wait to hear|Just shoot me an "
    "email).",
)

DIRECT_ASK = (
    "(Based on|Given) (what we've covered|everything we just went through), (can we|let's) "
    "(put|lock in) (thirty|forty-five) minutes (on|for) {week_day} at {time_slot} for "
    "{step}?",
    "(So|Okay), (shall we|can we) (go ahead with|commit to) {step}? I'd (suggest|propose) "
    "{week_day} at {time_slot}.",
    "(I'd like to|Let me) ask (directly|for it): (are you|is {company_short}) (ready|happy) "
    "to (move forward with|go ahead with) {step} (this week|by {week_day})?",
)
HANDLE_ANSWER = (
    "(Understood.|Fair.) What would {buyer} need to see to be (comfortable|ready) (by "
    "then|on {week_day})? (I'll|Let me) (bring|prepare) (exactly that|the numbers).",
    "(Okay|Sure), (if|since) {week_day} (doesn't|won't) work, (what about|how about) "
    "{week_day} at {time_slot} instead? I'll (send the invite|book it) (right now|while "
    "we're on the phone).",
    "(That makes sense.|Fair enough.) (What's|What is) (the one thing|the main thing) "
    "(holding it up|that would stop it), so we (can|can) (clear it|deal with it) (before|"
    "ahead of) {week_day}?",
)

SUMMARY_ASK = (
    "(So let me recap|Let me pull it together|To summarise what we've agreed): {hours_saved} "
    "hours a week back, (the|your) close (down|going) from {close_days} to {target_days} "
    "days, (and|) live before {event}. (The|Your) annual plan is {annual_price}, starting "
    "on the first. (Can we|Shall we) (get|have) {step} (done|wrapped up) by {week_day}?",
    "(We agreed on|We've agreed on) three things: {pain} (off your team's plate|"
    "automated), {target_days}-day close, (payback|paying back) {payback}. (So|Then) "
    "(I'm asking for|let's go for) {step}: {annual_price}, (twelve months|annual), "
    "(signed|decided) by {week_day}. (Are you|Is {company_short}) (ready to|able to) "
    "(commit|say yes) (to that|today)?",
)
SUMMARY_ASK_EARLY = (
    "(So let me recap|Let me pull it together): {pain} (costs|is costing) you (about|around) "
    "{monthly_cost} a month, the close (runs|takes) {close_days} days, and (you want|you "
    "need) it at {target_days} before {event}. (The right next step is|That's why I'm "
    "suggesting) {step}. (Can we|Shall we) (lock in|book) {week_day} at {time_slot}?",
    "(We've agreed|We agree) on (the problem|what needs to change): {pain}, {close_days} "
    "days to close, {event} (coming|on the horizon). (So|Then) (I'm asking for|let's "
    "commit to) {step}, {week_day} at {time_slot}, with {buyer} (on the invite|joining). "
    "(Are you|Is {company_short}) (ready to|able to) (commit to that|say yes to that) "
    "(today|now)?",
)
SECURE = (
    "(Great|Perfect). (So|Just to confirm), {step} (by|on) {week_day}, (and|with) {buyer} "
    "(joining|on the call|signing). (I'll send|I'm sending) the (invite|order form) (now|"
    "as soon as we hang up). (Are we agreed|Do I have your commitment on that)?",
    "(Excellent|Wonderful). (Let's make it|So it's) official: {week_day}, {time_slot}, "
    "{step}. (I'll|Let me) (send|put) (the|a) (calendar invite|confirmation) (over "
    "today|in writing). (Can you confirm|Confirmed)?",
)

AGREE = (
    "{yes}, (let's do it|that works|sounds good). (Send me|Send over) the (invite|details).",
    "(Okay|Alright), {week_day} (works|is fine). (I'll|Let me) (loop in|bring) {buyer}.",
    "(Sure|Yes), (book it|put it in). (I'm|We're) (keen|interested) to (see|get) (more|"
    "the next bit).",
)
CONFIRM_COMMIT = (
    "{yes}, (confirmed|agreed|you have my word). (Let's|We'll) (get it done|make it happen).",
    "(Yes.|Agreed.) (I'll|We'll) (be there|make sure {buyer} is there) (and|so) (we can|we'll) "
    "(sign|get it signed).",
)
VERBAL_YES = (
    "(Okay.|Alright.) (Yes.|Honestly, yes.) (Let's do it|We're going ahead|Count us in). "
    "(You have my verbal|Consider it a yes from our side); (I'll|we'll) (get|push) the "
    "paperwork through (this week|with procurement).",
    "{yes}. ({buyer} and I talked|We discussed it internally), and we're (in|going ahead). "
    "(Send|Please send) the order form and (I'll|we'll) (get it signed|sign it) by "
    "{week_day}.",
)
NOT_NOW = (
    "(I think|Honestly,) we (need|have) to (pause|step back) (here|on this). (The budget "
    "isn't there right now|{buyer} said not this year).",
    "(To be honest|Truthfully), (we're leaning towards|we've decided to go with) "
    "{competitor}. (I'm sorry|Sorry), (I wanted to|I should) (tell you|be upfront).",
    "(We'll|We're going to) (hold off|wait) (for now|for a while). (Things|Priorities) "
    "(have shifted|changed) (on our side|internally).",
)
DRIFT = (
    "(Let me|I'll) (get back to you|come back to you) (on that|when things settle). "
    "(It's|Things are) (crazy|hectic) (right now|here).",
    "(Maybe.|Possibly.) (Can you|Just) (email me|send me an email) and (I'll|we'll) (see|"
    "try to find time).",
)
ACCEPT_NO = (
    "(I understand|That's fair). (Can I ask|May I ask) what (tipped it|drove that), so "
    "(I|we) (learn|know for next time)?",
    "(Understood|Thanks for telling me). (Is there|Would there be) (anything|something) "
    "(that would change that|we could do to reopen it) (later|down the line)?",
)


def close_attempt(scene: Scene) -> None:
    """The rep's ask at the end of the call, and the answer the deal's path dictates."""
    level = scene.level(CRITERION)
    step = scene.phraser.expand(scene.rng.choice(NEXT_STEP[scene.call_type]), sentence=False)
    moving = scene.result in ("advance", "verbal_commit", "won")
    with scene.using(step=step):
        if level == 1:
            scene.rep(NO_ASK, tag=CRITERION)
            scene.prospect(NO_ASK_REPLY)
        elif level == 2:
            scene.rep(WEAK_ASK, tag=CRITERION)
            scene.prospect(WEAK_REPLY if not moving else AGREE)
        elif level == 3:
            scene.rep(CLEAR_ASK, tag=CRITERION)
            if moving:
                scene.prospect(VERBAL_YES if scene.result == "verbal_commit" else AGREE)
            else:
                scene.prospect(HESITATE)
                scene.rep(LET_GO, tag=CRITERION)
        else:
            early = scene.call_type in ("discovery", "demo")
            summary = SUMMARY_ASK_EARLY if early else SUMMARY_ASK
            scene.rep(DIRECT_ASK if level == 4 else summary, tag=CRITERION)
            if scene.result == "lost":
                scene.prospect(NOT_NOW)
                scene.rep(ACCEPT_NO, tag=CRITERION)
                scene.prospect(DRIFT)
            elif moving:
                scene.prospect(HESITATE)
                scene.rep(HANDLE_ANSWER, tag=CRITERION)
                scene.prospect(VERBAL_YES if scene.result == "verbal_commit" else AGREE)
                if level == 5:
                    scene.rep(SECURE, tag=CRITERION)
                    scene.prospect(CONFIRM_COMMIT)
            else:
                scene.prospect(HESITATE)
                scene.rep(HANDLE_ANSWER, tag=CRITERION)
                scene.prospect(DRIFT)


def early_weak_ask(scene: Scene) -> None:
    """Level-2 reps often ask too early, before any value is established."""
    scene.rep(WEAK_ASK, tag=CRITERION)
    scene.prospect(WEAK_REPLY)
