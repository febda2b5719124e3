"""The benchmark report: timing statistics, goals, sections, and their Markdown/JSON/PNG output.

Every benchmark returns a `Section`: a title, Markdown tables, the figures as plain data
(for report.json), the goals it checks, and optionally a plot. The report puts the goals
first so a reader sees at once what is met and what is not.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """Summary of repeated measurements of one thing, in seconds."""

    count: int
    median: float
    p99: float
    mean: float
    minimum: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Timing:
        if not samples:
            raise ValueError("cannot summarise an empty list of samples")
        values = np.asarray(samples, dtype=float)
        return cls(
            count=len(values),
            median=float(np.median(values)),
            p99=percentile(values, 99),
            mean=float(values.mean()),
            minimum=float(values.min()),
        )


def percentile(samples: Sequence[float] | np.ndarray, rank: float) -> float:
    """The nearest-rank percentile: a value that was actually measured."""
    values = np.sort(np.asarray(samples, dtype=float))
    if values.size == 0:
        raise ValueError("cannot take a percentile of no samples")
    if not 0 < rank <= 100:
        raise ValueError(f"percentile rank must be in (0, 100], got {rank}")
    index = math.ceil(rank / 100 * values.size) - 1
    return float(values[index])


def ratio(ours: float, reference: float) -> float:
    if reference <= 0:
        raise ValueError(f"reference must be positive to form a ratio, got {reference}")
    return ours / reference


@dataclass(frozen=True)
class Goal:
    """A target the issue sets, with the measured figure."""

    name: str
    figure: float
    limit: float
    unit: str = "x"
    at_most: bool = True
    """True: the figure must not exceed the limit; False: it must reach it."""

    @property
    def met(self) -> bool:
        return self.figure <= self.limit if self.at_most else self.figure >= self.limit

    def describe(self) -> str:
        comparison = "≤" if self.at_most else "≥"
        verdict = "MET" if self.met else "NOT MET"
        goal = f"goal {comparison} {self.limit:g}{self.unit}"
        return f"{verdict:7}  {self.name}: {self.figure:.3g}{self.unit} ({goal})"


@dataclass
class Section:
    title: str
    body: list[str] = field(default_factory=list)
    """Markdown paragraphs and tables."""
    figures: dict[str, Any] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    plot: Callable[[Path], Path] | None = None
    """Draws the section's chart into the directory given and returns the file written."""
    error: str | None = None
    """Set when the benchmark could not run; the report says so instead of guessing figures."""
    seconds: float = 0.0

    @classmethod
    def failed(cls, title: str, error: str) -> Section:
        return cls(title=title, error=error)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; floats shown with three significant digits (whole numbers from 1,000)."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(cell(value) for value in row) + " |" for row in rows)
    return "\n".join(lines)


def milliseconds(seconds: float) -> float:
    return seconds * 1000


def machine_description() -> str:
    import os

    return (
        f"{os.cpu_count()}-core {platform.machine()} machine, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


@dataclass
class Report:
    sections: list[Section]
    quick: bool
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    machine: str = field(default_factory=machine_description)

    @property
    def goals(self) -> list[Goal]:
        return [goal for section in self.sections for goal in section.goals]

    def summary_lines(self) -> list[str]:
        lines = [goal.describe() for goal in self.goals]
        lines.extend(f"FAILED   {s.title}: {s.error}" for s in self.sections if s.error)
        return lines

    def to_markdown(self, plot_files: Sequence[Path] = ()) -> str:
        mode = "quick run (--quick)" if self.quick else "full run"
        parts = [
            "# Benchmark report",
            f"{self.started:%Y-%m-%d %H:%M} UTC, {mode}, on a {self.machine}. Absolute times are from "
            "this machine; ratios are measured side by side in the same run.",
            "## Goals",
            "```\n" + "\n".join(self.summary_lines() or ["(no goals measured)"]) + "\n```",
        ]
        for section in self.sections:
            parts.append(f"## {section.title}")
            if section.error:
                parts.append(f"Not measured: {section.error}")
                continue
            parts.extend(section.body)
            parts.append(f"_({section.seconds:.0f} s)_")
        if plot_files:
            parts.append("## Plots")
            parts.extend(f"![{path.stem}]({path.name})" for path in plot_files)
        return "\n\n".join(parts) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.started.isoformat(timespec="seconds"),
            "machine": self.machine,
            "quick": self.quick,
            "goals": [{**asdict(goal), "met": goal.met} for goal in self.goals],
            "sections": {
                section.title: {
                    "figures": section.figures,
                    "error": section.error,
                    "seconds": round(section.seconds, 1),
                }
                for section in self.sections
            },
        }

    def write(self, directory: Path = RESULTS_DIR) -> list[Path]:
        """report.md, report.json and one PNG per section that has a plot; returns the files."""
        directory.mkdir(parents=True, exist_ok=True)
        plot_files = [
            section.plot(directory) for section in self.sections if section.plot and not section.error
        ]
        markdown = directory / "report.md"
        markdown.write_text(self.to_markdown(plot_files), encoding="utf-8")
        data = directory / "report.json"
        data.write_text(json.dumps(self.to_json(), indent=2, default=_json_default) + "\n", encoding="utf-8")
        return [markdown, data, *plot_files]


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Timing):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
