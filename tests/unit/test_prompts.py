"""dialer/prompts.py: real WAV files, accepted or refused with a reason naming the file."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest

from isales.dialer.prompts import (
    COMPLIANCE_PROMPT,
    MAX_DURATION_MS,
    Prompt,
    PromptInvalid,
    load_prompt,
    prompt_path,
)


def write_wav(
    path: Path, *, rate: int = 8000, channels: int = 1, width: int = 2, seconds: float = 0.5
) -> bytes:
    frames = int(rate * seconds)
    if width == 2:
        samples = [int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(frames)]
        one = struct.pack(f"<{frames}h", *samples)
    else:
        one = bytes(128 + (i % 64) for i in range(frames))
    data = b"".join(one[i : i + width] * channels for i in range(0, len(one), width))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)
    return data


def refused(path: Path) -> str:
    with pytest.raises(PromptInvalid) as caught:
        load_prompt(path)
    reason = str(caught.value)
    assert str(path) in reason
    return reason


def test_a_valid_prompt_is_loaded_with_its_samples_and_duration(tmp_path: Path) -> None:
    path = tmp_path / "7.wav"
    data = write_wav(path, seconds=1.25)
    prompt = load_prompt(path)
    assert prompt == Prompt(pcm16=data, sample_rate=8000, duration_ms=1250)
    assert len(prompt.pcm16) == 10000 * 2


def test_the_campaign_prompt_and_the_compliance_prompt_are_named_by_convention(
    tmp_path: Path,
) -> None:
    assert prompt_path(tmp_path, 42) == tmp_path / "42.wav"
    assert COMPLIANCE_PROMPT == "compliance.wav"


def test_16_khz_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.wav"
    write_wav(path, rate=16000)
    assert "16,000 Hz" in refused(path)


def test_stereo_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    write_wav(path, channels=2)
    assert "2 channels" in refused(path)


def test_8_bit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "narrow.wav"
    write_wav(path, width=1)
    assert "8-bit samples" in refused(path)


def test_a_file_that_is_not_a_wav_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "song.wav"
    path.write_bytes(b"ID3\x03\x00" + bytes(400))  # an MP3 renamed
    assert "not a RIFF/WAVE PCM file" in refused(path)


def test_a_compressed_wav_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "alaw.wav"
    fmt = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)  # format 6: A-law
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", 800) + bytes(800)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert "not a RIFF/WAVE PCM file" in refused(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "no such file" in refused(tmp_path / "9.wav")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    path.write_bytes(b"")
    assert "not a RIFF/WAVE PCM file (is empty)" in refused(path)


def test_a_wav_with_no_samples_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "silent.wav"
    write_wav(path, seconds=0)
    assert "contains no audio" in refused(path)


def test_a_truncated_wav_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    write_wav(path, seconds=1)
    with path.open("r+b") as f:
        f.truncate(44 + 3000)
    assert "truncated" in refused(path)


def test_a_prompt_longer_than_the_maximum_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    write_wav(path, seconds=0.1)
    frames = MAX_DURATION_MS * 8 + 8  # one millisecond over, declared in the header only
    with path.open("r+b") as f:
        f.seek(40)
        f.write(struct.pack("<I", frames * 2))
    assert "5-minute maximum" in refused(path)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert "is a directory" in refused(tmp_path)


def test_a_path_that_cannot_be_opened_is_refused(tmp_path: Path) -> None:
    # A file used as a directory: refused whoever runs the test (root reads mode-0 files).
    parent = tmp_path / "prompts"
    parent.write_bytes(b"")
    assert "cannot be read" in refused(parent / "7.wav")
