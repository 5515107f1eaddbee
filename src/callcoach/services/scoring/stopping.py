"""Stopping a scoring run cleanly: Ctrl-C, SIGTERM, a dead parent, a hung LLM endpoint.

- SIGTERM (a service manager, `kill`, a container stop) stops a run like Ctrl-C: what finished
  is saved and the summary is printed (`sigterm_stops_run`).
- Worker processes hold a model each (~800 MB): a stopped run terminates them
  (`stop_worker_processes`), and a worker whose parent died (killed, crashed, out of memory) exits
  by itself (`exit_with_parent`), so none is left running.
- LLM requests run on daemon threads (`DaemonThreadPool`): after Ctrl-C the command ends at once
  instead of waiting, up to the request timeout, for a hung endpoint to answer requests nobody
  will read.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
PARENT_POLL_S = 1.0


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread where Ctrl-C's KeyboardInterrupt would be."""


@contextmanager
def sigterm_stops_run() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated (main thread only: where signals arrive)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(_signum: int, _frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_worker_processes(executor: Executor) -> None:
    """Terminate a process pool's workers now (a stopped run does not wait for their calls)."""
    # ProcessPoolExecutor keeps its processes in `_processes` (stable since 3.2); shutdown()
    # alone lets each finish its call first, and a killed parent never gets that far.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()


def exit_with_parent() -> None:
    """In a worker process: exit as soon as the parent is gone (it was killed or crashed)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="callcoach-parent-watch", daemon=True).start()


class DaemonThreadPool(Executor):
    """A thread pool whose threads do not keep the process alive once the run is over.

    (concurrent.futures' pool joins its threads at exit, so a request stuck on a hung endpoint
    would hold the command until its timeout.)
    """

    def __init__(self, max_workers: int, name: str) -> None:
        self._work: queue.SimpleQueue[
            tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None
        ] = queue.SimpleQueue()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{n}", daemon=True)
            for n in range(max(1, max_workers))
        ]
        for thread in self._threads:
            thread.start()

    def _serve(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[T] = Future()
        self._work.put((future, fn, args, kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._work.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in self._threads:
            self._work.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
