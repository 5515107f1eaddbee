"""`callcoach serve`: the web app and the REST API (accounts: cli/users.py)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import console

WORKER_HEALTHCHECK_S = 60  # seconds a server process may take to answer uvicorn's health check


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes (more serve more managers at once).")
    ] = 1,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust X-Forwarded-* from a reverse proxy on this machine (for https).",
        ),
    ] = False,
) -> None:
    """Run the web app and the REST API (http://HOST:PORT, API under /api/v1)."""
    import uvicorn

    # Check the database now, so a missing `callcoach init` is a clear error, not a 500.
    container = state(ctx).container()
    settings = container.settings
    # The server (each worker process) builds its own container from the environment.
    os.environ["CALLCOACH_DB"] = settings.db
    console.print(
        f"callcoach web on http://{host}:{port} (database {container.store.database.display_url}); "
        "Ctrl+C stops it.",
        highlight=False,
    )
    uvicorn.run(
        "callcoach.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
        log_level="info",
        # uvicorn restarts a worker that does not answer its health check within 5 s; a worker
        # still importing on a busy machine is slow, not dead, and restarting it only starts
        # the slow import again (`--workers 2` never came up at a load of 19 on 2 cores).
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )
