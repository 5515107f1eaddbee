"""Server-rendered pages, one module per area."""

from __future__ import annotations

from callcoach.web.pages import (
    admin,
    assignments,
    auth,
    calibration,
    calls,
    jobs,
    practice,
    rehearsals,
    reviews,
    team,
    trust,
    users,
)

ROUTERS = (
    auth.router,
    calls.router,
    team.router,
    assignments.router,
    rehearsals.router,  # before reviews: its POST /reviews/{id}/{action} would take /rehearsals
    reviews.router,
    practice.router,
    admin.router,
    users.router,
    jobs.router,
    calibration.router,
    trust.router,
)
