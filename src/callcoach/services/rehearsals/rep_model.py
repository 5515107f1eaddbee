"""The rep persona phrased by a configured model (`CALLCOACH_REHEARSAL_LLM`, the endpoint of
`CALLCOACH_LLM_*`), as the practice prospect is.

The offline persona chooses what the rep says (their self-assessment, a cited moment, their own
turn) and its stance; the model phrases it as the rep's answer to the manager's line from the
prompt of `rep_prompt` (the persona's facts only), and `guardrails` checks what it wrote. A reply
that fails, or no answer from the endpoint, leaves the offline line said, with the reasons and
the refused text kept with the turn (`RehearsalTurn.model_refused`, `model_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from callcoach.domain.practice import TurnSpeaker
from callcoach.domain.rehearsal import LineSource, RehearsalTurn, SourceKind
from callcoach.domain.reviews import DIMENSION_LABELS, DIMENSIONS
from callcoach.llm.client import LlmEndpoint, LlmError
from callcoach.llm.spoken_reply import ask_reply
from callcoach.roleplay.rehearsal import RehearsalPersona
from callcoach.services.practice.prospect import endpoint_of
from callcoach.services.rehearsals.guardrails import check_rep_reply
from callcoach.services.rehearsals.rep_prompt import rep_messages
from callcoach.settings import Settings

MODEL_LABEL = "phrased by the configured model, checked against the rep's facts"


def persona_facts_text(persona: RehearsalPersona) -> list[str]:
    """Every text whose numbers and names the rep knows: their self-assessment, what it
    disputes, the cited moments of their calls, the names the pack lets them use, their usual
    short answers."""
    facts = persona.facts
    texts = [persona.profile.rep, *facts.names, *persona.profile.acknowledgements]
    texts += [DIMENSION_LABELS[d] for d in DIMENSIONS]
    if facts.self_assessment is not None:
        for dimension in DIMENSIONS:
            entry = facts.self_assessment.of(dimension)
            texts += [str(entry.rating), entry.words]
    for dispute in facts.disputes:
        texts += [dispute.dimension, str(dispute.self_rating), dispute.words]
    for moment in facts.moments:
        texts += [
            x
            for x in (
                moment.account,
                moment.call_id,
                moment.quote,
                moment.prospect_quote,
                moment.day.isoformat() if moment.day else None,
            )
            if x
        ]
    return texts


def _argued(turns: Sequence[RehearsalTurn]) -> set[str]:
    """The dimensions the persona has put its view on already (its earlier lines' sources)."""
    refs = {s.ref for t in turns if t.speaker is TurnSpeaker.PERSONA for s in t.sources}
    return {r.split(":", 1)[1] for r in refs if r and r.startswith("dimension:")}


@dataclass(frozen=True)
class RepModel:
    """Phrases the offline persona's line with a configured model, behind the guardrails."""

    endpoint: LlmEndpoint

    @classmethod
    def configured(cls, settings: Settings, use: bool | None = None) -> RepModel | None:
        """The model of `CALLCOACH_LLM_*` if `use` (default: `CALLCOACH_REHEARSAL_LLM`) says so."""
        enabled = settings.rehearsal_llm if use is None else use
        return cls(endpoint_of(settings)) if enabled else None

    def phrase(
        self,
        persona: RehearsalPersona,
        turns: Sequence[RehearsalTurn],
        offline: RehearsalTurn,
    ) -> RehearsalTurn:
        """The rep's line: the model's if it passes every check, else `offline` with why."""
        argued = _argued(turns)
        raised = {
            s.ref.split(":", 1)[1]
            for s in offline.sources
            if offline.stance == "disputes" and s.ref and s.ref.startswith("dimension:")
        }
        holding = next((d for d in persona.facts.disputes if d.dimension in raised), None)
        rep = persona.profile.rep
        try:
            raw = ask_reply(self.endpoint, rep_messages(persona, turns, offline))
        except LlmError as exc:
            problems, text = [f"the model gave no answer: {str(exc).splitlines()[0][:200]}"], ""
        else:
            verdict = check_rep_reply(
                raw,
                allowed_text=[*persona_facts_text(persona), offline.text, *(t.text for t in turns)],
                rep_names=[rep, *rep.split()[:1]],
                may_concede=all(d.dimension in argued for d in persona.facts.disputes),
                holding=holding,
                manager_line=turns[-1].text,
                earlier=[t.text for t in turns if t.speaker is TurnSpeaker.PERSONA],
                offline=offline.text,
            )
            problems, text = list(verdict.problems), verdict.text
        if problems:
            return replace(offline, model_refused=tuple(problems), model_text=text)
        return RehearsalTurn(
            TurnSpeaker.PERSONA,
            text,
            (LineSource(SourceKind.MODEL, MODEL_LABEL), *offline.sources),
            offline.stance,
        )
