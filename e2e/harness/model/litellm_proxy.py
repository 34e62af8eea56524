"""LiteLLM's proxy: an OpenAI-compatible server DocChat did not write and the suite does
not script, in a process of its own, in front of the model stand-in.

The proxy makes its own stream of what the model behind it sends (its own chunks, its own
reasoning field, its own usage and errors), so DocChat meets a real implementation of
the dialect, not our copy of it. It comes from PyPI, pinned, in a venv of its own
(.venv-litellm, made by scripts/test: its many dependencies stay out of the app's).
"""

import logging
import os
import re
import subprocess
import threading
from pathlib import Path

from e2e.harness.holds import Signal

VENV = Path(__file__).resolve().parents[3] / ".venv-litellm"
MODEL = "docchat-model"  # the name DocChat asks for, as a deployment of LiteLLM's names it
KEY = "sk-docchat-e2e-5f0c2b9e8d7a41c3b6e2"  # its master key: the proxy refuses to run without
STARTED = re.compile(r"Uvicorn running on http://[\d.]+:(\d+)")
STARTUP_TIMEOUT_S = 60  # ~7 s on an idle machine: it imports a great deal
log = logging.getLogger("litellm-proxy")


class LiteLLMProxy:
    def __init__(self, upstream_url: str, folder: Path) -> None:
        """`upstream_url`: the OpenAI-compatible server it passes every request on to."""
        self.upstream_url = upstream_url
        self.folder = folder
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        executable = VENV / "bin" / "litellm"
        assert executable.exists(), f"No LiteLLM in {VENV}: run ./scripts/test, which installs it"
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "litellm.yaml"
        config.write_text(
            "model_list:\n"
            f"  - model_name: {MODEL}\n"
            "    litellm_params:\n"
            "      model: openai/gpt-4o-mini\n"
            f"      api_base: {self.upstream_url}\n"
            "      api_key: sk-upstream\n"
            # Its own retries of a failed model (5 s of backoff) off: DocChat's are tested.
            "router_settings:\n"
            "  num_retries: 0\n"
        )
        self._process = subprocess.Popen(
            [executable, "--config", config, "--host", "127.0.0.1", "--port", "0"],
            env=self._environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        listening = Signal("LiteLLM's proxy listening")
        threading.Thread(target=self._relay, args=(listening,), daemon=True).start()
        listening.expect(timeout_s=STARTUP_TIMEOUT_S)
        assert self.port, "LiteLLM's proxy exited at start: see its lines in the test's log"

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=STARTUP_TIMEOUT_S)

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LITELLM_", "OPENAI_"))}
        env["LITELLM_MASTER_KEY"] = KEY
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # its bundled prices: it fetches none
        return env

    def _relay(self, listening: Signal) -> None:
        """Its lines go to the test's log (the failure bundle's server.log); the first that
        names its port says it listens."""
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            log.info(line.rstrip())
            if not self.port and (match := STARTED.search(line)):
                self.port = int(match.group(1))
                listening.set()
        listening.set()  # it exited: start() says so instead of waiting out the timeout
