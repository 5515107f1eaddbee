"""Server-rendered pages, one module per area."""

from __future__ import annotations

from callcoach.web.pages import admin, auth, calls, jobs, practice, reviews, team

ROUTERS = (
    auth.router,
    calls.router,
    team.router,
    reviews.router,
    practice.router,
    admin.router,
    jobs.router,
)
