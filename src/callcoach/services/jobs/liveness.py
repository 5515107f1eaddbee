"""Who is running a job, and whether that process is still alive.

On the machine that asks, the process table answers at once: a process with the runner's id
and start time exists, or the runner is dead (a restarted server sees its predecessor's jobs
as dead the moment it starts). For a runner on another machine only its heartbeat can tell:
it is dead when it has missed `STALE_AFTER_BEATS` heartbeats.
"""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

import psutil

from callcoach.domain.jobs import Job, Runner, heartbeat_is_stale, stale_after_s

# Process start times read twice may differ by clock-tick rounding.
START_TIME_TOLERANCE_S = 1.0


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def process_started_at(pid: int) -> datetime | None:
    try:
        created = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    return datetime.fromtimestamp(created, UTC).replace(tzinfo=None)


@functools.cache
def _this_process(pid: int) -> Runner:
    started = process_started_at(pid) or now_utc()
    return Runner(host=socket.gethostname(), pid=pid, started_at=started)


def this_process() -> Runner:
    """This process as a runner (keyed by pid: a forked child is another runner)."""
    return _this_process(os.getpid())


@dataclass(frozen=True)
class Verdict:
    alive: bool
    reason: str  # why it is taken for dead, or what is running it


def judge_runner(job: Job, interval_s: float, now: datetime | None = None) -> Verdict:
    """Whether the process running `job` is alive, as far as this machine can tell."""
    now = now or now_utc()
    runner = job.runner
    if runner is None:
        return Verdict(False, "it was running with no process recorded")
    if runner.host == socket.gethostname():
        started = process_started_at(runner.pid)
        same = (
            started is not None
            and abs((started - runner.started_at).total_seconds()) <= START_TIME_TOLERANCE_S
        )
        if not same:
            return Verdict(
                False, f"{runner.describe()} has stopped (killed, or the machine restarted)"
            )
        return Verdict(True, f"running in {runner.describe()}")
    if heartbeat_is_stale(job.heartbeat_at, now, interval_s):
        last = f"{job.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC" if job.heartbeat_at else "never"
        return Verdict(
            False,
            f"{runner.describe()} sent no heartbeat for over {stale_after_s(interval_s):.0f} s "
            f"(last: {last})",
        )
    return Verdict(True, f"running in {runner.describe()}")
