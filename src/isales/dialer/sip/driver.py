"""The SIP driver: each claimed number becomes one SIP call through one trunk (UDP, UAC).

``SipDriver.place`` is called on the dialer's worker threads and blocks; the call itself
(a :class:`_Attempt`) lives on sippy's loop thread, where every sippy object is created
and touched. The attempt records what it saw, :mod:`.outcomes` turns that into the
reported status and failCode, and the detail (SIP code, Q.850 cause, ring and talk time,
AMD decision) travels with the result.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sippy.CCEvents import (
    CCEventConnect,
    CCEventDisconnect,
    CCEventFail,
    CCEventRedirect,
    CCEventRing,
    CCEventTry,
)
from sippy.MsgBody import MsgBody
from sippy.Rtp.Conf import RTPConf
from sippy.Rtp.Core.AudioChunk import AudioChunk
from sippy.Rtp.EPoint import RTPEPoint
from sippy.Rtp.Params import RTPParams
from sippy.SipCallId import SipCallId
from sippy.Time.Timeout import Timeout
from sippy.UA import UA

from ...errors import CommandFailed
from ..amd import AnsweringMachineDetector
from ..driver import CallOutcome, CallRequest, CampaignRefused
from ..prompts import Prompt, PromptInvalid, load_prompt, prompt_path
from . import media, outcomes
from .settings import SipConfig
from .stack import SipStack

log = logging.getLogger("isales.dialer.sip")

NOTIFICATION = 3  # deviceType 3, automatic IVR: play the campaign's prompt, then BYE
CREDENTIAL_STRIKES = 5  # refused credentials in a row that stop the dialer
#: a place() that has heard nothing this long after its own limits gives up (a safety net:
#: sippy always ends a call, by a response, timer B (32 s) or our CANCEL)
GRACE_SECONDS = 40.0
#: ivrParam.amd values that turn answering-machine detection on (isales extension)
AMD_ON = (True, 1, "1", "true")


class SipCredentialsRefused(CommandFailed):
    """the SIP trunk refused our credentials on several calls in a row"""

    exit_code = 3


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


RTP_HEADER_BYTES = 12


class _Endpoint(RTPEPoint):
    """sippy's RTP endpoint, counting the audio that comes back (logged per call: what the
    callee's side returned, e.g. an echo test's measure of what it heard)."""

    received_bytes = 0
    #: decode what comes in (for answering-machine detection); off, packets are only counted
    #: (decoding every packet through the jitter buffer is most of a call's CPU)
    listening = False

    def rtp_received(self, data, address, rtime_ns=None):  # type: ignore[no-untyped-def]
        if address == self.rtp_params.rtp_target and len(data) > RTP_HEADER_BYTES:
            self.received_bytes += len(data) - RTP_HEADER_BYTES
        if self.listening:
            super().rtp_received(data, address, rtime_ns)


class _CallAgent(UA):
    """sippy's UA, telling the attempt when our ring limit fired and when timer B did."""

    attempt: _Attempt

    def expires(self) -> None:  # our maxAlertingTime: sippy sends CANCEL
        self.attempt.ring_limit_fired = True
        super().expires()

    def recvResponse(self, resp, tr=None):  # type: ignore[no-untyped-def]
        if tr is not None and resp is getattr(tr, "r408", None):  # made up locally: timer B
            self.attempt.timed_out = True
        return super().recvResponse(resp, tr)


class _Attempt:
    """One call, on sippy's loop thread from :meth:`start` to :meth:`_finish`."""

    def __init__(
        self, driver: SipDriver, call: CallRequest, prompt: Prompt | None, amd: bool
    ) -> None:
        self.driver, self.call, self.prompt = driver, call, prompt
        self.detector = AnsweringMachineDetector(media.SAMPLE_RATE) if amd else None
        self.done = threading.Event()
        self.ua: _CallAgent | None = None
        self.rtp: _Endpoint | None = None
        self.heard_ms = 0  # audio received back, in ms (G.711: 8 bytes a millisecond)
        self.answer: media.Answer | None = None
        self.ring_limit_fired = self.timed_out = self.ringing = self.heard = False
        self.started_utc = datetime.now(UTC)
        self.invited = self.answered = self.ended = 0.0
        self.seen: outcomes.Seen | None = None
        self.play_timer: Any = None
        self.amd_lock = threading.Lock()

    # --- on the loop thread -----------------------------------------------------------
    def start(self) -> None:
        config = self.driver.config
        try:
            params = RTPParams(None, out_ptime=media.PTIME_MS, out_sr=media.SAMPLE_RATE)
            params.rtp_laddr = config.bind[0]
            params.codec = media.CODECS[config.codecs[0]]
            self.rtp = _Endpoint(self.driver.rtp_conf, params, self._audio_in)
            self.rtp.listening = self.detector is not None
            offer = media.offer(config.bind[0], params.rtp_lport, config.codecs)
        except Exception as exc:  # no RTP port free: the call cannot be offered at all
            log.error("call to %s not placed: no RTP port (%s)", self.call.numbers[0], exc)
            self._finish(outcomes.Seen(timed_out=True))
            return
        body = MsgBody(offer)
        body.needs_update = False
        self.ua = _CallAgent(
            self.driver.stack.global_config,
            self._event,
            config.username,
            config.password,
            nh_address=config.trunk,
            expire_time=self.call.max_alerting_seconds,
        )
        self.ua.attempt = self
        self.started_utc = datetime.now(UTC)
        self.invited = time.monotonic()
        caller = self.call.caller or "anonymous"
        self.ua.recvEvent(
            CCEventTry((SipCallId(), caller, self.call.numbers[0], body, None, caller))
        )

    def _event(self, event, ua) -> None:  # type: ignore[no-untyped-def]
        if self.seen is not None:
            return
        if isinstance(event, CCEventRing):
            code = event.getData()[0]
            self.heard = True
            if code in (180, 183):
                self.ringing = True
                self.driver.trunk_accepts_us()
        elif isinstance(event, CCEventConnect):
            self.driver.trunk_accepts_us()
            self._connected(event)
        elif isinstance(event, (CCEventFail, CCEventRedirect)):
            code = event.getData()[0]
            reason = getattr(event, "reason_rfc3326", None)
            self._finish(
                outcomes.Seen(
                    sip_code=None if self.timed_out else code,
                    q850_cause=outcomes.q850_cause(str(reason) if reason else None),
                    ringing=self.ringing,
                    timed_out=self.timed_out,
                )
            )
        elif isinstance(event, CCEventDisconnect):
            if self.answered:  # the callee hung up
                self._finish(outcomes.Seen(sip_code=200))
            elif self.ring_limit_fired:
                # CANCEL is out; sippy ACKs the 487 by itself. Nothing heard at all within
                # the limit (not even 100 Trying) is an unreachable trunk, not "no answer".
                self._finish(outcomes.Seen(ring_limit=self.heard, timed_out=not self.heard))

    def _connected(self, event) -> None:  # type: ignore[no-untyped-def]
        self.answered = time.monotonic()
        remote = str(self.ua.rSDP) if self.ua and self.ua.rSDP is not None else ""
        self.answer = media.answer(remote, self.driver.config.codecs)
        if self.prompt is None or self.answer is None or self.rtp is None:
            if self.prompt is not None:
                log.warning("call to %s answered without usable audio", self.call.numbers[0])
            self._hang_up()
            return
        params = RTPParams(
            (self.answer.host, self.answer.port),
            out_ptime=media.PTIME_MS,
            out_sr=media.SAMPLE_RATE,
        )
        params.codec = media.CODECS[self.answer.codec]
        self.rtp.rsess.codec = params.codec()  # what we receive is in the negotiated codec too
        self.rtp.rsess.codec.out_srate = media.SAMPLE_RATE
        self.rtp.update(params)
        self.rtp.soundout(AudioChunk(array("h", self.prompt.pcm16), self.prompt.sample_rate))
        self.play_timer = Timeout(self._played, self.prompt.duration_ms / 1000.0)

    def _played(self) -> None:
        """BYE once the writer has sent the last packet of the prompt."""
        self.play_timer = None
        if self.seen is not None:
            return
        writer = self.rtp.writer if self.rtp else None
        if writer is not None:
            received, processed = writer.get_frm_ctrs()
            if processed < received:
                self.play_timer = Timeout(self._played, media.PTIME_MS / 1000.0)
                return
        self._hang_up()

    def _hang_up(self) -> None:
        if self.ua is not None:
            self.ua.recvEvent(CCEventDisconnect())
        self._finish(outcomes.Seen(sip_code=200))

    def _audio_in(self, chunk) -> None:  # type: ignore[no-untyped-def]
        """Decoded audio from the callee (sippy's RTP thread): only AMD listens."""
        if self.detector is not None:
            with self.amd_lock:
                self.detector.feed(chunk.to_bytes())

    def _finish(self, seen: outcomes.Seen) -> None:
        if self.seen is not None:
            return
        self.seen = seen
        self.ended = time.monotonic()
        if self.play_timer is not None:
            self.play_timer.cancel()
            self.play_timer = None
        if self.rtp is not None:
            rtp, self.rtp = self.rtp, None
            self.heard_ms = rtp.received_bytes // (media.SAMPLE_RATE // 1000)
            rtp.shutdown()
        self.done.set()

    def abort(self) -> None:
        """place() gave up waiting (a safety net): release the call and report it failed."""
        if self.seen is None:
            if self.ua is not None:
                self.ua.recvEvent(CCEventDisconnect())
            self._finish(outcomes.Seen(timed_out=True))

    # --- back on the worker thread -----------------------------------------------------
    def outcome(self) -> tuple[CallOutcome, outcomes.Outcome]:
        seen = self.seen or outcomes.Seen(timed_out=True)
        result = outcomes.classify(seen, self.driver.config.fail_code_style)
        ring_end = self.answered or self.ended or time.monotonic()
        ring_ms = int(max(0.0, ring_end - self.invited) * 1000) if self.invited else 0
        talk_ms = int(max(0.0, self.ended - self.answered) * 1000) if self.answered else 0
        answered_at = self.started_utc + timedelta(milliseconds=ring_ms)
        detail: dict[str, Any] = {
            "sipCode": 487 if seen.ring_limit and seen.sip_code is None else seen.sip_code,
            "q850Cause": seen.q850_cause,
            "ringMs": ring_ms,
            "talkMs": talk_ms,
        }
        if self.detector is not None and self.answered:
            with self.amd_lock:
                detail["amd"] = self.detector.finish()
        call_id = str(self.ua.cId) if self.ua is not None and self.ua.cId else ""
        return (
            CallOutcome(
                status=result.status,
                fail_code=result.fail_code,
                call_id=call_id[:64],
                ring_started=_stamp(self.started_utc),
                answered=_stamp(answered_at) if self.answered else "",
                ended=_stamp(answered_at + timedelta(milliseconds=talk_ms)),
                detail=detail,
            ),
            result,
        )


class SipDriver:
    """Places calls through one SIP trunk; see docs/telephony.md.

    Until the trunk has accepted us once (a 18x, an answer, or any final response other
    than a credentials refusal), at most one call is in flight (:meth:`line_limit`): a
    wrong password then costs at most :data:`CREDENTIAL_STRIKES` numbers, not a batch.
    """

    def __init__(self, config: SipConfig, stack: SipStack) -> None:
        self.config, self.stack = config, stack
        self.rtp_conf = RTPConf(*config.rtp_ports)
        self._lock = threading.Lock()
        self._trusted = False
        self._strikes = 0
        self.fatal: SipCredentialsRefused | None = None
        self._prompts: dict[int, Prompt] = {}
        self._amd: dict[int, bool] = {}
        self._device: dict[int, int] = {}

    # --- what the dialer loop asks -------------------------------------------------------
    def admit(self, campaign: dict[str, Any]) -> None:
        """Check a campaign before any of its numbers is claimed; CampaignRefused if not."""
        campaign_id = int(campaign["id"])
        device = int(campaign.get("deviceType") or 0)
        self._device[campaign_id] = device
        ivr_param = campaign.get("ivrParam")
        ivr: dict[str, Any] = ivr_param if isinstance(ivr_param, dict) else {}
        self._amd[campaign_id] = device == NOTIFICATION and ivr.get("amd") in AMD_ON
        if device != NOTIFICATION:
            # an agent campaign's answered call needs an agent to talk to; releasing the
            # person at once would be an abandoned call reported as a success, so such a
            # campaign is not dialled at all until agents are bridged (docs/telephony.md)
            raise CampaignRefused(
                f"deviceType {device} needs agents, which the SIP driver does not bridge "
                "yet: only notification campaigns (deviceType 3) are dialled"
            )
        try:
            self._prompts[campaign_id] = load_prompt(
                prompt_path(self.config.prompts_dir, campaign_id)
            )
        except PromptInvalid as exc:
            self._prompts.pop(campaign_id, None)
            raise CampaignRefused(str(exc)) from None

    def line_limit(self) -> int | None:
        """Calls the driver may have in flight now (None: no limit of its own)."""
        with self._lock:
            return None if self._trusted else 1

    def place(self, call: CallRequest) -> CallOutcome:
        attempt = _Attempt(
            self,
            call,
            self._prompts.get(call.campaign_id),
            self._amd.get(call.campaign_id, False),
        )
        self.stack.call(attempt.start)
        prompt = self._prompts.get(call.campaign_id)
        limit = call.max_alerting_seconds + (prompt.duration_ms / 1000 if prompt else 0)
        if not attempt.done.wait(limit + GRACE_SECONDS):
            self.stack.call(attempt.abort)
            attempt.done.wait(5.0)
        outcome, result = attempt.outcome()
        self._count(result, call, outcome)
        detail = outcome.detail or {}
        log.info(
            "call %s to %s: SIP %s cause %s, status %s failCode %s, ring %s ms, talk %s ms, "
            "prompt %s ms, audio back %s ms%s",
            outcome.call_id,
            call.numbers[0],
            detail.get("sipCode"),
            detail.get("q850Cause"),
            outcome.status,
            outcome.fail_code,
            detail.get("ringMs"),
            detail.get("talkMs"),
            prompt.duration_ms if prompt and detail.get("talkMs") else 0,
            attempt.heard_ms,
            f", amd {detail['amd']}" if "amd" in detail else "",
        )
        return outcome

    # --- credentials ---------------------------------------------------------------------
    def trunk_accepts_us(self) -> None:
        with self._lock:
            self._trusted = True
            self._strikes = 0

    def _count(self, result: outcomes.Outcome, call: CallRequest, outcome: CallOutcome) -> None:
        if not result.credentials_refused:
            if outcome.detail and outcome.detail.get("sipCode"):
                self.trunk_accepts_us()
            return
        with self._lock:
            self._trusted = False
            self._strikes += 1
            strikes = self._strikes
        log.error(
            "SIP trunk %s refused our credentials (SIP %s) on the call to %s: check "
            "ISALES_SIP_USERNAME and ISALES_SIP_PASSWORD (%d in a row)",
            self.config.trunk_text,
            outcome.detail.get("sipCode") if outcome.detail else "?",
            call.numbers[0],
            strikes,
        )
        if strikes >= CREDENTIAL_STRIKES:
            with self._lock:
                self.fatal = SipCredentialsRefused(
                    f"SIP trunk {self.config.trunk_text} refused our credentials on "
                    f"{strikes} calls in a row; stopped claiming numbers (check "
                    "ISALES_SIP_USERNAME and ISALES_SIP_PASSWORD)"
                )


def run_dialer(
    stack: SipStack,
    run: Callable[[], None],
) -> None:
    """Run ``run`` (the dialer loop) on a worker thread while sippy's loop owns this thread;
    the loop stops when ``run`` returns. Re-raises what ``run`` raised."""
    failure: list[BaseException] = []

    def worker() -> None:
        try:
            run()
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)
        finally:
            stack.stop()

    thread = threading.Thread(target=worker, name="dialer", daemon=True)
    thread.start()
    stack.run()
    thread.join(timeout=5.0)
    if failure:
        raise failure[0]
