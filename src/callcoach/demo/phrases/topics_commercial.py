"""Neutral exchanges about the deal: pricing mechanics, procurement, contract, logistics."""

from __future__ import annotations

from callcoach.demo.phrases.topics_business import Topic

PRICING_MECHANICS: Topic = (
    (
        "buyer",
        (
            "(Walk me through how (the|your) pricing works.|Can you explain how (the|your) pricing is "
            "structured?) (Is it|Are we paying) per (user|seat) or per (module|volume)?",
        ),
    ),
    (
        "rep",
        (
            "(It's|Pricing is) a (base|platform) fee plus the modules you use; users are "
            "(unlimited|not capped), so nobody's (counting logins|rationing access).",
        ),
        (
            "(For you|In your case) that comes to {price} (for|with) {module} and the {erp} "
            "connector, (billed|invoiced) annually (with thirty-day terms|net thirty).",
        ),
    ),
    (
        "buyer",
        (
            "(Okay.|Understood.) (And|What about) the renewal? (Is there a cap on|Is there a limit to|"
            "Any cap on) price increases?",
        ),
    ),
    (
        "rep",
        (
            "(Renewal increases|Increases) are capped at (five|three) percent a year, (and|"
            "and it's) written into the order form.",
        ),
    ),
    ("buyer", ("(Good.|Fine.|Okay, that's fair.)",)),
)

CONTRACT_TERMS: Topic = (
    (
        "buyer",
        (
            "(What's|What is) the minimum term? (We don't love|I'm not a fan of) (multi-year|"
            "long) (lock-ins|commitments).",
        ),
    ),
    (
        "rep",
        (
            "Twelve months is the minimum. (No auto-renewal trap|There's no lock-in beyond "
            "that): you get a reminder (ninety|sixty) days before the renewal date.",
        ),
    ),
    ("buyer", ("(And|What about) payment terms? (Can we|Could we) (pay|do) quarterly?",)),
    (
        "rep",
        (
            "(Quarterly|Quarterly billing) is (fine|possible) on an annual contract; (it's|"
            "that's) (a checkbox|one line) on the order form.",
        ),
    ),
)

PROCUREMENT: Topic = (
    (
        "buyer",
        (
            "(Procurement|Our procurement team) will need (a vendor form|your W-9) and (a "
            "security questionnaire|the security questionnaire) (filled in|completed), plus "
            "the (master agreement|MSA) for legal.",
        ),
        (
            "(Legal|Our lawyer) usually takes (a week|two weeks) on contracts, (just so you "
            "know|for planning).",
        ),
    ),
    (
        "rep",
        (
            "(No problem|Of course). I'll send the (MSA|standard terms) and the (security "
            "questionnaire|vendor form) (today|this afternoon), so legal can start in parallel.",
        ),
    ),
    ("buyer", ("(Good.|That helps.) Send it to me and {champion}.",)),
)

LOGISTICS: Topic = (
    (
        "rep",
        (
            "(Before I forget|Quick housekeeping): (is it okay if|do you mind if) I send the "
            "(recording|notes) after the call?",
        ),
    ),
    (
        "prospect",
        (
            "(Yes|Sure|Of course), (please|go ahead). (I'll forward it to|I'll share it with) "
            "{buyer}.",
        ),
    ),
    (
        "rep",
        (
            "{great}. (And|Also,) who else (should|ought to) be in the next conversation "
            "(from your side|on your end)?",
        ),
    ),
    (
        "prospect",
        (
            "(Probably|Definitely) {tech} (from IT|for the technical side), and (maybe|at some "
            "point) {buyer}.",
        ),
    ),
    ("rep", ("{great}, (I'll|let me) (make a note of that|add that to my notes).",)),
)

REFERENCE_CALL: Topic = (
    (
        "prospect",
        (
            "(Do you have|Have you got) (other|any) customers in {industry}? (I'd like to|"
            "Could I) talk to one (if possible|at some point).",
        ),
    ),
    (
        "rep",
        (
            "(Yes|Absolutely), {reference} (is a good one|is probably the closest to you); "
            "(similar size|about your size), and (also|they're also) on {erp}. (I can|Let "
            "me) set up twenty minutes with their (controller|finance lead) (next week|"
            "whenever suits).",
        ),
    ),
    ("prospect", ("(That would be great.|Please do.|Perfect, thanks.)",)),
)

ONBOARDING_DATES: Topic = (
    (
        "prospect",
        (
            "(If|Assuming) we (go ahead|move forward), (when|how soon) (could|would) "
            "(onboarding|the kickoff) (start|happen)?",
        ),
    ),
    (
        "rep",
        (
            "(Usually|Typically) (within|inside) (a week|two weeks) of signature; (the|our) "
            "onboarding team (books|schedules) the kickoff (as soon as|once) the order form "
            "(is in|comes back).",
        ),
    ),
    (
        "prospect",
        (
            "(Okay.|Good.) (I'd|I would) (want|need) to (avoid|steer clear of) the (first|last) "
            "week of the month, (obviously|for the close).",
        ),
    ),
    (
        "rep",
        (
            "(Of course|Naturally), (we|we'll) (schedule|plan) (around|round) your close; "
            "(nothing|no sessions) (in|during) (close week|the close).",
        ),
    ),
)

TANGENT_CONFERENCE: Topic = (
    (
        "prospect",
        (
            "(Sorry, random question|Totally unrelated|Off topic for a second), but is your "
            "team going to (the|this year's) (finance summit|CFO conference|user group) in "
            "(the fall|Chicago|Austin)?",
        ),
    ),
    (
        "rep",
        (
            "(I think|I believe) (a few of us|our team) (will be there|are going), (yes|yeah); "
            "it'd be (good|great) to (meet in person|say hi). (Are you|Will you be) (speaking|"
            "going)?",
        ),
    ),
    (
        "prospect",
        (
            "(Just attending|Only attending), (I think|probably). (Last year's|The last one) "
            "was (actually useful|good), (especially|mostly) the (sessions on|talks about) "
            "(automation|the close).",
        ),
    ),
)

TANGENT_INTERRUPTION: Topic = (
    (
        "prospect",
        (
            "(Ha, sorry, my dog is barking|Sorry, someone's at the door|Apologies, there's a "
            "fire alarm test in the building), (one second|give me a sec).",
        ),
    ),
    ("rep", ("(No worries|Ha, no problem|All good), (take your time|happens to everyone).",)),
    ("prospect", ("(Okay|Alright), (I'm back|sorry about that). (Where were we?|Go on.)",)),
)

COMMERCIAL_TOPICS: tuple[Topic, ...] = (
    PRICING_MECHANICS,
    CONTRACT_TERMS,
    PROCUREMENT,
    LOGISTICS,
    REFERENCE_CALL,
    ONBOARDING_DATES,
    TANGENT_CONFERENCE,
    TANGENT_INTERRUPTION,
)

BILLING_SETUP: Topic = (
    (
        "prospect",
        ("(For the invoice|On the billing side), (do you need|will you need) a PO number?",),
    ),
    (
        "rep",
        (
            "(If your|If the) (process needs one|AP team uses them), (yes|sure), (just|) (add|put) "
            "it on the order form and (we'll print it|it'll show up) on (every|each) invoice.",
        ),
    ),
    (
        "prospect",
        (
            "(Okay|Good), (I'll|let me) (get|ask for) (a PO|the PO number) from (procurement|"
            "{buyer}) (today|this week).",
        ),
    ),
)

INVOICE_ADDRESS: Topic = (
    (
        "prospect",
        ("(Where should the invoices go|Who should we send the invoices to), by the way?",),
    ),
    (
        "rep",
        (
            "(Whoever you tell us|Any address you like); (most teams|most customers) (use|give "
            "us) (a shared|an AP) inbox so nothing depends on one person.",
        ),
    ),
    ("prospect", ("(Use|Send them to) our AP inbox; I'll (email|send) it to you after the call.",)),
)

ADMIN_OWNER: Topic = (
    (
        "rep",
        (
            "(Who|Which person) (on your side|from your team) (would|will) be (the|our) "
            "(admin|main admin) (day to day|going forward)?",
        ),
    ),
    (
        "prospect",
        (
            "(Probably|Most likely) (me|me at first), (and then|then) (our|the) (senior "
            "accountant|assistant controller) (once|after) (we're|they're) (up and running|"
            "trained).",
        ),
    ),
    (
        "rep",
        (
            "(Perfect|Great). (The|Our) onboarding (lead|manager) (will|is going to) "
            "(set up|plan) (admin training|a separate admin session) for (both of you|the two "
            "of you) (in|during) (week two|the second week).",
        ),
    ),
)

SIGNATURE_LOGISTICS: Topic = (
    (
        "buyer",
        (
            "How do (you|we) handle the signature? DocuSign?",
            "(Does|Can) the order form (go|be sent) (through|via) (our|your) e-signature "
            "(tool|system)?",
        ),
    ),
    (
        "rep",
        (
            "(DocuSign|Either works), (yes|whichever you prefer). (I'll|We'll) (route|send) "
            "(it|the envelope) to (whoever signs|the signatory) on your side and copy {champion}.",
        ),
    ),
    (
        "buyer",
        (
            "(Send it to|Address it to) (me|me directly); (I'm|I am) the (signatory|one who "
            "signs) (for|on) (this|contracts this size).",
            "(Our|The) (CEO|owner) (signs|will sign), (but|so) (route|send) it (through|to) "
            "me (first|and I'll forward it).",
        ),
    ),
)

CHANGE_MANAGEMENT: Topic = (
    (
        "prospect",
        (
            "(How do|How should) (we|I) (tell|introduce this to) the team? (Some|A couple) of "
            "them (are|will be) (nervous|worried) that automation (means|will mean) (replacing "
            "them|fewer jobs).",
        ),
    ),
    (
        "rep",
        (
            "(That|It) comes up (a lot|often). (What works|What we see work) is (framing|"
            "positioning) it as (taking|removing) the (copy-paste|grunt) work, (not|rather "
            "than) (people|the job); (we|our onboarding team) (can|will) (join|do) (a|the) "
            "(team meeting|kickoff) (to|and) (answer questions|walk them through it).",
        ),
    ),
    (
        "prospect",
        (
            "(That would help.|Good idea.) (I'll|Let me) (set that up|book that) (for|in) "
            "(week one|the first week).",
        ),
    ),
)

COMMERCIAL_TOPICS = (
    *COMMERCIAL_TOPICS,
    BILLING_SETUP,
    INVOICE_ADDRESS,
    ADMIN_OWNER,
    SIGNATURE_LOGISTICS,
    CHANGE_MANAGEMENT,
)
