"""The unit of work: one transaction, with every repository bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from callcoach.store.db import Database
from callcoach.store.repositories.analytics import AnalyticsRepository
from callcoach.store.repositories.app_settings import AppSettingRepository
from callcoach.store.repositories.audit import AuditRepository
from callcoach.store.repositories.browse import BrowseRepository
from callcoach.store.repositories.bulk import BulkRepository
from callcoach.store.repositories.calibration_sets import CalibrationSetRepository
from callcoach.store.repositories.calls import CallRepository
from callcoach.store.repositories.coaching import CoachingRepository
from callcoach.store.repositories.deals import DealRepository
from callcoach.store.repositories.embeddings import EmbeddingRepository
from callcoach.store.repositories.jobs import JobRepository
from callcoach.store.repositories.llm_cache import LlmCacheRepository
from callcoach.store.repositories.manual_ratings import ManualRatingRepository
from callcoach.store.repositories.people import PeopleRepository
from callcoach.store.repositories.report_cache import ReportCacheRepository
from callcoach.store.repositories.reviews import ReviewRepository
from callcoach.store.repositories.rubrics import RubricRepository
from callcoach.store.repositories.score_exchange import ScoreExchangeRepository
from callcoach.store.repositories.scores import ScoreRepository
from callcoach.store.repositories.scoring_queue import ScoringQueueRepository
from callcoach.store.repositories.teaching import TeachingRepository
from callcoach.store.repositories.trust import TrustRepository
from callcoach.store.repositories.users import UserRepository
from callcoach.store.repositories.web_sessions import WebSessionRepository


class UnitOfWork:
    """Repositories sharing one session. Committed by Store.unit_of_work() when the block ends."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.calls = CallRepository(session)
        self.people = PeopleRepository(session)
        self.deals = DealRepository(session)
        self.rubrics = RubricRepository(session)
        self.scores = ScoreRepository(session)
        self.teaching = TeachingRepository(session)
        self.trust = TrustRepository(session)
        self.audit = AuditRepository(session)
        self.analytics = AnalyticsRepository(session)
        self.score_exchange = ScoreExchangeRepository(session)
        self.jobs = JobRepository(session)
        self.embeddings = EmbeddingRepository(session)
        self.llm_cache = LlmCacheRepository(session)
        self.scoring_queue = ScoringQueueRepository(session)
        self.users = UserRepository(session)
        self.browse = BrowseRepository(session)
        self.app_settings = AppSettingRepository(session)
        self.bulk = BulkRepository(session)
        self.coaching = CoachingRepository(session)
        self.report_cache = ReportCacheRepository(session)
        self.reviews = ReviewRepository(session)
        self.calibration_sets = CalibrationSetRepository(session)
        self.manual_ratings = ManualRatingRepository(session)
        self.web_sessions = WebSessionRepository(session)

    def flush(self) -> None:
        self.session.flush()


class Store:
    """The application's handle on its database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(Database(url))

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """All-or-nothing: committed when the block ends, rolled back on any exception."""
        with self.database.session() as session:
            yield UnitOfWork(session)

    def migrate(self) -> tuple[str | None, str | None]:
        return self.database.migrate()

    def is_current(self) -> bool:
        return self.database.is_current()

    def close(self) -> None:
        self.database.dispose()
