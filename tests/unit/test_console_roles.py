"""Console roles and the sign-in throttle (domain/console.py)."""

from __future__ import annotations

from datetime import timedelta

from isales.domain.console import FREE_FAILURES, MAX_BLOCK, Role, block_after, may


def test_each_role_may_do_what_the_roles_before_it_may():
    assert may(Role.VIEWER, Role.VIEWER)
    assert not may(Role.VIEWER, Role.OPERATOR)
    assert may(Role.OPERATOR, Role.VIEWER) and not may(Role.OPERATOR, Role.ADMIN)
    assert all(may(Role.ADMIN, role) for role in Role)


def test_a_few_mistakes_cost_nothing_then_the_wait_doubles_up_to_a_cap():
    assert [block_after(n) for n in range(FREE_FAILURES + 1)] == [timedelta(0)] * (
        FREE_FAILURES + 1
    )
    waits = [block_after(FREE_FAILURES + n) for n in range(1, 5)]
    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert block_after(100) == MAX_BLOCK
