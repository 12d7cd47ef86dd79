"""rnncli inspect end to end: its bits per character are eval's, its unit activations are the cells' (against
the NumPy reference), its page asks for nothing outside itself, every cell of the family gets a report."""

import base64
import re

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.data.vocabulary import Vocabulary
from rnncli.evaluate import Evaluator
from rnncli.inspect.features import FEATURES
from rnncli.inspect.inspection import inspect_model
from rnncli.inspect.page import render_page
from rnncli.inspect.recording import record
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack_options import StackOptions
from rnncli.tensorflow_quiet import tf
from tests.cells.reference import numpy_cell, weights_of
from tests.cells.test_internals import GATES
from tests.inspect.conftest import invoke, page_data

#: 4,499 steps in at most 2 streams of whole 50-step windows: the second stream starts at step 2,250.
SECOND_STREAM = 2250


def test_the_pages_bits_per_character_equal_eval(trained_run):
    run, text, page, summary = trained_run
    evaluation = invoke("eval", run, "--corpus", text, "--json")
    assert evaluation.exit_code == 0, evaluation.output
    bpc = __import__("json").loads(evaluation.stdout)["bpc"]
    assert summary["bpc"] == pytest.approx(bpc, rel=1e-5)
    data = page_data(page)
    assert data["bpc"] == summary["bpc"] and data["streams"] == 2
    assert np.mean(data["surprisal"]) == pytest.approx(bpc, abs=1e-3)  # rounded to 3 decimals each


def stored_unit(stored, unit):
    """One unit's values from the page's bytes: ``lo + q (hi - lo) / 255``, and the rounding bound."""
    levels = np.frombuffer(base64.b64decode(stored["bytes"]), np.uint8).reshape(len(stored["lo"]), -1)
    lo, hi = stored["lo"][unit], stored["hi"][unit]
    return lo + levels[unit] * (hi - lo) / 255.0, (hi - lo) / 510.0


@pytest.mark.parametrize("layer, unit", [(0, 3), (1, 7)])
def test_a_units_activations_in_the_page_equal_the_cells_run_directly(trained_run, layer, unit):
    from rnncli.restore import load_trained

    run, text, page, _ = trained_run
    _, _, vocabulary, model = load_trained(run)
    ids, _ = vocabulary.encode(text.read_text(encoding="utf-8"))
    shown, tolerance = stored_unit(page_data(page)["layers"][layer]["states"]["hidden"], unit)
    for start in (0, SECOND_STREAM):  # each stream starts from the zero state
        xs = np.eye(len(vocabulary))[ids[start:start + 200]][:, None]
        for cell in model.stack.cells[:layer + 1]:
            xs, _ = numpy_cell("lstm", weights_of(cell), xs, (np.zeros((1, 12)), np.zeros((1, 12))))
        np.testing.assert_allclose(shown[start:start + 200], xs[:, 0, unit], atol=tolerance + 1e-6)


def test_the_page_asks_for_nothing_outside_itself(trained_run):
    html = trained_run[2].read_text(encoding="utf-8")
    assert not re.search(r"https?:", html, re.IGNORECASE)
    data_start = html.index('<script id="inspection-data"')
    markup_and_script = html[:data_start] + html[html.index("</script>", data_start):]
    for reference in (r"\bsrc\s*=", r"\bhref\s*=", r"url\(", r"@import", r"<link", r"\bfetch\(", "XMLHttpRequest",
                      r"\bimport\(", r"[\"'(]//"):
        assert not re.search(reference, markup_and_script), reference


def test_json_gives_surprisal_correlations_and_saturation(trained_run):
    _, text, _, summary = trained_run
    assert summary["characters"] == 4500 and len(summary["surprisal"]) == 4499
    assert summary["cell"] == "lstm" and summary["layers"] == 2 and summary["checkpoint"] == "step 10"
    assert [layer["layer"] for layer in summary["per_layer"]] == [1, 2]
    for layer in summary["per_layer"]:
        assert list(layer["saturation"]) == ["i", "f", "o"]
        for fractions in layer["saturation"].values():
            assert all(0 <= left + right <= 1 for left, right in zip(fractions["left"], fractions["right"]))
        assert list(layer["correlations"]) == list(FEATURES)
    # the text has no quotes and no indentation: constant features name no unit
    assert summary["best_units"]["inside quotes"] == [] and summary["best_units"]["indentation"] == []
    best = summary["best_units"]["inside brackets"][0]
    every_r = [r for layer in summary["per_layer"] for values in layer["correlations"]["inside brackets"].values()
               for r in values]
    assert abs(best["r"]) == max(map(abs, every_r))
    assert summary["per_layer"][best["layer"] - 1]["correlations"]["inside brackets"][best["state"]][best["unit"]] \
        == best["r"]


def test_text_and_corpus_together_and_an_unknown_checkpoint_are_refused(trained_run):
    run, text, _, _ = trained_run
    result = invoke("inspect", run, "--text", text, "--corpus", text)
    assert result.exit_code == 2 and "--text or --corpus" in result.output
    result = invoke("inspect", run, "--checkpoint", "newest")
    assert result.exit_code == 2 and "--checkpoint newest: choose latest, best or a kept step" in result.output


VOCABULARY = Vocabulary(sorted(set("the cat (sat) on\nthe mat.")))
IDS = VOCABULARY.encode("the cat (sat)\non the mat. " * 3)[0]


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_cell_of_the_family_produces_a_report(name):
    model = CharLanguageModel(len(VOCABULARY), name, 4)
    inspection = inspect_model(model, VOCABULARY, IDS, 1, {"run": f"tiny {name}"})
    html = render_page(inspection)
    layer = inspection.summary()["per_layer"][0]
    assert "".join(layer["saturation"]) == GATES[name]
    assert list(layer["correlations"]["since newline"]) == (["hidden", "cell"] if name in GATES and
                                                             "cell" in model.stack.cells[0].State._fields else ["hidden"])
    assert f"tiny {name}" in html and len(inspection.recording.surprisal) == len(IDS) - 1


def test_the_recording_is_the_models_forward_pass_through_every_stack_connection():
    options = StackOptions(vertical="both", residual=True, time_skip=2, state_averaging=0.5)
    model = CharLanguageModel(len(VOCABULARY), "lstm", 4, layers=2, init=WeightInit("glorot", seed=1),
                              unroll_mode="dynamic", stack_options=options)
    ids = np.tile(IDS, 60)  # 4,679 steps: two streams of 47 whole windows, 2,350 steps
    recording = record(model, ids, 4)
    assert recording.streams == 2
    assert recording.bpc == pytest.approx(Evaluator(model, 4)(ids).bpc, rel=1e-5)
    surprisal, hidden = np.zeros(len(ids) - 1), np.zeros((2, len(ids) - 1, 4))
    forward = tf.function(model.forward)
    for start in (0, 2350):
        states = model.initial_states(1)
        for window_start in range(start, min(start + 2350, len(ids) - 1), 50):
            window = ids[window_start:window_start + 51].astype(np.int32)
            result = forward(tf.constant(window[:-1, None]), states)
            states = result.final_states
            steps = len(window) - 1
            surprisal[window_start:window_start + steps] = tf.nn.sparse_softmax_cross_entropy_with_logits(
                window[1:, None], result.logits)[:, 0] / np.log(2)
            for layer, trajectory in enumerate(result.trajectories):
                hidden[layer, window_start:window_start + steps] = trajectory[1:, 0]
    np.testing.assert_allclose(recording.surprisal, surprisal, rtol=1e-5, atol=1e-6)
    for layer in range(2):
        np.testing.assert_allclose(recording.layers[layer].states["hidden"], hidden[layer], atol=1e-6)
