"""Personas: the prospect of a practice scenario, and a rep for a manager's review rehearsal.

Both are the same engine over a different reply index (issue 17 sections 2 and 5): a prospect
answers with the customer turns of the organisation's calls; a persona of a rep answers with that
rep's own turns (how they talk, how they answer push-back), chosen for lines like the manager's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from callcoach.domain.calls import Call, SpeakerRole
from callcoach.roleplay.encoders import Encoder
from callcoach.roleplay.engine import ReplyEngine
from callcoach.roleplay.index import build_reply_index
from callcoach.roleplay.parameters import RankingParameters


def prospect_persona(
    calls: Sequence[Call],
    encode: Encoder,
    parameters: RankingParameters | None = None,
    *,
    outcomes: Mapping[str, bool] | None = None,
    contacts: Mapping[str, Sequence[str]] | None = None,
) -> ReplyEngine:
    """A prospect answering from the customer turns of `calls` (the organisation's calls)."""
    index = build_reply_index(
        calls, encode, SpeakerRole.PROSPECT, outcomes=outcomes, contacts=contacts
    )
    return ReplyEngine(index, parameters) if parameters else ReplyEngine(index)


def rep_persona(
    calls: Sequence[Call],
    rep: str,
    encode: Encoder,
    parameters: RankingParameters | None = None,
    *,
    contacts: Mapping[str, Sequence[str]] | None = None,
) -> ReplyEngine:
    """A persona of `rep`, answering only with that rep's own turns from their calls.

    Difficulty has no effect (`difficulty_available` is False): what resisting looks like is
    learned from customers' replies and deal outcomes, which say nothing about a rep's replies.
    """
    own_calls = [c for c in calls if c.rep == rep]
    if not own_calls:
        raise ValueError(f"no calls of rep {rep!r} to build a persona from")
    index = build_reply_index(own_calls, encode, SpeakerRole.REP, contacts=contacts)
    if parameters:
        return ReplyEngine(index, parameters, learn_resistance=False)
    return ReplyEngine(index, learn_resistance=False)
