"""The app's fault points as the suite arms them: unarmed a point runs its own function,
armed the change made to it, changes stack, disarming restores it, and a name the app
never marked is refused, naming those it did."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from web import fault_points
from web.fault_points import fault_point


@fault_point("unit.doubling")
def doubled(number: int) -> int:
    return number * 2


@fault_point("unit.waiting")
async def waited(number: int) -> int:
    return number


def plus(more: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return lambda step: lambda number: step(number) + more


@pytest.fixture
def disarmed() -> Iterator[None]:
    yield
    fault_points.disarm("unit.doubling")


@pytest.mark.usefixtures("disarmed")
def test_a_point_runs_its_function_until_armed_then_each_change_on_the_last() -> None:
    assert doubled(3) == 6

    fault_points.arm("unit.doubling", plus(1))
    assert doubled(3) == 7
    fault_points.arm("unit.doubling", plus(10))
    assert doubled(3) == 17

    fault_points.disarm("unit.doubling")
    assert doubled(3) == 6


def test_a_coroutine_marked_is_still_a_coroutine_function() -> None:
    assert inspect.iscoroutinefunction(waited)
    assert not inspect.iscoroutinefunction(doubled)


def test_arming_a_name_the_app_never_marked_is_refused_naming_the_marked() -> None:
    with pytest.raises(
        KeyError,
        match=r"No fault point 'unit\.doubled'; the app marks: .*"
        r"unit\.doubling, unit\.waiting",
    ):
        fault_points.arm("unit.doubled", plus(1))
