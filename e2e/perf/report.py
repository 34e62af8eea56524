"""Benchmark figures: checked against budgets.toml, written to test-results/perf/.

A figure's budget is absolute (`budget`, with the file's margin), or a ratio to a baseline
measured in the same run on the same machine (`ratio`, exact), or both."""

import json
import os
import platform
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
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class PerfReport:
    figures: dict[str, Measure] = field(default_factory=dict)
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    budgets: dict[str, Any] = field(default_factory=lambda: tomllib.loads(BUDGETS.read_text()))

    def record(
        self, name: str, value: float, unit: str, note: str = "", baseline: float | None = None
    ) -> None:
        """Keep a figure (and the baseline it is read against) for the report; fails the
        benchmark if it breaks its budget."""
        figure = Measure(name, round(value, 3), unit, note, baseline and round(baseline, 3))
        self.figures[name] = figure
        assert name in self.budgets["figures"], f"No budget for {name} in {BUDGETS.name}"
        assert ("ratio" in self.budgets["figures"][name]) == (baseline is not None), (
            f"{name}: a ratio budget needs a baseline, and a baseline a ratio budget"
        )
        broken = self.broken(figure)
        assert not broken, f"{name} = {value:.2f} {unit}: {broken}"

    def keep_series(self, name: str, **data: Any) -> None:
        self.series[name] = data

    @property
    def margin(self) -> float:
        return self.budgets["margin"]

    def broken(self, figure: Measure) -> str:
        """What budget the figure breaks, in words; empty if none."""
        budget = self.budgets["figures"][figure.name]
        lower = budget["better"] == "lower"
        if "budget" in budget:
            margin = budget.get("margin", self.margin)
            limit = budget["budget"] * (1 + margin if lower else 1 - margin)
            if figure.value > limit if lower else figure.value < limit:
                return (
                    f"worse than its budget {budget['budget']} ({budget['better']} is better) "
                    f"by more than {margin:.0%}"
                )
        ratio = budget.get("ratio")
        if ratio and (figure.ratio > ratio if lower else figure.ratio < ratio):
            return (
                f"{figure.ratio:.2f}x its baseline {figure.baseline:g}, against a budget of "
                f"{ratio}x ({budget['better']} is better)"
            )
        return ""

    def _budget_text(self, name: str) -> str:
        budget = self.budgets["figures"][name]
        better = "≤" if budget["better"] == "lower" else "≥"
        parts = [f"{better} {budget['budget']:g}"] if "budget" in budget else []
        return ", ".join(parts + ([f"{better} {budget['ratio']:g}x"] if "ratio" in budget else []))

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        rows = [
            f"| {f.name} | {f.value:g} {f.unit} | "
            + (f"{f.baseline:g} | {f.ratio:.2f}x | " if f.baseline else "| | ")
            + f"{self._budget_text(f.name)} | {'over budget' if self.broken(f) else 'ok'} | "
            + f"{f.note} |"
            for f in self.figures.values()
        ]
        charts = self._charts(folder)
        (folder / "report.md").write_text(
            "# DocChat benchmarks\n\n"
            f"Measured on: {this_machine()}.\n"
            f"Machine the budgets were recorded on: {self.budgets['machine']}.\n"
            f"A figure fails when worse than its absolute budget by more than {self.margin:.0%},"
            " or than its budget as a ratio to its baseline (measured in the same run, on the"
            " same machine) at all.\n\n"
            "| figure | value | baseline | ratio | budget | verdict | note |\n"
            "|---|---|---|---|---|---|---|\n"
            + "\n".join(rows)
            + "\n\n"
            + "".join(f"![{name}]({name}.png)\n\n" for name in charts)
        )
        (folder / "report.json").write_text(
            json.dumps(
                {
                    "machine": this_machine(),
                    "budgets_machine": self.budgets["machine"],
                    "figures": {n: {**vars(f), "ratio": f.ratio} for n, f in self.figures.items()},
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


def this_machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} cores ({platform.machine()}), {memory_gb:.0f} GB, "
        f"{platform.platform(terse=True)}, Python {platform.python_version()}"
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
