"""Sessions and tokens in the store, on SQLite and PostgreSQL: what ends stays ended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcoach.domain.access import Role, Viewer
from callcoach.services.accounts.sessions import (
    SessionPolicy,
    end_all_sessions,
    end_session,
    list_sessions,
    resolve_session,
    start_session,
)
from callcoach.services.accounts.tokens import authenticate_token, create_token
from callcoach.services.accounts.users import (
    AuthenticationError,
    add_user,
    get_user,
    set_active,
    set_password,
)
from callcoach.services.common import NotFoundError
from callcoach.store.uow import Store

POLICY = SessionPolicy(idle=timedelta(minutes=60), absolute=timedelta(hours=12))
PASSWORD = "vellum kestrel quay"


def test_sessions_end_for_good_and_tokens_are_revoked_on_disable(store: Store) -> None:
    add_user(store, "root", "admin", PASSWORD)
    add_user(store, "ops", "admin", PASSWORD, email="ops@example.com")
    ops = get_user(store, "ops")
    first, first_cookie = start_session(store, ops, user_agent="A", client="10.0.0.1")
    second, second_cookie = start_session(store, ops, user_agent="B", client="10.0.0.2")
    assert resolve_session(store, first_cookie, POLICY) == first
    listed = list_sessions(store, "ops", POLICY, current=second.id)
    assert [(s.user_agent, s.current) for s in listed] == [("B", True), ("A", False)]
    end_session(store, first_cookie)
    assert resolve_session(store, first_cookie, POLICY) is None
    assert resolve_session(store, second_cookie, POLICY) == second

    _, token = create_token(store, "ops", "cron", scope="write")
    assert authenticate_token(store, token).account.username == "ops"
    set_active(store, "ops", False)
    set_active(store, "ops", True)
    assert resolve_session(store, second_cookie, POLICY) is None
    with pytest.raises(AuthenticationError):
        authenticate_token(store, token)
    assert list_sessions(store, "ops", POLICY) == []

    # A password change ends every session but the one that made it.
    third, third_cookie = start_session(store, ops, user_agent="C", client=None)
    _, fourth_cookie = start_session(store, ops, user_agent="D", client=None)
    viewer = Viewer(username="ops", role=Role.ADMIN)
    set_password(store, "ops", "quartz lantern fjord", actor=viewer, keep_session=third.id)
    assert resolve_session(store, third_cookie, POLICY) == third
    assert resolve_session(store, fourth_cookie, POLICY) is None
    assert end_all_sessions(store, "ops") == 1
    assert resolve_session(store, third_cookie, POLICY) is None


def test_only_the_owner_or_an_admin_sees_a_users_sessions(store: Store) -> None:
    add_user(store, "root", "admin", PASSWORD)
    add_user(store, "ops", "admin", PASSWORD)
    start_session(store, get_user(store, "ops"), user_agent="A", client=None)
    outsider = Viewer(username="someone", role=Role.REP, rep="Nobody")
    with pytest.raises(Exception, match="only an administrator"):
        list_sessions(store, "ops", POLICY, actor=outsider)
    with pytest.raises(NotFoundError):
        list_sessions(store, "ghost", POLICY)
