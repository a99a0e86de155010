"""The error catalogue: every result code the OpenAPI can answer, and the domain errors.

Codes travel in the JSON body (``resultCode``/``returnCode``) of an HTTP 200 answer; only
authentication (401), VDN grants (403), wrong methods (405), oversized bodies (413) and
flow control (429) use HTTP statuses. CC-iSales reuses some numbers with a different
meaning per interface (``0200009`` is "begin/end format wrong" on result queries and
"campaign still started" on campaign delete), so a code is named here by its situation.

The error tree (each class's docstring is its default ``resultDesc``)::

    IsalesError
    ├── AuthError                    HTTP 401 / 403, nothing executed
    │   ├── Unauthenticated          401
    │   └── VdnNotGranted            403
    └── AppError                     HTTP 200, code in the body
        ├── InvalidParameter         0200001 / 02000001..02000011 / 0200030 (validation)
        ├── CampaignNotFound         0200007
        ├── CampaignNameTaken        0200005
        ├── BeginTimeInPast          0200002
        ├── CampaignStillStarted     0200009
        ├── StateForbidsTransition   0200011
        ├── CampaignEnded            0200016
        ├── DuplicateNumbers         0200018
        ├── StateForbidsAdding       0200019
        ├── TooManyUncompleted       0200020
        ├── CalledTooFrequently      0200022
        ├── StateForbidsNumberDelete 0200028
        ├── TooManyPerCall           0200029
        ├── NumberNotFound           0200033
        ├── Blacklisted              0200024
        ├── AlreadyBlacklisted       0200007 (blacklist add)
        ├── SubStatusMismatch        0200034
        ├── WriteBackFailed          0200999
        ├── NotBlacklisted, SpecialDateNotFound, ImportTaskNotFound   0200033
        ├── CallerNumbersFull        0200020
        ├── SpecialDateNameTaken     0200005
        ├── LastCallerNumber         0200001
        ├── ResultRange*             0200008 / 0200009 / 0200010 / 0200011 (result query)
        ├── BatchNameTaken           0200005;  TooManyBatches 02000011
        ├── CampaignForbidsBatchChange 03000002; BatchNotFound 03000004
        ├── BatchAlreadyPaused       03000006; BatchNotPaused 0200011
        ├── DefinitionTaken, UnknownBusinessResult   0200001 (result definitions)
        ├── TooManyDefinitions       02000011; DisplayResultNotFound 0200033
        ├── TemplateNameTaken        0200005;  TemplateNotFound 0200007
        ├── ReservationNotFound      04000004 (reserved calls)
        ├── ReservationExecuted      04000005 (reserved calls)
        ├── FileServerNotFound       0200033 (file servers)
        ├── FileServerTaken          0200005 (file servers)
        ├── FileFetchFailed          0200001 (file-server import)
        ├── StoreFailure             0200006
        ├── ExpectedCountMismatch    0209001 (lifecycle extensions)
        ├── IdempotencyKeyReused     0209002
        ├── RestoreRefused           0209003
        ├── LegalHold                0209004
        └── NumberBeingCalled        0209005
    FlowControlled                   HTTP 429 (statistics)

Dialer-facing ("OBS") interfaces answer ``{"result": "<code>"}`` instead; their codes are
``DialerCode``.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    SUCCESS = "0200000"
    PARAMETER_ERROR = "0200001"
    BEGIN_TIME_IN_PAST = "0200002"
    CAMPAIGN_NAME_TAKEN = "0200005"
    DATABASE_ERROR = "0200006"
    CAMPAIGN_NOT_FOUND = "0200007"
    CAMPAIGN_STILL_STARTED = "0200009"
    STATE_FORBIDS_TRANSITION = "0200011"
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
    RESULT_RANGE_INCOMPLETE = "0200008"
    RESULT_RANGE_FORMAT = "0200009"
    RESULT_RANGE_ORDER = "0200010"
    RESULT_RANGE_TOO_LONG = "0200011"
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
    # isales lifecycle extensions (spec/lifecycle.md)
    EXPECTED_COUNT_MISMATCH = "0209001"
    IDEMPOTENCY_KEY_REUSED = "0209002"
    RESTORE_REFUSED = "0209003"
    LEGAL_HOLD = "0209004"
    NUMBER_BEING_CALLED = "0209005"
    # call batches (reference §5)
    CAMPAIGN_FORBIDS_BATCH_CHANGE = "03000002"
    BATCH_NOT_FOUND = "03000004"
    BATCH_ALREADY_PAUSED = "03000006"
    # issue 12 part B
    RESERVATION_NOT_FOUND = "04000004"
    RESERVATION_EXECUTED = "04000005"


class DialerCode(StrEnum):
    """``result`` values of the dialer-facing interfaces ("0" is success)."""

    SUCCESS = "0"
    INVALID_REQUEST = "1"
    NOT_CALLING = "2"
    STORE_FAILURE = "3"


class IsalesError(Exception):
    """An isales error."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (self.__doc__ or "").strip()
        super().__init__(self.message)


class AuthError(IsalesError):
    """Authentication failed."""

    http_status = 401


class Unauthenticated(AuthError):
    """The request signature is missing, malformed, expired or wrong."""


class VdnNotGranted(AuthError):
    """This access key is not granted that VDN."""

    http_status = 403


class AppError(IsalesError):
    """The request failed."""

    code: ErrorCode = ErrorCode.PARAMETER_ERROR


class InvalidParameter(AppError):
    """Parameter error."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code = code
        super().__init__(message)


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


class StoreFailure(AppError):
    """Database operation error; nothing was changed."""

    code = ErrorCode.DATABASE_ERROR


class Blacklisted(AppError):
    """The request contains a blacklisted number."""

    code = ErrorCode.BLACKLISTED


class AlreadyBlacklisted(AppError):
    """The number is already in the blacklist."""

    code = ErrorCode.CAMPAIGN_NOT_FOUND  # CC-iSales reuses 0200007 on blacklist add


class SubStatusMismatch(AppError):
    """The sub-status does not match the business result."""

    code = ErrorCode.SUB_STATUS_MISMATCH


class ResultRangeIncomplete(AppError):
    """beginTime and endTime must both be given or both be absent."""

    code = ErrorCode.RESULT_RANGE_INCOMPLETE


class ResultRangeFormat(AppError):
    """beginTime and endTime must be dates as YYYY-MM-DD."""

    code = ErrorCode.RESULT_RANGE_FORMAT


class ResultRangeOrder(AppError):
    """beginTime must be earlier than endTime."""

    code = ErrorCode.RESULT_RANGE_ORDER


class ResultRangeTooLong(AppError):
    """The query range may span at most 30 days."""

    code = ErrorCode.RESULT_RANGE_TOO_LONG


class FlowControlled(IsalesError):
    """Do not operate frequently, try later."""

    http_status = 429


class DialerRefused(IsalesError):
    """The dialer request was refused."""

    def __init__(self, code: DialerCode, message: str | None = None) -> None:
        self.code = code
        super().__init__(message)


class NotBlacklisted(NumberNotFound):
    """The number is not in the blacklist."""


class CallerNumbersFull(TooManyUncompleted):
    """The campaign would exceed its limit of calling numbers."""


class LastCallerNumber(AppError):
    """At least one calling number must remain in the campaign."""


class SpecialDateNameTaken(CampaignNameTaken):
    """A special date with this name already exists in this campaign."""


class SpecialDateNotFound(NumberNotFound):
    """The special date does not exist in this campaign."""


class ImportTaskNotFound(AppError):
    """The data import task does not exist."""

    code = ErrorCode.DATA_NOT_FOUND


class WriteBackFailed(AppError):
    """The business-result write-back failed."""

    code = ErrorCode.WRITE_BACK_FAILED


# --- lifecycle extensions (spec/lifecycle.md) ---------------------------------------------


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


# --- hardening (spec/hardening.md) -------------------------------------------------------


class Replayed(Unauthenticated):
    """replayed request"""


class RateLimited(FlowControlled):
    """Too many requests for this access key; retry after the time in Retry-After."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__()


# --- call batches (reference §5) --------------------------------------------------------------


class BatchNameTaken(CampaignNameTaken):
    """A call batch with this name already exists in this campaign."""


class TooManyBatches(AppError):
    """The campaign already has the maximum number of call batches."""

    code = ErrorCode.TOO_MANY_PARAMETERS


class CampaignForbidsBatchChange(AppError):
    """The current state of the outbound campaign does not allow changing its batches."""

    code = ErrorCode.CAMPAIGN_FORBIDS_BATCH_CHANGE


class BatchNotFound(AppError):
    """The call batch does not exist in this campaign."""

    code = ErrorCode.BATCH_NOT_FOUND


class BatchAlreadyPaused(AppError):
    """The call batch is already paused."""

    code = ErrorCode.BATCH_ALREADY_PAUSED


class BatchNotPaused(StateForbidsTransition):
    """The call batch is not paused, so it cannot be resumed."""


# --- business-result definitions and display results (reference §3.6) ------------------------


class DefinitionTaken(AppError):
    """This code is already defined in this VDN."""


class UnknownBusinessResult(AppError):
    """The business result is not one of the VDN's defined business results."""


class TooManyDefinitions(AppError):
    """The VDN already has the maximum number of definitions of this kind."""

    code = ErrorCode.TOO_MANY_PARAMETERS


class DisplayResultNotFound(NumberNotFound):
    """The display result does not exist in this VDN."""


# --- campaign templates (reference §4.10) ------------------------------------------------------


class TemplateNameTaken(CampaignNameTaken):
    """A campaign template with this name already exists in this VDN."""


class TemplateNotFound(CampaignNotFound):
    """The campaign template does not exist in this VDN."""


class TemplateSourceNotFound(CampaignNotFound):
    """No campaign or campaign template with this id exists in this VDN."""


# --- issue 12 part B: reserved calls, file servers ---


class ReservationNotFound(AppError):
    """The reserved call does not exist."""

    code = ErrorCode.RESERVATION_NOT_FOUND


class ReservationExecuted(AppError):
    """The reserved call has already been executed (or is being dialled)."""

    code = ErrorCode.RESERVATION_EXECUTED


class FileServerNotFound(NumberNotFound):
    """The file server does not exist in this VDN."""


class FileServerTaken(CampaignNameTaken):
    """A file server with this address and user already exists in this VDN."""


class FileFetchFailed(AppError):
    """The file could not be fetched from the file server."""


# --- console (docs/console.md): refusals shown as pages, never OpenAPI result codes ---------


class ConsoleRefused(IsalesError):
    """Your role does not allow this."""

    http_status = 403


class SignInFailed(ConsoleRefused):
    """Wrong user name or password"""

    http_status = 401


class SignInThrottled(ConsoleRefused):
    """Too many failed sign-ins for this user; wait a minute and try again"""

    http_status = 429


class CsrfRejected(ConsoleRefused):
    """This form did not come from your console session; reload the page and try again."""


class ConsoleUserInvalid(IsalesError):
    """A console user needs a name, a role and at least one VDN."""


# --- operations: command-line failures (spec/operations.md "Errors on the command line") --------


class CommandFailed(Exception):
    """the command failed"""

    exit_code = 1

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())
        self.message = str(self.args[0])


class ConfigError(CommandFailed):
    """the configuration is not valid"""

    exit_code = 2


class DialerKeyRefused(CommandFailed):
    """the server refused the dialer's access key (HTTP 401/403); check
    ISALES_DIALER_ACCESS_KEY, ISALES_DIALER_SECRET_KEY and the key's VDN grants"""

    exit_code = 3


class StoreMissing(CommandFailed):
    """no isales store there; create one with `isales db upgrade` (or start `isales serve`)"""

    exit_code = 2
