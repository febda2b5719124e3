"""The operations page in Chromium against the local stack: every widget of the stack's dashboard
definition drawn with data after traffic, and stopping the emulated Personalize turns the
fallback-ratio alarm red within its evaluation period, scaled down for the demo. The screenshot of
that moment is docs/ops.png (`UPDATE_DOCS_SCREENSHOT=1 pytest tests/e2e/test_ops.py`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from local.emulator.faults import OPERATIONS
from local.ops import scaled
from local.ops.definition import local_definition
from personalization.contracts.topology import PERSONALIZE_SYNC
from repository import REPOSITORY_ROOT
from tests.ops_traffic import Shoppers, Traffic
from tests.stack_fixture import LocalStackHandle

pytestmark = pytest.mark.e2e

DOCS_SCREENSHOT = REPOSITORY_ROOT / "docs" / "ops.png"
UPDATE_SCREENSHOT = "UPDATE_DOCS_SCREENSHOT"
"""Set (to 1) to save the page with the alarm firing as docs/ops.png; it always goes to the artifacts."""
PERSONALIZE = [operation for operation in OPERATIONS if operation.startswith("personalize")]
"""Every Personalize operation the emulator serves: failing them all stops the emulated Personalize."""
EVERY_GRAPH_HAS_DATA = """() => {
  const graphs = [...document.querySelectorAll('[data-testid=ops-widget][data-kind=graph]')];
  return graphs.length > 0 && graphs.every((graph) => graph.dataset.points !== '0');
}"""


@pytest.fixture
def ops_page(page: Page, live_stack: LocalStackHandle) -> Iterator[Page]:
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{live_stack.storefront_url}/ops/")
    yield page
    live_stack.drain(live_stack.queue(PERSONALIZE_SYNC.name)["dlqUrl"])


def test_the_page_draws_every_widget_of_the_definition_with_data_after_traffic(
    ops_page: Page, live_stack: LocalStackHandle
) -> None:
    definition = local_definition()
    Shoppers(live_stack).round_with_failures()
    failed = ops_page.locator('[data-testid=ops-widget][data-title="Events failed per sink by reason"]')
    expect(failed).not_to_have_attribute("data-points", "0", timeout=30_000)
    live_stack.clear_faults()

    widgets = ops_page.get_by_test_id("ops-widget")
    expect(widgets).to_have_count(sum(len(row) for row in definition.rows))
    titles = [graph.title for graph in definition.graphs()]
    assert [
        t for t in widgets.evaluate_all("(ws) => ws.map((w) => w.dataset.title || '')") if t in titles
    ] == titles
    ops_page.wait_for_function(EVERY_GRAPH_HAS_DATA, timeout=30_000)
    graphs = ops_page.locator("[data-testid=ops-widget][data-kind=graph]")
    for index in range(graphs.count()):
        expect(graphs.nth(index).locator("canvas")).to_have_count(1)
    # The twin publishes every namespace the definition reads (AWS/Firehose and AWS/Events included).
    unpublished = ops_page.locator('[data-testid=ops-widget][data-kind=graph]:not([data-not-published=""])')
    expect(unpublished).to_have_count(0)
    expect(ops_page.get_by_test_id("ops-note").filter(has_text="does not publish")).to_have_count(0)
    expect(ops_page.get_by_test_id("ops-alarm-status").locator(".ops-alarm")).to_have_count(
        len(definition.alarms)
    )


def test_stopping_personalize_turns_the_fallback_alarm_red(
    ops_page: Page, live_stack: LocalStackHandle, screenshot: Callable[[str], Path]
) -> None:
    fallback = ops_page.get_by_test_id("alarm-FallbackRatio")
    (alarm,) = [alarm for alarm in local_definition().alarms if alarm.construct_id == "FallbackRatio"]
    with Traffic(Shoppers(live_stack)):
        expect(fallback).to_have_attribute("data-state", "OK", timeout=30_000)
        for operation in PERSONALIZE:
            live_stack.set_fault(operation, error_rate=1.0)
        # Its evaluation period (3 of 5 minutes in the stack: 75 s), a period begun before the
        # fault, the period in progress, and a refresh of the page.
        within = (alarm.evaluation_periods + 2) * scaled(alarm.period) + 10
        expect(fallback).to_have_attribute("data-state", "ALARM", timeout=within * 1000)
        expect(fallback).to_have_css("border-left-color", "rgb(209, 50, 18)")
        expect(ops_page.get_by_test_id("alarm-PersonalizeSyncDeadLetters")).to_have_attribute(
            "data-state", "ALARM", timeout=30_000
        )
        ops_page.wait_for_function(EVERY_GRAPH_HAS_DATA, timeout=30_000)
        screenshot("ops-personalize-stopped")
        if os.environ.get(UPDATE_SCREENSHOT):
            ops_page.screenshot(path=str(DOCS_SCREENSHOT))
