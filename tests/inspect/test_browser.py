"""The page in a real headless browser (Chromium, which ``.ci/run`` installs): it runs without a console message,
it renders every section, choosing a unit (through the address's ``#layer=..&state=..&unit=..``, as the unit
browser's controls and arrow keys do) recolours the text by that unit's activations, and a span
(``&span=FIRST-LAST``, as a selection sets it) finds the units a NumPy version of LSTMVis's rule finds."""

import os
import re
import shutil
import struct
import subprocess

import numpy as np
import pytest

from tests.inspect.conftest import page_data
from tests.inspect.test_inspect import stored_unit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="Chromium is not installed (CI installs it: .ci/run)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def open_page(page, fragment, tmp_path, *action):
    """Chromium's stdout after ``action`` (``--dump-dom``, ``--screenshot=...``) on ``page#fragment``, failing on
    any message the page logs to the console (an uncaught error among them)."""
    assert CHROMIUM, "Chromium is not installed: apt-get install chromium"
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action,
                             f"{page.resolve().as_uri()}#{fragment}"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, "\n".join(console)
    return result.stdout


def between(dom, start, end):
    """The markup from the first ``start`` to the next ``end``."""
    first = dom.index(start)
    return dom[first:dom.index(end, first)]


def unit_colours(dom):
    """``{t: (r, g, b)}`` of the unit browser's characters."""
    pane = between(dom, 'id="unit-text"', "</div>")
    colours = {}
    for span in re.findall(r"<span [^>]*>", pane):
        colour = re.search(r"background-color: rgb\((\d+), (\d+), (\d+)\)", span)
        if colour:
            colours[int(re.search(r'data-t="(\d+)"', span)[1])] = tuple(map(int, colour.groups()))
    return colours


def test_the_page_opens_without_a_console_message_and_a_screenshot_shows_it(trained_run, tmp_path):
    page = trained_run[2]
    shot = tmp_path / "page.png"
    open_page(page, "", tmp_path, "--window-size=1200,1600", f"--screenshot={shot}")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 1600)
    dom = open_page(page, "", tmp_path, "--dump-dom")
    assert between(dom, 'id="features"', "</table>").count("<tr>") == 1 + 7  # a header, a row per feature
    assert between(dom, 'id="gates"', 'id="tooltip"').count("<svg") == 2 * 3  # a scatter per gate and layer
    assert f"{page_data(page)['bpc']:.4f} bits per character" in re.search(r'id="summary">([^<]*)', dom)[1]


def assert_coloured_by(colours, values):
    """Every character read is coloured: red above 0, blue below (beyond 5% of the largest magnitude), and of
    each sign the deepest colour (farthest from white) is on a character of the largest magnitude."""
    assert sorted(colours) == list(range(len(values)))
    scaled = values / np.abs(values).max()
    for t, (r, _, b) in colours.items():
        if scaled[t] > 0.05:
            assert r > b, (t, scaled[t])
        elif scaled[t] < -0.05:
            assert b > r, (t, scaled[t])
    depth = {t: sum(255 - channel for channel in rgb) for t, rgb in colours.items()}
    for sign in (1, -1):
        of_sign = [t for t in colours if sign * scaled[t] > 0]
        if of_sign:
            deepest = max(of_sign, key=depth.get)
            assert sign * scaled[deepest] == max(sign * scaled[t] for t in of_sign)


def test_choosing_a_unit_colours_the_text_by_its_activations(trained_run, tmp_path):
    page = trained_run[2]
    stored = page_data(page)["layers"][1]["states"]["hidden"]
    coloured = {}
    for unit in (3, 7):
        dom = open_page(page, f"layer=2&state=hidden&unit={unit}", tmp_path, "--dump-dom")
        assert f"layer 2 hidden unit {unit} of 12" in dom
        coloured[unit] = unit_colours(dom)
        assert_coloured_by(coloured[unit], stored_unit(stored, unit)[0])
    assert coloured[3] != coloured[7]


def hypothesis(scaled, first, last, threshold):
    """LSTMVis's rule in NumPy for ``scaled [units, steps]``: the units at or above ``threshold`` at every step of
    ``[first, last]`` and below it at the steps just outside, by margin (lowest inside minus highest outside),
    at most 10; and the steps at which all of them are at or above ``threshold``."""
    outside = [t for t in (first - 1, last + 1) if 0 <= t < scaled.shape[1]]
    low = scaled[:, first:last + 1].min(axis=1)
    high = scaled[:, outside].max(axis=1) if outside else np.full(len(scaled), -1.0)
    found = [u for u in np.argsort(-(low - high), kind="stable") if low[u] >= threshold and high[u] < threshold]
    return found[:10], np.flatnonzero(np.all(scaled[found[:10]] >= threshold, axis=0))


@pytest.mark.parametrize("length", [1, 2, 4])
def test_a_span_finds_the_units_of_the_lstmvis_rule_and_outlines_where_they_are_on(trained_run, tmp_path, length):
    page = trained_run[2]
    stored = page_data(page)["layers"][1]["states"]["hidden"]
    scaled = np.array([values / np.abs(values).max() for values in
                       (stored_unit(stored, unit)[0] for unit in range(len(stored["lo"])))])
    # the span of this length where the most units are found
    first = max(range(scaled.shape[1] - length), key=lambda t: len(hypothesis(scaled, t, t + length - 1, 0.5)[0]))
    last = first + length - 1
    units, matches = hypothesis(scaled, first, last, 0.5)
    assert units
    dom = open_page(page, f"layer=2&state=hidden&unit=0&span={first}-{last}", tmp_path, "--dump-dom")
    listed = re.findall(r'<button class="unit">unit (\d+) \(margin', between(dom, 'id="hypothesis-units"', "</div>"))
    assert [int(unit) for unit in listed] == units
    spans = re.findall(r"<span [^>]*>", between(dom, 'id="unit-text"', "</div>"))
    outlined = [int(re.search(r'data-t="(\d+)"', span)[1]) for span in spans if re.search(r'class="[^"]*\bmatch', span)]
    assert outlined == matches.tolist() and set(range(first, last + 1)) <= set(outlined)
