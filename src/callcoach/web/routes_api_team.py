"""REST API: scorecards and coaching priorities (the analytics of the team pages)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from callcoach.web.auth import check_csrf

router = APIRouter(prefix="/api/v1", tags=["analytics"], dependencies=[Depends(check_csrf)])
