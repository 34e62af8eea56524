"""The JSON API, fuzzed from its own OpenAPI schema: no request makes a server error.

Every operation gets valid and invalid requests (Schemathesis), and every refusal must
say what was wrong. Hypothesis runs derandomized: each run sends the same requests.
"""

import pytest
import schemathesis

from e2e.harness.content.fuzzing import FuzzWorkspace, api_routes
from e2e.harness.server.live_server import LiveServer


def test_no_request_makes_a_server_error(
    live_server: LiveServer, subtests: pytest.Subtests
) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    workspace = FuzzWorkspace(live_server)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every route of the API is in the schema, so none escapes the fuzzer.
    assert api_routes(live_server.app) <= {operation.label for operation in operations}

    for operation in operations:
        with subtests.test(operation.label):
            statuses = workspace.fuzz(operation)
            if operation.method.upper() != "DELETE":  # DELETE is fuzzed at random ids only
                assert set(statuses) - {404}, f"Nothing got past the lookup: {statuses}"
