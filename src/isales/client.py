"""A signing HTTP client for the isales / CC-iSales OpenAPI (docs/api.md#authentication).

>>> client = IsalesClient("http://127.0.0.1:8080", "AK...", "SK...")
>>> client.post("/rest/isales/v1/openapi/campaigns/12/calldata/46/delete",
...             json={"customField": "batch-7", "archiveHistory": 1}).json()
"""

from __future__ import annotations

import hashlib
import json as jsonlib
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from . import signing
from .wire.paths import DIALER_BASE

JSON_TYPE = "application/json; charset=UTF-8"
#: a random value signed with every request, so that two identical data-changing requests
#: within one second are two requests, not a replay (docs/api.md#limits-and-protections)
NONCE_HEADER = "X-Isales-Nonce"


class IsalesClient:
    #: the dialer-facing interfaces' base path, for clients that call them (the dialer)
    DIALER_BASE = DIALER_BASE

    def __init__(
        self,
        base_url: str,
        access_key: str,
        secret_key: str,
        *,
        timeout: float = 60.0,
        now: Any = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_key = access_key
        self.secret_key = secret_key
        self._now = now or (lambda: datetime.now(UTC))
        self._http = httpx.Client(timeout=timeout)

    def __enter__(self) -> IsalesClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def signed_headers(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        body: bytes,
        content_type: str = JSON_TYPE,
        nonce: str | None = None,
    ) -> dict[str, str]:
        host = urlsplit(self.base_url).netloc
        headers = {"Content-Type": content_type, "Host": host}
        if nonce is not None:
            headers[NONCE_HEADER] = nonce
        headers["Authorization"] = signing.sign(
            self.access_key, self.secret_key, method, path, query, headers, body, self._now()
        )
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        content_type: str = JSON_TYPE,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """``headers``: extra, unsigned headers (such as ``Idempotency-Key``)."""
        body = (
            content
            if content is not None
            else (b"" if json is None else jsonlib.dumps(json, separators=(",", ":")).encode())
        )
        pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
        query = [(str(k), str(v)) for k, v in pairs]
        signed = self.signed_headers(
            method, path, query, body, content_type, nonce=secrets.token_hex(8)
        )
        url = self.base_url + path + (("?" + urlencode(query)) if query else "")
        return self._http.request(method, url, content=body, headers={**(headers or {}), **signed})

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def post_streamed(
        self, path: str, chunks: Callable[[], Iterable[bytes]], content_type: str = JSON_TYPE
    ) -> httpx.Response:
        """POST a body too large to hold in memory: ``chunks()`` yields it, the same each call.

        The body is read twice: once to hash it for the signature, once to send it.
        """
        digest, length = hashlib.sha256(), 0
        for chunk in chunks():
            digest.update(chunk)
            length += len(chunk)
        host = urlsplit(self.base_url).netloc
        headers = {"Content-Type": content_type, "Host": host}
        headers["Authorization"] = signing.sign(
            self.access_key,
            self.secret_key,
            "POST",
            path,
            [],
            headers,
            b"",
            self._now(),
            payload_hash=digest.hexdigest(),
        )
        headers["Content-Length"] = str(length)
        return self._http.post(self.base_url + path, content=chunks(), headers=headers)
