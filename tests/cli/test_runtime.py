"""Command-line errors, configuration and the server's runtime surfaces (docs/operations.md),
as real `isales` processes."""

from __future__ import annotations

import json
import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from isales import __version__
from tests.support.processes import clean_env, isales, ok, one_line_failure, start_serve
from tests.support.stores import empty_store

REPO = Path(__file__).resolve().parents[2]


# --- version, config ---------------------------------------------------------------------------


def test_version(tmp_path):
    assert ok(isales("--version", cwd=tmp_path)).stdout == f"isales {__version__}\n"


def test_config_show_names_each_source(tmp_path):
    config = tmp_path / "isales.toml"
    config.write_text('lease_seconds = 60\ntimezone = "Europe/Paris"\n')
    env = clean_env(ISALES_LEASE_SECONDS="30", ISALES_CONFIG=str(config))
    shown = json.loads(ok(isales("config", "show", "--json", cwd=tmp_path, env=env)).stdout)
    assert shown["lease_seconds"] == {"value": 30, "source": "environment"}
    assert shown["timezone"] == {"value": "Europe/Paris", "source": "file"}
    assert shown["port"] == {"value": 8080, "source": "default"}
    by_option = isales("config", "show", "--json", "--db", "sqlite:///x.db", cwd=tmp_path)
    assert json.loads(ok(by_option).stdout)["db"] == {
        "value": "sqlite:///x.db",
        "source": "command line",
    }


def test_config_option_and_plain_output(tmp_path):
    config = tmp_path / "isales.toml"
    config.write_text("port = 9090\n")
    result = ok(isales("config", "show", "--config", str(config), cwd=tmp_path))
    assert any(line.split()[:3] == ["port", "9090", "file"] for line in result.stdout.splitlines())


def test_config_show_hides_the_store_password(tmp_path):
    env = clean_env(ISALES_DB="postgresql+psycopg://isales:hunter2@db.example:5432/isales")
    result = ok(isales("config", "show", "--json", cwd=tmp_path, env=env))
    assert "hunter2" not in result.stdout
    shown = json.loads(result.stdout)["db"]["value"]
    assert shown == "postgresql+psycopg://isales:***@db.example:5432/isales"


def test_deploy_example_config_is_accepted(tmp_path):
    shown = json.loads(
        ok(
            isales(
                "config",
                "show",
                "--json",
                "--config",
                str(REPO / "deploy/isales.toml"),
                cwd=tmp_path,
            )
        ).stdout
    )
    assert shown["db"]["source"] == "file"
    assert shown["log_format"] == {"value": "json", "source": "file"}


# --- one-line failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "config", "named"),
    [
        ({"ISALES_LEASE_SECOND": "30"}, None, "ISALES_LEASE_SECOND"),
        ({"ISALES_LEASE_SECONDS": "abc"}, None, "ISALES_LEASE_SECONDS"),
        ({"ISALES_TIMEZONE": "Mars/Olympus"}, None, "ISALES_TIMEZONE"),
        ({}, "lease_secs = 3\n", "lease_secs"),
        ({}, "lease_seconds = 'soon'\n", "lease_seconds"),
        ({}, "lease_seconds = \n", "not valid TOML"),
    ],
)
def test_configuration_mistakes_are_one_line(tmp_path, env, config, named):
    args = ["config", "show"]
    if config is not None:
        (tmp_path / "bad.toml").write_text(config)
        args += ["--config", str(tmp_path / "bad.toml")]
    for command in (args, ["serve", *args[2:]], ["keys", "list", *args[2:]]):
        line = one_line_failure(isales(*command, cwd=tmp_path, env=clean_env(**env)), 2)
        assert named in line
    assert not (tmp_path / "isales.db").exists()


def test_missing_config_file(tmp_path):
    line = one_line_failure(isales("config", "show", "--config", "nope.toml", cwd=tmp_path), 2)
    assert "nope.toml does not exist" in line


@pytest.mark.parametrize("url", ["foo://bar", "not a url", "postgresql+nodriver://x/y"])
def test_bad_store_url(tmp_path, url):
    for command in (["keys", "list"], ["db", "upgrade"]):
        line = one_line_failure(isales(*command, "--db", url, cwd=tmp_path))
        assert "--db" in line


def test_debug_shows_the_traceback(tmp_path):
    result = isales("--debug", "keys", "list", "--db", "foo://bar", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_usage_mistakes_are_one_line(tmp_path):
    line = one_line_failure(isales("keys", "create", cwd=tmp_path), 2)
    assert "--vdn" in line


# --- no silent store creation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["keys", "list"],
        ["keys", "create", "--vdn", "12"],
        ["keys", "revoke", "AK"],
        ["history", "--vdn", "12"],
    ],
)
def test_commands_refuse_a_missing_sqlite_store(tmp_path, command):
    missing = tmp_path / "typo" / "isales.db"
    line = one_line_failure(isales(*command, "--db", f"sqlite:///{missing}", cwd=tmp_path), 2)
    assert "no store at" in line and "isales db upgrade" in line
    assert not missing.exists() and not missing.parent.exists()
    one_line_failure(isales(*command, cwd=tmp_path), 2)  # the default ./isales.db
    assert not (tmp_path / "isales.db").exists()


def test_commands_refuse_a_missing_postgresql_database(tmp_path):
    from tests.support.stores import pg_admin_url

    url = pg_admin_url().rsplit("/", 1)[0] + "/isales_no_such_database"
    line = one_line_failure(isales("keys", "list", "--db", url, cwd=tmp_path), 2)
    assert "no store at" in line


def test_db_upgrade_creates_the_default_store(tmp_path):
    ok(isales("db", "upgrade", cwd=tmp_path))
    assert (tmp_path / "isales.db").is_file()
    assert ok(isales("keys", "list", cwd=tmp_path)).stdout == ""


# --- serve -------------------------------------------------------------------------------------


def test_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = f"sqlite:///{tmp_path / 'isales.db'}"
        line = one_line_failure(isales("serve", "--db", db, "--port", str(port), cwd=tmp_path))
    assert f"127.0.0.1:{port}" in line and "--port" in line


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_serve_with_tls(tmp_path):
    cert, key = self_signed(tmp_path)
    db = f"sqlite:///{tmp_path / 'isales.db'}"
    server = start_serve(
        db, tmp_path, "--tls-cert", str(cert), "--tls-key", str(key), scheme="https"
    )
    try:
        port = server.url.rsplit(":", 1)[1]
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(verify=trusted) as https:
            answer = https.get(f"https://localhost:{port}/healthz")
        assert answer.json() == {"status": "ok"}
        created = server.key(12)
        from isales.client import IsalesClient

        signed = IsalesClient(
            f"https://localhost:{port}", created["accessKey"], created["secretKey"]
        )
        signed._http = httpx.Client(verify=trusted)
        listed = signed.get(
            "/rest/isales/v1/openapi/campaigns/12", params={"status": 0, "deviceType": 0}
        )
        assert listed.json()["resultCode"] == "0200000"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)  # plain HTTP is not served
    finally:
        server.stop()


def test_tls_files_must_exist(tmp_path):
    db = f"sqlite:///{tmp_path / 'isales.db'}"
    line = one_line_failure(
        isales("serve", "--db", db, "--tls-cert", "no.pem", "--tls-key", "no.key", cwd=tmp_path)
    )
    assert "no.pem" in line


def test_readyz_reports_a_store_without_schema(backend, tmp_path):
    from tests.support.servers import start_server

    with empty_store(backend, tmp_path) as url:
        running = start_server(url)
        try:
            answer = httpx.get(f"{running.base_url}/readyz")
            assert answer.status_code == 503
            assert answer.json() == {
                "status": "not ready",
                "reason": "the store has no isales schema",
            }
            assert httpx.get(f"{running.base_url}/healthz").json() == {"status": "ok"}
        finally:
            running.stop()
            running.services.close()
