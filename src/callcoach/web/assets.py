"""The chart library, served compressed and cached for good.

plotly.min.js is 4.8 MB: sent as is on every first dashboard it was the slowest part of the
page, and compressing it on the fly (the app's GZipMiddleware, level 9) cost each request a
fraction of a second of CPU. So it is compressed once per server process (in the background at
start-up, or at the first request that needs it) and served from memory:

- at a URL carrying a hash of its content (`/static/plotly-<hash>.min.js`, what the pages link
  to), with `Cache-Control: immutable` for a year: a browser fetches it once per installed
  plotly version and never asks again; a new plotly gives a new URL;
- gzip-encoded when the browser accepts it (1.5 MB instead of 4.8), with `Vary:
  Accept-Encoding`, and an ETag so a revalidation answers 304 without a body;
- at the old unversioned URL too, for anything that kept it, but to be revalidated each time.

The file comes from the installed plotly package: the charts need no network.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import plotly
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
GZIP_LEVEL = 9  # paid once per process; every byte saved is paid by every first page view


@dataclass
class CompressedAsset:
    """One static file, hashed and gzip-compressed once, then served from memory."""

    path: Path
    name: str  # "plotly": the URL is /static/<name>-<hash><suffix>
    suffix: str  # ".min.js"
    media_type: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _body: bytes | None = field(default=None, repr=False)
    _gzip: bytes | None = field(default=None, repr=False)
    _digest: str | None = field(default=None, repr=False)

    def _load(self) -> None:
        with self._lock:
            if self._gzip is not None:
                return
            body = self.path.read_bytes()
            self._digest = hashlib.sha256(body).hexdigest()[:16]
            # mtime=0: the same bytes in every process, so every worker's ETag names one body.
            self._gzip = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            self._body = body

    def warm_up(self) -> threading.Thread:
        """Hash and compress in the background, so the first page view does not wait."""
        thread = threading.Thread(target=self._load, name=f"compress-{self.name}", daemon=True)
        thread.start()
        return thread

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._load()
        assert self._digest is not None
        return self._digest

    @property
    def url(self) -> str:
        return f"/static/{self.name}-{self.digest}{self.suffix}"

    @property
    def route(self) -> str:
        return f"/static/{self.name}-{{digest}}{self.suffix}"

    def response(self, request: Request, cache_control: str = IMMUTABLE) -> Response:
        """The file as the request accepts it: 304 if the browser holds it, gzip if it may."""
        self._load()
        assert self._body is not None and self._gzip is not None
        etag = f'"{self.digest}"'
        headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
        if _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        if accepts_gzip(request.headers.get("accept-encoding", "")):
            headers["Content-Encoding"] = "gzip"
            return Response(self._gzip, media_type=self.media_type, headers=headers)
        return Response(self._body, media_type=self.media_type, headers=headers)

    def versioned(self, request: Request, digest: str) -> Response:
        """The hashed URL: another hash (a page from before an upgrade) goes to today's file."""
        if digest != self.digest:
            return RedirectResponse(self.url, status_code=307)
        return self.response(request)


def _matches(header: str, etag: str) -> bool:
    """If-None-Match (weak comparison, RFC 9110 13.1.2): any listed tag, or `*`."""
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags or "*" in tags


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110: `gzip;q=0` refuses it)."""
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().lower().removeprefix("q=").strip() if params else "1"
        try:
            return float(quality or "1") > 0
        except ValueError:
            return False
    return False


PLOTLY = CompressedAsset(PLOTLY_JS, "plotly", ".min.js", "text/javascript")
