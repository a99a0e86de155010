"""The route table: every fact about an OpenAPI interface, in one place.

For each interface: its handler (``key``: router module and function), method, path
template, summary, the result errors its use case may answer, whether its POST changes
nothing (a reusable signature), and whether its body may exceed ``max_body_bytes``. The
app registers the handlers from it (``routes/*`` name their entry by key), the gate reads
the replay and body-size facts, and the OpenAPI document reads the summary, the path
parameters and the codes. The codes are derived: success, 0200001, the store failure and
the field codes every interface answers, the codes of the route's errors (their ``code``
in the catalogue) and the codes its body's field rules can break (``wire/validation``).
``tests/unit/test_route_codes.py`` checks that a route's errors cover every error its
handler and service can raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.agents import WORK_NO
from ..errors import (
    FIELD_CODES,
    AgentLoginFailed,
    AgentNotFound,
    AgentNotInCampaign,
    AgentStateForbids,
    AlreadyBlacklisted,
    AppError,
    AttemptNotFound,
    BatchAlreadyPaused,
    BatchNameTaken,
    BatchNotFound,
    BatchNotPaused,
    BatchRenameTaken,
    BeginTimeInPast,
    Blacklisted,
    CalledTooFrequently,
    CallerNumbersFull,
    CampaignEnded,
    CampaignForbidsBatchChange,
    CampaignNameTaken,
    CampaignNotFound,
    CampaignNotPreview,
    CampaignStillStarted,
    ContactPolicyInUse,
    ContactPolicyNotFound,
    ContactPolicyUnknown,
    DialerCode,
    DisplayResultNotFound,
    DuplicateImportFile,
    DuplicateNumbers,
    ErrorCode,
    ExpectedCountMismatch,
    FileServerNotFound,
    FileServerTaken,
    ImportTaskNotFound,
    LegalHold,
    NotBlacklisted,
    NumberBeingCalled,
    NumberNotFound,
    RecordNotReserved,
    ReservationExecuted,
    ReservationNotFound,
    RestoreRefused,
    ResultRangeFormat,
    ResultRangeIncomplete,
    ResultRangeOrder,
    ResultRangeTooLong,
    SpecialDateNameTaken,
    SpecialDateNotFound,
    StateForbidsAdding,
    StateForbidsNumberDelete,
    StateForbidsTransition,
    SubStatusMismatch,
    TemplateNameTaken,
    TemplateNotFound,
    TemplateSourceNotFound,
    TooManyBatches,
    TooManyPerCall,
    TooManyUncompleted,
    WorkNoTaken,
    WriteBackFailed,
)
from ..wire.paths import DIALER_BASE, V1, V2
from ..wire.validation import INT32_MAX, INT64_MAX

#: path parameter -> (minimum, maximum): every path parameter is such an integer
PATH_RANGES: dict[str, tuple[int, int]] = {
    "vdnId": (1, 9999),
    "campaignId": (1, INT32_MAX),
    "dataId": (1, INT64_MAX),
    "defId": (1, INT64_MAX),
    "campaignTemplateId": (1, INT32_MAX),
    "serverId": (1, INT32_MAX),
    "policyId": (1, INT32_MAX),
}
#: path parameter -> (pattern, its rule in words): the text path parameters
PATH_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "workNo": (WORK_NO, "1 to 32 digits and letters"),
}
_PARAMETER = re.compile(r"\{([A-Za-z]+)\}")
#: the codes every envelope interface may answer, whatever it does
ALWAYS = (ErrorCode.SUCCESS, ErrorCode.PARAMETER_ERROR, ErrorCode.DATABASE_ERROR)
#: what the dialer interfaces' result codes mean
DIALER_MEANINGS = {
    DialerCode.SUCCESS: "success",
    DialerCode.INVALID_REQUEST: "invalid request",
    DialerCode.NOT_CALLING: "number not calling under this key",
    DialerCode.STORE_FAILURE: "store failure",
    DialerCode.AGENT_UNKNOWN: "no such agent on this dialer",
    DialerCode.AGENT_STATE: "the agent's state does not allow this event",
}


@dataclass(frozen=True)
class Route:
    key: str
    method: str | tuple[str, ...]
    path: str
    summary: str
    errors: tuple[type[AppError], ...] = ()
    #: codes its own rules answer through InvalidParameter, beyond the field codes
    rule_codes: tuple[ErrorCode, ...] = ()
    #: a POST that changes nothing: its signature may be used again within the window
    replay_exempt: bool = False
    #: the setting holding its body limit, when larger than ``max_body_bytes``
    large_body: str | None = None
    #: answers ``{"result": code}`` (DialerCode), not the envelope
    dialer: bool = False
    #: False for the 405 answers to wrong methods, which are not interfaces
    documented: bool = True
    #: why it answers HTTP 429 beyond the access key's rate limit (its own flow control)
    flow_control: str | None = None

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.method,) if isinstance(self.method, str) else self.method

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(_PARAMETER.findall(self.path))

    @property
    def pattern(self) -> re.Pattern[str]:
        literal = re.escape(self.path).replace(r"\{", "{").replace(r"\}", "}")
        return re.compile(_PARAMETER.sub("[^/]+", literal) + r"\Z")

    def codes(self, *extra: str) -> list[str]:
        """The result codes it documents (``extra``: those its field rules add)."""
        if self.dialer:
            return [str(code) for code in DialerCode]
        codes = {*ALWAYS, *FIELD_CODES, *(e.code for e in self.errors), *self.rule_codes, *extra}
        return sorted(str(code) for code in codes)

    def specificity(self) -> tuple[int, ...]:
        """Sorts a path with a literal segment before one with a parameter there, so a
        literal (``…/{vdnId}/blocklist``) is never taken for a parameter (``{campaignId}``)."""
        return tuple(1 if part.startswith("{") else 0 for part in self.path.split("/"))


ROUTES: tuple[Route, ...] = (
    Route(
        "blacklist.add",
        "POST",
        V1 + "/campaigns/{vdnId}/blocklist/add",
        "Add numbers to the blacklist",
        errors=(
            AlreadyBlacklisted,
            DuplicateNumbers,
            TooManyPerCall,
        ),
    ),
    Route(
        "blacklist.query",
        "POST",
        V1 + "/campaigns/{vdnId}/blocklist/query",
        "Query the blacklist",
        errors=(TooManyPerCall,),
        replay_exempt=True,
    ),
    Route(
        "blacklist.delete_one",
        "POST",
        V1 + "/campaigns/{vdnId}/blocklist/delete",
        "Delete one number from the blacklist",
        errors=(NotBlacklisted,),
    ),
    Route(
        "blacklist.delete_all",
        "DELETE",
        V1 + "/campaigns/{vdnId}/blocklist",
        "Delete the whole blacklist of the VDN",
    ),
    Route(
        "lifecycle.preview",
        "POST",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/delete/preview",
        "Preview a delete: what the same body would delete and keep; changes nothing",
        errors=(CampaignNotFound,),
        replay_exempt=True,
    ),
    Route(
        "lifecycle.restore",
        "POST",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/history/restore",
        "Restore numbers from history, all or nothing",
        errors=(
            Blacklisted,
            CampaignNotFound,
            RestoreRefused,
            StateForbidsAdding,
            TooManyUncompleted,
        ),
    ),
    Route(
        "lifecycle.rollback",
        "POST",
        V1 + "/campaigns/{vdnId}/calldatafile/{campaignId}/rollback",
        "Roll back a file import: remove the numbers it added that are still deletable",
        errors=(
            CampaignNotFound,
            ImportTaskNotFound,
            StateForbidsNumberDelete,
        ),
    ),
    Route(
        "lifecycle.erase",
        "POST",
        V1 + "/campaigns/{vdnId}/erasure",
        "Erase a person's number from the VDN and refuse it from now on",
        errors=(
            LegalHold,
            NumberBeingCalled,
        ),
    ),
    Route(
        "definitions.add_business_result",
        "POST",
        V1 + "/campaigns/{vdnId}/addBusinessResult",
        "Add a business-result definition with its sub-results",
    ),
    Route(
        "definitions.query_business_results",
        "GET",
        V1 + "/campaigns/{vdnId}/queryBusinessResults",
        "Query the business-result definitions of a VDN",
    ),
    Route(
        "definitions.create_display_result",
        "POST",
        V1 + "/campaigns/{vdnId}/createObResult",
        "Create a display result shown for platform failCodes",
    ),
    Route(
        "definitions.delete_display_result",
        "DELETE",
        V1 + "/campaigns/{vdnId}/{defId}/deleteObsResult",
        "Delete a display result",
        errors=(DisplayResultNotFound,),
    ),
    Route(
        "definitions.query_display_results",
        "GET",
        V1 + "/campaigns/{vdnId}/queryOBSResults",
        "Query the display results of a VDN",
    ),
    Route(
        "definitions.query_display_result",
        "GET",
        V1 + "/campaigns/{vdnId}/{defId}/queryObsResultDetail",
        "Query one display result with the failCodes it shows",
        errors=(DisplayResultNotFound,),
    ),
    Route(
        "definitions.query_result_codes",
        "GET",
        V1 + "/campaigns/{vdnId}/queryOBSResultCode",
        "Query the platform's outbound result codes (failCodes)",
    ),
    Route(
        "call_records.records_v1",
        "POST",
        V1 + "/campaigns/{vdnId}/callRecord",
        "Query the dialogue records of a call (v1)",
        errors=(NumberNotFound,),
        replay_exempt=True,
    ),
    Route(
        "call_records.records_v2",
        "POST",
        V2 + "/campaigns/{vdnId}/callRecord",
        "Query the dialogue records of a call (v2, paged)",
        errors=(NumberNotFound,),
        replay_exempt=True,
    ),
    Route(
        "call_records.fail_categories",
        "GET",
        V1 + "/campaigns/{vdnId}/failcategorystatistics",
        "Failed attempts of a campaign by failCode, per day",
        errors=(CampaignNotFound,),
    ),
    Route(
        "templates.create",
        "POST",
        V1 + "/campaigns/{vdnId}/template",
        "Add a campaign template",
        errors=(TemplateNameTaken,),
    ),
    Route(
        "templates.copy",
        "POST",
        V1 + "/campaigns/{vdnId}/template/copy",
        "Add a campaign template from a campaign or a template",
        errors=(
            TemplateNameTaken,
            TemplateSourceNotFound,
        ),
    ),
    Route(
        "templates.query",
        "GET",
        V1 + "/campaigns/{vdnId}/template",
        "Query the campaign templates of a VDN",
    ),
    Route(
        "templates.update",
        "PUT",
        V1 + "/campaigns/{vdnId}/template/{campaignTemplateId}/update",
        "Modify a campaign template (its device type stays)",
        errors=(
            TemplateNameTaken,
            TemplateNotFound,
        ),
    ),
    Route(
        "templates.query_one",
        "GET",
        V1 + "/campaigns/{vdnId}/template/{campaignTemplateId}",
        "Query one campaign template",
        errors=(TemplateNotFound,),
    ),
    Route(
        "blackfile.upload",
        "POST",
        V1 + "/campaigns/{vdnId}/blackfile/upload",
        "Import a blacklist file carried in the body (isales extension)",
        errors=(TooManyPerCall,),
        large_body="import_max_body_bytes",
    ),
    Route(
        "blackfile.query",
        "POST",
        V1 + "/campaigns/{vdnId}/blackfile/queryDataImportTask",
        "Blacklist import tasks of the VDN, newest first",
        replay_exempt=True,
    ),
    Route(
        "reservations.create",
        "POST",
        V1 + "/campaigns/{vdnId}/appoint/create",
        "Create a reserved call",
        errors=(
            Blacklisted,
            CampaignNotFound,
        ),
    ),
    Route(
        "reservations.delete",
        "POST",
        V1 + "/campaigns/{vdnId}/appoint/delete",
        "Delete a reserved call not yet dialled",
        errors=(
            ReservationExecuted,
            ReservationNotFound,
        ),
    ),
    Route(
        "reservations.update",
        "POST",
        V1 + "/campaigns/{vdnId}/appoint/update",
        "Modify a manual reserved call not yet dialled",
        errors=(
            ReservationExecuted,
            ReservationNotFound,
        ),
    ),
    Route(
        "reservations.list_",
        "POST",
        V1 + "/campaigns/{vdnId}/appoint/list",
        "List reserved calls, by appointment time",
        replay_exempt=True,
    ),
    Route(
        "reservations.update_result",
        "POST",
        V1 + "/campaigns/{vdnId}/appoint/updateResult",
        "Record the result of a reserved call",
        errors=(ReservationNotFound,),
    ),
    Route(
        "obs.interface",
        "POST",
        DIALER_BASE + "/interface",
        "The paths of the dialer-facing interfaces",
        dialer=True,
        replay_exempt=True,
    ),
    Route(
        "obs.mid_result",
        "POST",
        DIALER_BASE + "/push/midresult",
        "A call still in progress: renew its lease",
        dialer=True,
    ),
    Route(
        "obs.is_holiday",
        "POST",
        DIALER_BASE + "/isholiday",
        "Whether today is a special date of a campaign",
        dialer=True,
        replay_exempt=True,
    ),
    Route(
        "obs.group_call_data",
        "POST",
        V1 + "/campaigns/{vdnId}/groupcalldata",
        "Add numbers to a task group (a campaign of the VDN)",
        errors=(
            BatchNotFound,
            Blacklisted,
            CalledTooFrequently,
            CampaignNotFound,
            DuplicateNumbers,
            StateForbidsAdding,
            TooManyPerCall,
            TooManyUncompleted,
        ),
    ),
    Route(
        "file_servers.add_server",
        "POST",
        V1 + "/campaigns/{vdnId}/file/addServer",
        "Add an SFTP file server",
        errors=(FileServerTaken,),
    ),
    Route(
        "file_servers.update_server",
        "POST",
        V1 + "/campaigns/{vdnId}/file/{serverId}/updateServer",
        "Change an SFTP file server",
        errors=(
            FileServerNotFound,
            FileServerTaken,
        ),
    ),
    Route(
        "file_servers.delete_server",
        "POST",
        V1 + "/campaigns/{vdnId}/file/{serverId}/deleteServer",
        "Delete an SFTP file server",
        errors=(FileServerNotFound,),
    ),
    Route(
        "file_servers.query_servers",
        "POST",
        V1 + "/campaigns/{vdnId}/file/queryServer",
        "List the VDN's file servers (never their passwords)",
        replay_exempt=True,
    ),
    Route(
        "file_servers.blacklist_from_server",
        "POST",
        V1 + "/campaigns/{vdnId}/blackfile/uploadFileServer",
        "Import a blacklist file from a file server",
        errors=(
            FileServerNotFound,
            TooManyPerCall,
        ),
    ),
    Route(
        "campaigns.create_v1",
        "POST",
        V1 + "/campaigns/{vdnId}",
        "Create a campaign (v1)",
        errors=(
            BeginTimeInPast,
            CampaignNameTaken,
            ContactPolicyUnknown,
        ),
    ),
    Route(
        "campaigns.create_v2",
        "POST",
        V2 + "/campaigns/{vdnId}",
        "Create a campaign (v2)",
        errors=(
            BeginTimeInPast,
            CampaignNameTaken,
            ContactPolicyUnknown,
        ),
    ),
    Route(
        "campaigns.modify_v1",
        "PUT",
        V1 + "/campaigns/{vdnId}/{campaignId}",
        "Modify a campaign (v1)",
        errors=(
            BeginTimeInPast,
            CampaignEnded,
            CampaignNameTaken,
            CampaignNotFound,
            ContactPolicyUnknown,
        ),
    ),
    Route(
        "campaigns.modify_v2",
        "PUT",
        V2 + "/campaigns/{vdnId}/{campaignId}",
        "Modify a campaign (v2)",
        errors=(
            BeginTimeInPast,
            CampaignEnded,
            CampaignNameTaken,
            CampaignNotFound,
            ContactPolicyUnknown,
        ),
    ),
    Route(
        "campaigns.query_one",
        "GET",
        V1 + "/campaigns/{vdnId}/{campaignId}",
        "Query one campaign",
        errors=(CampaignNotFound,),
    ),
    Route("campaigns.list_campaigns", "GET", V1 + "/campaigns/{vdnId}", "List campaigns"),
    Route(
        "campaigns.pause",
        "PUT",
        V1 + "/campaigns/{vdnId}/{campaignId}/pause",
        "Pause a campaign (from status 2)",
        errors=(
            CampaignNotFound,
            StateForbidsTransition,
        ),
    ),
    Route(
        "campaigns.resume",
        "PUT",
        V1 + "/campaigns/{vdnId}/{campaignId}/resume",
        "Resume a campaign (from status 3)",
        errors=(
            CampaignNotFound,
            StateForbidsTransition,
        ),
    ),
    Route(
        "campaigns.delete",
        "DELETE",
        V1 + "/campaigns/{vdnId}/{campaignId}",
        "Delete a campaign (not while executing)",
        errors=(
            CampaignNotFound,
            CampaignStillStarted,
            LegalHold,
        ),
    ),
    Route(
        "numbers.add_v1",
        "POST",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}",
        "Add numbers (v1)",
        errors=(
            BatchNotFound,
            Blacklisted,
            CalledTooFrequently,
            CampaignNotFound,
            DuplicateNumbers,
            StateForbidsAdding,
            TooManyPerCall,
            TooManyUncompleted,
        ),
    ),
    Route(
        "numbers.add_v2",
        "POST",
        V2 + "/campaigns/{vdnId}/calldata/{campaignId}",
        "Add numbers (v2)",
        errors=(
            BatchNotFound,
            Blacklisted,
            CalledTooFrequently,
            CampaignNotFound,
            DuplicateNumbers,
            StateForbidsAdding,
            TooManyPerCall,
            TooManyUncompleted,
        ),
    ),
    Route(
        "numbers.delete_numbers",
        "POST",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/delete",
        "Delete numbers",
        errors=(
            CampaignNotFound,
            ExpectedCountMismatch,
            StateForbidsNumberDelete,
        ),
    ),
    Route(
        "numbers.history",
        "POST",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/history",
        "Query numbers moved to history (isales extension)",
        replay_exempt=True,
    ),
    Route(
        "numbers.delete_wrong_method",
        ("DELETE", "GET", "PATCH", "PUT"),
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/delete",
        "",
        documented=False,
    ),
    Route(
        "numbers.query_one",
        "GET",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/{dataId}",
        "Query one number",
        errors=(
            CampaignNotFound,
            NumberNotFound,
        ),
    ),
    Route(
        "dialer.tasks",
        "POST",
        DIALER_BASE + "/tasks",
        "Campaigns executing now",
        replay_exempt=True,
        dialer=True,
    ),
    Route(
        "dialer.callnos",
        "POST",
        DIALER_BASE + "/callnos",
        "Claim due numbers",
        replay_exempt=True,
        dialer=True,
    ),
    Route(
        "dialer.call_result",
        "POST",
        DIALER_BASE + "/call/result",
        "Report a call attempt",
        dialer=True,
    ),
    Route(
        "agents.create",
        "POST",
        V1 + "/campaigns/{vdnId}/agents",
        "Create an agent (isales extension)",
        errors=(CampaignNotFound, WorkNoTaken),
    ),
    Route(
        "agents.list_",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/list",
        "List agents and their states (isales extension)",
        replay_exempt=True,
    ),
    Route(
        "agents.login",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/login",
        "Log an agent in: a dialer calls it; READY once it answers (isales extension)",
        errors=(AgentLoginFailed, AgentNotFound, AgentStateForbids),
    ),
    Route(
        "agents.ready",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/ready",
        "Make a paused agent, or one in wrap-up, READY (isales extension)",
        errors=(AgentNotFound, AgentStateForbids),
    ),
    Route(
        "agents.pause",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/pause",
        "Pause an agent (isales extension)",
        errors=(AgentNotFound, AgentStateForbids),
    ),
    Route(
        "agents.logout",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/logout",
        "Log an agent out; its dialer drops the leg (isales extension)",
        errors=(AgentNotFound, AgentStateForbids),
    ),
    Route(
        "agents.next",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/next",
        "Preview: hold the next record for the agent (isales extension)",
        errors=(
            AgentNotFound,
            AgentNotInCampaign,
            AgentStateForbids,
            CampaignNotFound,
            CampaignNotPreview,
        ),
    ),
    Route(
        "agents.dial",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/dial",
        "Preview: dial the record held for the agent (isales extension)",
        errors=(AgentNotFound, AgentStateForbids, RecordNotReserved),
    ),
    Route(
        "agents.skip",
        "POST",
        V1 + "/campaigns/{vdnId}/agents/{workNo}/skip",
        "Preview: give back the record held for the agent (isales extension)",
        errors=(AgentNotFound, AgentStateForbids, RecordNotReserved),
    ),
    Route(
        "agents.delete",
        "DELETE",
        V1 + "/campaigns/{vdnId}/agents/{workNo}",
        "Delete a logged-out agent (isales extension)",
        errors=(AgentNotFound, AgentStateForbids),
    ),
    Route(
        "dialer.agent_legs",
        "POST",
        DIALER_BASE + "/agents/legs",
        "The VDN's agents as this dialer sees them; pending logins given to it (isales)",
        dialer=True,
    ),
    Route(
        "dialer.agent_event",
        "POST",
        DIALER_BASE + "/agents/event",
        "What happened on an agent's leg: up, failed, down, talking (isales)",
        dialer=True,
    ),
    Route(
        "dialer.agent_take",
        "POST",
        DIALER_BASE + "/agents/take",
        "Predictive: take the longest-READY agent for an answered call (isales)",
        dialer=True,
    ),
    Route(
        "policies.set_policy",
        "POST",
        V1 + "/campaigns/{vdnId}/retryPolicy/{campaignId}",
        "Set a campaign's retry policy",
        errors=(CampaignNotFound,),
    ),
    Route(
        "policies.get_policy",
        "GET",
        V1 + "/campaigns/{vdnId}/retryPolicy/{campaignId}",
        "Query a campaign's retry policy",
        errors=(CampaignNotFound,),
    ),
    Route(
        "business.write_back",
        "POST",
        V1 + "/campaigns/{vdnId}/callBusiResult/{dataId}",
        "Write back a call's business result",
        errors=(
            NumberNotFound,
            SubStatusMismatch,
            WriteBackFailed,
        ),
    ),
    Route(
        "results.query",
        "POST",
        V1 + "/campaigns/{vdnId}/callresult/{campaignId}",
        "Query call results",
        errors=(
            CampaignNotFound,
            ResultRangeFormat,
            ResultRangeIncomplete,
            ResultRangeOrder,
            ResultRangeTooLong,
        ),
        replay_exempt=True,
    ),
    Route(
        "results.detail",
        "GET",
        V1 + "/campaigns/{vdnId}/callresultdetail/{callId}",
        "Query one call result",
        errors=(NumberNotFound,),
    ),
    Route(
        "statistics.statistics",
        "GET",
        V2 + "/campaigns/{vdnId}/statistics",
        "Today's statistics per campaign and batch",
        errors=(CampaignNotFound,),
        flow_control="flow control: this VDN and campaignId were answered too recently",
    ),
    # contact policies (docs/contact-policies.md)
    Route(
        "contacts.settings_get",
        "GET",
        V1 + "/campaigns/{vdnId}/contactsettings",
        "The VDN's contact settings (isales extension)",
    ),
    Route(
        "contacts.settings_put",
        "PUT",
        V1 + "/campaigns/{vdnId}/contactsettings",
        "Change the VDN's contact settings: the fields given (isales extension)",
        rule_codes=(ErrorCode.WRONG_VALUE,),
    ),
    Route(
        "contacts.presets",
        "GET",
        V1 + "/campaigns/{vdnId}/contactpolicies/presets",
        "The contact-policy presets (rules as commonly quoted; not legal advice)",
    ),
    Route(
        "contacts.policy_add",
        "POST",
        V1 + "/campaigns/{vdnId}/contactpolicies",
        "Add a contact policy (its version 1)",
        rule_codes=(ErrorCode.WRONG_VALUE, ErrorCode.WRONG_COMBINATION, ErrorCode.EMPTY),
    ),
    Route(
        "contacts.policy_list",
        "POST",
        V1 + "/campaigns/{vdnId}/contactpolicies/list",
        "List the contact policies (with includeVersions 1: every version)",
        replay_exempt=True,
    ),
    Route(
        "contacts.policy_replace",
        "PUT",
        V1 + "/campaigns/{vdnId}/contactpolicies/{policyId}",
        "Replace a contact policy (a new version; the old one is kept)",
        errors=(ContactPolicyNotFound,),
        rule_codes=(ErrorCode.WRONG_VALUE, ErrorCode.WRONG_COMBINATION, ErrorCode.EMPTY),
    ),
    Route(
        "contacts.policy_delete",
        "DELETE",
        V1 + "/campaigns/{vdnId}/contactpolicies/{policyId}",
        "End a contact policy's current version (refused while a campaign names it)",
        errors=(ContactPolicyInUse, ContactPolicyNotFound),
    ),
    Route(
        "contacts.explain",
        "POST",
        V1 + "/campaigns/{vdnId}/contacts/explain",
        "Why a number was, or would be, handed out (or why a recorded attempt was)",
        errors=(AttemptNotFound, CampaignNotFound, NumberNotFound),
        rule_codes=(ErrorCode.WRONG_VALUE, ErrorCode.WRONG_COMBINATION, ErrorCode.EMPTY),
        replay_exempt=True,
    ),
    Route(
        "special_dates.add",
        "POST",
        V1 + "/campaigns/{vdnId}/holiday/{campaignId}",
        "Add a special date (holiday) to a campaign",
        errors=(
            CampaignNotFound,
            SpecialDateNameTaken,
        ),
        rule_codes=(ErrorCode.TIME_FORMAT,),
    ),
    Route(
        "special_dates.query",
        "GET",
        V1 + "/campaigns/{vdnId}/holiday/{campaignId}",
        "Query the special dates of a campaign",
        errors=(CampaignNotFound,),
    ),
    Route(
        "special_dates.delete",
        "DELETE",
        V1 + "/campaigns/{vdnId}/holiday/{campaignId}",
        "Delete a special date of a campaign",
        errors=(
            CampaignNotFound,
            SpecialDateNotFound,
        ),
    ),
    Route(
        "caller_numbers.add",
        "POST",
        V1 + "/campaigns/{vdnId}/callerNo/{campaignId}",
        "Add calling numbers to a campaign",
        errors=(
            CallerNumbersFull,
            CampaignNotFound,
            DuplicateNumbers,
            TooManyPerCall,
        ),
    ),
    Route(
        "caller_numbers.delete",
        "DELETE",
        V1 + "/campaigns/{vdnId}/callerNo/{campaignId}",
        "Delete calling numbers of a campaign (one must remain)",
        errors=(
            CampaignNotFound,
            DuplicateNumbers,
            TooManyPerCall,
        ),
    ),
    Route(
        "imports.upload",
        "POST",
        V1 + "/campaigns/{vdnId}/calldatafile/upload/{campaignId}",
        "Import a number file: CSV or XLSX in the body, imported asynchronously",
        errors=(
            CampaignNotFound,
            DuplicateImportFile,
            FileServerNotFound,
            TooManyPerCall,
        ),
        large_body="import_max_body_bytes",
    ),
    Route(
        "imports.upload_file_server",
        "POST",
        V1 + "/campaigns/{vdnId}/calldatafile/uploadFileServer/{campaignId}",
        "Import a number file from a file server (serverId), or carried in the body",
        errors=(
            CampaignNotFound,
            DuplicateImportFile,
            FileServerNotFound,
            TooManyPerCall,
        ),
        large_body="import_max_body_bytes",
    ),
    Route(
        "imports.query",
        "POST",
        V1 + "/campaigns/{vdnId}/calldatafile/queryDataImportTask/{campaignId}",
        "Query file import tasks: Huawei's page (offset/limit), or one task with its error "
        "report, or the campaign's list (isales taskId/pageNum/pageSize)",
        errors=(ImportTaskNotFound,),
        replay_exempt=True,
    ),
    Route(
        "export.list_numbers",
        "POST",
        V1 + "/campaigns/{vdnId}/calldata/{campaignId}/list",
        "List a campaign's numbers after a dataId, in dataId order (isales extension)",
        errors=(CampaignNotFound,),
        replay_exempt=True,
    ),
    Route(
        "batches.create",
        "POST",
        V1 + "/campaigns/{vdnId}/callbatch/{campaignId}/create",
        "Add a call batch to a campaign",
        errors=(
            BatchNameTaken,
            CampaignNotFound,
            TooManyBatches,
        ),
    ),
    Route(
        "batches.query",
        "GET",
        V1 + "/campaigns/{vdnId}/callbatch/{campaignId}/list",
        "Query the call batches of a campaign (a JSON body on GET, as Huawei's page)",
        errors=(CampaignNotFound,),
    ),
    Route(
        "batches.update",
        "POST",
        V1 + "/campaigns/{vdnId}/callbatch/{campaignId}/update",
        "Rename a call batch",
        errors=(
            BatchNotFound,
            BatchRenameTaken,
            CampaignNotFound,
        ),
    ),
    Route(
        "batches.pause_batch",
        "POST",
        V1 + "/campaigns/{vdnId}/callbatch/{campaignId}/pause",
        "Pause a call batch",
        errors=(
            BatchAlreadyPaused,
            BatchNotFound,
            CampaignForbidsBatchChange,
            CampaignNotFound,
        ),
    ),
    Route(
        "batches.resume_batch",
        "POST",
        V1 + "/campaigns/{vdnId}/callbatch/{campaignId}/resume",
        "Resume a call batch",
        errors=(
            BatchNotFound,
            BatchNotPaused,
            # shared with pause in BatchService.change; resume itself never answers it
            CampaignForbidsBatchChange,
            CampaignNotFound,
        ),
    ),
    Route(
        "batches.delete",
        "POST",
        V1 + "/campaigns/{vdnId}/callbatch/{campaignId}/delete",
        "Delete a call batch and its deletable numbers (the seed's rules)",
        errors=(
            BatchNotFound,
            CampaignNotFound,
            StateForbidsNumberDelete,
        ),
    ),
)

BY_KEY: dict[str, Route] = {route.key: route for route in ROUTES}


def route(key: str) -> Route:
    return BY_KEY[key]


def matching(path: str) -> list[Route]:
    """The routes whose template matches a request path."""
    return [route for route in ROUTES if route.pattern.match(path)]


def routed_endpoints() -> dict[str, Callable[..., Any]]:
    """key -> handler, for every handler the routers register."""
    from ..config import Settings
    from .routes import ROUTERS

    settings = Settings(db_url="sqlite://")  # in memory: building a router opens nothing
    endpoints: dict[str, Callable[..., Any]] = {}
    for build in ROUTERS:
        for api_route in build(settings).routes:
            endpoint = getattr(api_route, "endpoint", None)
            key = getattr(endpoint, "route_key", None)
            if endpoint is not None and key is not None:
                endpoints[key] = endpoint
    return endpoints
