"""A MkDocs hook (mkdocs.yml): before the site is built, write the app's OpenAPI document
to build/openapi.json, which docs/api.md renders. So the docs show the contract the code
declares, never a copy of it."""

import json
import tempfile
from pathlib import Path
from typing import Any

from web.app import create_app
from web.settings import Settings

OPENAPI = Path("build/openapi.json")


def on_pre_build(config: Any) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), secret_key="docs"))
        schema = app.openapi()
    OPENAPI.parent.mkdir(exist_ok=True)
    OPENAPI.write_text(json.dumps(schema, indent=2))
