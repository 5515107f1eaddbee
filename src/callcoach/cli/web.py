"""`callcoach serve` and `callcoach user ...`: the web app and its accounts."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json, table

WORKER_HEALTHCHECK_S = 60  # seconds a server process may take to answer uvicorn's health check

user_app = typer.Typer(
    help="Web accounts: administrators, managers (linked to teams), reps (linked to themself).",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="Personal API tokens (Authorization: Bearer ...).", no_args_is_help=True
)
user_app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option("--role", help="admin, manager or rep.")],
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team a manager manages (repeatable).")
    ] = None,
    rep: Annotated[
        str | None, typer.Option("--rep", help="The roster rep a rep account is.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", help="Password (at least 10 characters); prompted if omitted."),
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create a web account: admin sees all, manager their teams, rep their own calls."""
    from callcoach.services.accounts.users import add_user

    account = add_user(
        state(ctx).container().store,
        username,
        role,
        _password(password),
        teams=team or [],
        rep=rep,
        email=email,
    )
    if output is OutputFormat.json:
        print_json(_account_json(account))
        return
    console.print(
        f"Created {account.role.value} [bold]{account.username}[/]: sees {account.scope}.",
        highlight=False,
    )


def _account_json(account: object) -> dict[str, object]:
    from callcoach.services.accounts.users import Account

    assert isinstance(account, Account)
    return {
        "username": account.username,
        "role": account.role.value,
        "teams": list(account.teams),
        "rep": account.rep,
        "email": account.email,
        "active": account.active,
        "created_at": account.created_at.isoformat(timespec="seconds"),
    }


@user_app.command("list")
def user_list(ctx: typer.Context, output: OutputFormat = FORMAT_OPTION) -> None:
    """List web accounts with their role and what they may see."""
    from callcoach.services.accounts.users import list_users

    accounts = list_users(state(ctx).container().store)
    if output is OutputFormat.json:
        print_json([_account_json(a) for a in accounts])
        return
    if not accounts:
        console.print("No users yet: `callcoach user add admin --role admin` creates the first.")
        return
    console.print(
        table(
            "Users",
            ["username", "role", "sees", "email", "active"],
            [
                [a.username, a.role.value, a.scope, a.email, "yes" if a.active else "disabled"]
                for a in accounts
            ],
        )
    )


@user_app.command("set-password")
def user_set_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    password: Annotated[
        str | None, typer.Option("--password", help="New password; prompted if omitted.")
    ] = None,
) -> None:
    """Set a user's password (signs out the user's other sessions)."""
    from callcoach.services.accounts.users import set_password

    set_password(state(ctx).container().store, username, _password(password))
    console.print(f"Password of [bold]{username}[/] changed.", highlight=False)


@user_app.command("disable")
def user_disable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Re-enable instead.")] = False,
) -> None:
    """Disable an account: it can no longer sign in and its API tokens stop working."""
    from callcoach.services.accounts.users import set_active

    account = set_active(state(ctx).container().store, username, enable)
    what = "enabled" if account.active else "disabled"
    console.print(f"User [bold]{account.username}[/] {what}.", highlight=False)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name of the token's owner.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create a personal API token; it is printed once and stored only as a hash."""
    from callcoach.services.accounts.users import create_token

    stored, token = create_token(state(ctx).container().store, username, name)
    if output is OutputFormat.json:
        print_json(
            {"id": stored.id, "username": stored.username, "name": stored.name, "token": token}
        )
        return
    console.print(
        f"Token {stored.id} ({stored.name}) for [bold]{stored.username}[/]. Copy it now: it is "
        "not shown again.",
        highlight=False,
    )
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name of the token's owner.")],
    token: Annotated[str, typer.Argument(help="Token id or name.")],
) -> None:
    """Revoke a personal API token (requests with it get 401 from then on)."""
    from callcoach.services.accounts.users import revoke_token

    revoked = revoke_token(state(ctx).container().store, username, token)
    console.print(f"Token {revoked.id} ({revoked.name}) of {revoked.username} revoked.")


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """List API tokens (names and dates; the secret values are never stored)."""
    from callcoach.services.accounts.users import list_tokens

    tokens = list_tokens(state(ctx).container().store, username)
    rows = [
        {
            "id": t.id,
            "username": t.username,
            "name": t.name,
            "created_at": t.created_at.isoformat(timespec="seconds"),
            "last_used_at": t.last_used_at.isoformat(timespec="seconds")
            if t.last_used_at
            else None,
            "revoked": t.revoked,
        }
        for t in tokens
    ]
    if output is OutputFormat.json:
        print_json(rows)
        return
    console.print(
        table(
            "API tokens",
            ["id", "user", "name", "created", "last used", "state"],
            [
                [
                    r["id"],
                    r["username"],
                    r["name"],
                    r["created_at"],
                    r["last_used_at"] or "never",
                    "revoked" if r["revoked"] else "active",
                ]
                for r in rows
            ],
        )
    )


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
