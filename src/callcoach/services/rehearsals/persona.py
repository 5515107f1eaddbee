"""The persona of the review's rep, built from the store: their calls, self-assessment, pack."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any

from callcoach.domain.access import Scope
from callcoach.domain.calls import Call
from callcoach.domain.rehearsal import disputes
from callcoach.roleplay.encoders import Encoder
from callcoach.roleplay.rehearsal import PersonaFacts, RehearsalPersona, rehearsal_persona
from callcoach.services.reviews.common import LoadedReview
from callcoach.store.repositories.calls import CallFilter
from callcoach.store.uow import UnitOfWork

PERSONA_CALLS = 60  # design constant: the rep's most recent calls up to the review's as-of day


def rep_calls(uow: UnitOfWork, rep: str, until: datetime, scope: Scope) -> list[Call]:
    """The rep's most recent calls before `until` (their words are the persona's words)."""
    ids = uow.calls.external_ids(CallFilter(rep=rep, until=until), scope=scope)
    return uow.calls.get_many(ids[-PERSONA_CALLS:], scope=scope)


def build_persona(
    uow: UnitOfWork, review: LoadedReview, scope: Scope, encode: Encoder
) -> RehearsalPersona:
    pack = review.pack
    proposed = {d.dimension: d.proposed for d in pack.dimensions}
    found = disputes(review.self_assessment, proposed)
    until = datetime.combine(pack.as_of + timedelta(days=1), time.min)
    calls = rep_calls(uow, pack.rep, until, scope)
    own_ids = {c.external_id for c in calls}
    evidence = [e for e in pack.evidence.values() if e.call_id is None or e.call_id in own_ids]
    stored = uow.rubrics.latest(pack.rubric)
    criteria = {c.name: c.id for c in stored.rubric.criteria} if stored else {}
    facts = PersonaFacts.from_evidence(
        review.self_assessment, found, evidence, people=pack.allowed_names()
    )
    return rehearsal_persona(calls, pack.rep, encode, facts, criteria)


def persona_summary(persona: RehearsalPersona) -> dict[str, Any]:
    """What the manager is shown of the persona before and during the rehearsal."""
    profile = persona.profile
    return {
        "rep": profile.rep,
        "calls": profile.calls,
        "turns": profile.turns,
        "talk_ratio": profile.talk_ratio,
        "words_per_turn": profile.words_per_turn,
        "acknowledgements": list(profile.acknowledgements),
        "disputes": [asdict(d) for d in profile.disputes],
        "self_assessed": persona.facts.self_assessment is not None,
        "moments": len(persona.facts.moments),
        "retrieval": persona.engine is not None,
    }


def default_persona_encoder(embedding_model: str | None = None) -> Encoder:
    """The bundled MiniLM's cached encoder, loaded once per process on first use."""
    from callcoach.scoring.embedding_model import shared_model

    return shared_model(embedding_model).encode_cached
