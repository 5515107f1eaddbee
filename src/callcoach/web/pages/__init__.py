"""Server-rendered pages, one module per area."""

from __future__ import annotations

from callcoach.web.pages import admin, auth, calls, jobs, team

ROUTERS = (auth.router, calls.router, team.router, admin.router, jobs.router)
