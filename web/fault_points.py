"""Named fault points: the few places where the test suite may make the app wait, fail
or die, each marked where it is and named by what happens there.

The failpoint pattern (FreeBSD's fail(9), TiKV's fail-rs): the app marks a function with
`@fault_point(name)`; the suite arms the point by name with a change to that function
(held until released, failing, watched) and disarms it when done. Unarmed, a call costs
one dictionary lookup; nothing outside the suite arms a point.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Change = Callable[[Callable[..., Any]], Callable[..., Any]]

_MARKED: dict[str, Callable[..., Any]] = {}  # each point's own function, by name
_ARMED: dict[str, Callable[..., Any]] = {}  # what runs instead, while armed


def fault_point(name: str) -> Callable[[F], F]:
    """Marks a function (or method) as the fault point `name`."""

    def mark(step: F) -> F:
        _MARKED[name] = step
        if inspect.iscoroutinefunction(step):  # still one, for whoever asks

            @functools.wraps(step)
            async def marked_coroutine(*args: Any, **kwargs: Any) -> Any:
                return await _ARMED.get(name, step)(*args, **kwargs)

            return marked_coroutine  # type: ignore[return-value]

        @functools.wraps(step)
        def marked(*args: Any, **kwargs: Any) -> Any:
            return _ARMED.get(name, step)(*args, **kwargs)

        return marked  # type: ignore[return-value]

    return mark


def arm(name: str, change: Change) -> None:
    """From now on the point runs `change(f)` instead of its function `f`; arming it again
    changes what it runs now (changes stack)."""
    if name not in _MARKED:
        raise KeyError(f"No fault point {name!r}; the app marks: {', '.join(sorted(_MARKED))}")
    _ARMED[name] = change(_ARMED.get(name, _MARKED[name]))


def disarm(name: str) -> None:
    """The point runs its own function again."""
    _ARMED.pop(name, None)
