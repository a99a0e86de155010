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

from ...domain.dialing import ABANDONED_FAIL_CODE, AGENT_MODES
from ...domain.states import FAILED
from ...errors import CommandFailed
from ..amd import AnsweringMachineDetector
from ..driver import CallOutcome, CallRequest, CampaignRefused
from ..prompts import COMPLIANCE_PROMPT, Prompt, PromptInvalid, load_prompt, prompt_path
from . import media, outcomes, relay
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
#: how long an agent's phone may ring on login before the leg counts as not answered
AGENT_RING_SECONDS = 20
#: an agent's leg that has sent no RTP for this long is taken as dropped (phones send
#: audio, or at least comfort noise, all the time a call is up)
AGENT_RTP_TIMEOUT_SECONDS = 20.0
#: how often a predictive answer asks again for a free agent
TAKE_RETRY_SECONDS = 0.05


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
        # agent campaigns: the relay port instead of sippy's endpoint, and what the answer got
        self.port: relay.RtpPort | None = None
        self.answered_event = threading.Event()  # answered, or ended before that
        self.agent_decided = threading.Event()  # bridged, or the compliance message started
        self.bridged_to: str | None = None
        self.bridged_at = self.compliance_at = 0.0
        self.abandoned = False
        self.taken: str | None = None  # the agent take_agent named (predictive)
        self.relayed_ms = 0  # the customer's audio relayed to the agent

    # --- on the loop thread -----------------------------------------------------------
    def start(self) -> None:
        config = self.driver.config
        try:
            if self.call.for_agent:
                self.port = self.driver.media_relay().open_port()
                offer = media.offer(config.bind[0], self.port.port, config.codecs)
            else:
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
        if self.port is not None:
            self._answered_for_agent()
            return
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

    # --- agent campaigns (loop thread) ------------------------------------------------
    def _answered_for_agent(self) -> None:
        """A person answered: bridge to the reserved agent at once, or wait for the worker
        thread to take one (predictive)."""
        if self.answer is None or self.port is None:
            log.warning("call to %s answered without usable audio", self.call.numbers[0])
            self._hang_up()
            return
        self.port.remote = (self.answer.host, self.answer.port)
        self.port.codec = self.answer.codec
        if self.call.work_no is not None:
            self.bridge_to(self.call.work_no)
        self.answered_event.set()

    def bridge_to(self, work_no: str) -> None:
        """Relay this call and the agent's leg both ways; the compliance message when that
        agent has no leg up here (it dropped since it was reserved or taken)."""
        if self.seen is not None or self.port is None or self.agent_decided.is_set():
            return
        leg = self.driver.legs.get(work_no)
        if leg is None or not leg.up or leg.port is None or leg.customer is not None:
            log.warning(
                "agent %s has no free leg here: the call to %s is abandoned",
                work_no,
                self.call.numbers[0],
            )
            self.play_compliance()
            return
        self.driver.media_relay().bridge(self.port, leg.port)
        leg.customer = self
        self.bridged_to = work_no
        self.bridged_at = time.monotonic()
        self.agent_decided.set()

    def play_compliance(self) -> None:
        """No agent: the compliance message, then BYE; reported 01046 (abandoned)."""
        if self.seen is not None or self.port is None or self.agent_decided.is_set():
            return
        self.abandoned = True
        payload = self.driver.compliance(self.port.codec)
        self.compliance_at = self.driver.media_relay().play(
            self.port, payload, lambda: self.driver.stack.call(self._compliance_played)
        )
        self.agent_decided.set()

    def _compliance_played(self) -> None:
        if self.seen is None:
            self._hang_up()

    def agent_left(self) -> None:
        """The agent's leg dropped while bridged: the customer's call ends too."""
        if self.seen is None:
            self._hang_up()

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
        if self.port is not None:
            port, self.port = self.port, None
            self.heard_ms = port.received_bytes // (media.SAMPLE_RATE // 1000)
            self.relayed_ms = port.relayed_bytes // (media.SAMPLE_RATE // 1000)
            self.driver.media_relay().close_port(port)
        if self.bridged_to is not None:
            leg = self.driver.legs.get(self.bridged_to)
            if leg is not None and leg.customer is self:
                leg.customer = None
        self.answered_event.set()
        self.agent_decided.set()
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
        status, fail_code = result.status, result.fail_code
        if self.abandoned:  # a person answered and no agent was free
            status, fail_code = FAILED, ABANDONED_FAIL_CODE
        call_id = str(self.ua.cId) if self.ua is not None and self.ua.cId else ""
        return (
            CallOutcome(
                status=status,
                fail_code=fail_code,
                call_id=call_id[:64],
                ring_started=_stamp(self.started_utc),
                answered=_stamp(answered_at) if self.answered else "",
                ended=_stamp(answered_at + timedelta(milliseconds=talk_ms)),
                detail=detail,
                work_no=self.call.work_no or self.taken,
            ),
            result,
        )


class _AgentLeg:
    """The nailed-up call to one agent's phone (loop thread from :meth:`start` on).

    Placed when the agent logs in, kept up between customers, dropped on logout; when the
    agent hangs up, or its RTP stops, the leg is down and the driver lists it in
    :meth:`SipDriver.legs_dropped`."""

    def __init__(self, driver: SipDriver, work_no: str, sip_uri: str) -> None:
        self.driver, self.work_no, self.sip_uri = driver, work_no, sip_uri
        self.ua: UA | None = None
        self.port: relay.RtpPort | None = None
        self.up = False
        self.ended = False
        self.settled = threading.Event()  # answered, or failed
        self.customer: _Attempt | None = None
        self.sip_code: int | None = None

    def start(self) -> None:
        config = self.driver.config
        try:
            user, host, port = parse_sip_uri(self.sip_uri)
            self.port = self.driver.media_relay().open_port()
        except (ValueError, OSError) as exc:
            log.error("agent %s: leg to %s not placed: %s", self.work_no, self.sip_uri, exc)
            self._end()
            return
        body = MsgBody(media.offer(config.bind[0], self.port.port, config.codecs))
        body.needs_update = False
        self.ua = UA(
            self.driver.stack.global_config,
            self._event,
            config.username,
            config.password,
            nh_address=(host, port),
            expire_time=self.driver.agent_ring_seconds,
        )
        self.ua.recvEvent(CCEventTry((SipCallId(), "isales", user, body, None, "isales")))

    def _event(self, event, ua) -> None:  # type: ignore[no-untyped-def]
        if self.ended:
            return
        if isinstance(event, CCEventConnect):
            remote = str(ua.rSDP) if ua.rSDP is not None else ""
            answer = media.answer(remote, self.driver.config.codecs)
            if answer is None or self.port is None:
                log.error("agent %s answered without usable audio", self.work_no)
                self.close()
                return
            self.port.remote, self.port.codec = (answer.host, answer.port), answer.codec
            self.port.silence_limit = self.driver.agent_rtp_timeout
            self.port.on_silence = lambda: self.driver.stack.call(self._silent)
            self.up = True
            self.settled.set()
            log.info("agent %s: leg up (%s, %s)", self.work_no, self.sip_uri, answer.codec)
        elif isinstance(event, (CCEventFail, CCEventRedirect)):
            self.sip_code = event.getData()[0]
            self._end()
        elif isinstance(event, CCEventDisconnect):
            self._end()

    def _silent(self) -> None:
        if not self.ended:
            log.warning(
                "agent %s: no RTP for %s s, leg dropped",
                self.work_no,
                self.driver.agent_rtp_timeout,
            )
            self.close()

    def close(self) -> None:
        """Hang the leg up (logout, or it went silent)."""
        if self.ua is not None and not self.ended:
            self.ua.recvEvent(CCEventDisconnect())
        self._end()

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        was_up, self.up = self.up, False
        if was_up:
            log.info("agent %s: leg down", self.work_no)
        customer, self.customer = self.customer, None
        if customer is not None:
            customer.agent_left()
        if self.port is not None:
            port, self.port = self.port, None
            self.driver.media_relay().close_port(port)
        self.driver.leg_ended(self, was_up)
        self.settled.set()


def parse_sip_uri(uri: str) -> tuple[str, str, int]:
    """``sip:user@host[:port]`` -> (user, host, port); ValueError otherwise."""
    text = uri.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text.lower().startswith("sip:"):
        raise ValueError(f"not a sip: URI: {uri!r}")
    user, at, rest = text[4:].partition("@")
    if not at or not user:
        raise ValueError(f"no user part in {uri!r}")
    address = rest.split(";", 1)[0]
    host, _, port = address.partition(":")
    if not host or (port and not port.isdigit()):
        raise ValueError(f"bad host or port in {uri!r}")
    return user, host, int(port) if port else 5060


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
        self._relay: relay.MediaRelay | None = None
        self._compliance: dict[str, bytes] = {}  # codec -> the compliance message, encoded
        #: agent legs by workNo: touched on the loop thread only
        self.legs: dict[str, _AgentLeg] = {}
        self._dropped: list[str] = []  # legs that went down by themselves, not yet told
        self.agent_rtp_timeout = AGENT_RTP_TIMEOUT_SECONDS
        self.agent_ring_seconds = AGENT_RING_SECONDS

    # --- what the dialer loop asks -------------------------------------------------------
    def admit(self, campaign: dict[str, Any]) -> None:
        """Check a campaign before any of its numbers is claimed; CampaignRefused if not."""
        campaign_id = int(campaign["id"])
        device = int(campaign.get("deviceType") or 0)
        self._device[campaign_id] = device
        ivr_param = campaign.get("ivrParam")
        ivr: dict[str, Any] = ivr_param if isinstance(ivr_param, dict) else {}
        self._amd[campaign_id] = device == NOTIFICATION and ivr.get("amd") in AMD_ON
        if device in AGENT_MODES:
            # an answer no agent can take hears the compliance message: without it such a
            # call would be silence then a hang-up, so the campaign waits for the file
            try:
                self._load_compliance()
            except PromptInvalid as exc:
                raise CampaignRefused(
                    f"agent campaign without its compliance message: {exc}"
                ) from None
            return
        if device != NOTIFICATION:
            raise CampaignRefused(
                f"deviceType {device} is neither a notification nor an agent campaign"
            )
        try:
            self._prompts[campaign_id] = load_prompt(
                prompt_path(self.config.prompts_dir, campaign_id)
            )
        except PromptInvalid as exc:
            self._prompts.pop(campaign_id, None)
            raise CampaignRefused(str(exc)) from None

    # --- agent campaigns ----------------------------------------------------------------
    def media_relay(self) -> relay.MediaRelay:
        with self._lock:
            if self._relay is None:
                self._relay = relay.MediaRelay(self.config.bind[0], self.config.rtp_ports)
            return self._relay

    def _load_compliance(self) -> None:
        path = self.config.prompts_dir / COMPLIANCE_PROMPT
        prompt = load_prompt(path)
        with self._lock:
            self._compliance = {
                codec: relay.encode(prompt.pcm16, codec) for codec in self.config.codecs
            }

    def compliance(self, codec: str) -> bytes:
        with self._lock:
            return self._compliance.get(codec, b"")

    def open_leg(self, work_no: str, sip_uri: str) -> bool:
        """Call an agent's phone and keep the call up; True when it answered (blocking, up
        to ``agent_ring_seconds``). A leg already up for that agent is kept."""
        placed = [_AgentLeg(self, work_no, sip_uri)]
        opened = threading.Event()

        def begin() -> None:
            current = self.legs.get(work_no)
            if current is not None and not current.ended:
                placed[0] = current
            else:
                self.legs[work_no] = placed[0]
                placed[0].start()
            opened.set()

        self.stack.call(begin)
        opened.wait(5.0)
        leg = placed[0]
        if not leg.settled.wait(self.agent_ring_seconds + GRACE_SECONDS):
            self.stack.call(leg.close)
        if not leg.up:
            log.warning(
                "agent %s: login call to %s not answered (SIP %s)", work_no, sip_uri, leg.sip_code
            )
        return leg.up

    def close_leg(self, work_no: str) -> None:
        """Hang up an agent's leg (the agent logged out); not reported as dropped."""

        def close() -> None:
            leg = self.legs.pop(work_no, None)
            if leg is not None:
                leg.close()

        self.stack.call(close)

    def legs_up(self) -> set[str]:
        """The agents whose leg is up now."""
        return {work_no for work_no, leg in list(self.legs.items()) if leg.up}

    def legs_dropped(self) -> list[str]:
        """Agents whose leg went down by itself since the last ask (BYE, RTP timeout)."""
        with self._lock:
            dropped, self._dropped = self._dropped, []
        return dropped

    def leg_ended(self, leg: _AgentLeg, was_up: bool) -> None:
        """(loop thread) A leg ended; one that was up and not closed by us is dropped."""
        if self.legs.get(leg.work_no) is leg:
            del self.legs[leg.work_no]
            if was_up:
                with self._lock:
                    self._dropped.append(leg.work_no)

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
        if call.for_agent:
            self._serve_agent_call(attempt, call)
        else:
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
        if attempt.bridged_at:
            log.info(
                "call %s bridged to agent %s %d ms after the answer, %d ms of its audio "
                "relayed to the agent",
                outcome.call_id,
                attempt.bridged_to,
                (attempt.bridged_at - attempt.answered) * 1000,
                attempt.relayed_ms,
            )
        if attempt.compliance_at:
            log.info(
                "call %s: no agent free, compliance message started %d ms after the answer",
                outcome.call_id,
                (attempt.compliance_at - attempt.answered) * 1000,
            )
        return outcome

    def _serve_agent_call(self, attempt: _Attempt, call: CallRequest) -> None:
        """(worker thread) Ring, then on the answer find the agent (predictive: ask
        ``take_agent`` until ``agent_wait_seconds``), then wait for the call's end."""
        if not attempt.answered_event.wait(call.max_alerting_seconds + GRACE_SECONDS):
            self.stack.call(attempt.abort)
            attempt.done.wait(5.0)
            return
        if attempt.answered and call.work_no is None and call.take_agent is not None:
            deadline = attempt.answered + call.agent_wait_seconds
            while attempt.seen is None:
                try:
                    work_no = call.take_agent()
                except Exception:  # the server unreachable: the same as no agent free
                    log.exception("taking an agent for %s failed", call.numbers[0])
                    work_no = None
                if work_no is not None:
                    attempt.taken = work_no
                    self.stack.call(attempt.bridge_to, work_no)
                    break
                if time.monotonic() + TAKE_RETRY_SECONDS >= deadline:
                    self.stack.call(attempt.play_compliance)
                    break
                time.sleep(TAKE_RETRY_SECONDS)
        attempt.agent_decided.wait(5.0)
        if attempt.bridged_to is not None and call.bridged is not None:
            try:
                call.bridged(attempt.bridged_to)
            except Exception:
                log.exception(
                    "telling the bridge of %s to agent %s failed",
                    call.numbers[0],
                    attempt.bridged_to,
                )
        attempt.done.wait()

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
