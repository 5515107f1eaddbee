"""The practice prospect and coach with a real model (llama.cpp serving SmolLM2-135M behind a
recording proxy): the persona prompt never holds the goal; on adversarial turns whatever is
said stays in role, does not coach, reveals no goal, names no other call and stays short (a
refused model reply is replaced by the offline prospect's); the coach's phrasing passes the
review drafts' check and cites the rep's own lines."""

from __future__ import annotations

import pytest

from callcoach.domain.practice import TurnSpeaker
from callcoach.llm.spoken_reply import COACHING, MAX_WORDS
from callcoach.roleplay.encoders import HashedWordEncoder
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.practice import sessions as ops
from callcoach.services.practice.guardrails import OUT_OF_ROLE
from callcoach.services.practice.scenarios import create_from_call
from callcoach.settings import Settings
from callcoach.store.uow import Store
from tests.e2e.web_org import build_small_org
from tests.integration.llm.conftest import Proxy
from tests.integration.test_practice_services import (
    ADVERSARIAL,
    OTHER_NAMES,
    _other_accounts_calls,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("llama-server")]


def test_the_model_prospect_holds_its_guardrails_and_the_coach_cites_the_rep(
    sqlite_store: Store, llm_proxy: Proxy
) -> None:
    build_small_org(sqlite_store, calls_per_rep=3, with_users=False)
    _other_accounts_calls(sqlite_store)
    settings = Settings(
        db=sqlite_store.database.url,
        scorer="fake",
        practice_llm=True,
        llm_base_url=llm_proxy.base_url,
        llm_timeout=300,
        llm_max_retries=1,
    )
    kit = ops.PracticeKit.build(
        sqlite_store, settings, ScorerConfig("fake"), encoder=HashedWordEncoder()
    )
    scenario = create_from_call(
        sqlite_store, "ana-1", "objection_handling", segment=5, settings=settings, difficulty=3
    )
    session = ops.start_session(sqlite_store, scenario.id or 0)
    sid = session.id or 0
    for turn in ADVERSARIAL:
        outcome = ops.take_turn(kit, sid, turn)
        reply = outcome.reply.text or ""
        source = outcome.reply.source
        assert source["by"] in ("model", "offline"), source
        if source["by"] == "offline":
            assert source["model_refused"], source  # the model's reply was checked and refused
        assert len(reply.split()) <= MAX_WORDS + 5
        assert not OUT_OF_ROLE.search(reply) and not COACHING.search(reply), reply
        assert scenario.goal.anchor not in reply
        for name in (*OTHER_NAMES, "Globex", "Initech"):
            assert name not in reply, (turn, reply)

    requests = [e.request for e in llm_proxy.forwarded]
    assert len(requests) >= len(ADVERSARIAL)
    for request in requests:
        prompt = " ".join(m["content"] for m in request["messages"])
        assert scenario.goal.anchor not in prompt
        assert scenario.goal.criterion_name not in prompt
        assert "level 4" not in prompt.lower()
    # Difficulty 3: before half the turn limit the persona is told not to agree yet.
    assert "Do not agree to buy or to a next step yet" in requests[0]["messages"][0]["content"]

    # The coach, phrased by the model, still cites the rep's own lines and passes the check.
    ops.take_turn(
        kit, sid, "What would it take for the price to feel fair next to two lost days a month?"
    )
    ended = ops.end_attempt(kit, sid)
    assert ended.attempts[0].score is not None
    answered = ops.answer_coach(kit, sid, "My last line, maybe a 2")
    attempt = answered.attempts[0]
    lines = {t.text for t in attempt.turns if t.speaker is TurnSpeaker.PRACTITIONER}
    said = attempt.debrief["messages"][-1]["sentences"]
    assert said and all(s["check"] in ("ok", "generic") for s in said), said
    about = [s for s in said if any(c.startswith("line-") for c in s["cites"])]
    assert about, said
    for sentence in about:
        for quote in sentence["text"].split("“")[1:]:
            assert quote.split("”")[0] in " ".join(lines) or quote.split("”")[0] in str(scenario)
