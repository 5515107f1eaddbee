"""Helpers for HTTP tests: an app on a store, and signing in the way a browser does."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcoach.bootstrap import Container
from callcoach.settings import Settings
from callcoach.store.uow import Store
from callcoach.web.app import create_app
from tests.e2e.web_org import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def app_on(store: Store, **settings_values: object) -> FastAPI:
    settings = Settings(db=store.database.url, scorer="fake", workers=1, **settings_values)
    return create_app(Container(settings=settings, store=store))


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def signed_in(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def page_csrf(client: TestClient, path: str = "/account") -> str:
    return csrf_of(client.get(path).text)


def post_recording(
    client: TestClient, path: str, audio: bytes, media_type: str = "audio/wav"
) -> httpx.Response:
    """POST a recording to a voice route as static/voice.js does: the bytes as the body, their
    media type, the page's CSRF token in X-CSRF-Token, and its Accept header."""
    headers = {
        "Content-Type": media_type,
        "X-CSRF-Token": page_csrf(client),
        "Accept": "application/x-ndjson, application/json",
    }
    return client.post(path, content=audio, headers=headers)
