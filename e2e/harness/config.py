"""playwright.config.py, the one place for browser and test knobs, as a module."""

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    # The file name has a dot in it, so it is loaded by path.
    spec = importlib.util.spec_from_file_location(
        "playwright_config", ROOT / "playwright.config.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cfg = _load()
