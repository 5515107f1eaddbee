"""The JSON API under /api/v1, one module per area."""

from __future__ import annotations

from callcoach.web.api import admin, calls, jobs, reviews, rubric_teams, team, trust

ROUTERS = (
    calls.router,
    team.router,
    reviews.router,
    rubric_teams.router,
    admin.router,
    jobs.router,
    trust.router,
)
