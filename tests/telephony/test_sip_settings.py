"""The SIP settings: environment, the TOML [sip] table, `isales dialer` options, strict names."""

from __future__ import annotations

from pathlib import Path

import pytest

from isales.config import load_settings
from isales.dialer.sip.settings import SipConfig
from isales.errors import ConfigError
from tests.live import clean_env, isales, one_line_failure


@pytest.fixture
def no_isales_env(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("ISALES_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_defaults(no_isales_env):
    settings = load_settings().settings
    assert settings.sip_trunk is None and settings.sip_username is None
    assert settings.sip_password is None
    assert (settings.sip_bind, settings.sip_rtp_ports, settings.sip_codecs) == (
        "127.0.0.1:5062",
        "20000-20999",
        "PCMU,PCMA",
    )
    assert settings.prompts_dir == Path("prompts")
    assert settings.sip_fail_code_style == "reference"
    with pytest.raises(ValueError, match="ISALES_SIP_TRUNK"):
        SipConfig.from_settings(settings)


def test_the_sip_table_of_the_config_file_and_the_environment_over_it(no_isales_env, tmp_path):
    config = tmp_path / "isales.toml"
    config.write_text(
        'prompts_dir = "/srv/prompts"\n'
        "[sip]\n"
        'trunk = "sbc.example.net:5060"\nusername = "acme"\npassword = "pw"\n'
        'codecs = "PCMA"\nrtp_ports = "30000-30999"\nfail_code_style = "detailed"\n'
    )
    loaded = load_settings(str(config))
    sip = SipConfig.from_settings(loaded.settings)
    assert sip.trunk == ("sbc.example.net", 5060) and sip.username == "acme"
    assert sip.password == "pw" and "pw" not in repr(sip)
    assert (sip.codecs, sip.rtp_ports, sip.fail_code_style) == (
        ("PCMA",),
        (30000, 30999),
        "detailed",
    )
    assert sip.prompts_dir == Path("/srv/prompts")
    assert loaded.sources["sip_trunk"] == "file"
    no_isales_env.setenv("ISALES_SIP_TRUNK", "10.0.0.1:5080")
    loaded = load_settings(str(config))
    assert loaded.settings.sip_trunk == "10.0.0.1:5080"
    assert loaded.sources["sip_trunk"] == "environment"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[sip]\ntrunk_host = "x"\n', "unknown setting 'trunk_host' in [sip]"),
        ('[sip]\ntrunk = "no-port"\n', "host:port"),
        ('[sip]\ncodecs = "G729"\n', "PCMU and/or PCMA"),
        ('[sip]\nrtp_ports = "20"\n', "low-high"),
        ('[sip]\nfail_code_style = "raw"\n', "reference"),
        ('sip = "x"\n', "must be a table"),
        ('sip_trunk = "a:1"\n[sip]\ntrunk = "b:2"\n', "given twice"),
    ],
)
def test_a_wrong_sip_setting_is_one_clear_error(no_isales_env, tmp_path, text, message):
    config = tmp_path / "isales.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings(str(config))


def test_an_unknown_sip_variable_is_refused(no_isales_env):
    no_isales_env.setenv("ISALES_SIP_TRUNKS", "a:1")
    with pytest.raises(ConfigError, match="ISALES_SIP_TRUNKS"):
        load_settings()


def test_the_dialer_needs_a_trunk_and_says_so_in_one_line(tmp_path):
    env = clean_env(ISALES_DIALER_ACCESS_KEY="AK", ISALES_DIALER_SECRET_KEY="SK")
    line = one_line_failure(
        isales("dialer", "--driver", "sip", "--vdn", "12", cwd=tmp_path, env=env), 2
    )
    assert "ISALES_SIP_TRUNK" in line
    line = one_line_failure(
        isales(
            "dialer",
            "--driver",
            "sip",
            "--vdn",
            "12",
            "--sip-trunk",
            "nohost",
            cwd=tmp_path,
            env=env,
        ),
        2,
    )
    assert "sip_trunk" in line and "host:port" in line


def test_config_show_masks_the_sip_password(tmp_path):
    shown = isales(
        "config", "show", cwd=tmp_path, env=clean_env(ISALES_SIP_PASSWORD="hunter2-secret")
    )
    assert shown.returncode == 0, shown.stderr
    assert "hunter2-secret" not in shown.stdout and "sip_password" in shown.stdout
