"""Business-result definitions and display results
(docs/api.md#business-result-definitions-and-display-results), and the write-back judged
against the defined results (docs/api.md#business-result-write-back)."""

from __future__ import annotations

import pytest

from isales.wire.schemas.definitions import OBS_CODES
from tests.support.api import (
    SUCCESS,
    add_numbers,
    assert_code,
    claim,
    count,
    create_campaign,
    numbers,
    ok_json,
    report,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")


def campaigns(vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}"


def add_result(client, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(campaigns(vdn) + "/addBusinessResult", json=body))


def query_results(client, vdn: int = 12, **params) -> dict:  # type: ignore[no-untyped-def]
    params = {"pageSize": 50, "pageNum": 1, **params}
    return ok_json(client.get(campaigns(vdn) + "/queryBusinessResults", params=params))


def create_display(client, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(campaigns(vdn) + "/createObResult", json=body))


def display_list(client, vdn: int = 12, **params) -> dict:  # type: ignore[no-untyped-def]
    params = {"pageSize": 50, "pageNum": 1, **params}
    return ok_json(client.get(campaigns(vdn) + "/queryOBSResults", params=params))


def display_detail(client, def_id, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.get(f"{campaigns(vdn)}/{def_id}/queryObsResultDetail"))


def display_delete(client, def_id, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.delete(f"{campaigns(vdn)}/{def_id}/deleteObsResult"))


# --- business results ----------------------------------------------------------------------------


def test_add_and_query_business_results(client, server):
    sale = {
        "name": "Sale",
        "code": "SALE",
        "description": "bought",
        "children": [{"name": "Paid", "code": "paid"}, {"name": "Later", "code": "later-1"}],
    }
    answer = add_result(client, **sale)
    assert_code(answer, SUCCESS)
    assert answer["returnObject"] == {"code": "SALE"}
    generated = add_result(client, name="No interest")
    code = generated["returnObject"]["code"]
    assert code.startswith("BR") and len(code) == 14
    listed = query_results(client)
    assert_code(listed, SUCCESS)
    assert listed["totalCount"] == 2
    assert listed["data"] == [
        {
            "name": "Sale",
            "code": "SALE",
            "description": "bought",
            "defLevel": "1",
            "children": [
                {"name": "Paid", "code": "paid", "description": "", "defLevel": "2"},
                {"name": "Later", "code": "later-1", "description": "", "defLevel": "2"},
            ],
        },
        {"name": "No interest", "code": code, "description": "", "defLevel": "1", "children": []},
    ]
    assert [r["code"] for r in query_results(client, pageSize=1, pageNum=2)["data"]] == [code]
    assert query_results(client, vdn=13)["totalCount"] == 0
    assert count(server.services, "business_results", vdn_id=12) == 4


def test_a_code_is_defined_once_per_vdn(client, server):
    assert_code(add_result(client, vdn=13, name="Once", code="ONCE"), SUCCESS)
    assert_code(add_result(client, vdn=13, name="Twice", code="ONCE"), "0200001")
    children = [{"name": "a", "code": "x"}, {"name": "b", "code": "x"}]
    assert_code(add_result(client, vdn=13, name="Dup", code="DUP", children=children), "02000007")
    assert count(server.services, "business_results", vdn_id=13) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"code": "A"}, "02000001"),
        ({"name": "x" * 51}, "02000003"),
        ({"name": "a<b"}, "02000002"),
        ({"name": "n", "code": "a_b"}, "02000002"),
        ({"name": "n", "code": "c" * 51}, "02000003"),
        ({"name": "n", "description": "d" * 201}, "02000003"),
        ({"name": "n", "description": "50%"}, "02000002"),
        ({"name": "n", "children": {"name": "c"}}, "02000006"),
        ({"name": "n", "children": [{"code": "c"}]}, "02000001"),
        ({"name": "n", "children": [{"name": "c", "extra": 1}]}, "0200001"),
        ({"name": "n", "children": [{"name": f"c{i}"} for i in range(51)]}, "02000011"),
        ({"name": "n", "level": 1}, "0200001"),
    ],
)
def test_add_business_result_refusals(client, server, body, code):
    before = count(server.services, "business_results")
    assert_code(add_result(client, **body), code)
    assert count(server.services, "business_results") == before


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"pageSize": 51}, "02000007"),
        ({"pageSize": 0}, "02000007"),
        ({"pageNum": 0}, "02000007"),
        ({"pageNum": "x"}, "02000006"),
        ({"pageNum": ""}, "02000001"),
        ({"other": 1}, "0200001"),
    ],
)
def test_page_query_refusals(client, params, code):
    for path in ("/queryBusinessResults", "/queryOBSResults", "/queryOBSResultCode"):
        query = {"pageSize": 10, "pageNum": 1, **params}
        assert_code(ok_json(client.get(campaigns() + path, params=query)), code)


def test_a_vdn_not_granted_is_refused(server):
    with server.client((12,)) as only_12:
        assert (
            only_12.get(
                campaigns(13) + "/queryBusinessResults", params={"pageSize": 1, "pageNum": 1}
            ).status_code
            == 403
        )
        assert (
            only_12.post(campaigns(13) + "/addBusinessResult", json={"name": "n"}).status_code
            == 403
        )


# --- the write-back judged against definitions ---------------------------------------------------


def reported_number(client, vdn: int) -> str:
    campaign_id = create_campaign(client, vdn=vdn, init_status=0)
    [data_id] = add_numbers(client, campaign_id, numbers(1, prefix="13700"), vdn=vdn)
    claim(client, campaign_id, 1, vdn=vdn)
    assert report(client, campaign_id, data_id, vdn=vdn)["result"] == "0"
    return data_id


def write_back(client, data_id, vdn: int, **body) -> dict:  # type: ignore[no-untyped-def]
    path = f"{campaigns(vdn)}/callBusiResult/{data_id}"
    return ok_json(client.post(path, json=body))


def test_write_back_is_free_until_results_are_defined(server):
    with server.client((14,)) as signed:
        data_id = reported_number(signed, 14)
        assert_code(write_back(signed, data_id, 14, busiResult="ANY", subStatus="x"), SUCCESS)
        children = [{"name": "Paid", "code": "paid"}]
        assert_code(
            add_result(signed, vdn=14, name="Sale", code="SALE", children=children), SUCCESS
        )
        assert_code(add_result(signed, vdn=14, name="Stop", code="STOP"), SUCCESS)
        unknown = write_back(signed, data_id, 14, busiResult="ANY")
        assert_code(unknown, "0200001")
        assert "not a business result defined" in unknown["resultDesc"]
        assert_code(write_back(signed, data_id, 14, busiResult="SALE", subStatus="cash"), "0200034")
        assert_code(write_back(signed, data_id, 14, busiResult="STOP", subStatus="paid"), "0200034")
        [stored] = rows(server.services, "numbers", id=int(data_id))
        assert (stored["busi_result"], stored["sub_status"]) == ("ANY", "x")  # unchanged
        assert_code(write_back(signed, data_id, 14, busiResult="SALE", subStatus="paid"), SUCCESS)
        assert_code(write_back(signed, data_id, 14, busiResult="SALE"), SUCCESS)
        assert_code(write_back(signed, data_id, 14, busiResult="STOP"), SUCCESS)
        [stored] = rows(server.services, "numbers", id=int(data_id))
        assert stored["busi_result"] == "STOP"


def test_an_unknown_number_is_still_0200033_first(server):
    with server.client((15,)) as signed:
        assert_code(add_result(signed, vdn=15, name="Sale", code="SALE"), SUCCESS)
        assert_code(write_back(signed, 987654321, 15, busiResult="NOPE"), "0200033")


# --- display results -----------------------------------------------------------------------------


def test_create_query_and_delete_display_results(client, server):
    answer = create_display(
        client, resultCode="007", displayResult="No answer", obsCodes=["00603", "00604"]
    )
    assert_code(answer, SUCCESS)
    def_id = answer["defId"]
    assert isinstance(def_id, str) and def_id.isdigit()
    bare = create_display(client, displayResult="Other")
    assert_code(bare, SUCCESS)
    listed = display_list(client)
    assert listed["totalCount"] == 2
    assert listed["data"] == [
        {"displayResult": "No answer", "resultCode": "007", "defId": def_id},
        {"displayResult": "Other", "resultCode": "", "defId": bare["defId"]},
    ]
    assert display_list(client, pageSize=1, pageNum=2)["data"][0]["defId"] == bare["defId"]
    detail = display_detail(client, def_id)
    assert_code(detail, SUCCESS)
    result = detail["obResult"]
    assert (result["defId"], result["displayResult"], result["vdnId"], result["resultCode"]) == (
        def_id,
        "No answer",
        12,
        "007",
    )
    assert [(m["failCode"], m["defId"], m["vdnId"]) for m in result["resultMapList"]] == [
        ("00603", def_id, "12"),
        ("00604", def_id, "12"),
    ]
    assert_code(display_detail(client, def_id, vdn=13), "0200033")
    assert_code(display_delete(client, def_id, vdn=13), "0200033")
    assert_code(display_delete(client, def_id), SUCCESS)
    assert_code(display_detail(client, def_id), "0200033")
    assert_code(display_delete(client, def_id), "0200033")
    assert count(server.services, "display_result_codes", def_id=int(def_id)) == 0
    # its failCodes and resultCode are free again
    again = create_display(client, resultCode="007", displayResult="Again", obsCodes=["00603"])
    assert_code(again, SUCCESS)


def test_a_result_code_and_a_fail_code_are_used_once_per_vdn(client, server):
    assert_code(create_display(client, vdn=13, resultCode="A1", displayResult="a"), SUCCESS)
    assert_code(create_display(client, vdn=13, resultCode="A1", displayResult="b"), "0200001")
    assert_code(create_display(client, vdn=13, displayResult="c", obsCodes=["00537"]), SUCCESS)
    taken = create_display(client, vdn=13, displayResult="d", obsCodes=["00538", "00537"])
    assert_code(taken, "0200001")
    assert "00537" in taken["resultDesc"]
    assert count(server.services, "display_results", vdn_id=13) == 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"resultCode": "A"}, "02000001"),
        ({"displayResult": "d", "resultCode": "OB123456"}, "02000003"),
        ({"displayResult": "d", "resultCode": "OB-1"}, "02000002"),
        ({"displayResult": "x" * 101}, "02000003"),
        ({"displayResult": "d", "obsCodes": "00603"}, "02000006"),
        ({"displayResult": "d", "obsCodes": ["0060x"]}, "02000002"),
        ({"displayResult": "d", "obsCodes": ["12345"]}, "02000007"),
        ({"displayResult": "d", "obsCodes": ["00603", "00603"]}, "02000007"),
        ({"displayResult": "d", "obsCodes": ["00603"] * 101}, "02000011"),
        ({"displayResult": "d", "map": []}, "0200001"),
    ],
)
def test_create_display_result_refusals(client, server, body, code):
    before = count(server.services, "display_results")
    assert_code(create_display(client, **body), code)
    assert count(server.services, "display_results") == before


@pytest.mark.parametrize(("def_id", "code"), [("x", "02000006"), ("0", "02000007")])
def test_def_id_is_a_positive_integer(client, def_id, code):
    assert_code(display_detail(client, def_id), code)
    assert_code(display_delete(client, def_id), code)


def test_query_obs_result_codes(client):
    first = ok_json(
        client.get(campaigns() + "/queryOBSResultCode", params={"pageSize": 2, "pageNum": 1})
    )
    assert_code(first, SUCCESS)
    assert first["totalCount"] == len(OBS_CODES)
    assert first["obsCodes"] == [
        {"obsCode": "00000", "obsCodeDesc": OBS_CODES[0][1]},
        {"obsCode": "00531", "obsCodeDesc": OBS_CODES[1][1]},
    ]
    codes = []
    for page in range(1, 3):
        answer = ok_json(
            client.get(
                campaigns() + "/queryOBSResultCode", params={"pageSize": 50, "pageNum": page}
            )
        )
        codes += [entry["obsCode"] for entry in answer["obsCodes"]]
    assert codes == [code for code, _ in OBS_CODES]


def test_result_queries_show_the_display_result_of_a_fail_code(server):
    with server.client((16,)) as signed:
        campaign_id = create_campaign(signed, vdn=16, init_status=0)
        failed, connected = add_numbers(signed, campaign_id, numbers(2, prefix="13500"), vdn=16)
        claim(signed, campaign_id, 2, vdn=16)
        assert report(signed, campaign_id, failed, status="5", vdn=16)["result"] == "0"
        assert report(signed, campaign_id, connected, vdn=16)["result"] == "0"

        def shown() -> dict[str, str]:
            answer = ok_json(
                signed.post(f"{campaigns(16)}/callresult/{campaign_id}", json={"showDetail": 1})
            )
            assert_code(answer, SUCCESS)
            return {row["called"]: row["resultCode"] for row in answer["data"]}

        def detail(data_id: str) -> str:
            answer = ok_json(signed.get(f"{campaigns(16)}/callresultdetail/call-{data_id}"))
            return answer["data"]["resultCode"]

        assert shown() == {"135000000": "OB00603", "135000001": "OB00000"}
        no_code = create_display(signed, vdn=16, displayResult="no code", obsCodes=["00000"])
        assert_code(no_code, SUCCESS)
        answer = create_display(
            signed, vdn=16, resultCode="NOANS", displayResult="No answer", obsCodes=["00603"]
        )
        assert_code(answer, SUCCESS)
        assert shown() == {"135000000": "NOANS", "135000001": "OB00000"}
        assert detail(failed) == "NOANS" and detail(connected) == "OB00000"
        assert_code(display_delete(signed, answer["defId"], vdn=16), SUCCESS)
        assert shown() == {"135000000": "OB00603", "135000001": "OB00000"}
