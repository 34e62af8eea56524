"""The JSON API, fuzzed from its own OpenAPI schema: no request makes a server error.

Every operation gets valid and invalid requests (Schemathesis), each operation a test of
its own (they spread over the workers, and each reports alone), and every refusal must
say what was wrong. Hypothesis runs derandomized: each run sends the same requests.
"""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from schemathesis.core.result import Ok

from e2e.harness.content.fuzzing import FuzzWorkspace, api_routes
from e2e.harness.server.live_server import LiveServer
from web.app import create_app
from web.settings import Settings


def operations() -> list[str]:
    """ "METHOD /path" of every JSON API operation in the schema of the app the suite
    serves (that no route is missing from it, the last test checks)."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), secret_key="listing operations"))
        paths = app.openapi()["paths"]
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
