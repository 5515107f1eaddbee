"""SQLAlchemy models, repositories and Alembic migrations: the only place that knows SQL."""
