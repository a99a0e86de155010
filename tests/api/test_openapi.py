"""The OpenAPI document served at /openapi.json."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from isales.api.app import create_app
from tests.support.api import campaign_body, template_body

pytestmark = pytest.mark.usefixtures("backend")

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
DELETE_PATH = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}/delete"

#: the interfaces the project documents (docs/api.md#the-cc-isales-interface-family)
EXPECTED = {
    ("/rest/isales/v1/openapi/campaigns/{vdnId}", "post"),
    ("/rest/isales/v2/openapi/campaigns/{vdnId}", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}", "put"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}", "delete"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}/pause", "put"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}/resume", "put"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}", "post"),
    ("/rest/isales/v2/openapi/campaigns/{vdnId}/calldata/{campaignId}", "post"),
    (DELETE_PATH, "post"),
    ("/rest/isales/v1/openapi/obs/business/tasks", "post"),
    ("/rest/isales/v1/openapi/obs/business/callnos", "post"),
    ("/rest/isales/v1/openapi/obs/business/call/result", "post"),
    # call batches, definitions, display results, call records, templates
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/create", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/list", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/pause", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/resume", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/delete", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/addBusinessResult", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/queryBusinessResults", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/createObResult", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{defId}/deleteObsResult", "delete"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/queryOBSResults", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/{defId}/queryObsResultDetail", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/queryOBSResultCode", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callRecord", "post"),
    ("/rest/isales/v2/openapi/campaigns/{vdnId}/callRecord", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/failcategorystatistics", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/template", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/template", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/template/copy", "post"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/template/{campaignTemplateId}", "get"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/template/{campaignTemplateId}/update", "put"),
    ("/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/update", "post"),
}


@pytest.fixture(scope="module")
def document(server) -> dict[str, Any]:
    response = httpx.get(server.base_url + "/openapi.json", timeout=30)  # no signature
    assert response.status_code == 200, response.text
    return response.json()


def _routes(routes) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI versions that keep included routers nested
            yield from _routes(included.routes)
        else:
            yield route


@pytest.fixture(scope="module")
def app_operations(server) -> set[tuple[str, str]]:
    """(path, method) of every documented /rest/isales route of the application."""
    app = create_app(server.settings)
    try:
        return {
            (route.path, method.lower())
            for route in _routes(app.routes)
            if route.path.startswith("/rest/isales") and getattr(route, "include_in_schema", False)
            for method in route.methods
            if method != "HEAD"
        }
    finally:
        app.state.services.close()


def operations(document) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_document_is_openapi(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "isales"


def test_every_rest_path_of_the_app_is_listed(document, app_operations):
    listed = {
        (path, method)
        for path, method, _ in operations(document)
        if path.startswith("/rest/isales")
    }
    assert EXPECTED <= app_operations
    assert listed == app_operations


def test_only_rest_paths_are_listed(document):
    assert all(path.startswith("/rest/isales/") for path in document["paths"])


def test_no_422_anywhere(document):
    for key, value in walk(document):
        assert key != "422"
        if isinstance(value, str):
            assert "HTTPValidationError" not in value
    assert "HTTPValidationError" not in document.get("components", {}).get("schemas", {})
    for _, _, operation in operations(document):
        assert "422" not in operation.get("responses", {})


def test_every_operation_answers_the_envelope(document):
    for path, method, operation in operations(document):
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        field = "result" if "/obs/" in path else "resultCode"
        assert field in schema["properties"], (path, method)
        if "/obs/" not in path:
            assert {"resultCode", "resultDesc", "returnCode", "returnDesc"} <= set(
                schema["required"]
            )


def test_every_operation_documents_401_and_403(document):
    for path, method, operation in operations(document):
        assert {"401", "403"} <= set(operation["responses"]), (path, method)


def test_delete_request_body(document):
    operation = document["paths"][DELETE_PATH]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {
        "sessionId",
        "called",
        "customField",
        "recycleTime",
        "recycleType",
        "archiveHistory",
        "batchId",
        "expectedCount",  # isales extension (docs/api.md, "Count guard")
    }
    assert schema["additionalProperties"] is False
    assert schema.get("required", []) == []
    assert schema["properties"]["archiveHistory"]["type"] == "integer"
    assert schema["properties"]["recycleType"]["enum"] == ["1", "2", "3"]
    assert schema["properties"]["sessionId"]["maxLength"] == 32
    assert schema["properties"]["called"]["maxLength"] == 24


def test_delete_is_only_post(document):
    assert set(document["paths"][DELETE_PATH]) & HTTP_METHODS == {"post"}


def test_delete_response_has_success_count(document):
    schema = document["paths"][DELETE_PATH]["post"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert schema["properties"]["successCount"]["type"] == "integer"


def test_request_bodies_refuse_unknown_fields(document):
    for path, method, operation in operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        schema = body["content"]["application/json"]["schema"]
        assert schema.get("additionalProperties") is False, (path, method)


def test_the_document_is_served_without_a_signature_but_the_api_is_not(server, document):
    response = httpx.get(
        server.base_url + "/rest/isales/v1/openapi/campaigns/12?status=0&deviceType=0"
    )
    assert response.status_code == 401


def _documented_codes(document: dict[str, Any], path: str, method: str) -> str:
    return document["paths"][path][method]["responses"]["200"]["description"]


def test_template_and_v1_add_document_the_codes_they_answer(server):
    """``…/template`` answers 0200030 for a schedule time out of its format, and the v1 add
    0200024 for a blacklisted number: both are in the operation's documented codes."""
    document = httpx.get(server.base_url + "/openapi.json", timeout=30).json()
    v1 = "/rest/isales/v1/openapi/campaigns"
    with server.client((12,)) as client:
        template = template_body(
            scheduleParam={"workdayBeginTime1": "25:00", "workdayEndTime1": "23:59"}
        )
        answer = client.post(f"{v1}/12/template", json=template).json()
        assert answer["resultCode"] == "0200030", answer
        assert "0200030" in _documented_codes(document, v1 + "/{vdnId}/template", "post")
        created = client.post(f"{v1}/12", json=campaign_body()).json()
        campaign_id = created["returnObject"]["id"]
        blocked = client.post(f"{v1}/12/blocklist/add", json={"blocklist": ["13900010001"]})
        assert blocked.json()["resultCode"] == "0200000", blocked.text
        body = {"callDataList": [{"called": "13900010001"}]}
        answer = client.post(f"{v1}/12/calldata/{campaign_id}", json=body).json()
        assert answer["resultCode"] == "0200024", answer
        add = v1 + "/{vdnId}/calldata/{campaignId}"
        assert "0200024" in _documented_codes(document, add, "post")
