"""How requests are served: on the event loop, without trips to a thread and back."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant

from e2e.harness.content.fuzzing import served_routes
from e2e.harness.server.live_server import LiveServer


def test_no_route_sends_its_endpoint_or_a_dependency_to_a_thread(live_server: LiveServer) -> None:
    """FastAPI runs an endpoint or a dependency declared with `def` in its thread pool: a
    wake-up, a queue and the GIL changing hands on every request. DocChat's never block
    (the database's calls are short, and long work has threads or processes of its own),
    so each is `async def`: five little dependencies were not, eight trips a question,
    a third of the CPU an answer cost beyond the floor's (docs/performance.md)."""
    routes = list(served_routes(live_server.app))
    in_a_thread = sorted(
        {
            f"{call.__module__}.{call.__qualname__}"
            for route in routes
            for call in calls(route.dependant)
            if not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call))
        }
    )

    served = {f"{method} {route.path}" for route in routes for method in route.methods}
    question = {"POST /api/sessions/{session_id}/messages", "GET /api/messages/{message_id}/events"}
    assert {"GET /", *question} <= served  # the walk reaches the pages' routes and the API's
    assert in_a_thread == []


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """The endpoint and every dependency it has, theirs included."""
    if dependant.call is not None:
        yield dependant.call
    for dependency in dependant.dependencies:
        yield from calls(dependency)
