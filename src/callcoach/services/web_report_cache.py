"""A per-process cache of the team pages' reports, dropped as soon as the data changes.

Managers reopen the same dashboard and scorecards many times a day while the scores behind them
change only when calls are scored, rated, overridden or imported. Each entry is keyed by the
viewer (their role and teams), the page's parameters and a stamp of the store (maxima and counts
of scores, ratings, coaching events, calls, deals and rubric versions), so any such change makes
the next view recompute. Entries also expire after `ttl_s`, bounding what the stamp cannot see
(a deal's outcome edited in place by a re-import).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from callcoach.domain.access import Viewer
from callcoach.store.uow import Store

T = TypeVar("T")


class ReportCache:
    def __init__(self, max_entries: int = 512, ttl_s: float = 120.0) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._entries: OrderedDict[Hashable, tuple[float, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def stamp(store: Store) -> Any:
        with store.unit_of_work() as uow:
            return uow.browse.data_stamp()

    def get_or_build(
        self, store: Store, viewer: Viewer, key: Hashable, build: Callable[[], T]
    ) -> T:
        full_key = (viewer.username, viewer.role.value, viewer.rep, viewer.teams, key)
        stamp = self.stamp(store)
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(full_key)
            if found is not None and found[1] == stamp and now - found[0] < self.ttl_s:
                self._entries.move_to_end(full_key)
                self.hits += 1
                return found[2]  # type: ignore[no-any-return]
        self.misses += 1
        value = build()
        with self._lock:
            self._entries[full_key] = (now, stamp, value)
            self._entries.move_to_end(full_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
