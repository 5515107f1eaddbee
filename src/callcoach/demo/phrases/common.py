"""Shared sub-phrases (slots every bank may use), openings, small talk and goodbyes."""

from __future__ import annotations

from callcoach.demo.scene import Scene

SHARED_SLOTS: dict[str, list[str]] = {
    "ack": [
        "(Okay|Ok|Right|Got it|Sure|Understood|Makes sense|Yeah, okay|Alright|Mm, okay)",
    ],
    "so": ["(So|Okay, so|Alright, so|Now|And so|Right, so)"],
    "frankly": ["(Honestly|To be honest|Frankly|Truthfully|If I'm being honest)"],
    "thanks": ["(Thanks|Thank you|Appreciate it|Thanks a lot|Cheers)"],
    "great": ["(Great|Perfect|Awesome|Excellent|Wonderful|Fantastic|Good stuff)"],
    "yes": ["(Yeah|Yes|Yep|Sure|Yeah, definitely|Mm-hm, yeah)"],
    "think": ["(I think|I'd say|I guess|I'd guess|Probably|My sense is)"],
    "lot": ["(a lot|a ton|way too much|more than I'd like|a good chunk)"],
    "week_day": ["(Monday|Tuesday|Wednesday|Thursday|Friday)"],
    "time_slot": ["(ten|eleven|two|three|four)[ o'clock]", "(nine|one|two|three) thirty"],
    "honest_hedge": ["(kind of|sort of|pretty much|more or less|basically)"],
}

# (rep, prospect) pairs, so the answer fits the greeting.
OPENINGS = (
    (
        "(Hi|Hey) {champion}, (this is|it's) {rep_first} (from|with) {product}. (How are you "
        "doing|How's your (day|week) going|How are things)?",
        "(Doing well|Not bad|Pretty good), (thanks|thank you). (A bit hectic|Busy week|Long "
        "day already), but (good|fine|can't complain). (You?|How about you?)",
    ),
    (
        "(Hey|Hi|Hello) {champion}, {rep_first} here. (Thanks for (making the time|jumping "
        "on)|Good to (see|meet) you)[ today].",
        "(Hi|Hey|Hello) {rep_first}, (of course|happy to|no problem). (I've got about|We "
        "have) (thirty|forty-five|twenty-five) minutes(, is that okay?|, hope that's enough.)",
    ),
    (
        "(Good morning|Morning|Good afternoon|Hey there) {champion}! (Can you hear me "
        "okay|Is my audio coming through alright)?",
        "(Hi|Hey|Hello) {rep_first}. {yes}, (I can hear you fine|all good here|loud and clear).",
    ),
    (
        "{champion}, hi! (Sorry, I was just closing another window|Give me one second, my "
        "camera is being stubborn|Hope I'm not too early).",
        "(No problem|No worries|All good)! (Sorry I'm a minute late myself|I just got out of "
        "another meeting|I just grabbed a coffee), (so we're even|ready when you are).",
    ),
)
OPENING_TURNAROUND = (
    "(Good|Doing well|Can't complain), (thanks for asking|thank you). (Busy|Good busy), (as "
    "always|like everyone).",
    "(Great, thanks|All good here). (Glad we could find a time|Appreciate you making the time).",
)

SMALL_TALK = (
    (
        "(Did you|Were you able to) (get out|do anything fun) (over the weekend|this weekend)?",
        "(Oh|Ah|Yeah), (we|I) (went hiking|had my nephew's birthday|mostly did yard work|"
        "watched way too much football|finally fixed the fence|took the kids to the lake). "
        "(Pretty relaxing|Exhausting, honestly|Nice to switch off for a bit). (You|How about you)?",
        "(Ha, nice.|Love that.|Sounds fun.) (Mostly errands for me|Quiet one here|We had "
        "friends over|I was on the sidelines at soccer all Saturday), (but it was good|"
        "can't complain).",
    ),
    (
        "How's the weather (over there|where you are|in your neck of the woods)?",
        "(Grey and rainy|Finally sunny|Freezing, honestly|Way too hot|Windy), (as usual|for "
        "once|which is typical for this time of year). (How about you|You)?",
        "(Same here, more or less.|Can't complain here.|Pretty mild, actually.) (Anyway|"
        "Alright), (let's get into it|I don't want to eat into your time).",
    ),
    (
        "(I saw|Noticed) on LinkedIn (you just|your team just) (hit an anniversary|opened a new "
        "office|hired a couple of people). (Congrats|Congratulations)!",
        "(Oh, thanks|Ha, yes, thank you)! (It's been a busy year|We've grown a lot|It's been "
        "a bit of a whirlwind), (that's part of why we're talking|which is kind of why I "
        "took this call).",
        "(That makes sense.|Love to hear it.|Good problem to have.) (We'll get into that.|"
        "Let's dig into that then.)",
    ),
    (
        "Are you (guys|all) (back in the office|hybrid now|mostly remote these days)?",
        "(Mostly hybrid, which honestly works|Three days in, two at home|Fully back, "
        "unfortunately, and the commute is brutal|Mostly remote, which suits the team).",
        "(Same here|We're the same|Ha, I hear you). (Anyway|Okay), (thanks again for the "
        "time|let's make it worth your while).",
    ),
    (
        "(Busy time of year for you|Is it a crazy time) with the {industry} side of things?",
        "{yes}, (it always is|especially right now|it never really slows down). (Finance is "
        "always last to know.|We're always catching up.)",
        "(I bet.|I can imagine.|That's what I hear from a lot of {industry} teams.)",
    ),
)

AGENDA_FIRST = (
    "{so} (what I had in mind|my plan) for today: (I'd love to|I want to) (understand|hear) "
    "how things work on your side, (then|and then) (show you|walk you through) (a bit of|some "
    "of) {product}, and (we can|then we'll) (figure out|agree) (next steps|whether it makes "
    "sense to keep talking). (Does that work|Sound okay|Anything you'd add)?",
    "(Since this is our first (call|conversation)|To kick things off), (I'd like to|let me) "
    "(mostly listen|ask a few questions) (first|before anything else), and (if it's useful|"
    "if there's a fit) (show you something|set up a proper demo). (Fair|That okay)?",
)

AGENDA_FOLLOWUP = (
    "(Just so we're on the same page|Quick agenda), (last time|on our last call) we (covered|"
    "talked through) {pain}; today I (want to|was hoping to) (pick up from there|go a level "
    "deeper) and (leave time for questions|make sure we cover pricing). (Good|Okay with you)?",
    "(I've got|I put together) a (quick|short) agenda: (recap|where we are), (what's "
    "changed|anything new on your side), and (then|after that) (the proposal|the paperwork|"
    "next steps). (Work for you|Sound good)?",
)

AGENDA_REPLY = (
    "{yes}, (that works|sounds good|let's do it). (I also want to|I'd like to) (ask about|"
    "make sure we cover) (the {erp} integration|implementation|pricing|security) (at some "
    "point|before we wrap).",
    "(Sounds good|Works for me|Perfect). (I've got a hard stop at the top of the hour|"
    "{buyer} might drop in halfway|I might have to jump at quarter past).",
    "{yes}. (Let's do it.|Go for it.|That's fine.)",
)

GOODBYE_REP = (
    "(Thanks so much|Thank you again|Thanks for the time|Really appreciate it), {champion}. "
    "(Have a great|Enjoy the rest of your) (day|week|afternoon|weekend).",
    "(Alright|Okay), I'll (let you go|give you some time back). (Speak|Talk) (soon|next week)!",
    "(Really|Genuinely) (appreciate|enjoyed) the (conversation|time today). (Take care|Have "
    "a good one).",
)

GOODBYE_PROSPECT = (
    "(You too|Thanks, you too|Same to you), {rep_first}. (Bye|Take care|Talk soon).",
    "(Thanks|Thank you), (this was (helpful|useful)|appreciate it). (Bye now|Speak soon|"
    "Have a good one).",
    "(Cheers|Thanks), {rep_first}. (Bye|Bye-bye|Talk later).",
)

BACKCHANNELS = (
    "Mm-hm.",
    "Right.",
    "Yeah.",
    "Okay.",
    "Sure.",
    "Got it.",
    "Uh-huh.",
    "Yeah, yeah.",
    "Makes sense.",
    "Right, right.",
    "Mm.",
)


def opening(scene: Scene) -> None:
    rep_line, prospect_line = OPENINGS[scene.rng.randrange(len(OPENINGS))]
    scene.rep(rep_line)
    scene.prospect(prospect_line)
    if prospect_line is OPENINGS[0][1]:
        scene.rep(OPENING_TURNAROUND)
    if not scene.compact and scene.chance(0.75):
        exchange = SMALL_TALK[scene.rng.randrange(len(SMALL_TALK))]
        scene.rep(exchange[0])
        scene.prospect(exchange[1])
        scene.rep(exchange[2])
    if not scene.compact or scene.chance(0.5):
        scene.rep(AGENDA_FIRST if scene.first_call else AGENDA_FOLLOWUP)
        scene.prospect(AGENDA_REPLY)


def goodbye(scene: Scene) -> None:
    scene.rep(GOODBYE_REP)
    scene.prospect(GOODBYE_PROSPECT)
