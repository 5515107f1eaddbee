"""The JSON API under /api/v1, one module per area."""

from __future__ import annotations

from callcoach.web.api import admin, calls, jobs, reviews, team, trust

ROUTERS = (calls.router, team.router, reviews.router, admin.router, jobs.router, trust.router)
