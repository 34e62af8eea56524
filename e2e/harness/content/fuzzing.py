"""Fuzzing the JSON API from its OpenAPI schema with Schemathesis' strategies, each
answer held to that schema: a status it documents, its content type, a body of its shape.

Random ids only ever reach "not found". So each operation is also fuzzed aimed at a
real document, chat and answer, and the generated bodies and query strings reach the
code behind the lookups too. An event stream is judged by how it starts: a workspace's
never ends by itself.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import requests
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from e2e.harness.server.live_server import LiveServer

REQUEST_TIMEOUT_S = 10
FUZZ_SETTINGS = settings(
    max_examples=100,
    derandomize=True,  # the same requests every run, so a failure reproduces
    database=None,
    deadline=None,
    # Schema strategies can generate slowly on a busy machine; that is no failure.
    suppress_health_check=[HealthCheck.too_slow],
)


class FuzzWorkspace:
    """One workspace (one cookie) holding a document, a chat and a finished answer."""

    def __init__(self, server: LiveServer) -> None:
        self.session = requests.Session()
        self.base_url = server.url
        document = self._post("/api/documents", files={"file": ("notes.txt", b"Harbour notes.")})
        chat = self._post("/api/sessions", json={})
        sent = self._post(f"/api/sessions/{chat['id']}/messages", json={"content": "Harbour?"})
        server.expect_idle()  # the answer is finished before fuzzing starts
        self.ids = {
            "document_id": document["id"],
            "session_id": chat["id"],
            "message_id": sent["assistant_message"]["id"],
        }

    def fuzz(self, operation: APIOperation) -> Counter[int]:
        """Valid and invalid requests, at random ids and at real ones (except DELETE).

        Returns how often each status came back.
        """
        statuses: Counter[int] = Counter()
        call = self._open_stream if _streams(operation) else self._call

        @FUZZ_SETTINGS
        @given(case=st.one_of(*self._strategies(operation)))
        def send(case: Case) -> None:
            statuses[call(case)] += 1

        send()
        return statuses

    def _strategies(self, operation: APIOperation) -> list[st.SearchStrategy[Case]]:
        names = {p.name for p in operation.path_parameters}
        real = {name: self.ids[name] for name in names & self.ids.keys()}
        aims = [None] if not real or operation.method.upper() == "DELETE" else [None, real]
        return [
            operation.as_strategy(mode, path_parameters=aim)
            for mode in GenerationMode
            for aim in aims
        ]

    def _call(self, case: Case) -> int:
        response = case.call_and_validate(
            session=self.session,
            checks=[
                not_a_server_error,
                errors_explain_themselves,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
            timeout=REQUEST_TIMEOUT_S,
        )
        return response.status_code

    def _open_stream(self, case: Case) -> int:
        """The response's status, held to the schema as far as its start goes (the stream
        is left unread): a documented status, an event stream or a refusal that says why."""
        request = case.as_transport_kwargs(base_url=self.base_url)
        with self.session.request(**request, stream=True, timeout=REQUEST_TIMEOUT_S) as response:
            sent = f"{case.as_curl_command()} answered {response}"
            assert str(response.status_code) in case.operation.definition.raw["responses"], sent
            if response.status_code == 200:
                assert response.headers["content-type"].startswith("text/event-stream"), sent
            errors_explain_themselves(None, response, case)
            return response.status_code

    def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.session.post(self.base_url + path, timeout=REQUEST_TIMEOUT_S, **kwargs)
        response.raise_for_status()
        return response.json()


def errors_explain_themselves(ctx: object, response: Any, case: Case) -> None:
    """Every 4xx names what went wrong: `{"error": {"code": ..., "message": ...}}`."""
    if response.status_code < 400:
        return
    error = response.json().get("error") or {}
    assert error.get("code") and error.get("message"), (
        f"{response.status_code} without an explanation: {response.text[:300]!r}"
    )


def _streams(operation: APIOperation) -> bool:
    success = operation.definition.raw["responses"].get("200", {})
    return "text/event-stream" in success.get("content", {})


def api_routes(app: FastAPI) -> set[str]:
    """ "METHOD /path" of every JSON API route the app serves."""
    return {
        f"{method} {route.path}"
        for route in served_routes(app)
        if route.path.startswith("/api/")
        for method in route.methods or ()
    }


def served_routes(app: FastAPI) -> Iterator[Any]:
    """Every route FastAPI serves, each with its `path`, `methods` and `dependant`: the
    app's own, and those of the routers it includes, which FastAPI (0.16x) keeps in
    routers of their own in `app.routes`, not as APIRoutes there."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):  # an included router
            yield from route.effective_route_contexts()
