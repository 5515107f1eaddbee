"""The runner's repositories on both backends: stored embeddings and the LLM answer cache."""

from __future__ import annotations

import numpy as np

from callcoach.store.uow import Store
from tests.integration.scoring_calls import sales_call, store_calls


def test_embeddings_round_trip_and_are_refused_for_changed_content(store: Store) -> None:
    call = sales_call(0)
    store_calls(store, [call])
    matrix = np.arange(len(call.segments) * 4, dtype=np.float32).reshape(-1, 4)
    with store.unit_of_work() as uow:
        pk = uow.scoring_queue.call_pk(call.external_id)
        assert pk is not None
        uow.embeddings.save(pk, "model-a", call.content_hash, matrix)
    with store.unit_of_work() as uow:
        loaded = uow.embeddings.load(pk, "model-a", call.content_hash)
        assert loaded is not None and loaded.dtype == np.float32
        np.testing.assert_array_equal(loaded, matrix)
        assert uow.embeddings.load(pk, "model-b", call.content_hash) is None
        assert uow.embeddings.load(pk, "model-a", "another transcript") is None
        uow.embeddings.save(pk, "model-a", call.content_hash, matrix * 2)  # replaces
    with store.unit_of_work() as uow:
        assert uow.embeddings.count("model-a") == 1
        again = uow.embeddings.load(pk, "model-a", call.content_hash)
        assert again is not None and again[1, 0] == matrix[1, 0] * 2


def test_the_llm_cache_keeps_the_first_answer_for_a_key(store: Store) -> None:
    with store.unit_of_work() as uow:
        assert uow.llm_cache.get("k1") is None
        uow.llm_cache.put("k1", {"content": "first", "prompt_tokens": 10})
    with store.unit_of_work() as uow:
        uow.llm_cache.put("k1", {"content": "second"})  # a concurrent duplicate: no error
        uow.llm_cache.put("k2", {"content": "other"})
    with store.unit_of_work() as uow:
        assert uow.llm_cache.get("k1") == {"content": "first", "prompt_tokens": 10}
        assert uow.llm_cache.count() == 2
