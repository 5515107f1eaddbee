"""Repositories: one per aggregate, each working inside the unit of work's session."""
