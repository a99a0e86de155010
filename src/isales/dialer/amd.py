"""Answering-machine detection: an energy and cadence heuristic over the answered audio.

Written from the meaning of the usual AMD parameters (their names and defaults are the
ones operators know from other dialers), not from any implementation. The audio is cut
into 10 ms frames; a frame is *voiced* when its RMS level reaches ``silence_threshold``.
A *word* is voice lasting ``min_word_length`` ms, and ends after ``between_words_silence``
ms of silence. The *greeting* runs from the first word's start to the last voiced frame.

Decisions, in audio time from the answer:
- no word by ``initial_silence`` ms → machine (dead air: the greeting has not started,
  or a machine waits silently);
- a greeting longer than ``greeting`` ms → machine (people say "hello?", machines talk on);
- more than ``maximum_number_of_words`` words → machine;
- ``after_greeting_silence`` ms of silence after a word → human (a person waits for reply);
- nothing decided by ``total_analysis_time`` ms → analysis stops, ``finish()`` says
  "notsure".
"""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass
from operator import mul

HUMAN = "human"
MACHINE = "machine"
NOTSURE = "notsure"
FRAME_MS = 10


@dataclass(frozen=True)
class AmdParameters:
    """Times in milliseconds of audio; ``silence_threshold`` is an RMS level (of 32767)."""

    initial_silence: int = 2500
    greeting: int = 1500
    after_greeting_silence: int = 800
    total_analysis_time: int = 5000
    min_word_length: int = 100
    between_words_silence: int = 50
    maximum_number_of_words: int = 3
    silence_threshold: int = 256

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"AMD parameter {name} must be a positive integer: {value!r}")


class AnsweringMachineDetector:
    """Feed it the answered leg's audio (16-bit signed little-endian mono PCM, any chunk
    size); it decides once, "human" or "machine", or stays undecided ("notsure")."""

    def __init__(self, sample_rate: int = 8000, **parameters: int) -> None:
        if sample_rate <= 0 or sample_rate % (1000 // FRAME_MS):
            raise ValueError(f"sample rate must be a positive multiple of 100 Hz: {sample_rate}")
        self.parameters = AmdParameters(**parameters)
        self.decided_at_ms: int | None = None
        self.elapsed_ms = 0  # audio analysed so far
        self._decision: str | None = None
        self._frame_bytes = sample_rate * FRAME_MS // 1000 * 2
        self._pending = b""
        self._silence_ms = 0  # current run of silent frames
        self._voice_ms = 0  # voiced time of the current run; gaps < between_words_silence bridge it
        self._in_word = False
        self._words = 0
        self._greeting_start_ms: int | None = None

    @property
    def analysing(self) -> bool:
        """False once decided or once ``total_analysis_time`` of audio has gone by."""
        return self._decision is None and self.elapsed_ms < self.parameters.total_analysis_time

    def feed(self, pcm16: bytes) -> str | None:
        """Analyse more audio; return the decision the first time there is one, else None."""
        if not self.analysing:
            return None
        data = self._pending + pcm16
        usable = len(data) - len(data) % self._frame_bytes
        self._pending = data[usable:]
        samples = array("h", data[:usable])
        if sys.byteorder == "big":
            samples.byteswap()
        step = self._frame_bytes // 2
        for start in range(0, len(samples), step):
            frame = samples[start : start + step]
            rms = math.sqrt(sum(map(mul, frame, frame)) / step)
            self.elapsed_ms += FRAME_MS
            decision = self._step(rms >= self.parameters.silence_threshold)
            if decision is not None:
                self._decision = decision
                self.decided_at_ms = self.elapsed_ms
                self._pending = b""
                return decision
            if not self.analysing:
                break
        return None

    def finish(self) -> str:
        """The decision, or "notsure" when the audio seen so far did not settle it."""
        return self._decision or NOTSURE

    def _step(self, voiced: bool) -> str | None:
        p = self.parameters
        now = self.elapsed_ms
        if voiced:
            self._silence_ms = 0
            self._voice_ms += FRAME_MS
            if not self._in_word and self._voice_ms >= p.min_word_length:
                self._in_word = True
                self._words += 1
                if self._greeting_start_ms is None:
                    self._greeting_start_ms = now - self._voice_ms
                if self._words > p.maximum_number_of_words:
                    return MACHINE
            if self._greeting_start_ms is not None and now - self._greeting_start_ms > p.greeting:
                return MACHINE
            return None
        self._silence_ms += FRAME_MS
        if self._silence_ms >= p.between_words_silence:
            self._in_word = False
            self._voice_ms = 0
        if self._words == 0:
            if now >= p.initial_silence and self._voice_ms == 0:
                return MACHINE
        elif self._silence_ms >= p.after_greeting_silence:
            return HUMAN
        return None
