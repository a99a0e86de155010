"""dialer/amd.py: synthetic greetings at 8 kHz, decided in audio time (decided_at_ms)."""

from __future__ import annotations

import math
import random
import struct

import pytest

from isales.dialer.amd import AmdParameters, AnsweringMachineDetector

RATE = 8000
FRAME = RATE // 50 * 2  # 20 ms of 16-bit samples, as the SIP driver delivers them


def silence(ms: int, rng: random.Random) -> list[int]:
    # line hiss well under the threshold, not digital zero
    return [rng.randint(-40, 40) for _ in range(RATE * ms // 1000)]


def tone(ms: int, hz: float = 300.0, level: int = 6000) -> list[int]:
    return [int(level * math.sin(2 * math.pi * hz * i / RATE)) for i in range(RATE * ms // 1000)]


def noise(ms: int, rng: random.Random, level: int = 5000) -> list[int]:
    return [rng.randint(-level, level) for _ in range(RATE * ms // 1000)]


def pcm(*parts: list[int]) -> bytes:
    samples = [s for part in parts for s in part]
    return struct.pack(f"<{len(samples)}h", *samples)


def bursts(count: int, on_ms: int, off_ms: int, rng: random.Random) -> list[int]:
    out: list[int] = []
    for _ in range(count):
        out += noise(on_ms, rng) + silence(off_ms, rng)
    return out


def run(audio: bytes, chunk: int = FRAME) -> tuple[AnsweringMachineDetector, list[str]]:
    detector = AnsweringMachineDetector()
    returned = []
    for start in range(0, len(audio), chunk):
        decision = detector.feed(audio[start : start + chunk])
        if decision is not None:
            returned.append(decision)
    return detector, returned


R = random.Random(20)
GREETINGS = {
    # name: (audio after the answer, expected decision)
    "hello then silence": (pcm(silence(300, R), tone(600), silence(3000, R)), "human"),
    "three short bursts": (
        pcm(silence(200, R), bursts(3, 150, 200, R), silence(3000, R)),
        "human",
    ),
    "4 s continuous greeting": (pcm(silence(500, R), tone(4000), silence(1000, R)), "machine"),
    "many words": (pcm(silence(300, R), bursts(12, 150, 100, R), silence(1000, R)), "machine"),
    "dead air": (pcm(silence(6000, R)), "machine"),
}


@pytest.mark.parametrize("name", GREETINGS)
def test_greetings_are_decided_within_2_5_seconds_of_audio(name: str) -> None:
    audio, expected = GREETINGS[name]
    detector, returned = run(audio)
    assert returned == [expected]  # returned once, the first time only
    assert detector.finish() == expected
    assert detector.decided_at_ms is not None and detector.decided_at_ms <= 2500
    assert not detector.analysing


def test_decision_times_follow_the_parameters() -> None:
    # silence 300 + hello 600 + after-greeting silence 800
    assert run(GREETINGS["hello then silence"][0])[0].decided_at_ms == 1700
    # greeting starts at 500 and is too long once it passes 1500 ms
    assert run(GREETINGS["4 s continuous greeting"][0])[0].decided_at_ms == 2010
    # the fourth word: 300 + 3 × 250 + 100 ms of voice
    assert run(GREETINGS["many words"][0])[0].decided_at_ms == 1150
    assert run(GREETINGS["dead air"][0])[0].decided_at_ms == 2500


@pytest.mark.parametrize("chunk", [1, 7, 160, 333, 1600])
def test_any_chunk_size_gives_the_same_decision_at_the_same_audio_time(chunk: int) -> None:
    for audio, expected in GREETINGS.values():
        reference, _ = run(audio)
        detector, returned = run(audio, chunk)
        assert returned == [expected]
        assert detector.decided_at_ms == reference.decided_at_ms


def test_speech_that_keeps_going_past_the_analysis_time_is_not_sure() -> None:
    # A tight limit on greeting length is lifted so only the analysis time can end it.
    detector = AnsweringMachineDetector(greeting=10_000, total_analysis_time=3000)
    r = random.Random(3)
    assert detector.feed(pcm(silence(200, r), tone(2000))) is None
    assert detector.analysing
    assert detector.feed(pcm(tone(1500))) is None
    assert not detector.analysing
    assert detector.feed(pcm(silence(1000, r))) is None  # ignored after the analysis time
    assert detector.finish() == "notsure"
    assert detector.decided_at_ms is None
    assert detector.elapsed_ms == 3000


def test_nothing_fed_is_not_sure() -> None:
    detector = AnsweringMachineDetector()
    assert detector.finish() == "notsure" and detector.decided_at_ms is None


def test_clicks_shorter_than_a_word_are_not_words() -> None:
    r = random.Random(5)
    clicks = [s for _ in range(10) for s in noise(40, r) + silence(200, r)]
    detector, returned = run(pcm(clicks, silence(1000, r)))
    assert returned == ["machine"]  # still dead air: no word ever started
    assert detector.decided_at_ms == 2500


def test_parameters_have_the_documented_defaults_and_can_be_set() -> None:
    assert AnsweringMachineDetector().parameters == AmdParameters(
        initial_silence=2500,
        greeting=1500,
        after_greeting_silence=800,
        total_analysis_time=5000,
        min_word_length=100,
        between_words_silence=50,
        maximum_number_of_words=3,
        silence_threshold=256,
    )
    quiet = AnsweringMachineDetector(silence_threshold=8000)
    assert quiet.feed(pcm(tone(3000, level=6000))) == "machine"  # all under the threshold
    assert quiet.decided_at_ms == 2500
    with pytest.raises(TypeError):
        AnsweringMachineDetector(greetings=1500)
    with pytest.raises(ValueError, match="greeting"):
        AnsweringMachineDetector(greeting=0)
    with pytest.raises(ValueError, match="sample rate"):
        AnsweringMachineDetector(sample_rate=8001)


def test_16_khz_audio_is_timed_in_milliseconds_too() -> None:
    r = random.Random(9)
    samples = [0] * 4800 + [int(6000 * math.sin(i / 3)) for i in range(9600)]
    detector = AnsweringMachineDetector(sample_rate=16000)
    audio = pcm(samples, [r.randint(-40, 40) for _ in range(48000)])
    assert detector.feed(audio) == "human"
    assert detector.decided_at_ms == 300 + 600 + 800
