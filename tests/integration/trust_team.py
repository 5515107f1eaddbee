"""A hand-made team for the trust tests: two reps, calls with clear close attempts, clear
discovery questions and small talk, in varied words (no two calls say the same thing)."""

from __future__ import annotations

from typing import Any

ASKS = [
    "Can we get the agreement signed today so you start on Monday?",
    "Shall I send the order form now for the twenty seats?",
    "Would you like to go ahead with the annual plan today?",
    "Are you ready to sign the contract this afternoon?",
    "Can I put you down for the starter package and send the invoice today?",
    "Shall we lock in the pricing by signing before Friday?",
    "Would you commit to the pilot so I can book your onboarding call?",
    "Can we finalise the purchase order this week?",
    "Do you want me to send the contract for signature right now?",
    "Shall we move forward and get your team set up today?",
    "Will you approve the order so we can start next week?",
    "Can I get your signature on the proposal today?",
    "Shall I draw up the paperwork for the fifty licences now?",
    "Would you like to buy the premium tier today and save the setup fee?",
]
QUESTIONS = [
    "What does a missed appointment cost you today?",
    "How do you handle scheduling when someone calls in sick?",
    "What happens to your revenue when a client cancels late?",
    "Who on your team decides on new software, and how?",
    "What have you tried so far to fix the no-shows?",
    "How many bookings do you lose in a typical week?",
    "What would change for your staff if the calendar filled itself?",
    "Walk me through how a new client books with you today.",
    "Which part of the process takes the most of your time?",
    "What made you look for a solution this quarter?",
    "How do your clients prefer to reach you?",
    "What would success look like six months from now?",
    "Where do appointments fall through the cracks?",
    "How are reminders sent out at the moment?",
]
CHAT = [
    "Thanks for taking the time, how was the conference last week?",
    "I'll let you get back to your afternoon then.",
    "The weather has been lovely here this week.",
    "Great to hear your voice again, how was the holiday?",
    "Sorry, my screen froze for a second there.",
    "Let me just find my notes, one moment please.",
    "Talk soon, have a good weekend.",
    "Did you catch the game on Sunday?",
    "I hope the move to the new office went well.",
    "Sorry I'm a minute late, the previous call ran over.",
    "Can you hear me all right now?",
    "Thanks again, speak to you soon.",
    "How is the new puppy settling in?",
    "I'll send you the recording after the call.",
]
REPLIES = ["Okay.", "Sure, go on.", "Right.", "I see.", "Mm, fair enough.", "Yes."]


def conversation(number: int) -> dict[str, Any]:
    """Call `number`: small talk, two discovery questions, one close attempt, small talk."""
    texts = [
        CHAT[number % len(CHAT)],
        QUESTIONS[number % len(QUESTIONS)],
        QUESTIONS[(number + 7) % len(QUESTIONS)],
        ASKS[number % len(ASKS)],
        CHAT[(number + 5) % len(CHAT)],
    ]
    turns: list[dict[str, str]] = []
    for index, text in enumerate(texts):
        turns.append({"speaker": "rep", "text": text})
        turns.append({"speaker": "buyer", "text": REPLIES[(number + index) % len(REPLIES)]})
    return {
        "call_id": f"call-{number:02d}",
        "rep_speaker": "rep",
        "rep": "Dana Ortiz" if number % 2 else "Sam Lee",
        "turns": turns,
    }


def conversations(count: int = 14) -> list[dict[str, Any]]:
    return [conversation(n) for n in range(count)]
