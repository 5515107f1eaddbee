"""The checks the rep persona's reply passes when a configured model phrased it (issue 17,
section 5). A reply that fails any of them is not said: the offline persona's line (the rep's
own words) is said instead and the reasons are kept with the turn. Pure functions over text; the
checks every persona shares are `callcoach.llm.spoken_reply`.

- **Short and spoken**: at most 3 sentences and 45 words (longer is cut at a sentence end).
- **In role as the rep**: no talk of being a model, a prompt, a roleplay, a persona or a rubric;
  it does not speak as the manager ("your self-assessment", "as your manager") nor of the rep by
  name (the persona is the rep).
- **Does not coach the manager**: no advice ("you should", "next time", "a good manager ...",
  "tips on", "how to run this review").
- **No invented facts**: every number and capitalised name must be in the persona's facts (the
  self-assessment, the cited moments of the rep's calls, the names the pack lets the rep know),
  the offline line it phrases, or the meeting so far.
- **Answers, not echoes**: a reply repeating most of the manager's line, or of one of the
  persona's earlier lines, is refused (unless the offline line it phrases does so too).
- **Disputes before it concedes**: while a dimension the self-assessment disputes has not been
  argued yet, a reply that concedes ("you're right", "fair enough") is refused; and when the
  manager raises a disputed dimension, the reply must hold the rep's view (a disagreement, the
  rep's own rating, or the rep's words for it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from callcoach.domain.rehearsal import Dispute
from callcoach.llm.spoken_reply import (
    COACHING,
    GuardrailVerdict,
    invented_facts,
    matched,
    role_pattern,
    spoken,
)

OUT_OF_ROLE = role_pattern(r"as (?:the|a) (?:sales )?rep", r"your rep", r"the manager's")
SPEAKS_AS_MANAGER = re.compile(
    r"\b(?:your (?:self-assessment|ratings?|calls|skills?|quota|pipeline|numbers|performance)|"
    r"as your manager|i(?:'m| am) your manager|let's (?:start|begin|go through) (?:the|your) "
    r"review)\b",
    re.IGNORECASE,
)
COACHES_MANAGER = re.compile(
    r"\b(?:a good (?:manager|leader|coach|review)|as (?:a|my) manager,? you|when you (?:give|"
    r"deliver|run) (?:a )?reviews?|(?:your|the) (?:delivery|review style)|(?:build|agree) the "
    r"plan together|you (?:need|ought) to (?:ask|open|listen|anchor|quote|name|build)|(?:give|"
    r"offer) you (?:some |a few )?tips?|tips? (?:on|for)|how to (?:run|deliver|give|open|"
    r"structure) (?:this|the|a|your) (?:review|meeting))\b",
    re.IGNORECASE,
)
CONCEDES = re.compile(
    r"\b(?:you(?:'re| are) (?:right|correct)|i agree|fair enough|(?:that's|that is) fair|"
    r"fair point|good point|i accept (?:that|it|the)|i admit|i was wrong|my bad|point taken|"
    r"i concede|you got me|i stand corrected|no argument)\b",
    re.IGNORECASE,
)
HOLDS = re.compile(
    r"\b(?:don't|do not|disagree|not (?:how|what|sure|fair|true|right)|i'd (?:say|put)|"
    r"i (?:think|believe|see it|put myself|still)|but|actually)\b",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"[a-z]{4,}")
ECHO_SHARE = 0.6  # design constant: repeating most of a line's content words is parroting it
ECHO_MIN_WORDS = 4  # lines with fewer content words are too short to call a repeat


def holds_view(text: str, dispute: Dispute) -> bool:
    """Whether `text` keeps the rep's view on the disputed dimension: a disagreement, the
    rep's own rating, or two of the rep's own words for it."""
    if HOLDS.search(text) or re.search(rf"(?<!\d){dispute.self_rating}(?!\d)", text):
        return True
    own = set(_CONTENT.findall(dispute.words.lower()))
    return len(own & set(_CONTENT.findall(text.lower()))) >= 2


def _overlap(said: str, other: str) -> float:
    """The share of `other`'s content words that `said` repeats (0 when `other` has few)."""
    words = set(_CONTENT.findall(other.lower()))
    if len(words) < ECHO_MIN_WORDS:
        return 0.0
    return len(words & set(_CONTENT.findall(said.lower()))) / len(words)


def check_rep_reply(
    reply: str,
    *,
    allowed_text: Iterable[str],
    rep_names: Sequence[str],
    may_concede: bool,
    holding: Dispute | None,
    manager_line: str = "",
    earlier: Sequence[str] = (),
    offline: str = "",
) -> GuardrailVerdict:
    """Whether a generated line of the rep may be said (and the shortened text to say).

    `may_concede`: every disputed dimension was argued already; `holding`: the disputed
    dimension the manager raises in the line answered (its view must be held); `manager_line`,
    `earlier` (the persona's earlier lines) and `offline` (the line phrased): a reply that
    parrots the manager or repeats an earlier line, when the offline line does not, is refused.
    """
    text = spoken(reply)
    if not text:
        return GuardrailVerdict("", ("the reply is empty",))
    problems = [
        *matched(OUT_OF_ROLE, text, "steps out of role"),
        *matched(SPEAKS_AS_MANAGER, text, "speaks as the manager"),
        *matched(COACHING, text, "coaches the manager"),
        *matched(COACHES_MANAGER, text, "coaches the manager"),
    ]
    for name in rep_names:
        if re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text, re.IGNORECASE):
            problems.append(f"speaks of the rep by name ({name}): the persona is the rep")
            break
    if not may_concede:
        problems += matched(CONCEDES, text, "concedes before the rep's disputed view is argued")
    if holding is not None and not holds_view(text, holding):
        problems.append(f"gives up the rep's view on {holding.dimension} without disputing it")
    if _overlap(text, manager_line) >= ECHO_SHARE > _overlap(offline, manager_line):
        problems.append("echoes the manager's line instead of answering it")
    if any(_overlap(text, line) >= ECHO_SHARE > _overlap(offline, line) for line in earlier):
        problems.append("repeats what the rep already said")
    problems += invented_facts(text, allowed_text, "the rep's facts do not")
    return GuardrailVerdict(text, tuple(problems))
