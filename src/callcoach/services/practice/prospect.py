"""The prospect of a practice session: the offline engine by default, a configured model if asked.

Offline (the default, no model): `callcoach.roleplay`'s engine over the customer turns of the
organisation's calls, built once per process (and again only when calls were added), told the
scene (the scenario's persona, context and line at the moment) and the session so far. Its
consistency checks keep other calls' names out; the concession pacing of `guardrails` is added.

With a model (`CALLCOACH_PRACTICE_LLM`, the endpoint of `CALLCOACH_LLM_*`): a persona prompt
built from the scenario (never its goal), the model's reply checked by `guardrails` and by the
engine's name catalogue; a reply that fails is replaced by the offline one, reasons kept.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call, SpeakerRole
from callcoach.domain.practice import (
    DIFFICULTY_NAMES,
    Scenario,
    Turn,
    TurnSpeaker,
)
from callcoach.llm.client import LlmEndpoint, LlmError
from callcoach.llm.spoken_reply import ask_reply
from callcoach.roleplay.encoders import Encoder
from callcoach.roleplay.engine import RankedReply, ReplyEngine, ReplySource, Scene, SessionTurn
from callcoach.roleplay.names import SceneNames, adapt_names
from callcoach.roleplay.persona import prospect_persona
from callcoach.services.practice.cutting import contacts_of
from callcoach.services.practice.guardrails import check_reply, concession_floor
from callcoach.settings import Settings
from callcoach.store.uow import Store

CONCEDE_QUANTILE = 0.25  # design constant: the least resisting quarter of real replies concede
NOTHING_FITS = "nothing-fits"
# Why the prospect said nothing, by the reply's `source["by"]` (shown in place of a reply).
SILENCE_NOTES = {
    NOTHING_FITS: "no real prospect's reply fits this point of the conversation without "
    "repeating itself or contradicting the scenario: end the attempt to be scored",
}

# The offline prospect answers with what real prospects said in the organisation's own calls:
# its reply index reads every call (a reply naming another account is adapted or not used).
_REPLY_INDEX = Scope.system("practice prospect: replies drawn from the organisation's calls")


@dataclass(frozen=True)
class ProspectReply:
    text: str | None  # None: no reply fits; `note` says why
    source: dict[str, Any]
    note: str | None = None


def scene_of(scenario: Scenario) -> Scene:
    persona = scenario.persona
    allowed = " ".join(
        x
        for x in (
            persona.name,
            persona.company,
            persona.role,
            *persona.cares_about,
            *persona.concerns,
            scenario.opening_line,
            *(line.text for line in scenario.context),
        )
        if x
    )
    return Scene(
        concern=scenario.opening_line,
        context=tuple(
            (
                SpeakerRole.REP
                if line.speaker is TurnSpeaker.PRACTITIONER
                else SpeakerRole.PROSPECT,
                line.text,
            )
            for line in scenario.context
        ),
        own_lines=(*persona.cares_about, *persona.concerns),
        names=SceneNames(persona.company, persona.name, None, allowed),
        source_conversation=scenario.original.call_id,
        moment_position=len(scenario.context) + 1,
    )


def session_turns(turns: Sequence[Turn]) -> list[SessionTurn]:
    result = []
    for turn in turns:
        source = None
        if turn.source and turn.source.get("call") is not None:
            source = ReplySource(str(turn.source["call"]), tuple(turn.source.get("segments", ())))
        role = SpeakerRole.REP if turn.speaker is TurnSpeaker.PRACTITIONER else SpeakerRole.PROSPECT
        result.append(SessionTurn(role, turn.text, source))
    return result


def _calls_stamp(store: Store) -> tuple[int, str | None]:
    with store.unit_of_work() as uow:
        ids = uow.calls.external_ids(scope=_REPLY_INDEX)
    return len(ids), ids[-1] if ids else None


@dataclass
class Prospect:
    """Makes the prospect's replies; one per process (the CLI command, the web app)."""

    store: Store
    settings: Settings
    encoder: Encoder | None = None
    use_model: bool | None = None  # None: as CALLCOACH_PRACTICE_LLM says
    _engine: ReplyEngine | None = field(default=None, init=False)
    _stamp: tuple[int, str | None] | None = field(default=None, init=False)
    _threshold: float | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _model_name: str | None = field(default=None, init=False)  # the shared model's, if used

    @property
    def model_enabled(self) -> bool:
        return self.settings.practice_llm if self.use_model is None else self.use_model

    def _encode(self) -> Encoder:
        if self.encoder is None:
            from callcoach.scoring.embedding_model import shared_model

            s = self.settings
            model = shared_model(
                s.embedding_model, s.embedding_backend, s.model_cache, s.embedding_precision
            )
            self._model_name = model.name
            self.encoder = model.encode_cached
        return self.encoder

    def _stored_vectors(self, calls: Sequence[Call]) -> dict[str, np.ndarray]:
        """The vectors the scorer stored for these calls' segments with the same model (the
        vectors encoding would give), by text: building the index then encodes only the turns
        no scoring run has seen (a turn of several segments, a call never scored)."""
        if self._model_name is None:
            return {}
        by_call = {c.external_id: c for c in calls}
        known: dict[str, np.ndarray] = {}
        with self.store.unit_of_work() as uow:
            for external_id, matrix in uow.embeddings.for_calls(list(by_call), self._model_name):
                segments = by_call[external_id].segments
                if matrix.shape[0] >= len(segments):
                    for segment, vector in zip(segments, matrix, strict=False):
                        known.setdefault(segment.text, vector)
        return known

    def text_encoder(self) -> Encoder:
        """The sentence encoder of the reply index (the bundled MiniLM unless one was given)."""
        return self._encode()

    def engine(self) -> ReplyEngine:
        """The offline engine over every call's customer turns (rebuilt when calls change)."""
        with self._lock:
            stamp = _calls_stamp(self.store)
            if self._engine is None or stamp != self._stamp:
                self._engine = self._build()
                self._stamp = stamp
                self._threshold = None
                if self._engine.resistance is not None:
                    scores = self._engine.resistance.score(self._engine.index.replies)
                    self._threshold = float(np.quantile(scores, CONCEDE_QUANTILE))
            return self._engine

    def _build(self) -> ReplyEngine:
        with self.store.unit_of_work() as uow:
            calls: list[Call] = uow.calls.get_many(
                uow.calls.external_ids(scope=_REPLY_INDEX), scope=_REPLY_INDEX
            )
            deals = uow.deals.get_many(
                {c.deal_external_id for c in calls if c.deal_external_id}, scope=_REPLY_INDEX
            )
        outcomes = {}
        for call in calls:
            deal = deals.get(call.deal_external_id or "")
            if deal is not None and deal.outcome.is_closed:
                outcomes[call.external_id] = deal.outcome.value == "won"
        contacts = {c.external_id: [str(x["name"]) for x in contacts_of(c.meta)] for c in calls}
        encode = self._encode()
        known = self._stored_vectors(calls)

        def seeded(texts: Sequence[str]) -> np.ndarray:
            missing = [t for t in dict.fromkeys(texts) if t not in known]
            fresh = dict(zip(missing, np.asarray(encode(missing), dtype=np.float32), strict=True))
            if not texts:
                return np.asarray(encode([]), dtype=np.float32)
            return np.stack([known[t] if t in known else fresh[t] for t in texts])

        try:
            return prospect_persona(
                calls, seeded if known else encode, outcomes=outcomes, contacts=contacts
            )
        except ValueError as exc:
            from callcoach.services.practice.scenarios import PracticeServiceError

            raise PracticeServiceError(
                f"the offline prospect has nothing to answer with: {exc} (import calls first)"
            ) from None
        finally:
            known.clear()  # the index keeps `seeded` to encode queries: it falls through then

    def _too_early(self, scenario: Scenario, turns: Sequence[Turn]) -> Any:
        engine = self.engine()
        threshold = self._threshold
        practitioner = sum(1 for t in turns if t.speaker is TurnSpeaker.PRACTITIONER)
        if threshold is None or practitioner >= concession_floor(
            scenario.difficulty, scenario.turn_limit
        ):
            return None
        resistance = engine.resistance

        def refuse(option: RankedReply) -> str | None:
            assert resistance is not None
            value = float(resistance.score(engine.index.replies[option.row : option.row + 1])[0])
            return "concedes too early for the difficulty" if value < threshold else None

        return refuse

    def offline_reply(self, scenario: Scenario, turns: Sequence[Turn]) -> ProspectReply:
        engine = self.engine()
        difficulty = scenario.difficulty if engine.difficulty_available else 2
        chosen = engine.choose(
            scene_of(scenario),
            session_turns(turns),
            difficulty,
            accept=self._too_early(scenario, turns),
        )
        if chosen is None:
            return ProspectReply(None, {"by": NOTHING_FITS}, SILENCE_NOTES[NOTHING_FITS])
        return ProspectReply(
            chosen.text,
            {
                "by": "offline",
                "call": chosen.source.call_id,
                "segments": list(chosen.source.segments),
                "replacements": [list(r) for r in chosen.replacements],
                "passed_over": chosen.passed_over,
            },
        )

    def reply(self, scenario: Scenario, turns: Sequence[Turn]) -> ProspectReply:
        """The prospect's answer to the last practitioner turn of `turns`."""
        if not self.model_enabled:
            return self.offline_reply(scenario, turns)
        return self._model_reply(scenario, turns)

    def _model_reply(self, scenario: Scenario, turns: Sequence[Turn]) -> ProspectReply:
        from callcoach.services.practice.persona_prompt import persona_messages

        endpoint = endpoint_of(self.settings)
        try:
            raw = ask_reply(endpoint, persona_messages(scenario, turns))
            problems, text = self._checked(scenario, turns, raw)
        except LlmError as exc:
            problems, text = [f"the model gave no answer: {str(exc).splitlines()[0][:200]}"], ""
        if not problems:
            return ProspectReply(text, {"by": "model", "endpoint": endpoint.chat_url})
        fallback = self.offline_reply(scenario, turns)
        return ProspectReply(
            fallback.text,
            {**fallback.source, "model_refused": problems, "model_text": text},
            fallback.note,
        )

    def _checked(
        self, scenario: Scenario, turns: Sequence[Turn], raw: str
    ) -> tuple[list[str], str]:
        persona = scenario.persona
        allowed = [
            scene_of(scenario).names.allowed_text,
            *(t.text for t in turns),
            scenario.rep,
        ]
        verdict = check_reply(
            raw,
            allowed_text=allowed,
            goal_texts=[scenario.goal.anchor],
            criterion_name=scenario.goal.criterion_name,
        )
        problems = list(verdict.problems)
        if verdict.text:
            engine = self.engine()
            names = SceneNames(persona.company, persona.name, None, " ".join(allowed))
            adapted = adapt_names(
                verdict.text, engine.index.names, names, scenario.original.call_id
            )
            if adapted.text is None or adapted.text != verdict.text:
                problems.append("names another call's account or person")
            practitioner = sum(1 for t in turns if t.speaker is TurnSpeaker.PRACTITIONER)
            floor = concession_floor(scenario.difficulty, scenario.turn_limit)
            if (
                engine.resistance is not None
                and self._threshold is not None
                and practitioner < floor
            ):
                vector = engine.index.encode_texts([verdict.text])
                if float(engine.resistance.score(vector)[0]) < self._threshold:
                    problems.append(
                        f"concedes before turn {floor} ({DIFFICULTY_NAMES[scenario.difficulty]})"
                    )
        return problems, verdict.text


def endpoint_of(settings: Settings) -> LlmEndpoint:
    return LlmEndpoint(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        concurrency=1,
    )
