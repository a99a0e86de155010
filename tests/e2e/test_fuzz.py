"""Property-based fuzzing of every interface in /openapi.json
(docs/api.md#how-the-test-suite-proves-it).

schemathesis generates requests from the published document; each is signed like a
client would sign it (a signing hook on the session) and sent to a real server. Every
answer must be documented: no 5xx, a documented status, and a body that matches the
documented schema (the envelope with a catalogued code, the dialer's ``result``, or the
``error`` object). At least ``MIN_CASES`` cases run per store.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from isales import signing
from isales.client import NONCE_HEADER
from tests.support.api import create_campaign

pytestmark = pytest.mark.usefixtures("backend")

MIN_CASES = 2000
EXAMPLES_PER_INTERFACE = 80
sent: Counter[str] = Counter()
#: (backend, status) of the answers: the signing must work, or every case is a mere 401
statuses: Counter[tuple[str, int]] = Counter()


class Signing(requests.auth.AuthBase):
    """Signs each prepared request (auth-v2) over the exact bytes it will send."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key, self.secret_key = access_key, secret_key

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        url = urlsplit(prepared.url)
        prepared.headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        prepared.headers[NONCE_HEADER] = datetime.now(UTC).isoformat()
        signed = {
            "content-type": prepared.headers["Content-Type"],
            "host": url.netloc,
            NONCE_HEADER.lower(): prepared.headers[NONCE_HEADER],
        }
        prepared.headers["Authorization"] = signing.sign(
            self.access_key,
            self.secret_key,
            prepared.method or "GET",
            url.path,
            parse_qsl(url.query, keep_blank_values=True),
            signed,
            body,
            datetime.now(UTC),
        )
        return prepared


@pytest.fixture(scope="module")
def fuzzed(server, client):
    create_campaign(client)  # something for the generated ids to find now and then
    document = httpx.get(server.base_url + "/openapi.json").json()
    return schemathesis.openapi.from_dict(document)


@pytest.fixture(scope="module")
def session(server, backend):
    key = server.services.access.create_key([12, 13])
    made = requests.Session()
    made.auth = Signing(key.access_key, key.secret_key)
    yield made
    made.close()


def test_every_answer_is_documented(fuzzed, server, session, backend):
    operations = [result.ok() for result in fuzzed.get_all_operations()]
    published = httpx.get(server.base_url + "/openapi.json").json()["paths"]
    assert len(operations) == sum(len(methods) for methods in published.values())

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_INTERFACE,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def answers_are_documented(case):  # type: ignore[no-untyped-def]
            response = case.call(base_url=server.base_url, session=session)
            sent[backend] += 1
            statuses[backend, response.status_code] += 1
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            case.validate_response(response)

        answers_are_documented()
    assert sent[backend] >= MIN_CASES, sent
    assert statuses[backend, 200] >= sent[backend] // 2, statuses
