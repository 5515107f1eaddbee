"""Server-rendered pages: the Jinja2 environment and what every template is given."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from callcoach import __version__
from callcoach.domain.access import Role
from callcoach.services.accounts.users import Account
from callcoach.web.assets import PLOTLY
from callcoach.web.auth import csrf_token

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def _clock(seconds: float | None) -> str:
    """Seconds as m:ss or h:mm:ss, the way call recordings show time."""
    if seconds is None:
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _json_script(value: Any, element_id: str) -> Markup:
    """Data for the page's script, inert (type=application/json) so the CSP forbids no inline code."""
    text = json.dumps(value, default=str).replace("<", "\\u003c").replace(">", "\\u003e")
    text = text.replace("&", "\\u0026")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


templates.env.filters["clock"] = _clock
templates.env.filters["when"] = _when
templates.env.filters["num"] = _num
templates.env.filters["pct"] = _pct
templates.env.globals["json_script"] = _json_script
templates.env.globals["version"] = __version__
# The chart library's URL names its content, so browsers cache it for good (web/assets.py).
templates.env.globals["plotly_url"] = lambda: PLOTLY.url


def nav_items(account: Account) -> list[tuple[str, str]]:
    items = []
    if account.role is Role.REP:
        items.append(("/me", "My scorecard"))
    else:
        items.append(("/", "Team"))
    items.append(("/calls", "Calls"))
    items.append(("/reviews", "Reviews"))
    items.append(("/practice", "Practice"))
    if account.role is not Role.REP:
        items += [("/rubrics", "Rubrics"), ("/trust", "Trust"), ("/agreement", "Agreement")]
        items += [("/outcomes", "Outcomes"), ("/teach", "Teach")]
        items.append(("/jobs", "Jobs"))
    if account.role is Role.ADMIN:
        items += [("/import", "Import"), ("/admin/users", "Users"), ("/admin/audit", "Audit")]
    return items


def render(
    request: Request,
    name: str,
    account: Account | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    path = request.url.path
    page = {
        "request": request,
        "account": account,
        "csrf": csrf_token(request),
        "nav": nav_items(account) if account else [],
        "path": path,
        **context,
    }
    return templates.TemplateResponse(request, name, page, status_code=status_code)
