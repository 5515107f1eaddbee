"""The registry of job kinds: what each kind of background job does, and on which queue.

A kind is a name, the Celery queue its jobs go to (so machines can specialise:
`callcoach worker --queues transcribe`), and one work function `run(ctx) -> dict` that does
one job from its payload. The built-in kinds are registered in `kinds.default_registry()`
exactly as later features register theirs (see the docstring of `callcoach.services.jobs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from callcoach.domain.access import Viewer
from callcoach.domain.jobs import Job
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.common import Progress, ServiceError
from callcoach.settings import Settings
from callcoach.store.uow import Store


class PermanentJobError(ServiceError):
    """A failure that retrying cannot fix (an undecodable file, an unknown call)."""


class RetryableJobError(ServiceError):
    """A failure another attempt may get past (an endpoint down, a model missing here)."""


class JobCancelledError(Exception):
    """Someone cancelled the job: it stops at its next progress report."""


class JobInterruptedError(Exception):
    """The process running the job is stopping: the job goes back to the queue unharmed."""


class JobLostError(Exception):
    """Recovery took this attempt for dead and handed the job on: this runner must stop."""


@dataclass(frozen=True)
class JobRequest:
    """One job asked for: its kind, the key that makes asking twice the same job, the payload
    the work reads, and who asked (None: the command line)."""

    kind: str
    key: str
    payload: dict[str, Any]
    owner: str | None = None


class JobResources(Protocol):
    """What a job's work needs from the composition root (bootstrap's Container is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def settings(self) -> Settings: ...

    def scorer_config(self, name: str | None = None, **options: Any) -> ScorerConfig:
        """The scorer as this machine's settings configure it (keys stay out of the queue)."""
        ...


@dataclass
class JobContext:
    """Everything one run of a job's work gets."""

    job: Job
    resources: JobResources
    progress: Progress  # written to the job record (and to a Rich bar when run from the CLI)
    viewer: Viewer  # the person who started the job: the work acts with their access
    cpu_threads: int = 0  # threads the work may use (0: its libraries decide)
    # False on a Celery worker: its pool processes are the parallelism, and they are not
    # to start processes of their own (score one call after another).
    parallel: bool = True
    # Queues a further job on the queue running this one (None where there is none).
    follow_up: Callable[[JobRequest], Job] | None = None
    # What the work produced, in memory, for a command that ran it in the foreground and
    # prints more than the stored result holds (the CLI's scoring summary).
    value: Any = None

    @property
    def store(self) -> Store:
        return self.resources.store

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload


Work = Callable[[JobContext], dict[str, Any]]


def _no_subject(job: Job) -> str:
    return ""


@dataclass(frozen=True)
class JobKind:
    """One kind of background job."""

    name: str
    queue: str  # the Celery queue its jobs go to
    title: str  # for people: "Score calls"
    run: Work
    subject: Callable[[Job], str] = field(default=_no_subject)  # what one job works on
    max_attempts: int | None = None  # None: CALLCOACH_JOB_MAX_ATTEMPTS


class JobRegistry:
    def __init__(self, kinds: Iterable[JobKind] = ()) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: JobKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"job kind {kind.name!r} is already registered")
        self._kinds[kind.name] = kind

    def __iter__(self) -> Iterator[JobKind]:
        return iter(self._kinds.values())

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    @property
    def names(self) -> list[str]:
        return list(self._kinds)

    @property
    def queues(self) -> list[str]:
        return list(dict.fromkeys(kind.queue for kind in self._kinds.values()))

    def get(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise KeyError(
                f"unknown job kind {name!r}; kinds: {', '.join(self._kinds) or 'none'}"
            ) from None

    def subject(self, job: Job) -> str:
        kind = self._kinds.get(job.kind)
        return kind.subject(job) if kind else ""
