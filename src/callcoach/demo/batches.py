"""Writing many calls in batches, on several processes when there are many.

Each call is a pure function of the seed and its plan, so batches can be written in any process
and come back byte-identical; they are yielded in call order. Worker processes are forked so they
share the already generated org instead of regenerating it (where fork is unavailable, the calls
are written in this process).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from callcoach.demo.org import DemoOrg
from callcoach.domain.calls import Call

PARALLEL_ABOVE = 5_000  # below this, starting processes costs more than it saves

_forked_org: DemoOrg | None = None  # set in the parent just before forking, read by workers


def _write_range(bounds: tuple[int, int]) -> list[Call]:
    assert _forked_org is not None, "worker started without the org"
    return list(_forked_org.calls(*bounds))


def call_batches(
    org: DemoOrg,
    batch: int = 250,
    workers: int | None = None,
    parallel_above: int = PARALLEL_ABOVE,
) -> Iterator[list[Call]]:
    """Every call of the org, `batch` at a time, in order."""
    global _forked_org
    total = len(org.call_plans)
    ranges = [(start, min(total, start + batch)) for start in range(0, total, batch)]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    parallel = (
        workers > 1
        and total >= parallel_above
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if not parallel:
        for bounds in ranges:
            yield list(org.calls(*bounds))
        return
    _forked_org = org
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(_write_range, ranges)
    finally:
        _forked_org = None
