"use strict";
// The page of rnncli inspect. Data: the JSON of rnncli/inspect/page.py's page_data. Character t of the text was
// read at step t (its unit activations: index t) and predicted at step t - 1 (its surprisal: index t - 1).

const data = JSON.parse(document.getElementById("inspection-data").textContent);
const text = Array.from(data.text);
const steps = data.surprisal.length;
const SURPRISAL_FOR_FULL_RED = 8;

function element(id) {
  return document.getElementById(id);
}

function visible(character) {
  return character === "\n" ? "\u23ce" : character === " " ? "\u2423" : character;
}

function formatted(number) {
  return number.toLocaleString("en");
}

// --- header -------------------------------------------------------------------------------------------------
function showHeader() {
  const h = data.header;
  element("title").textContent = `rnncli inspect: ${h.run}`;
  element("facts").textContent = `cell ${h.cell} \u00b7 ${h.layers} \u00d7 ${h.hidden} \u00b7 ` +
    `${formatted(h.parameters)} parameters \u00b7 checkpoint ${h.checkpoint} \u00b7 text: ${h.source}, ` +
    `${formatted(text.length)} characters`;
  const streams = data.streams > 1 ? ` (read as ${data.streams} streams, each from the zero state, as rnncli ` +
    "eval reads it)" : "";
  element("summary").textContent = `${data.bpc.toFixed(4)} bits per character over the ${formatted(steps)} ` +
    `characters predicted${streams}.`;
}

// --- text panes -----------------------------------------------------------------------------------------------
function fillText(container) {
  const spans = text.map((character, t) => {
    const span = document.createElement("span");
    span.textContent = character;
    span.dataset.t = t;
    return span;
  });
  container.replaceChildren(...spans);
  return spans;
}

// white at 0, full colour (r, g, b) at 1
function tint(fraction, [r, g, b]) {
  const f = Math.min(Math.max(fraction, 0), 1);
  const mix = (channel) => Math.round(255 - f * (255 - channel));
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

const RED = [214, 39, 40];
const BLUE = [31, 119, 180];
const ORANGE = [230, 85, 13];

function showSurprise() {
  const spans = fillText(element("surprise-text"));
  spans.forEach((span, t) => {
    if (t > 0) span.style.backgroundColor = tint(data.surprisal[t - 1] / SURPRISAL_FOR_FULL_RED, ORANGE);
  });
  const tooltip = element("tooltip");
  element("surprise-text").addEventListener("mousemove", (event) => {
    const t = Number(event.target.dataset.t);
    if (!(t > 0)) {
      tooltip.style.display = "none";
      return;
    }
    const predictions = data.top_ids[t - 1].map((id, k) =>
      `  ${visible(data.symbols[id])}  ${data.top_probabilities[t - 1][k].toFixed(3)}`);
    tooltip.textContent = `${visible(text[t])}: ${data.surprisal[t - 1].toFixed(2)} bits\npredicted:\n` +
      predictions.join("\n");
    tooltip.style.left = `${event.clientX + 12}px`;
    tooltip.style.top = `${event.clientY + 12}px`;
    tooltip.style.display = "block";
  });
  element("surprise-text").addEventListener("mouseleave", () => { tooltip.style.display = "none"; });
}

// --- unit values ------------------------------------------------------------------------------------------------
const decoded = new Map();

// The stored bytes of one layer's state as a Uint8Array [units × steps] (see page.py's quantized).
function levels(layer, state) {
  const key = `${layer}/${state}`;
  if (!decoded.has(key)) {
    const binary = atob(data.layers[layer].states[state].bytes);
    const bytes = new Uint8Array(binary.length);
    for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
    decoded.set(key, bytes);
  }
  return decoded.get(key);
}

function unitValues(layer, state, unit) {
  const stored = data.layers[layer].states[state];
  const lo = stored.lo[unit];
  const step = (stored.hi[unit] - lo) / 255;
  return Array.from(levels(layer, state).subarray(unit * steps, (unit + 1) * steps), (q) => lo + q * step);
}

// values divided by their largest magnitude: in [-1, 1]
function scaled(values) {
  const largest = Math.max(...values.map(Math.abs));
  return largest > 0 ? values.map((v) => v / largest) : values;
}

// --- unit browser ---------------------------------------------------------------------------------------------
// what the address's fragment chooses: #layer=L&state=S&unit=U, and &span=FIRST-LAST for a hypothesis
const chosen = { layer: 0, state: "hidden", unit: 0, span: null };
let unitSpans = [];

function hiddenSize() {
  return data.layers[chosen.layer].states[chosen.state].lo.length;
}

function fillChoices() {
  element("layer").replaceChildren(...data.layers.map((_, i) => new Option(`${i + 1}`, `${i}`)));
  const states = Object.keys(data.layers[0].states);
  element("state").replaceChildren(...states.map((name) => new Option(name, name)));
}

function choose(layer, state, unit, span = chosen.span) {
  location.hash = `layer=${layer + 1}&state=${state}&unit=${unit}` + (span ? `&span=${span.join("-")}` : "");
}

function chosenFromHash() {
  const fields = new URLSearchParams(location.hash.slice(1));
  const layer = Number(fields.get("layer")) - 1;
  if (layer >= 0 && layer < data.layers.length) chosen.layer = layer;
  const state = fields.get("state");
  chosen.state = state in data.layers[chosen.layer].states ? state : "hidden";
  const unit = Number(fields.get("unit"));
  chosen.unit = Number.isInteger(unit) ? Math.min(Math.max(unit, 0), hiddenSize() - 1) : 0;
  const span = /^(\d+)-(\d+)$/.exec(fields.get("span") || "");
  chosen.span = span ? [Number(span[1]), Math.min(Number(span[2]), steps - 1)] : null;
  if (chosen.span && chosen.span[0] > chosen.span[1]) chosen.span = null;
}

function showUnit() {
  chosenFromHash();
  element("layer").value = `${chosen.layer}`;
  element("state").value = chosen.state;
  element("unit").value = chosen.unit;
  element("unit").max = hiddenSize() - 1;
  const values = unitValues(chosen.layer, chosen.state, chosen.unit);
  scaled(values).forEach((v, t) => {
    unitSpans[t].style.backgroundColor = v >= 0 ? tint(v, RED) : tint(-v, BLUE);
  });
  // the last character was never read
  unitSpans[steps].style.backgroundColor = "";
  const stored = data.layers[chosen.layer].states[chosen.state];
  const meanings = data.features.flatMap((feature) => feature.best
    .filter((u) => u.layer === chosen.layer + 1 && u.state === chosen.state && u.unit === chosen.unit)
    .map((u) => `${feature.name} r = ${u.r.toFixed(2)}`));
  element("unit-facts").textContent = `layer ${chosen.layer + 1} ${chosen.state} unit ${chosen.unit} of ` +
    `${hiddenSize()}: from ${stored.lo[chosen.unit].toFixed(3)} to ${stored.hi[chosen.unit].toFixed(3)}` +
    (meanings.length ? `; ${meanings.join(", ")}` : "");
  showSearch();
}

function showUnitBrowser() {
  unitSpans = fillText(element("unit-text"));
  fillChoices();
  element("layer").addEventListener("change", (event) =>
    choose(Number(event.target.value), chosen.state, chosen.unit));
  element("state").addEventListener("change", (event) => choose(chosen.layer, event.target.value, chosen.unit));
  element("unit").addEventListener("change", (event) =>
    choose(chosen.layer, chosen.state, Number(event.target.value)));
  document.addEventListener("keydown", (event) => {
    if (event.target.tagName === "INPUT" || event.target.tagName === "SELECT") return;
    const move = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!move) return;
    event.preventDefault();
    choose(chosen.layer, chosen.state, (chosen.unit + move + hiddenSize()) % hiddenSize());
  });
  window.addEventListener("hashchange", showUnit);
  showUnit();
}

function unitButton(layer, state, unit, label) {
  const button = document.createElement("button");
  button.className = "unit";
  button.textContent = label;
  button.addEventListener("click", () => {
    choose(layer - 1, state, unit);
    element("unit-text").scrollIntoView({ behavior: "smooth", block: "center" });
  });
  return button;
}

// --- hypothesis search ----------------------------------------------------------------------------------------
// Units on (scaled value >= threshold) at every step of [first, last] and off at first - 1 and last + 1, best
// margin first; then the steps at which every one of them is on.
function search(first, last, threshold) {
  const found = [];
  for (let unit = 0; unit < hiddenSize(); unit++) {
    const v = scaled(unitValues(chosen.layer, chosen.state, unit));
    const low = Math.min(...v.slice(first, last + 1));
    const around = [v[first - 1], v[last + 1]].filter((x) => x !== undefined);
    const high = around.length ? Math.max(...around) : -1;
    if (low >= threshold && high < threshold) found.push({ unit, margin: low - high, values: v });
  }
  found.sort((a, b) => b.margin - a.margin);
  const units = found.slice(0, 10);
  const on = units.length ? unitSpans.map((_, t) => t < steps && units.every((u) => u.values[t] >= threshold))
    : [];
  return { units, on };
}

// a selection in the unit browser's text becomes the address's span
function chooseSelectedSpan() {
  const selection = window.getSelection();
  const pane = element("unit-text");
  if (selection.isCollapsed || !pane.contains(selection.anchorNode) || !pane.contains(selection.focusNode)) return;
  const ends = [selection.anchorNode, selection.focusNode].map((node) =>
    Number((node.nodeType === Node.TEXT_NODE ? node.parentElement : node).dataset.t));
  if (ends.some(Number.isNaN)) return;
  choose(chosen.layer, chosen.state, chosen.unit, [Math.min(...ends), Math.min(Math.max(...ends), steps - 1)]);
}

function showSearch() {
  if (!chosen.span) {
    unitSpans.forEach((span) => span.classList.remove("span-chosen", "match"));
    element("hypothesis-facts").textContent = "No span selected.";
    element("hypothesis-units").replaceChildren();
    return;
  }
  const [first, last] = chosen.span;
  const threshold = Number(element("threshold").value);
  const { units, on } = search(first, last, threshold);
  unitSpans.forEach((span, t) => {
    span.classList.toggle("span-chosen", t >= first && t <= last);
    span.classList.toggle("match", Boolean(on[t]));
  });
  const places = on.filter((isOn, t) => isOn && !on[t - 1]).length;
  const where = `layer ${chosen.layer + 1} ${chosen.state}, characters ${first}\u2013${last}`;
  element("hypothesis-facts").textContent = units.length
    ? `${where}: ${units.length === 1 ? "1 unit; it is" : `${units.length} units; all of them are`} on ` +
      `together at ${places} places (outlined).`
    : `${where}: no unit is on across the span and off around it at threshold ${threshold}.`;
  element("hypothesis-units").replaceChildren(...units.map((u) =>
    unitButton(chosen.layer + 1, chosen.state, u.unit, `unit ${u.unit} (margin ${u.margin.toFixed(2)})`)));
}

function showHypothesisSearch() {
  element("unit-text").addEventListener("mouseup", chooseSelectedSpan);
  element("threshold").addEventListener("change", showSearch);
}

// --- units that mean something ---------------------------------------------------------------------------------
function showFeatures() {
  const rows = data.features.map((feature) => {
    const row = document.createElement("tr");
    const cells = [feature.name, feature.definition].map((content) => {
      const cell = document.createElement("td");
      cell.textContent = content;
      return cell;
    });
    const units = document.createElement("td");
    if (feature.best.length) {
      units.append(...feature.best.map((u) =>
        unitButton(u.layer, u.state, u.unit, `L${u.layer} ${u.state} ${u.unit} (${u.r.toFixed(2)})`)));
    } else {
      units.textContent = "constant in this text";
    }
    row.append(...cells, units);
    return row;
  });
  document.querySelector("#features tbody").replaceChildren(...rows);
}

// --- gates ----------------------------------------------------------------------------------------------------
const PLOT = 220;
const MARGIN = 30;

function scatter(left, right) {
  const size = PLOT + 2 * MARGIN;
  const x = (f) => MARGIN + f * PLOT;
  const y = (f) => MARGIN + (1 - f) * PLOT;
  const dots = left.map((l, k) =>
    `<circle cx="${x(l).toFixed(1)}" cy="${y(right[k]).toFixed(1)}" r="2.5" fill="#d62728" fill-opacity="0.6"/>`);
  return `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<rect x="${MARGIN}" y="${MARGIN}" width="${PLOT}" height="${PLOT}" fill="none" stroke="#999"/>` +
    `<line x1="${x(0)}" y1="${y(1)}" x2="${x(1)}" y2="${y(0)}" stroke="#ccc" stroke-dasharray="4 3"/>` +
    `<text x="${x(0.5)}" y="${size - 8}" text-anchor="middle" font-size="11">fraction &lt; 0.1 (closed)</text>` +
    `<text x="12" y="${y(0.5)}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${y(0.5)})">` +
    "fraction &gt; 0.9 (open)</text>" +
    `<text x="${x(0)}" y="${y(0) + 12}" font-size="9">0</text><text x="${x(1) - 5}" y="${y(0) + 12}" ` +
    `font-size="9">1</text><text x="${x(0) - 10}" y="${y(1) + 4}" font-size="9">1</text>` +
    dots.join("") + "</svg>";
}

function showGates() {
  const container = element("gates");
  data.layers.forEach((layer, i) => {
    const heading = document.createElement("h3");
    heading.textContent = `Layer ${i + 1}`;
    const plots = document.createElement("div");
    plots.className = "gate-layer";
    const gates = Object.entries(layer.gates);
    if (!gates.length) plots.textContent = `The ${data.header.cell} cell has no gates.`;
    for (const [name, gate] of gates) {
      const plot = document.createElement("div");
      plot.className = "gate-plot";
      plot.innerHTML = `<div><b>${name}</b></div>${scatter(gate.left, gate.right)}`;
      const line = document.createElement("p");
      line.textContent = gate.reading;
      plot.append(line);
      plots.append(plot);
    }
    container.append(heading, plots);
  });
}

showHeader();
showSurprise();
showUnitBrowser();
showHypothesisSearch();
showFeatures();
showGates();
