"""The twin's operations page (`/ops` on the storefront host): the stack's own dashboard definition
(`infra.dashboard`) drawn from the local CloudWatch, with its alarms evaluated there.

- `definition`: the definition as the demo deploys it, and the twin's names of its resources;
- `queries`: each widget's and alarm's metrics, math and SEARCH as GetMetricData queries, with the
  periods scaled down by `TIME_SCALE` (the local CloudWatch, `local.metrics`, evaluates them);
- `alarms`: CloudWatch's alarm evaluation (threshold, N of M datapoints, missing data);
- `service`: one snapshot of every widget and alarm, the JSON of `/ops/data`.

Time runs `TIME_SCALE` times faster on the page than on the CloudWatch dashboard: a 60 s period is
5 s, an alarm's 5 minutes are 25 s, the dashboard's default 3 hours are 15 minutes. One factor for
everything, so that graphs and alarms keep the shapes and the proportions they have in AWS.
"""

from __future__ import annotations

TIME_SCALE = 12
"""Stack seconds per local second: periods, evaluation windows and the time range are divided by it.
60 s -> 5 s: also the interval at which the twin samples its queues (`local.metrics.figures`)."""


def scaled(seconds: int) -> int:
    """A stack period (seconds) as the twin's: at least 1 s."""
    return max(1, seconds // TIME_SCALE)
