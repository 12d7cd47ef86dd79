"""The inspection as one self-contained HTML file: the template ``page.html`` with its script ``page.js`` and
the data inlined, no reference to anything outside the file, so it opens from disk on an offline machine.

Every state of every unit is stored as 8 bits over its own range: for unit values ``v_t`` with
``lo = min_t v_t`` and ``hi = max_t v_t``::

    q_t = round(255 (v_t - lo) / (hi - lo)),    v_t ≈ lo + q_t (hi - lo) / 255    (error at most (hi - lo) / 510)

one base64 string of ``[H, N - 1]`` bytes per layer and state (unit-major, so one unit is one slice), a quarter
of float32's size: 5,000 characters of a 2×256 LSTM take about 7 MB.
"""

import base64
import html
import json
import re
from importlib import resources

import numpy as np

from rnncli.inspect.features import FEATURES

#: Decimals kept of the surprisal (bits) and of the predictions' probabilities.
DECIMALS = 3


def quantized(values):
    """``{"lo": [H], "hi": [H], "bytes": base64}`` of ``values [T, H]`` (see the module docstring)."""
    values = np.asarray(values, np.float64)
    lo, hi = values.min(axis=0), values.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    levels = np.rint(255.0 * (values - lo) / span).astype(np.uint8)
    return {"lo": lo.tolist(), "hi": hi.tolist(), "bytes": base64.b64encode(levels.T.tobytes()).decode("ascii")}


def page_data(inspection):
    """The JSON object the page's script reads."""
    recording = inspection.recording
    readings = inspection.gate_readings()
    return {
        "header": inspection.header,
        "text": inspection.text,
        "symbols": inspection.symbols,
        "bpc": recording.bpc,
        "streams": recording.streams,
        "surprisal": np.round(recording.surprisal, DECIMALS).tolist(),
        "top_ids": recording.top_ids.tolist(),
        "top_probabilities": np.round(recording.top_probabilities, DECIMALS).tolist(),
        "layers": [{
            "states": {name: quantized(values) for name, values in layer.states.items()},
            "gates": {gate: {"left": left.tolist(), "right": right.tolist(), "reading": readings[i][gate]}
                      for gate, (left, right) in inspection.saturation[i].items()},
        } for i, layer in enumerate(recording.layers)],
        "features": [{"name": name, "definition": FEATURES[name], "best": inspection.best_units(name)}
                     for name in inspection.features],
    }


def script_safe(text):
    """``text`` with ``</`` written ``<\\/`` (the same string in JSON and JavaScript), so no ``</script>`` in
    the data or the script can end its element early."""
    return text.replace("</", "<\\/")


def render_page(inspection):
    """The page's HTML."""
    package = resources.files("rnncli.inspect")
    template = (package / "page.html").read_text(encoding="utf-8")
    script = (package / "page.js").read_text(encoding="utf-8")
    parts = {"TITLE": html.escape(f"rnncli inspect: {inspection.header['run']}"),
             "DATA": script_safe(json.dumps(page_data(inspection), ensure_ascii=False, separators=(",", ":"))),
             "SCRIPT": script_safe(script)}
    # one pass over the template: a placeholder written in the data stays as it is
    return re.sub(r"\{\{(\w+)\}\}", lambda match: parts[match[1]], template)


def write_page(inspection, path):
    """Write the page to ``path``."""
    path.write_text(render_page(inspection), encoding="utf-8")
