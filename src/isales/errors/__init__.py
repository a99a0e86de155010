"""The error catalogues, one per audience, each code declared as data on its error.

- ``errors.api``: the OpenAPI's result codes (:class:`ErrorCode`) and HTTP refusals;
- ``errors.dialer``: the dialer interfaces' ``result`` codes (:class:`DialerCode`);
- ``errors.console``: the web console's refusals (pages with an HTTP status);
- ``errors.cli``: the command line's failures and exit codes.

A class inherits only from the kind of error it is, never from another error to reuse its
code: ``code``, ``http_status`` and ``exit_code`` are declared on each class. The tree
(each class's docstring is its default message)::

    IsalesError
    ├── AuthError                       HTTP 401, nothing executed
    │   ├── Unauthenticated             401
    │   │   └── Replayed                401 (a single-use signature seen again)
    │   └── VdnNotGranted               403
    ├── FlowControlled                  HTTP 429 (statistics, large bodies at once)
    │   └── RateLimited                 429 with Retry-After (the access key's rate)
    ├── AppError                        HTTP 200, ``code`` in the envelope
    │   ├── InvalidParameter            0200001, or the broken rule's field code
    │   │                               (02000001..02000011, 0200030) given per instance
    │   ├── StoreFailure                0200006
    │   ├── campaigns
    │   │   ├── CampaignNotFound        0200007
    │   │   ├── CampaignNameTaken       0200005
    │   │   ├── BeginTimeInPast         0200002
    │   │   ├── CampaignStillStarted    0200009
    │   │   ├── StateForbidsTransition  0200011
    │   │   └── CampaignEnded           0200016
    │   ├── numbers
    │   │   ├── DuplicateNumbers        0200018
    │   │   ├── StateForbidsAdding      0200019
    │   │   ├── TooManyUncompleted      0200020
    │   │   ├── CalledTooFrequently     0200022
    │   │   ├── StateForbidsNumberDelete 0200028
    │   │   ├── TooManyPerCall          0200029
    │   │   └── NumberNotFound          0200033
    │   ├── blacklist
    │   │   ├── Blacklisted             0200024
    │   │   ├── AlreadyBlacklisted      0200007
    │   │   └── NotBlacklisted          0200033
    │   ├── call and business results
    │   │   ├── SubStatusMismatch       0200034
    │   │   ├── WriteBackFailed         0200999
    │   │   ├── ResultRangeIncomplete   0200008
    │   │   ├── ResultRangeFormat       0200009
    │   │   ├── ResultRangeOrder        0200010
    │   │   └── ResultRangeTooLong      0200011
    │   ├── caller numbers and special dates
    │   │   ├── CallerNumbersFull       0200020
    │   │   ├── LastCallerNumber        0200001
    │   │   ├── SpecialDateNameTaken    0200005
    │   │   └── SpecialDateNotFound     0200033
    │   ├── file imports and file servers
    │   │   ├── ImportTaskNotFound      0200033
    │   │   ├── FileServerNotFound      0200033
    │   │   ├── FileServerTaken         0200005
    │   │   └── FileFetchFailed         0200001
    │   ├── data lifecycle
    │   │   ├── ExpectedCountMismatch   0209001
    │   │   ├── IdempotencyKeyReused    0209002
    │   │   ├── RestoreRefused          0209003
    │   │   ├── LegalHold               0209004
    │   │   ├── NumberBeingCalled       0209005
    │   │   └── DuplicateImportFile     0209006
    │   ├── call batches
    │   │   ├── BatchNameTaken          03000001
    │   │   ├── BatchRenameTaken        0200005
    │   │   ├── TooManyBatches          03000003
    │   │   ├── CampaignForbidsBatchChange 03000002
    │   │   ├── BatchNotFound           03000004
    │   │   ├── BatchAlreadyPaused      03000006
    │   │   └── BatchNotPaused          0200011
    │   ├── result definitions and display results
    │   │   ├── DefinitionTaken         0200001
    │   │   ├── UnknownBusinessResult   0200001
    │   │   ├── TooManyDefinitions      02000011
    │   │   └── DisplayResultNotFound   0200033
    │   ├── campaign templates
    │   │   ├── TemplateNameTaken       0200005
    │   │   ├── TemplateNotFound        0200007
    │   │   └── TemplateSourceNotFound  0200007
    │   ├── reserved calls
    │   │   ├── ReservationNotFound     04000004
    │   │   └── ReservationExecuted     04000005
    │   ├── agents
    │   │   ├── AgentLoginFailed        0209101
    │   │   ├── AgentNotFound           0209102
    │   │   ├── WorkNoTaken             0209103
    │   │   ├── AgentStateForbids       0209104
    │   │   ├── AgentNotInCampaign      0209105
    │   │   ├── RecordNotReserved       0209106
    │   │   └── CampaignNotPreview      0209107
    │   └── contact policies
    │       ├── ContactPolicyUnknown    0209201
    │       ├── ContactPolicyInUse      0209202
    │       ├── DncChangeRefused        0209203
    │       ├── IntegrityMismatch       0209204
    │       ├── VdnRekeying             0209205
    │       ├── ContactPolicyNotFound   0200033
    │       └── AttemptNotFound         0200033
    ├── DialerRefused                   ``{"result": code}``: DialerCode given per instance
    ├── ConsoleRefused                  console page, HTTP 403
    │   ├── SignInFailed                401
    │   ├── SignInThrottled             429
    │   └── CsrfRejected                403
    ├── ConsoleUserInvalid              console page / command-line message
    ├── MasterKeyMissing                the operator's master key: serving, key commands
    └── MasterKeyInvalid                the same, a key that is not one or opens nothing
    CommandFailed                       exit code 1 (not an IsalesError: a process outcome)
    ├── ConfigError                     exit code 2
    ├── StoreMissing                    exit code 2
    ├── DialerKeyRefused                exit code 3
    └── CredentialsRefused              exit code 3

The groups under ``AppError`` (campaigns, numbers, …) are sections of ``errors/api.py``,
not classes. ``tests/unit/test_error_catalogue.py`` checks that this tree names every
error class and the code each declares.
"""

from __future__ import annotations

from .api import (
    FIELD_CODES,
    AgentLoginFailed,
    AgentNotFound,
    AgentNotInCampaign,
    AgentStateForbids,
    AlreadyBlacklisted,
    AppError,
    AttemptNotFound,
    AuthError,
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
    DefinitionTaken,
    DisplayResultNotFound,
    DncChangeRefused,
    DuplicateImportFile,
    DuplicateNumbers,
    ErrorCode,
    ExpectedCountMismatch,
    FileFetchFailed,
    FileServerNotFound,
    FileServerTaken,
    FlowControlled,
    IdempotencyKeyReused,
    ImportTaskNotFound,
    IntegrityMismatch,
    InvalidParameter,
    LastCallerNumber,
    LegalHold,
    NotBlacklisted,
    NumberBeingCalled,
    NumberNotFound,
    RateLimited,
    RecordNotReserved,
    Replayed,
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
    StoreFailure,
    SubStatusMismatch,
    TemplateNameTaken,
    TemplateNotFound,
    TemplateSourceNotFound,
    TooManyBatches,
    TooManyDefinitions,
    TooManyPerCall,
    TooManyUncompleted,
    Unauthenticated,
    UnknownBusinessResult,
    VdnNotGranted,
    VdnRekeying,
    WorkNoTaken,
    WriteBackFailed,
)
from .base import IsalesError
from .cli import (
    CommandFailed,
    ConfigError,
    CredentialsRefused,
    DialerKeyRefused,
    MasterKeyInvalid,
    MasterKeyMissing,
    StoreMissing,
)
from .console import ConsoleRefused, ConsoleUserInvalid, CsrfRejected, SignInFailed, SignInThrottled
from .dialer import DialerCode, DialerRefused

__all__ = [
    "FIELD_CODES",
    "AttemptNotFound",
    "ContactPolicyInUse",
    "ContactPolicyNotFound",
    "ContactPolicyUnknown",
    "DncChangeRefused",
    "IntegrityMismatch",
    "VdnRekeying",
    "AgentLoginFailed",
    "AgentNotFound",
    "WorkNoTaken",
    "AgentStateForbids",
    "AgentNotInCampaign",
    "RecordNotReserved",
    "CampaignNotPreview",
    "AlreadyBlacklisted",
    "AppError",
    "AuthError",
    "BatchAlreadyPaused",
    "BatchNameTaken",
    "BatchRenameTaken",
    "BatchNotFound",
    "BatchNotPaused",
    "BeginTimeInPast",
    "Blacklisted",
    "CalledTooFrequently",
    "CallerNumbersFull",
    "CampaignEnded",
    "CampaignForbidsBatchChange",
    "CampaignNameTaken",
    "CampaignNotFound",
    "CampaignStillStarted",
    "CommandFailed",
    "ConfigError",
    "ConsoleRefused",
    "ConsoleUserInvalid",
    "CredentialsRefused",
    "CsrfRejected",
    "DefinitionTaken",
    "DialerCode",
    "DialerKeyRefused",
    "DialerRefused",
    "DisplayResultNotFound",
    "DuplicateImportFile",
    "DuplicateNumbers",
    "ErrorCode",
    "ExpectedCountMismatch",
    "FileFetchFailed",
    "FileServerNotFound",
    "FileServerTaken",
    "FlowControlled",
    "IdempotencyKeyReused",
    "ImportTaskNotFound",
    "InvalidParameter",
    "IsalesError",
    "LastCallerNumber",
    "LegalHold",
    "MasterKeyInvalid",
    "MasterKeyMissing",
    "NotBlacklisted",
    "NumberBeingCalled",
    "NumberNotFound",
    "RateLimited",
    "Replayed",
    "ReservationExecuted",
    "ReservationNotFound",
    "RestoreRefused",
    "ResultRangeFormat",
    "ResultRangeIncomplete",
    "ResultRangeOrder",
    "ResultRangeTooLong",
    "SignInFailed",
    "SignInThrottled",
    "SpecialDateNameTaken",
    "SpecialDateNotFound",
    "StateForbidsAdding",
    "StateForbidsNumberDelete",
    "StateForbidsTransition",
    "StoreFailure",
    "StoreMissing",
    "SubStatusMismatch",
    "TemplateNameTaken",
    "TemplateNotFound",
    "TemplateSourceNotFound",
    "TooManyBatches",
    "TooManyDefinitions",
    "TooManyPerCall",
    "TooManyUncompleted",
    "Unauthenticated",
    "UnknownBusinessResult",
    "VdnNotGranted",
    "WriteBackFailed",
]
