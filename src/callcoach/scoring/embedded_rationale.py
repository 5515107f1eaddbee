"""Why a level, in the words a sales manager uses: what the rep did, when, after what.

"Asked for the commitment once, at 4:05, late in the call (turn 61), after Jordan said ..." The
method's numbers (how likely a turn is a moment of the criterion, the level its words read
like) travel on the evidence (`show call --format json`, the call page's hover), not in the
sentence. Turns are numbered as everywhere in callcoach: the stored segment index, from 0.
"""

from __future__ import annotations

from callcoach.domain.calls import Call
from callcoach.domain.rubric import Criterion
from callcoach.domain.scores import CriterionScore, Evidence
from callcoach.scoring.calibration import ABSENT, EvidenceStrength
from callcoach.scoring.embedded_features import previous_other_turn

# A call whose rep says less than this cannot show that a behaviour is missing (base.py's
# MIN_REP_WORDS / MIN_REP_TURNS make a call unscorable; these make one criterion unjudged).
THIN_REP_WORDS = 40
THIN_REP_TURNS = 3


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def where_in_call(call: Call, segment: int) -> str:
    """'at 23:05, late in the call (turn 61)': time when known, always the position. Turns are
    numbered as everywhere (the call page, `show call`, exports' `segment`, feedback)."""
    count = len(call.segments)
    share = segment / max(count - 1, 1)
    part = "early" if share < 1 / 3 else "late" if share > 2 / 3 else "midway"
    start = call.segments[segment].start
    at = f"at {clock(start)}, " if start is not None else ""
    return f"{at}{part} in the call (turn {segment})"


def _said(call: Call, segment: int) -> str:
    """'at 4:05, late in the call (turn 61), after Jordan said "we're not sure it solves it"'."""
    where = where_in_call(call, segment)
    previous = previous_other_turn(call, segment)
    if previous is None:
        return where
    before = call.segments[previous]
    return f'{where}, after {before.speaker} said "{_short(before.text, 70)}"'


def rationale(
    call: Call,
    crit: Criterion,
    level: int,
    strength: EvidenceStrength,
    evidence: list[Evidence],
) -> str:
    """Why this level, in the words a sales manager uses: what the rep did, when, after what.

    The method's numbers (likelihood, the level a moment reads like) are on the evidence
    (`show call --format json`, the call page's hover), not here."""
    anchor = crit.anchors[level].strip()
    # 'Level 4: "Asks directly ... answer." Shown once; ...' (no doubled full stop).
    level_text = f'Level {level}: "{anchor}"' + ("" if anchor[-1:] in ".!?" else ".")
    if not evidence:
        return f"{level_text} The rep says nothing to judge it by."
    first = evidence[0]
    quote = f'"{_short(first.quote, 120)}"'
    moment = _said(call, first.segment)
    if level >= 3:
        times = "once" if strength.shown <= 1 else f"{strength.shown} times"
        return f"{level_text} Shown {times}; clearest {moment}: {quote}."
    if strength.strongest >= strength.present:
        return f"{level_text} Shown {moment}, but the way the lower levels describe it: {quote}."
    missing = "Not shown" if strength.strongest < ABSENT or level == 1 else "Only hinted at"
    return (
        f"{level_text} {missing}: the rep never clearly does what {crit.name} asks "
        f"({_short(crit.description, 120)}). Closest, {moment}: {quote}."
    )


def too_thin(call: Call, crit: Criterion, strength: EvidenceStrength) -> CriterionScore | None:
    """A call too short to judge a criterion it does not show says so, with no level: that
    the rep did not do something in a handful of words is no evidence they would not."""
    rep = call.rep_segments
    words = sum(len(s.text.split()) for s in rep)
    if strength.strongest >= strength.present or (
        words >= THIN_REP_WORDS and len(rep) >= THIN_REP_TURNS
    ):
        return None
    return CriterionScore(
        criterion_id=crit.id,
        level=None,
        confidence=0.0,
        rationale=(
            f"Too little to judge {crit.name}: the rep speaks {len(rep)} turn(s), {words} "
            f"word(s), and does not show it in them; a call this short says little either way "
            f"(at least {THIN_REP_TURNS} turns and {THIN_REP_WORDS} words are needed to judge "
            "what is missing)."
        ),
    )
