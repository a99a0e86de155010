"""The auth-v2 signature (docs/api.md#authentication): the worked examples are fixed vectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest

from isales import signing
from isales.client import IsalesClient

AK = "AKEXAMPLE0001"
SK = "skexample-secret-0001"
MOMENT = datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC)
HEADERS = {"Content-Type": "application/json; charset=UTF-8", "Host": "127.0.0.1:8080"}
SIGNED = ["content-type", "host"]

EX1_PATH = "/rest/isales/v1/openapi/campaigns/12/calldata/46/delete"
EX1_BODY = b'{"customField":"batch-7","archiveHistory":1}'
EX1_CANONICAL = (
    "POST\n"
    "/rest/isales/v1/openapi/campaigns/12/calldata/46/delete\n"
    "\n"
    "content-type:application/json; charset=UTF-8\n"
    "host:127.0.0.1:8080\n"
    "8e8127b3a49c0b008c88c08cbe850b6d5337b4cd314a81ec0bc6a3e7985d3928"
)
EX1_AUTH = (
    "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host/"
    "51fdb0340e6c467910b8481a5d1e413eab63d3857a4a0169a480701122fd08df"
)

EX2_PATH = "/rest/isales/v1/openapi/campaigns/12"
EX2_QUERY = "status=0&deviceType=0&curPage=1&rowsPerPage=10&name=spring%20sale"
EX2_PAIRS = [
    ("status", "0"),
    ("deviceType", "0"),
    ("curPage", "1"),
    ("rowsPerPage", "10"),
    ("name", "spring sale"),
]
EX2_CANONICAL = (
    "GET\n"
    "/rest/isales/v1/openapi/campaigns/12\n"
    "curPage=1&deviceType=0&name=spring%20sale&rowsPerPage=10&status=0\n"
    "content-type:application/json; charset=UTF-8\n"
    "host:127.0.0.1:8080\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)
EX2_AUTH = (
    "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host/"
    "74ff5024eae3e4cbb22c8ae4dc61a6d83ee8576cb01f0ffc6bda802640eb296e"
)

EXAMPLES = [
    pytest.param("POST", EX1_PATH, [], EX1_BODY, EX1_CANONICAL, EX1_AUTH, id="example-1"),
    pytest.param("GET", EX2_PATH, EX2_PAIRS, b"", EX2_CANONICAL, EX2_AUTH, id="example-2"),
]


# --- the worked examples --------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "pairs", "body", "canonical", "auth"), EXAMPLES)
def test_example_canonical_request(method, path, pairs, body, canonical, auth):
    assert signing.canonical_request(method, path, pairs, HEADERS, SIGNED, body) == canonical


@pytest.mark.parametrize(("method", "path", "pairs", "body", "canonical", "auth"), EXAMPLES)
def test_example_authorization(method, path, pairs, body, canonical, auth):
    assert signing.sign(AK, SK, method, path, pairs, HEADERS, body, MOMENT) == auth


@pytest.mark.parametrize(("method", "path", "pairs", "body", "canonical", "auth"), EXAMPLES)
def test_example_signature_layers(method, path, pairs, body, canonical, auth):
    """signingKey = HMAC(SK, prefix) as hex; signature = HMAC(signingKey hex, canonical)."""
    import hashlib
    import hmac

    prefix = "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host"
    signing_key = hmac.new(SK.encode(), prefix.encode(), hashlib.sha256).hexdigest()
    expected = hmac.new(signing_key.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    assert auth == f"{prefix}/{expected}"
    assert signing.signature(SK, prefix, canonical) == expected


def test_example_2_query_as_the_server_parses_it():
    """The server reads the raw query string with parse_qsl; that must canonicalise the same."""
    pairs = parse_qsl(EX2_QUERY, keep_blank_values=True)
    assert signing.canonical_request("GET", EX2_PATH, pairs, HEADERS, SIGNED, b"") == EX2_CANONICAL


def test_example_with_header_names_in_any_case_and_values_padded():
    headers = {"CONTENT-TYPE": "  application/json; charset=UTF-8 ", "host": "127.0.0.1:8080\t"}
    assert signing.sign(AK, SK, "post", EX1_PATH, [], headers, EX1_BODY, MOMENT) == EX1_AUTH


def test_sign_sorts_and_lowercases_the_signed_header_names():
    headers = {**HEADERS, "X-Extra": "not signed"}
    auth = signing.sign(
        AK,
        SK,
        "POST",
        EX1_PATH,
        [],
        headers,
        EX1_BODY,
        MOMENT,
        signed_headers=["Host", "Content-Type"],
    )
    assert auth == EX1_AUTH


def test_sign_accepts_a_timestamp_in_another_zone():
    from zoneinfo import ZoneInfo

    local = MOMENT.astimezone(ZoneInfo("Asia/Shanghai"))
    assert signing.sign(AK, SK, "POST", EX1_PATH, [], HEADERS, EX1_BODY, local) == EX1_AUTH
    assert signing.format_timestamp(local) == "2026-11-27T08:00:00Z"


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"path": EX1_PATH.replace("/46/", "/47/")},
        {"pairs": [("a", "1")]},
        {"body": EX1_BODY + b" "},
        {"headers": {**HEADERS, "Host": "127.0.0.1:8081"}},
        {"headers": {**HEADERS, "Content-Type": "application/json"}},
        {"moment": MOMENT + timedelta(seconds=1)},
        {"secret": SK + "x"},
        {"access_key": "AKEXAMPLE0002"},
    ],
)
def test_every_input_changes_the_signature(change):
    args = {
        "access_key": AK,
        "secret": SK,
        "method": "POST",
        "path": EX1_PATH,
        "pairs": [],
        "headers": HEADERS,
        "body": EX1_BODY,
        "moment": MOMENT,
    }
    args.update(change)
    auth = signing.sign(
        args["access_key"],
        args["secret"],
        args["method"],
        args["path"],
        args["pairs"],
        args["headers"],
        args["body"],
        args["moment"],
    )
    assert auth.rsplit("/", 1)[1] != EX1_AUTH.rsplit("/", 1)[1]


# --- canonicalURI ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rest/isales/v1/openapi/campaigns/12", "/rest/isales/v1/openapi/campaigns/12"),
        ("/", "/"),
        ("/a/b/", "/a/b/"),
        ("//a", "//a"),
        ("/AZaz09-_.~", "/AZaz09-_.~"),
        ("/a b", "/a%20b"),
        ("/a%20b", "/a%20b"),
        ("/a+b", "/a%2Bb"),
        ("/a:b@c", "/a%3Ab%40c"),
        ("/a*b!c'd(e)f", "/a%2Ab%21c%27d%28e%29f"),
        ("/a;b,c=d&e", "/a%3Bb%2Cc%3Dd%26e"),
        ("/a%2Fb/c", "/a%2Fb/c"),
        ("/a%2fb", "/a%2Fb"),
        ("/%7e", "/~"),
        ("/é", "/%C3%A9"),
        ("/%c3%a9", "/%C3%A9"),
        ("/中", "/%E4%B8%AD"),
    ],
)
def test_canonical_uri(path, expected):
    assert signing.canonical_uri(path) == expected


def test_canonical_uri_keeps_hex_upper_case():
    encoded = signing.canonical_uri(
        "/" + "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "/")
    )
    assert "%" in encoded
    for index in [i for i, ch in enumerate(encoded) if ch == "%"]:
        assert encoded[index + 1 : index + 3] == encoded[index + 1 : index + 3].upper()


# --- canonicalQuery -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], ""),
        ([("b", "2"), ("a", "1")], "a=1&b=2"),
        ([("a", "2"), ("a", "1")], "a=1&a=2"),
        ([("a", "1"), ("B", "2")], "B=2&a=1"),
        ([("a", "")], "a="),
        ([("name", "spring sale")], "name=spring%20sale"),
        ([("q", "a+b")], "q=a%2Bb"),
        ([("q", "a/b")], "q=a%2Fb"),
        ([("q", "x=y&z")], "q=x%3Dy%26z"),
        ([("q", "-_.~")], "q=-_.~"),
        ([("q", "é")], "q=%C3%A9"),
        ([("my key", "v")], "my%20key=v"),
        ([("z", "1"), ("y", "2"), ("x", "3")], "x=3&y=2&z=1"),
    ],
)
def test_canonical_query(pairs, expected):
    assert signing.canonical_query(pairs) == expected


def test_canonical_query_does_not_depend_on_order():
    pairs = list(EX2_PAIRS)
    assert signing.canonical_query(pairs) == signing.canonical_query(reversed(pairs))


# --- parsing the header ---------------------------------------------------------------------------


def test_parse_example():
    auth = signing.parse_authorization(EX1_AUTH)
    assert auth.access_key == AK
    assert auth.timestamp == MOMENT
    assert auth.signed_headers == SIGNED
    assert auth.signature == EX1_AUTH.rsplit("/", 1)[1]
    assert auth.prefix == "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host"


def test_parse_content_type_alone():
    auth = signing.parse_authorization(EX1_AUTH.replace("content-type;host", "content-type"))
    assert auth.signed_headers == ["content-type"]


SIG = "0" * 64
GOOD_PREFIX = "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "Bearer abc",
        EX1_AUTH.replace("auth-v2", "auth-v1", 1),
        EX1_AUTH.replace("auth-v2", "AUTH-V2", 1),
        "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host",  # 4 parts
        f"auth-v2/AKEXAMPLE0001/content-type;host/{SIG}",  # 4 parts
        f"{EX1_AUTH}/extra",  # 6 parts
        f"auth-v2//2026-11-27T08:00:00Z/content-type;host/{SIG}",  # empty AK
        f"auth-v2/AKEXAMPLE0001/2026-11-27 08:00:00Z/content-type;host/{SIG}",
        f"auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00/content-type;host/{SIG}",
        f"auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00+00:00/content-type;host/{SIG}",
        f"auth-v2/AKEXAMPLE0001/20261127T080000Z/content-type;host/{SIG}",
        f"auth-v2/AKEXAMPLE0001/2026-02-30T08:00:00Z/content-type;host/{SIG}",  # no such day
        f"auth-v2/AKEXAMPLE0001/2026-11-27T25:00:00Z/content-type;host/{SIG}",
        f"auth-v2/AKEXAMPLE0001/2026-13-01T08:00:00Z/content-type;host/{SIG}",
        f"{GOOD_PREFIX}/content-type;host/{SIG.upper().replace('0', 'A')}",  # uppercase hex
        EX1_AUTH[:-32] + EX1_AUTH[-32:].upper(),
        EX1_AUTH[:-1],  # 63 hex digits
        EX1_AUTH + "0",  # 65 hex digits
        f"{GOOD_PREFIX}/content-type;host/{'g' * 64}",
        f"{GOOD_PREFIX}/content-type;host/",
        f"{GOOD_PREFIX}/host;content-type/{SIG}",  # unsorted
        f"{GOOD_PREFIX}/host/{SIG}",  # no content-type
        f"{GOOD_PREFIX}/host;x-date/{SIG}",
        f"{GOOD_PREFIX}//{SIG}",
        f"{GOOD_PREFIX}/content-type;content-type/{SIG}",  # duplicate
        f"{GOOD_PREFIX}/Content-Type;host/{SIG}",  # not lower-case
        f"{GOOD_PREFIX}/content-type;;host/{SIG}",
        f"{GOOD_PREFIX}/content-type,host/{SIG}",
    ],
)
def test_parse_rejects_malformed(header):
    with pytest.raises(signing.MalformedAuthorization):
        signing.parse_authorization(header)


# --- verify ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "pairs", "body", "canonical", "auth"), EXAMPLES)
def test_verify_accepts_the_examples(method, path, pairs, body, canonical, auth):
    assert signing.verify(signing.parse_authorization(auth), SK, canonical) is True


def test_verify_refuses_wrong_secret():
    assert signing.verify(signing.parse_authorization(EX1_AUTH), SK + "!", EX1_CANONICAL) is False


def test_verify_refuses_other_request():
    assert signing.verify(signing.parse_authorization(EX1_AUTH), SK, EX2_CANONICAL) is False
    tampered = EX1_CANONICAL.replace("/46/", "/47/")
    assert signing.verify(signing.parse_authorization(EX1_AUTH), SK, tampered) is False


def test_verify_refuses_other_signature():
    sig = EX1_AUTH.rsplit("/", 1)[1]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    auth = signing.parse_authorization(EX1_AUTH[: -len(sig)] + flipped)
    assert signing.verify(auth, SK, EX1_CANONICAL) is False


def test_verify_binds_the_prefix():
    """The same signature under another timestamp or AK does not verify."""
    sig = EX1_AUTH.rsplit("/", 1)[1]
    later = signing.parse_authorization(
        f"auth-v2/AKEXAMPLE0001/2026-11-27T08:00:01Z/content-type;host/{sig}"
    )
    other = signing.parse_authorization(
        f"auth-v2/AKEXAMPLE0002/2026-11-27T08:00:00Z/content-type;host/{sig}"
    )
    assert signing.verify(later, SK, EX1_CANONICAL) is False
    assert signing.verify(other, SK, EX1_CANONICAL) is False


# --- the project's own client ---------------------------------------------------------------------


def pinned_client() -> IsalesClient:
    return IsalesClient("http://127.0.0.1:8080", AK, SK, now=lambda: MOMENT)


def test_client_signs_example_1():
    with pinned_client() as client:
        headers = client.signed_headers("POST", EX1_PATH, [], EX1_BODY)
    assert headers == {**HEADERS, "Authorization": EX1_AUTH}


def test_client_signs_example_2():
    with pinned_client() as client:
        headers = client.signed_headers("GET", EX2_PATH, EX2_PAIRS, b"")
    assert headers == {**HEADERS, "Authorization": EX2_AUTH}


def test_client_base_url_trailing_slash_does_not_change_host():
    with IsalesClient("http://127.0.0.1:8080/", AK, SK, now=lambda: MOMENT) as client:
        assert client.signed_headers("POST", EX1_PATH, [], EX1_BODY)["Authorization"] == EX1_AUTH


def test_query_pairs_sort_by_name_then_value_not_by_joined_text():
    # "a-b=1" < "a=2" as text ('-' sorts before '='), but pairs sort by name first
    assert signing.canonical_query([("a-b", "1"), ("a", "2"), ("a", "10")]) == "a=10&a=2&a-b=1"
