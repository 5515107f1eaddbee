"""The team pages' reports, cached per process and shared by every server process through the
database, dropped as soon as the data changes.

Managers reopen the same dashboard and scorecards many times a day while the scores behind them
change only when calls are scored, rated, overridden or imported. Each entry is keyed by what the
viewer may see (role, teams, rep: two managers of the same teams share their pages), the page's
parameters and a stamp of the store (maxima and counts of scores, ratings, coaching events,
calls, deals and rubric versions), so any such change makes the next view recompute. Entries
also expire after `ttl_s`, bounding what the stamp cannot see (a deal's outcome edited in place
by a re-import, a rep moved to another team).

A report built by one server process is written to the `report_cache` table (compressed JSON,
through pydantic: plain data, nothing executable) in the background, so that the other
processes (`callcoach serve --workers N`, or several machines) read it instead of building it
again. The page that built it does not wait for that write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from callcoach.domain.access import Viewer
from callcoach.store.repositories.calls import now_utc
from callcoach.store.uow import Store

T = TypeVar("T")
log = logging.getLogger(__name__)


class ReportCache:
    def __init__(self, max_entries: int = 512, ttl_s: float = 120.0, shared: bool = True) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self.shared = shared
        self._entries: OrderedDict[Hashable, tuple[float, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        # One background writer: pages never wait for the shared copy to be stored.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-cache")
        self.hits = 0  # served from this process's memory
        self.shared_hits = 0  # built by another process, read from the database
        self.misses = 0  # built here

    @staticmethod
    def stamp(store: Store) -> Any:
        with store.unit_of_work() as uow:
            return uow.browse.data_stamp()

    @staticmethod
    def scope_key(viewer: Viewer, key: Hashable) -> tuple[Any, ...]:
        """What decides a page's content: what the viewer may see and what was asked."""
        return (viewer.role.value, viewer.rep, tuple(sorted(viewer.teams)), key)

    def get_or_build(
        self,
        store: Store,
        viewer: Viewer,
        key: Hashable,
        build: Callable[[], T],
        adapter: TypeAdapter[T] | None = None,
    ) -> T:
        """The cached report, else `build()`. With `adapter` (how to turn the report into JSON
        and back) the report is shared with the other server processes."""
        full_key = self.scope_key(viewer, key)
        digest = hashlib.sha256(json.dumps(full_key, default=str).encode()).hexdigest()
        shared = self.shared and adapter is not None
        stamp, stored = self._lookup(store, digest if shared else None)
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(full_key)
            if found is not None and found[1] == stamp and now - found[0] < self.ttl_s:
                self._entries.move_to_end(full_key)
                self.hits += 1
                return found[2]  # type: ignore[no-any-return]
        stamp_text = json.dumps(stamp, default=str)
        if stored is not None and adapter is not None:
            value = self._read(stored, stamp_text, adapter)
            if value is not None:
                self.shared_hits += 1
                self._remember(full_key, now, stamp, value)
                return value
        self.misses += 1
        value = build()
        self._remember(full_key, now, stamp, value)
        if shared and adapter is not None:
            self._writer.submit(self._write, store, digest, stamp_text, value, adapter)
        return value

    def wait_for_writes(self) -> None:
        """Block until the shared copies submitted so far are stored (tests, shutdown)."""
        self._writer.submit(lambda: None).result()

    def _lookup(self, store: Store, digest: str | None) -> tuple[Any, Any]:
        """The store's data stamp and, when sharing, the shared entry: one transaction."""
        with store.unit_of_work() as uow:
            stamp = uow.browse.data_stamp()
            stored = uow.report_cache.get(digest) if digest is not None else None
        return stamp, stored

    def _read(
        self, stored: tuple[str, Any, bytes], stamp_text: str, adapter: TypeAdapter[T]
    ) -> T | None:
        entry_stamp, created_at, payload = stored
        if entry_stamp != stamp_text or created_at < now_utc() - timedelta(seconds=self.ttl_s):
            return None
        try:
            return adapter.validate_json(zlib.decompress(payload))
        except (zlib.error, ValidationError, ValueError) as exc:
            # A copy written by an older version of the app, or damaged: build it again.
            log.warning("ignoring a shared report that cannot be read: %s", exc)
            return None

    def _remember(self, full_key: Hashable, now: float, stamp: Any, value: Any) -> None:
        with self._lock:
            self._entries[full_key] = (now, stamp, value)
            self._entries.move_to_end(full_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _write(
        self, store: Store, digest: str, stamp_text: str, value: T, adapter: TypeAdapter[T]
    ) -> None:
        try:
            payload = zlib.compress(adapter.dump_json(value), 1)
            created = now_utc()
            with store.unit_of_work() as uow:
                uow.report_cache.put(digest, stamp_text, payload, created)
                uow.report_cache.prune(created - timedelta(seconds=self.ttl_s))
        except Exception:  # the page was served; a copy not shared only costs a rebuild
            log.warning("could not share a report with the other server processes", exc_info=True)
