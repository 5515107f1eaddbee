"""The JSON API under /api/v1, one module per area."""

from __future__ import annotations

from callcoach.web.api import admin, calls, jobs, practice, reviews, team

ROUTERS = (calls.router, team.router, reviews.router, practice.router, admin.router, jobs.router)
