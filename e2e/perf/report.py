"""Benchmark figures: checked against budgets.toml, written to test-results/perf/."""

import json
import statistics
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure as Chart

BUDGETS = Path(__file__).with_name("budgets.toml")


@dataclass
class Measure:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class PerfReport:
    figures: dict[str, Measure] = field(default_factory=dict)
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    budgets: dict[str, Any] = field(default_factory=lambda: tomllib.loads(BUDGETS.read_text()))

    def record(self, name: str, value: float, unit: str, note: str = "") -> None:
        """Keep a figure for the report; fails the benchmark if it breaks its budget."""
        self.figures[name] = Measure(name, round(value, 2), unit, note)
        budget = self.budgets["figures"].get(name)
        assert budget is not None, f"No budget for {name} in {BUDGETS.name}"
        verdict = self.verdict(name, value)
        assert verdict != "over budget", (
            f"{name} = {value:.2f} {unit}: worse than its budget {budget['budget']} "
            f"({budget['better']} is better) by more than {self.margin:.0%}"
        )

    def keep_series(self, name: str, **data: Any) -> None:
        self.series[name] = data

    @property
    def margin(self) -> float:
        return self.budgets["margin"]

    def verdict(self, name: str, value: float) -> str:
        budget = self.budgets["figures"][name]
        limit = budget["budget"]
        if budget["better"] == "lower":
            ok = value <= limit * (1 + self.margin)
        else:
            ok = value >= limit * (1 - self.margin)
        return "ok" if ok else "over budget"

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for f in self.figures.values():
            budget = self.budgets["figures"][f.name]
            better = "≤" if budget["better"] == "lower" else "≥"
            rows.append(
                f"| {f.name} | {f.value:g} {f.unit} | {better} {budget['budget']:g} | "
                f"{self.verdict(f.name, f.value)} | {f.note} |"
            )
        charts = self._charts(folder)
        (folder / "report.md").write_text(
            "# DocChat benchmarks\n\n"
            f"Machine the budgets were recorded on: {self.budgets['machine']}.\n"
            f"A figure fails when worse than its budget by more than {self.margin:.0%}.\n\n"
            "| figure | value | budget | verdict | note |\n|---|---|---|---|---|\n"
            + "\n".join(rows)
            + "\n\n"
            + "".join(f"![{name}]({name}.png)\n\n" for name in charts)
        )
        (folder / "report.json").write_text(
            json.dumps(
                {
                    "machine": self.budgets["machine"],
                    "figures": {n: vars(f) for n, f in self.figures.items()},
                    "series": self.series,
                },
                indent=2,
            )
        )

    def _charts(self, folder: Path) -> list[str]:
        drawn = []
        if ttft := self.series.get("time_to_first_token"):
            fig = Chart(figsize=(7, 3.5))
            ax = fig.subplots()
            ax.hist(ttft["ms"], bins=25, color="#1f5fbf")
            ax.axvline(statistics.median(ttft["ms"]), color="#a4141c", label="p50")
            ax.set(
                xlabel="Send → first token on screen (ms)",
                ylabel="messages",
                title="Time to first token",
            )
            ax.legend()
            fig.tight_layout()
            fig.savefig(folder / "time_to_first_token.png")
            drawn.append("time_to_first_token")
        if memory := self.series.get("memory"):
            fig = Chart(figsize=(7, 3.5))
            ax = fig.subplots()
            ax.plot(memory["seconds"], memory["rss_mb"], color="#1f5fbf")
            ax.set(
                xlabel="seconds of sustained load", ylabel="RSS (MB)", title="Server process memory"
            )
            fig.tight_layout()
            fig.savefig(folder / "memory.png")
            drawn.append("memory")
        return drawn


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
