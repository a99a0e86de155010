"""The OpenAPI's catalogue: every result code, and the error that answers each.

Codes travel in the JSON body (``resultCode``/``returnCode``) of an HTTP 200 answer; only
authentication (401), VDN grants (403) and flow control (429) use HTTP statuses.

Each error declares its ``code`` as data. CC-iSales gives some numbers a different meaning
per interface (``0200009`` is "campaign still started" on campaign delete and "begin/end
format wrong" on result queries), so :class:`ErrorCode` names a number once, after its
first meaning, and the errors that reuse it say so beside their ``code``. The meaning a
client reads is the error's: its docstring is its default ``resultDesc``.
"""

from __future__ import annotations

from enum import StrEnum, unique

from .base import IsalesError


@unique
class ErrorCode(StrEnum):
    SUCCESS = "0200000"
    PARAMETER_ERROR = "0200001"
    BEGIN_TIME_IN_PAST = "0200002"
    CAMPAIGN_NAME_TAKEN = "0200005"
    DATABASE_ERROR = "0200006"
    CAMPAIGN_NOT_FOUND = "0200007"
    RESULT_RANGE_INCOMPLETE = "0200008"
    CAMPAIGN_STILL_STARTED = "0200009"  # also: result query dates not YYYY-MM-DD
    RESULT_RANGE_ORDER = "0200010"
    STATE_FORBIDS_TRANSITION = "0200011"  # also: result query range over 30 days
    CAMPAIGN_ENDED = "0200016"
    DUPLICATE_NUMBERS = "0200018"
    STATE_FORBIDS_ADDING = "0200019"
    TOO_MANY_UNCOMPLETED = "0200020"
    CALLED_TOO_FREQUENTLY = "0200022"
    BLACKLISTED = "0200024"
    STATE_FORBIDS_NUMBER_DELETE = "0200028"
    TOO_MANY_PER_CALL = "0200029"
    TIME_FORMAT = "0200030"
    DATA_NOT_FOUND = "0200033"
    SUB_STATUS_MISMATCH = "0200034"
    WRITE_BACK_FAILED = "0200999"
    # field validation (wire/validation.py)
    EMPTY = "02000001"
    INVALID_CHARACTERS = "02000002"
    TOO_LONG = "02000003"
    TOO_SHORT = "02000004"
    LENGTH_OUT_OF_RANGE = "02000005"
    WRONG_TYPE = "02000006"
    WRONG_VALUE = "02000007"
    CONVERSION = "02000008"
    WRONG_COMBINATION = "02000009"
    HOUR_MINUTE_TOGETHER = "02000010"
    TOO_MANY_PARAMETERS = "02000011"
    # isales data-lifecycle extensions (docs/api.md, "Data lifecycle")
    EXPECTED_COUNT_MISMATCH = "0209001"
    IDEMPOTENCY_KEY_REUSED = "0209002"
    RESTORE_REFUSED = "0209003"
    LEGAL_HOLD = "0209004"
    NUMBER_BEING_CALLED = "0209005"
    DUPLICATE_IMPORT_FILE = "0209006"
    # agents (docs/api.md, "Agents"): 02091xx
    AGENT_LOGIN_FAILED = "0209101"
    AGENT_NOT_FOUND = "0209102"
    WORK_NO_TAKEN = "0209103"
    AGENT_STATE_FORBIDS = "0209104"
    AGENT_NOT_IN_CAMPAIGN = "0209105"
    RECORD_NOT_RESERVED = "0209106"
    CAMPAIGN_NOT_PREVIEW = "0209107"
    # contact policies (docs/contact-policies.md): 02092xx
    CONTACT_POLICY_UNKNOWN = "0209201"
    CONTACT_POLICY_IN_USE = "0209202"
    DNC_CHANGE_REFUSED = "0209203"
    INTEGRITY_MISMATCH = "0209204"
    VDN_REKEYING = "0209205"
    # call batches
    BATCH_NAME_TAKEN = "03000001"
    CAMPAIGN_FORBIDS_BATCH_CHANGE = "03000002"
    TOO_MANY_BATCHES = "03000003"
    BATCH_NOT_FOUND = "03000004"
    BATCH_ALREADY_PAUSED = "03000006"
    # reserved calls
    RESERVATION_NOT_FOUND = "04000004"
    RESERVATION_EXECUTED = "04000005"


#: the field-validation codes (02000001-02000011), answered by every interface that reads a
#: body or a query
FIELD_CODES = tuple(code for code in ErrorCode if len(code) == 8 and code.startswith("020000"))


# --- HTTP statuses ---------------------------------------------------------------------------


class AuthError(IsalesError):
    """Authentication failed."""

    http_status = 401


class Unauthenticated(AuthError):
    """The request signature is missing, malformed, expired or wrong."""


class Replayed(Unauthenticated):
    """replayed request"""


class VdnNotGranted(AuthError):
    """This access key is not granted that VDN."""

    http_status = 403


class FlowControlled(IsalesError):
    """Do not operate frequently, try later."""

    http_status = 429


class RateLimited(FlowControlled):
    """Too many requests for this access key; retry after the time in Retry-After."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__()


# --- result codes in the envelope ------------------------------------------------------------


class AppError(IsalesError):
    """The request failed: its ``code`` goes in the envelope. Every subclass declares one."""

    code: ErrorCode


class InvalidParameter(AppError):
    """Parameter error."""

    code = ErrorCode.PARAMETER_ERROR

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code = code  # validation says which rule broke
        super().__init__(message)


class StoreFailure(AppError):
    """Database operation error; nothing was changed."""

    code = ErrorCode.DATABASE_ERROR


# campaigns


class CampaignNotFound(AppError):
    """The outbound campaign does not exist."""

    code = ErrorCode.CAMPAIGN_NOT_FOUND


class CampaignNameTaken(AppError):
    """An outbound campaign with this name already exists in this VDN."""

    code = ErrorCode.CAMPAIGN_NAME_TAKEN


class BeginTimeInPast(AppError):
    """strBeginTime is earlier than 00:00 today (UTC)."""

    code = ErrorCode.BEGIN_TIME_IN_PAST


class CampaignStillStarted(AppError):
    """The outbound campaign is executing (or has calls in progress): pause it and wait."""

    code = ErrorCode.CAMPAIGN_STILL_STARTED


class StateForbidsTransition(AppError):
    """The current state of the outbound campaign does not allow this operation."""

    code = ErrorCode.STATE_FORBIDS_TRANSITION


class CampaignEnded(AppError):
    """The outbound campaign has already ended."""

    code = ErrorCode.CAMPAIGN_ENDED


# numbers


class DuplicateNumbers(AppError):
    """The request contains duplicate numbers."""

    code = ErrorCode.DUPLICATE_NUMBERS


class StateForbidsAdding(AppError):
    """The current state of the outbound campaign does not allow adding numbers."""

    code = ErrorCode.STATE_FORBIDS_ADDING


class TooManyUncompleted(AppError):
    """The campaign would exceed its limit of uncompleted numbers."""

    code = ErrorCode.TOO_MANY_UNCOMPLETED


class CalledTooFrequently(AppError):
    """The interface is invoked too frequently: wait at least 1 second between calls."""

    code = ErrorCode.CALLED_TOO_FREQUENTLY


class StateForbidsNumberDelete(AppError):
    """The number cannot be deleted in the current state."""

    code = ErrorCode.STATE_FORBIDS_NUMBER_DELETE


class TooManyPerCall(AppError):
    """The request carries more records than the per-call maximum."""

    code = ErrorCode.TOO_MANY_PER_CALL


class NumberNotFound(AppError):
    """The outbound data does not exist."""

    code = ErrorCode.DATA_NOT_FOUND


# blacklist


class Blacklisted(AppError):
    """The request contains a blacklisted number."""

    code = ErrorCode.BLACKLISTED


class AlreadyBlacklisted(AppError):
    """The number is already in the blacklist."""

    code = ErrorCode.CAMPAIGN_NOT_FOUND  # CC-iSales answers 0200007 on blacklist add


class NotBlacklisted(AppError):
    """The number is not in the blacklist."""

    code = ErrorCode.DATA_NOT_FOUND


# call results and business results


class SubStatusMismatch(AppError):
    """The sub-status does not match the business result."""

    code = ErrorCode.SUB_STATUS_MISMATCH


class WriteBackFailed(AppError):
    """The business-result write-back failed."""

    code = ErrorCode.WRITE_BACK_FAILED


class ResultRangeIncomplete(AppError):
    """beginTime and endTime must both be given or both be absent."""

    code = ErrorCode.RESULT_RANGE_INCOMPLETE


class ResultRangeFormat(AppError):
    """beginTime and endTime must be dates as YYYY-MM-DD."""

    code = ErrorCode.CAMPAIGN_STILL_STARTED  # the result query's meaning of 0200009


class ResultRangeOrder(AppError):
    """beginTime must be earlier than endTime."""

    code = ErrorCode.RESULT_RANGE_ORDER


class ResultRangeTooLong(AppError):
    """The query range may span at most 30 days."""

    code = ErrorCode.STATE_FORBIDS_TRANSITION  # the result query's meaning of 0200011


# caller numbers and special dates


class CallerNumbersFull(AppError):
    """The campaign would exceed its limit of calling numbers."""

    code = ErrorCode.TOO_MANY_UNCOMPLETED


class LastCallerNumber(AppError):
    """At least one calling number must remain in the campaign."""

    code = ErrorCode.PARAMETER_ERROR


class SpecialDateNameTaken(AppError):
    """A special date with this name already exists in this campaign."""

    code = ErrorCode.CAMPAIGN_NAME_TAKEN


class SpecialDateNotFound(AppError):
    """The special date does not exist in this campaign."""

    code = ErrorCode.DATA_NOT_FOUND


# file imports and file servers


class ImportTaskNotFound(AppError):
    """The data import task does not exist."""

    code = ErrorCode.DATA_NOT_FOUND


class FileServerNotFound(AppError):
    """The file server does not exist in this VDN."""

    code = ErrorCode.DATA_NOT_FOUND


class FileServerTaken(AppError):
    """A file server with this address and user already exists in this VDN."""

    code = ErrorCode.CAMPAIGN_NAME_TAKEN


class FileFetchFailed(AppError):
    """The file could not be fetched from the file server."""

    code = ErrorCode.PARAMETER_ERROR


# data lifecycle (docs/api.md, "Data lifecycle")


class ExpectedCountMismatch(AppError):
    """expectedCount differs from what the request would delete; nothing was deleted."""

    code = ErrorCode.EXPECTED_COUNT_MISMATCH

    def __init__(self, deletable: int) -> None:
        self.deletable = deletable
        super().__init__(
            f"expectedCount differs from the {deletable} numbers this request would delete; "
            "nothing was deleted"
        )


class IdempotencyKeyReused(AppError):
    """Idempotency-Key already used for a different request; nothing was executed."""

    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class RestoreRefused(AppError):
    """Restore refused: a listed number is not in history, or is live again; nothing restored."""

    code = ErrorCode.RESTORE_REFUSED


class LegalHold(AppError):
    """Refused by a legal hold on the campaign."""

    code = ErrorCode.LEGAL_HOLD


class NumberBeingCalled(AppError):
    """Erasure refused: the number is being dialled now; retry after the lease ends."""

    code = ErrorCode.NUMBER_BEING_CALLED


# call batches


class DuplicateImportFile(AppError):
    """The file has the same content as an earlier import of this campaign (isales extension).

    Importing it again would add every number twice; ``allowDuplicateFile`` overrides."""

    code = ErrorCode.DUPLICATE_IMPORT_FILE

    def __init__(self, earlier_task_id: int) -> None:
        super().__init__(
            f"this file was already imported into this campaign by import task "
            f"{earlier_task_id}: importing it again would add each of its numbers a second time"
        )
        self.earlier_task_id = earlier_task_id


class BatchNameTaken(AppError):
    """A call batch with this name already exists in this campaign."""

    code = ErrorCode.BATCH_NAME_TAKEN


class BatchRenameTaken(AppError):
    """Renaming a call batch to a name another batch of the campaign has.

    Huawei's add page answers 03000001 for a taken name; renaming keeps the code isales
    answered before (0200005) because the update page's error table was not read."""

    code = ErrorCode.CAMPAIGN_NAME_TAKEN


class TooManyBatches(AppError):
    """The campaign already has the maximum number of call batches."""

    code = ErrorCode.TOO_MANY_BATCHES


class CampaignForbidsBatchChange(AppError):
    """The current state of the outbound campaign does not allow changing its batches."""

    code = ErrorCode.CAMPAIGN_FORBIDS_BATCH_CHANGE


class BatchNotFound(AppError):
    """The call batch does not exist in this campaign."""

    code = ErrorCode.BATCH_NOT_FOUND


class BatchAlreadyPaused(AppError):
    """The call batch is already paused."""

    code = ErrorCode.BATCH_ALREADY_PAUSED


class BatchNotPaused(AppError):
    """The call batch is not paused, so it cannot be resumed."""

    code = ErrorCode.STATE_FORBIDS_TRANSITION


# business-result definitions and display results


class DefinitionTaken(AppError):
    """This code is already defined in this VDN."""

    code = ErrorCode.PARAMETER_ERROR


class UnknownBusinessResult(AppError):
    """The business result is not one of the VDN's defined business results."""

    code = ErrorCode.PARAMETER_ERROR


class TooManyDefinitions(AppError):
    """The VDN already has the maximum number of definitions of this kind."""

    code = ErrorCode.TOO_MANY_PARAMETERS


class DisplayResultNotFound(AppError):
    """The display result does not exist in this VDN."""

    code = ErrorCode.DATA_NOT_FOUND


# campaign templates


class TemplateNameTaken(AppError):
    """A campaign template with this name already exists in this VDN."""

    code = ErrorCode.CAMPAIGN_NAME_TAKEN


class TemplateNotFound(AppError):
    """The campaign template does not exist in this VDN."""

    code = ErrorCode.CAMPAIGN_NOT_FOUND


class TemplateSourceNotFound(AppError):
    """No campaign or campaign template with this id exists in this VDN."""

    code = ErrorCode.CAMPAIGN_NOT_FOUND


# reserved calls


class ReservationNotFound(AppError):
    """The reserved call does not exist."""

    code = ErrorCode.RESERVATION_NOT_FOUND


class ReservationExecuted(AppError):
    """The reserved call has already been executed (or is being dialled)."""

    code = ErrorCode.RESERVATION_EXECUTED


# agents (docs/api.md, "Agents")


class AgentLoginFailed(AppError):
    """The agent did not answer its login call (or no dialer placed it in time); logged out."""

    code = ErrorCode.AGENT_LOGIN_FAILED


class AgentNotFound(AppError):
    """No agent with this workNo exists in this VDN."""

    code = ErrorCode.AGENT_NOT_FOUND


class WorkNoTaken(AppError):
    """An agent with this workNo already exists in this VDN."""

    code = ErrorCode.WORK_NO_TAKEN


class AgentStateForbids(AppError):
    """The agent's current state does not allow this request; nothing was changed."""

    code = ErrorCode.AGENT_STATE_FORBIDS


class AgentNotInCampaign(AppError):
    """The agent does not work for that campaign."""

    code = ErrorCode.AGENT_NOT_IN_CAMPAIGN


class RecordNotReserved(AppError):
    """That record is not the one reserved to the agent (or its hold has lapsed)."""

    code = ErrorCode.RECORD_NOT_RESERVED


class CampaignNotPreview(AppError):
    """The campaign is not a preview campaign (deviceType 5)."""

    code = ErrorCode.CAMPAIGN_NOT_PREVIEW


# contact policies (docs/contact-policies.md)


class ContactPolicyUnknown(AppError):
    """A campaign's contactPolicy, or a request, names a contact policy or do-not-call
    source that does not exist in this VDN; nothing changed."""

    code = ErrorCode.CONTACT_POLICY_UNKNOWN


class ContactPolicyInUse(AppError):
    """The policy (or do-not-call source) is named by a campaign; nothing changed."""

    code = ErrorCode.CONTACT_POLICY_IN_USE


class DncChangeRefused(AppError):
    """A do-not-call change list does not follow the source's current version."""

    code = ErrorCode.DNC_CHANGE_REFUSED


class IntegrityMismatch(AppError):
    """A SHA-256, line count or trailer does not match the content; nothing loaded."""

    code = ErrorCode.INTEGRITY_MISMATCH


class VdnRekeying(AppError):
    """The VDN's numbers are being re-keyed; retry when its task has finished."""

    code = ErrorCode.VDN_REKEYING


class ContactPolicyNotFound(AppError):
    """No live contact policy with this id in the VDN (the family's not-found code)."""

    code = ErrorCode.DATA_NOT_FOUND


class AttemptNotFound(AppError):
    """No contact attempt with this id in the VDN."""

    code = ErrorCode.DATA_NOT_FOUND
