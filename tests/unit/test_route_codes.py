"""Every result code a route can answer is in the codes its route table entry documents.

"Can answer" is found statically: from each route's handler, every function it calls is
followed (module functions, methods of ``self``, service methods reached through
``call.services.<service>.<method>``, and functions of other isales modules), and every
``raise`` of a catalogued error on the way is collected, with the code an
``InvalidParameter`` is raised with when it is written out. The generic request checks
(``api/request.py``, ``wire/validation.py``) are the codes every route documents and are
not walked. A raise added without documenting its code in ``api/route_table.py`` fails
here.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from collections.abc import Callable, Iterator
from typing import Any

from isales.api.route_table import ROUTES, routed_endpoints
from isales.errors import AppError, ErrorCode, InvalidParameter
from isales.services import Services

#: modules whose raises are the generic acceptance codes every route documents
GENERIC = ("isales.api.request", "isales.wire.validation", "isales.store.engine")


def _target(node: ast.AST, scope: dict[str, Any], owner: type | None) -> Any:
    """The object an expression names, or None when it cannot be known statically."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        # call.services.<service>.<method> or services(request).<service>.<method>
        inner = node.value
        if isinstance(inner, ast.Attribute):
            base = inner.value
            via_call = isinstance(base, ast.Attribute) and base.attr == "services"
            via_helper = (
                isinstance(base, ast.Call)
                and isinstance(base.func, ast.Name)
                and base.func.id == "services"
            )
            if via_call or via_helper:
                service = inspect.get_annotations(Services, eval_str=True).get(inner.attr)
                return getattr(service, node.attr, None) if service else None
        if isinstance(inner, ast.Name) and inner.id == "self" and owner is not None:
            return getattr(owner, node.attr, None)
        base_object = _target(inner, scope, owner)
        if isinstance(base_object, types.ModuleType | type):
            return getattr(base_object, node.attr, None)
    return None


def _scope(function: Callable[..., Any]) -> dict[str, Any]:
    closure = inspect.getclosurevars(function)
    return {**closure.builtins, **closure.globals, **closure.nonlocals, **function.__globals__}


def _walkable(target: Any) -> Callable[..., Any] | None:
    target = inspect.unwrap(target) if callable(target) else target
    if isinstance(target, types.FunctionType) and target.__module__.startswith("isales."):
        if not target.__module__.startswith(GENERIC):
            return target
    return None


def raised_codes(
    function: Callable[..., Any], owner: type | None = None, seen: set[Any] | None = None
) -> Iterator[tuple[str, str]]:
    """(code, where) of every catalogued error ``function`` may raise, directly or not."""
    seen = set() if seen is None else seen
    if function in seen:
        return
    seen.add(function)
    scope = _scope(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    where = f"{function.__module__}.{function.__qualname__}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            call = node.exc if isinstance(node.exc, ast.Call) else None
            error = _target(call.func if call else node.exc, scope, owner)
            if isinstance(error, type) and issubclass(error, AppError):
                if error is InvalidParameter and call is not None and call.args:
                    code = _target(call.args[0], scope, owner)
                    if isinstance(code, ErrorCode):
                        yield str(code), where
                elif error is not InvalidParameter:
                    yield str(error.code), where
            elif callable(error) and call is not None and call.args:
                # raise _invalid(ErrorCode.X, …): a helper that builds the error
                code = _target(call.args[0], scope, owner)
                if isinstance(code, ErrorCode):
                    yield str(code), where
        if isinstance(node, ast.Call | ast.Attribute):
            target = _target(node.func if isinstance(node, ast.Call) else node, scope, owner)
            walked = _walkable(target)
            if walked is not None:
                cls = _owner_of(walked)
                yield from raised_codes(walked, cls or owner, seen)


def _owner_of(function: Callable[..., Any]) -> type | None:
    """The class a method was defined in (so ``self.x`` inside it can be resolved)."""
    qualname = function.__qualname__.split(".")
    if len(qualname) < 2 or "<locals>" in qualname:
        return None
    owner: Any = inspect.getmodule(function)
    for part in qualname[:-1]:
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


def test_every_route_of_the_table_has_a_handler():
    endpoints = routed_endpoints()
    assert {route.key for route in ROUTES} == set(endpoints)


def test_every_code_a_route_can_answer_is_documented():
    undocumented = []
    for key, endpoint in routed_endpoints().items():
        route = next(r for r in ROUTES if r.key == key)
        if route.dialer:
            continue  # a dialer interface answers any error as "1" or "3", both documented
        documented = set(route.codes())
        for code, where in raised_codes(endpoint):
            if code not in documented:
                undocumented.append((key, code, where))
    assert undocumented == []


def test_the_walk_finds_what_a_service_raises():
    # a check of the check: the campaign delete's service refuses executing campaigns
    endpoints = routed_endpoints()
    codes = {code for code, _ in raised_codes(endpoints["campaigns.delete"])}
    assert {"0200007", "0200009"} <= codes
