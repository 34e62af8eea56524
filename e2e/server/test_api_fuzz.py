"""The JSON API, fuzzed from its own OpenAPI schema: no request makes a server error.

Every operation gets valid and invalid requests (Schemathesis), each operation a test of
its own (they spread over the workers, and each reports alone), and every refusal must
say what was wrong. Hypothesis runs derandomized: each run sends the same requests.
"""

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.core.result import Ok

from e2e.harness.content.fuzzing import FuzzWorkspace, api_routes
from e2e.harness.server.live_server import LiveServer
from web.app import create_app
from web.settings import Settings


def openapi() -> dict[str, Any]:
    """The OpenAPI document of the app the suite serves, made without serving it."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), secret_key="its OpenAPI"))
        return app.openapi()


def operations() -> list[str]:
    """ "METHOD /path" of every JSON API operation in the schema of the app the suite
    serves (that no route is missing from it, a test below checks)."""
    paths = openapi()["paths"]
    return [
        f"{method.upper()} {path}"
        for path in paths
        if path.startswith("/api/")
        for method in paths[path]
    ]


@pytest.mark.parametrize("label", operations())
def test_no_request_makes_a_server_error(live_server: LiveServer, label: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    method, path = label.split(" ", 1)
    operation = schema[path][method]

    statuses = FuzzWorkspace(live_server).fuzz(operation)

    if operation.method.upper() != "DELETE":  # DELETE is fuzzed at random ids only
        assert set(statuses) - {404}, f"Nothing got past the lookup: {statuses}"


def test_every_route_of_the_api_is_in_its_schema(live_server: LiveServer) -> None:
    """So none escapes the fuzzer."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    labels = set()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema reads as OpenAPI throughout
        labels.add(result.ok().label)

    assert sorted(api_routes(live_server.app) - labels) == []


def test_every_answer_of_the_api_is_declared_with_its_shape() -> None:
    """Each operation's answers in the contract: a model (or a list of one) for every
    success with a body, an event stream for a stream, nothing for a 204, and
    `{"error": {code, message}}` for every refusal and failure."""
    undeclared = [
        f"{method.upper()} {path} {status}: {shape(answer) or 'no body'}"
        for path, operation in openapi()["paths"].items()
        for method, declared in operation.items()
        for status, answer in declared["responses"].items()
        if not declared_well(status, path, shape(answer))
    ]

    assert undeclared == []


def shape(answer: dict[str, Any]) -> str:
    """An answer's body as "content-type schema": a model's $ref, a list's item's, a type."""
    bodies = answer.get("content", {})
    if not bodies:
        return ""
    [(content_type, body)] = bodies.items()
    schema = body.get("schema", {})
    model = schema.get("$ref") or schema.get("items", {}).get("$ref") or schema.get("type")
    return f"{content_type} {model}"


def declared_well(status: str, path: str, shape: str) -> bool:
    if status == "204":
        return shape == ""
    if status.startswith(("4", "5")):
        return shape == f"application/json {MODELS}ErrorBody"
    if path.endswith("/events"):
        return shape == "text/event-stream string"
    return shape.startswith(f"application/json {MODELS}")


MODELS = "#/components/schemas/"
