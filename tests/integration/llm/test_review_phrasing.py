"""A review draft phrased by a real model (llama.cpp serving SmolLM2-135M behind a recording
proxy): only the pack's evidence ids may be cited (a JSON schema enum), and whatever the model
writes, every sentence of the stored draft passes the check; with the model off, nothing is
sent anywhere."""

from __future__ import annotations

import re
from datetime import date

import pytest

from callcoach.domain.access import SYSTEM
from callcoach.services.reviews.drafting import generate_draft
from callcoach.services.reviews.prepare import prepare_review
from callcoach.settings import Settings
from callcoach.store.uow import Store
from tests.e2e.web_org import RUBRIC, build_small_org
from tests.integration.llm.conftest import Proxy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("llama-server")]
CITATION = re.compile(r"\[([a-z]+-[a-z0-9][a-z0-9_\-]*)\]")


def test_the_model_phrases_only_what_the_evidence_supports(
    sqlite_store: Store, llm_proxy: Proxy
) -> None:
    build_small_org(sqlite_store, calls_per_rep=6, with_users=False)
    settings = Settings(
        db=sqlite_store.database.url,
        review_window_days=120,
        llm_base_url=llm_proxy.base_url,
        llm_timeout=300,
        llm_max_retries=1,
    )
    review = prepare_review(
        sqlite_store,
        "Ana Alvarez",
        rubric=RUBRIC,
        as_of=date(2026, 9, 30),
        viewer=SYSTEM,
        settings=settings,
        preferred_scorer="fake",
    )
    plain = generate_draft(sqlite_store, review.review_id, SYSTEM, settings, use_model=False)
    assert llm_proxy.exchanges == []  # the model is off: nothing was sent
    phrased = generate_draft(
        sqlite_store, review.review_id, SYSTEM, settings, use_model=True, model_sections=2
    )
    assert phrased.model["sent"] >= 1 and llm_proxy.forwarded
    pack_ids = set(review.pack.evidence)
    for exchange in llm_proxy.forwarded:
        schema = exchange.request["response_format"]
        schema = schema.get("json_schema", {}).get("schema") or schema.get("schema")
        allowed = schema["properties"]["sentences"]["items"]["properties"]["cites"]["items"]["enum"]
        assert set(allowed) <= pack_ids
    # Whatever the model wrote, the stored draft has no unsupported sentence and is complete.
    assert phrased.check.summary()["flagged"] == 0
    assert len(phrased.check.sentences) == len(plain.check.sentences)
    for sentence in phrased.check.sentences:
        assert all(c in pack_ids for c in CITATION.findall(sentence.text))
    print("model phrasing:", {k: v for k, v in phrased.model.items() if k != "errors"})
    assert phrased.model["kept"] + phrased.model["replaced"] >= 1
