"""The web application: `create_app(container)` builds it; `callcoach serve` runs it.

Routes parse, authorize (through the services, which take the asking Viewer), call a service and
render. Errors from services become HTTP answers here, in one place: a call the viewer may not
see is a 404 exactly like an unknown one.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callcoach import __version__
from callcoach.bootstrap import Container, bootstrap
from callcoach.services.accounts.users import (
    AuthenticationError,
    LoginThrottledError,
    PermissionDeniedError,
    session_secret,
)
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.web import api, pages
from callcoach.web.assets import PLOTLY, REVALIDATE
from callcoach.web.auth import (
    LoginRequiredError,
    SessionCookieMiddleware,
    api_guard,
    session_account,
)
from callcoach.web.background import start_jobs, stop_jobs
from callcoach.web.rendering import WEB_DIR, render
from callcoach.web.report_cache import ReportCache

# No inline script may run: page data travels in inert JSON blocks read by /static/app.js.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
                if not scope["path"].startswith("/static/"):
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>` on every response: the time the server spent from the
    request's arrival to its answer, shown by browsers' developer tools and read by
    bench/web_latency.py to tell server time from queueing and the network."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                message["headers"] = [
                    *message.get("headers", []),
                    (b"server-timing", f"app;dur={elapsed_ms:.1f}".encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_timing)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _answers_json(request: Request) -> bool:
    """The API, and a page's script that asks for JSON (voice.js posting a recording to a page
    route): its error must be `{"detail": ...}` it can show, not the HTML error page. A
    browser's navigation or form post names text/html in its Accept header."""
    accept = request.headers.get("accept", "")
    return _is_api(request) or ("json" in accept and "text/html" not in accept)


def _error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _answers_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = render(
        request,
        "error.html",
        session_account(request),
        status_code=status,
        status=status,
        message=message,
    )
    if headers:
        response.headers.update(headers)
    return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(PermissionDeniedError)
    async def forbidden(request: Request, exc: PermissionDeniedError) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(LoginThrottledError)
    async def throttled(request: Request, exc: LoginThrottledError) -> Response:
        return _error(request, 429, str(exc), {"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(AuthenticationError)
    async def unauthenticated(request: Request, exc: AuthenticationError) -> Response:
        return _error(request, 401, str(exc))

    @app.exception_handler(ServiceError)
    async def bad_request(request: Request, exc: ServiceError) -> Response:
        return _error(request, 400, str(exc))

    # Starlette's own HTTPException (an unknown route, a wrong method) as well as FastAPI's:
    # pages answer with the HTML error page, the API with JSON.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found" and not _is_api(request):
            message = f"there is no page at {request.url.path}"
        return _error(request, exc.status_code, message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
        )
        return _error(request, 422, f"the form has problems: {problems}")


def create_app(container: Container) -> FastAPI:
    """The ASGI app on `container` (its store, settings and background jobs)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        PLOTLY.warm_up()  # compress the chart library before the first dashboard asks for it
        start_jobs(container)  # in-process queue: recover what a stopped server left, run jobs
        try:
            yield
        finally:
            stop_jobs(container)

    app = FastAPI(
        lifespan=lifespan,
        title="callcoach",
        version=__version__,
        description="Evidence-based sales coaching. Authenticate with a personal API token "
        "(`callcoach user token create USER`) sent as `Authorization: Bearer <token>`.",
        # The interactive docs pages load their scripts from a CDN; the app must work offline,
        # so only the schema is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.container = container
    app.state.report_cache = ReportCache()
    _install_error_handlers(app)

    # The chart library, compressed once and cached for good at a URL naming its content
    # (web/assets.py); the unversioned URL stays for anything that kept it.
    @app.get(PLOTLY.route, include_in_schema=False)
    def plotly_versioned(request: Request, digest: str) -> Response:
        return PLOTLY.versioned(request, digest)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        return PLOTLY.response(request, cache_control=REVALIDATE)

    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    for router in pages.ROUTERS:
        app.include_router(router)
    # Every API route checks a bearer token's validity and scope before its own dependencies.
    for router in api.ROUTERS:
        app.include_router(router, dependencies=[Depends(api_guard)])
    app.state.csrf_key = session_secret(container.store, container.settings.secret_key).encode()
    app.add_middleware(
        SessionCookieMiddleware, max_age_s=int(container.settings.session_max_hours * 3600)
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ServerTimingMiddleware)
    return app


def app_from_environment() -> FastAPI:
    """The factory `callcoach serve` hands to uvicorn (each worker process builds its own)."""
    return create_app(bootstrap())
