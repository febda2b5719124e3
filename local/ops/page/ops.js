// The twin's operations page: the stack's dashboard definition (infra/dashboard.py), drawn from the
// local CloudWatch. /ops/data gives every widget with its series and every alarm's state; the page
// lays the widgets out as CloudWatch does (rows of 24 columns), draws graphs with uPlot, and asks
// again every `refreshSeconds`.
"use strict";

const UNIT_PX = 34;
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];
const charts = new Map(); // widget key -> uPlot
let lastAlarms = [];

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function inline(text) {
  // `code` spans only: the definition's markdown uses headings, text and code.
  const fragment = document.createDocumentFragment();
  text.split(/(`[^`]*`)/).forEach((part) => {
    fragment.append(part.startsWith("`") && part.endsWith("`") && part.length > 1
      ? element("code", {}, part.slice(1, -1)) : part);
  });
  return fragment;
}

function markdown(text) {
  const fragment = document.createDocumentFragment();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const heading = line.match(/^#+\s+(.*)$/);
    fragment.append(heading ? element("h2", {}, inline(heading[1])) : element("p", {}, inline(line)));
  }
  return fragment;
}

function widgetBox(widget, key) {
  const box = element("section", {
    class: `ops-widget ${widget.kind}`,
    "data-testid": "ops-widget",
    "data-kind": widget.kind,
    "data-key": key,
    style: `grid-column: span ${widget.width}; min-height: ${widget.height * UNIT_PX}px`,
  });
  if (widget.title !== undefined) {
    box.dataset.title = widget.title;
    box.append(element("h2", {}, widget.title));
  }
  return box;
}

function renderText(box, widget) {
  box.append(markdown(widget.markdown));
}

function renderAlarms(box) {
  const list = element("div", { class: "ops-alarms", "data-testid": "ops-alarm-status" });
  for (const alarm of lastAlarms) {
    list.append(element("div", {
      class: "ops-alarm",
      "data-testid": `alarm-${alarm.id}`,
      "data-state": alarm.state,
      title: `${alarm.description}\n${alarm.reason}\n` +
        `${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} periods of ${alarm.periodSeconds} s ` +
        `(${alarm.stackPeriodSeconds} s in the stack), missing data: ${alarm.missingData}`,
    }, element("strong", {}, alarm.id), element("span", { class: "state" }, alarm.state.replace("_", " "))));
  }
  box.append(list);
}

function chartData(widget) {
  const tables = widget.series.map((series) => [series.timestamps, series.values]);
  if (!tables.length) return [[]];
  return uPlot.join(tables);
}

function chartOptions(widget, width, range) {
  const usesRight = widget.series.some((series) => series.axis === "right");
  const axisLabel = (axis) => (axis && axis.label) || undefined;
  const options = {
    width,
    height: Math.max(120, widget.height * UNIT_PX - 70),
    scales: { x: { time: true, range: () => range }, y: { auto: true }, y2: { auto: true } },
    series: [{}].concat(widget.series.map((series, index) => ({
      label: series.label,
      scale: series.axis === "right" ? "y2" : "y",
      stroke: COLORS[index % COLORS.length],
      width: 1.5,
      spanGaps: true,
      points: { size: 4 },
    }))),
    axes: [
      { size: 30 },
      { scale: "y", label: axisLabel(widget.axes.left), size: 50 },
    ],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  for (const [key, axis] of [["y", widget.axes.left], ["y2", widget.axes.right]]) {
    if (axis && axis.min !== null && axis.min !== undefined) {
      options.scales[key] = { range: (u, min, max) => [axis.min, Math.max(max, axis.min + 1)] };
    }
  }
  if (usesRight) {
    options.axes.push({ scale: "y2", side: 1, grid: { show: false }, label: axisLabel(widget.axes.right), size: 50 });
  }
  return options;
}

function renderGraph(box, widget, key, range) {
  const points = widget.series.reduce((total, series) => total + series.values.length, 0);
  box.dataset.series = String(widget.series.filter((series) => series.values.length).length);
  box.dataset.points = String(points);
  box.dataset.notPublished = widget.notPublished.join(",");
  const holder = element("div", { class: "ops-chart" });
  box.append(holder);
  let note = "";
  if (widget.problem) note = widget.problem;
  else if (!points && widget.notPublished.length) note = `The twin does not publish ${widget.notPublished.join(", ")}`;
  else if (!points) note = "No data in this range yet";
  if (note) box.append(element("div", { class: "ops-note", "data-testid": "ops-note" }, note));
  const width = Math.max(200, box.clientWidth - 16);
  charts.set(key, new uPlot(chartOptions(widget, width, range), chartData(widget), holder));
}

function render(snapshot) {
  const root = document.getElementById("dashboard");
  lastAlarms = snapshot.alarms;
  const rows = [];
  snapshot.rows.forEach((row, r) => {
    const line = element("div", { class: "ops-row" });
    row.forEach((widget, c) => {
      const key = `${r}:${c}`;
      const box = widgetBox(widget, key);
      line.append(box);
      rows.push([box, widget, key]);
    });
    root.append(line);
  });
  return rows;
}

function draw(snapshot) {
  const root = document.getElementById("dashboard");
  const scroll = window.scrollY;
  const range = [snapshot.generatedAt - snapshot.windowSeconds, snapshot.generatedAt];
  for (const plot of charts.values()) plot.destroy();
  charts.clear();
  root.replaceChildren();
  for (const [box, widget, key] of render(snapshot)) {
    if (widget.kind === "text") renderText(box, widget);
    else if (widget.kind === "alarm") renderAlarms(box);
    else renderGraph(box, widget, key, range);
  }
  window.scrollTo(0, scroll);
  const firing = snapshot.alarms.filter((alarm) => alarm.state === "ALARM").length;
  document.querySelector("[data-testid=ops-title]").textContent = `${snapshot.name} (local twin)`;
  const clock = document.querySelector("[data-testid=ops-clock]");
  clock.classList.remove("stale");
  clock.textContent = `Updated ${new Date(snapshot.generatedAt * 1000).toLocaleTimeString()} · ` +
    `time ×${snapshot.timeScale}: a 60 s period is ${60 / snapshot.timeScale} s, ` +
    `the last ${Math.round(snapshot.windowSeconds / 60)} min shown · ` +
    `${firing} alarm${firing === 1 ? "" : "s"} in ALARM`;
  document.body.dataset.generatedAt = String(snapshot.generatedAt);
}

async function refresh() {
  let delay = 5;
  try {
    const response = await fetch("data", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const snapshot = await response.json();
    delay = snapshot.refreshSeconds;
    draw(snapshot);
  } catch (error) {
    const clock = document.querySelector("[data-testid=ops-clock]");
    clock.classList.add("stale");
    clock.textContent = `The local metrics did not answer (${error.message}); trying again`;
  }
  window.setTimeout(refresh, delay * 1000);
}

window.addEventListener("DOMContentLoaded", refresh);
