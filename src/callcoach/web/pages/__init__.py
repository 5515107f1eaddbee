"""Server-rendered pages, one module per area."""

from __future__ import annotations

from callcoach.web.pages import admin, auth, calibration, calls, jobs, reviews, team, trust, users

ROUTERS = (
    auth.router,
    calls.router,
    team.router,
    reviews.router,
    admin.router,
    users.router,
    jobs.router,
    calibration.router,
    trust.router,
)
