"""Local executor and the Celery app; tasks are thin wrappers over services."""
