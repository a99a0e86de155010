"""Prompt files the SIP driver plays: a campaign's message and the compliance message.

A prompt is a RIFF/WAVE file holding uncompressed PCM, 8,000 Hz, mono, 16-bit samples:
the rate and width G.711 (PCMU/PCMA) carries, so a prompt is played without resampling.
``load_prompt`` checks all of that once, before a call is placed, so a bad file is an
error naming the file rather than noise or silence on a live call.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

COMPLIANCE_PROMPT = "compliance.wav"
SAMPLE_RATE = 8000
SAMPLE_WIDTH = 2  # bytes: 16-bit signed, little-endian as WAV stores it
CHANNELS = 1
# A prompt is held in memory for the whole run (8,000 × 2 bytes a second: 4.8 MB at the
# limit); a longer file is almost certainly a mistake (a recording, not a message).
MAX_DURATION_MS = 5 * 60 * 1000


class PromptInvalid(Exception):
    """A prompt file that cannot be played; the message names the file and the reason."""


@dataclass(frozen=True)
class Prompt:
    pcm16: bytes  # signed 16-bit little-endian samples, mono
    sample_rate: int
    duration_ms: int


def prompt_path(prompts_dir: Path, campaign_id: int) -> Path:
    """Where a campaign's own prompt lives: ``{campaignId}.wav`` in the prompts directory."""
    return prompts_dir / f"{campaign_id}.wav"


def load_prompt(path: Path) -> Prompt:
    """Read and check a prompt; raise ``PromptInvalid`` saying what is wrong with it."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels = wav.getnchannels()
            width = wav.getsampwidth()
            rate = wav.getframerate()
            frames = wav.getnframes()
            _check_format(path, channels, width, rate, frames)
            pcm = wav.readframes(frames)
    except FileNotFoundError:
        raise PromptInvalid(f"prompt {path}: no such file") from None
    except IsADirectoryError:
        raise PromptInvalid(f"prompt {path}: is a directory, not a file") from None
    except OSError as exc:
        raise PromptInvalid(f"prompt {path}: cannot be read ({exc.strerror or exc})") from None
    except EOFError:  # the RIFF header itself is cut short
        what = "is empty" if path.stat().st_size == 0 else "its RIFF header is cut short"
        raise PromptInvalid(f"prompt {path}: not a RIFF/WAVE PCM file ({what})") from None
    except wave.Error as exc:  # not RIFF/WAVE, or a compressed or floating-point format
        raise PromptInvalid(f"prompt {path}: not a RIFF/WAVE PCM file ({exc})") from None
    if len(pcm) != frames * SAMPLE_WIDTH:
        raise PromptInvalid(
            f"prompt {path}: truncated (header says {frames} samples, file holds "
            f"{len(pcm) // SAMPLE_WIDTH})"
        )
    return Prompt(pcm16=pcm, sample_rate=rate, duration_ms=frames * 1000 // rate)


def _check_format(path: Path, channels: int, width: int, rate: int, frames: int) -> None:
    wanted = "8,000 Hz mono 16-bit PCM"
    if rate != SAMPLE_RATE:
        raise PromptInvalid(f"prompt {path}: sampled at {rate:,} Hz, must be {wanted}")
    if channels != CHANNELS:
        raise PromptInvalid(f"prompt {path}: has {channels} channels, must be {wanted}")
    if width != SAMPLE_WIDTH:
        raise PromptInvalid(f"prompt {path}: {8 * width}-bit samples, must be {wanted}")
    if frames == 0:
        raise PromptInvalid(f"prompt {path}: contains no audio")
    if frames * 1000 // rate > MAX_DURATION_MS:
        raise PromptInvalid(
            f"prompt {path}: lasts {frames // rate} s, longer than the "
            f"{MAX_DURATION_MS // 60000}-minute maximum"
        )
