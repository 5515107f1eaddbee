"""The JSON API under /api/v1, one module per area."""

from __future__ import annotations

from callcoach.web.api import admin, calls, jobs, team

ROUTERS = (calls.router, team.router, admin.router, jobs.router)
