"""`python -m experiments`: what personalization earns, per experiment and variant (docs/experiments.md).

  python -m experiments report [--local [DATA_DIR] | --workgroup W [--database DB] [--region R]]
                               [--experiment NAME] [--holdout VARIANT] [--days N]
                               [--json] [--plot PATH.png] [--timeout S]

Exposures (answers shown), clicks, adds and orders of each variant from the analytics events (the
named query `experiment-outcomes`), CTR and conversion per exposure with 95% Wilson intervals, and
the lift and two-proportion z-test p-value of each variant against the holdout (the variant
answering featured/natural, or `--holdout VARIANT`). `--local` (the default) runs DuckDB over
DATA_DIR/analytics/ (default: the demo's data folder, .demo-data/); `--workgroup` runs the query in
a deployment's Athena workgroup (stack output `AnalyticsWorkGroup`).
Exit codes: 0 reported, 1 the query failed or there are no exposures yet, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.athena import AthenaQueryError
from analytics.dialect import DEFAULT_LOOKBACK_DAYS
from analytics.local_engine import NoDataError
from analytics.queries import EXPERIMENT_OUTCOMES
from analytics.source import SourceUsageError, add_source_arguments, run_query
from experiments.report import Report, ReportUsageError, as_json, as_table, build_report

EXIT_FAILED = 1
EXIT_USAGE = 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m experiments",
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join((__doc__ or "").splitlines()[2:]),
    )
    commands = root.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="rates, intervals, lift and p-values per variant")
    add_source_arguments(report)
    report.add_argument("--experiment", help="report this experiment only")
    report.add_argument("--holdout", metavar="VARIANT", help="compare with this variant (default: by source)")
    report.add_argument(
        "--days", type=int, default=DEFAULT_LOOKBACK_DAYS, help=f"lookback in days ({DEFAULT_LOOKBACK_DAYS})"
    )
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--plot", type=Path, metavar="PATH.png", help="also draw the report into a PNG")
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if arguments.plot is not None and arguments.plot.suffix.lower() != ".png":
        print("--plot writes a PNG: give a path ending in .png", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = _report(arguments)
    except (NoDataError, AthenaQueryError) as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    except (ReportUsageError, SourceUsageError) as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    if not report.experiments:
        which = f"of experiment {arguments.experiment} " if arguments.experiment else ""
        print(
            f"no exposures {which}in the last {arguments.days} days: RecommendationsShown events "
            "carrying an experiment arrive once shoppers enrolled in one are shown answers",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(as_json(report) if arguments.json else as_table(report))
    if arguments.plot is not None:
        try:
            from experiments.plot import write_plot
        except ImportError as error:  # matplotlib is not installed
            print(f"--plot needs matplotlib: {error}", file=sys.stderr)
            return EXIT_FAILED
        write_plot(report, arguments.plot)
        print(f"plot: {arguments.plot}", file=sys.stderr)
    return 0


def _report(arguments: argparse.Namespace) -> Report:
    rows = run_query(arguments, EXPERIMENT_OUTCOMES, arguments.days)
    return build_report(
        rows, holdout=arguments.holdout, experiment=arguments.experiment, lookback_days=arguments.days
    )


if __name__ == "__main__":
    raise SystemExit(main())
