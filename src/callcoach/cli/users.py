"""`callcoach user ...`: web accounts, their roster links, web sessions and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json, table

if TYPE_CHECKING:
    from callcoach.services.accounts.users import Account

user_app = typer.Typer(
    help="Web accounts: administrators, managers (linked to teams), reps (linked to themself).",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="Personal API tokens (Authorization: Bearer ...), read-only or read-write.",
    no_args_is_help=True,
)
user_app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")

USERNAME = Annotated[str, typer.Argument(help="Sign-in name.")]
PASSWORD_HELP = (
    "Password (at least 10 characters, not common or built from the user's name or email); "
    "prompted if omitted."
)


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _when(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _account_json(account: Account) -> dict[str, object]:
    return {
        "username": account.username,
        "role": account.role.value,
        "teams": list(account.teams),
        "rep": account.rep,
        "email": account.email,
        "active": account.active,
        "created_at": _when(account.created_at),
    }


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: USERNAME,
    role: Annotated[str, typer.Option("--role", help="admin, manager or rep.")],
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team a manager manages (repeatable).")
    ] = None,
    rep: Annotated[
        str | None, typer.Option("--rep", help="The roster rep a rep account is.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    password: Annotated[str | None, typer.Option("--password", help=PASSWORD_HELP)] = None,
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


@user_app.command("update")
def user_update(
    ctx: typer.Context,
    username: USERNAME,
    role: Annotated[
        str | None, typer.Option("--role", help="New role: admin, manager or rep.")
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="The teams a manager manages, replacing the old (repeatable)."),
    ] = None,
    rep: Annotated[
        str | None, typer.Option("--rep", help="The roster rep a rep account is.")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Email address ('' clears it).")
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Change a manager's teams, a rep account's roster rep, a role or an email (audited)."""
    from callcoach.services.accounts.users import update_user

    account = update_user(
        state(ctx).container().store, username, role=role, teams=team, rep=rep, email=email
    )
    if output is OutputFormat.json:
        print_json(_account_json(account))
        return
    console.print(
        f"{account.role.value.capitalize()} [bold]{account.username}[/] now sees {account.scope}.",
        highlight=False,
    )


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
    username: USERNAME,
    password: Annotated[
        str | None, typer.Option("--password", help="New password; prompted if omitted.")
    ] = None,
) -> None:
    """Set a user's password (ends every web session of the user)."""
    from callcoach.services.accounts.users import set_password

    set_password(state(ctx).container().store, username, _password(password))
    console.print(
        f"Password of [bold]{username}[/] changed; their web sessions ended.", highlight=False
    )


@user_app.command("disable")
def user_disable(
    ctx: typer.Context,
    username: USERNAME,
    enable: Annotated[bool, typer.Option("--enable", help="Re-enable instead.")] = False,
) -> None:
    """Disable an account: no sign-in; its sessions end and its API tokens are revoked for good."""
    from callcoach.services.accounts.users import set_active

    account = set_active(state(ctx).container().store, username, enable)
    if account.active:
        console.print(
            f"User [bold]{account.username}[/] enabled (sessions and tokens from before the "
            "disable stay ended).",
            highlight=False,
        )
    else:
        console.print(
            f"User [bold]{account.username}[/] disabled: sessions ended, API tokens revoked.",
            highlight=False,
        )


def _policy(ctx: typer.Context) -> Any:
    from callcoach.services.accounts.sessions import SessionPolicy

    settings = state(ctx).container().settings
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


@user_app.command("sessions")
def user_sessions(
    ctx: typer.Context, username: USERNAME, output: OutputFormat = FORMAT_OPTION
) -> None:
    """List a user's live web sessions: signed in, last seen, ends by, browser, address."""
    from callcoach.services.accounts.sessions import list_sessions

    sessions = list_sessions(state(ctx).container().store, username, _policy(ctx))
    rows = [
        {
            "id": s.id,
            "created_at": _when(s.created_at),
            "last_seen_at": _when(s.last_seen_at),
            "expires_at": _when(s.expires_at),
            "user_agent": s.user_agent,
            "client": s.client,
        }
        for s in sessions
    ]
    if output is OutputFormat.json:
        print_json(rows)
        return
    console.print(
        table(
            f"Web sessions of {username}",
            ["id", "signed in", "last seen", "ends by", "browser", "address"],
            [
                [
                    r["id"],
                    r["created_at"],
                    r["last_seen_at"],
                    r["expires_at"],
                    r["user_agent"],
                    r["client"],
                ]
                for r in rows
            ],
        )
    )


@user_app.command("sign-out")
def user_sign_out(
    ctx: typer.Context,
    username: USERNAME,
    session: Annotated[
        int | None,
        typer.Option("--session", help="End only this session (its id in `user sessions`)."),
    ] = None,
) -> None:
    """End a user's web sessions: all of them, or one with --session."""
    from callcoach.services.accounts.sessions import end_all_sessions, end_one_session

    store = state(ctx).container().store
    if session is not None:
        end_one_session(store, username, session)
        console.print(f"Session {session} of [bold]{username}[/] ended.", highlight=False)
        return
    ended = end_all_sessions(store, username)
    console.print(
        f"Signed [bold]{username}[/] out everywhere ({ended} session{'s' if ended != 1 else ''}).",
        highlight=False,
    )


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name of the token's owner.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    scope: Annotated[
        str,
        typer.Option(
            "--scope", help="read (GET only; the default) or write (whatever the user may do)."
        ),
    ] = "read",
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires",
            help="When it stops working: a date (valid through that day, UTC) or a duration "
            "from now (12h, 30d, 8w, 1y). Default: until revoked.",
        ),
    ] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create a personal API token; it is printed once and stored only as a hash."""
    from callcoach.services.accounts.tokens import create_token, expiry_label, parse_expiry

    stored, token = create_token(
        state(ctx).container().store,
        username,
        name,
        scope=scope,
        expires_at=parse_expiry(expires),
    )
    if output is OutputFormat.json:
        print_json(
            {
                "id": stored.id,
                "username": stored.username,
                "name": stored.name,
                "scope": stored.scope,
                "expires_at": _when(stored.expires_at),
                "token": token,
            }
        )
        return
    access = "read-write" if stored.scope == "write" else "read-only"
    until = f"expires {expiry_label(stored.expires_at)}" if stored.expires_at else "until revoked"
    console.print(
        f"Token {stored.id} ({stored.name}, {access}, {until}) for [bold]{stored.username}[/]. "
        "Copy it now: it is not shown again.",
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
    from callcoach.services.accounts.tokens import revoke_token

    revoked = revoke_token(state(ctx).container().store, username, token)
    console.print(f"Token {revoked.id} ({revoked.name}) of {revoked.username} revoked.")


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """List API tokens: access, dates, state (the secret values are never stored)."""
    from callcoach.services.accounts.tokens import list_tokens

    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "id": t.id,
            "username": t.username,
            "name": t.name,
            "scope": t.scope,
            "created_at": _when(t.created_at),
            "expires_at": _when(t.expires_at),
            "last_used_at": _when(t.last_used_at),
            "state": "revoked"
            if t.revoked
            else ("expired" if t.expires_at and t.expires_at <= now else "active"),
        }
        for t in list_tokens(state(ctx).container().store, username)
    ]
    if output is OutputFormat.json:
        print_json(rows)
        return
    console.print(
        table(
            "API tokens",
            ["id", "user", "name", "access", "created", "expires", "last used", "state"],
            [
                [
                    r["id"],
                    r["username"],
                    r["name"],
                    "read-write" if r["scope"] == "write" else "read-only",
                    r["created_at"],
                    r["expires_at"] or "never",
                    r["last_used_at"] or "never",
                    r["state"],
                ]
                for r in rows
            ],
        )
    )
