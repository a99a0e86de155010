"""The error catalogues: codes declared as data, no aliases, and the docstring tree complete."""

from __future__ import annotations

import re

import isales.errors as errors
from isales.errors import AppError, DialerCode, ErrorCode, InvalidParameter, IsalesError

#: every name ``isales.errors`` exported before it became a package
NAMES = """
AlreadyBlacklisted AppError AuthError BatchAlreadyPaused BatchNameTaken BatchNotFound
BatchNotPaused BeginTimeInPast Blacklisted CalledTooFrequently CallerNumbersFull
CampaignEnded CampaignForbidsBatchChange CampaignNameTaken CampaignNotFound
CampaignStillStarted CommandFailed ConfigError ConsoleRefused ConsoleUserInvalid
CsrfRejected DefinitionTaken DialerCode DialerKeyRefused DialerRefused
DisplayResultNotFound DuplicateNumbers ErrorCode ExpectedCountMismatch FileFetchFailed
FileServerNotFound FileServerTaken FlowControlled IdempotencyKeyReused ImportTaskNotFound
InvalidParameter IsalesError LastCallerNumber LegalHold NotBlacklisted NumberBeingCalled
NumberNotFound RateLimited Replayed ReservationExecuted ReservationNotFound RestoreRefused
ResultRangeFormat ResultRangeIncomplete ResultRangeOrder ResultRangeTooLong SignInFailed
SignInThrottled SpecialDateNameTaken SpecialDateNotFound StateForbidsAdding
StateForbidsNumberDelete StateForbidsTransition StoreFailure StoreMissing SubStatusMismatch
TemplateNameTaken TemplateNotFound TemplateSourceNotFound TooManyBatches TooManyDefinitions
TooManyPerCall TooManyUncompleted Unauthenticated UnknownBusinessResult VdnNotGranted
WriteBackFailed
""".split()


def error_classes() -> list[type[BaseException]]:
    return [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]


def app_errors() -> list[type[AppError]]:
    return [c for c in error_classes() if issubclass(c, AppError) and c is not AppError]


def test_every_name_importable_before_is_importable():
    missing = [name for name in NAMES if not hasattr(errors, name)]
    assert missing == []


def test_codes_have_one_name_each():
    for enum in (ErrorCode, DialerCode):
        values = [member.value for member in enum.__members__.values()]
        assert len(values) == len(set(values)), enum


def test_every_result_error_declares_its_code_and_inherits_no_other_error():
    for error in app_errors():
        assert "code" in vars(error), error  # data on the class, not inherited
        assert isinstance(vars(error)["code"], ErrorCode), error
        assert error.__bases__ == (AppError,), error


def test_http_and_exit_statuses_are_declared_where_they_differ_from_the_kind():
    for error in error_classes():
        for attribute in ("http_status", "exit_code"):
            value = getattr(error, attribute, None)
            if value is not None:
                assert isinstance(value, int), (error, attribute)


def test_the_docstring_tree_names_every_error_with_its_code():
    tree = errors.__doc__ or ""
    for error in error_classes():
        line = re.search(rf"[─ ]{error.__name__}\b(.*)$", tree, re.MULTILINE)
        assert line is not None, f"{error.__name__} is missing from the tree"
        if issubclass(error, AppError) and error is not InvalidParameter and error is not AppError:
            assert line.group(1).split()[0] == error.code, error
    assert issubclass(errors.CommandFailed, Exception)
    assert not issubclass(errors.CommandFailed, IsalesError)
