"""``rnncli export``: a SavedModel that a process without rnncli loads, scoring as ``eval`` and sampling as
``sample`` does."""

import json
import subprocess
import sys

import pytest

from tests.command_line import invoke

TINY = ["--hidden", "12", "--batch-size", "4", "--unroll", "8", "--lr", "1", "--log-every", "5", "--eval-every", "10",
        "--sample-every", "0", "--valid-size", "300", "--normalize", "lower"]

#: Loads the SavedModel with TensorFlow alone; fails if rnncli is importable-and-imported.
LOADER = """
import json, sys
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
text, prime = sys.argv[2], sys.argv[3]
log_probs = model.signatures["score"](text=tf.constant(text))["log_probs"].numpy()
samples = [model.signatures["sample"](prime=tf.constant(prime), length=tf.constant(60), temperature=tf.constant(t),
                                      top_k=tf.constant(k), top_p=tf.constant(p), seed=tf.constant(7)
                                      )["text"].numpy().decode() for t, k, p in ((1.0, 0, 1.0), (0.8, 5, 0.9))]
assert not any(name.startswith("rnncli") for name in sys.modules)
print(json.dumps({"log_probs": log_probs.tolist(), "samples": samples}))
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    corpus = folder / "corpus.txt"
    corpus.write_text("To be, or not to be: that is the question.\nWhether 'tis nobler in the mind\n" * 50)
    assert invoke("train", "--corpus", corpus, "--run-dir", folder / "run", "--steps", 20, *TINY).exit_code == 0
    result = invoke("export", folder / "run", folder / "saved", "--json")
    assert result.exit_code == 0, result.output
    text = folder / "held_out.txt"
    text.write_text("Whether 'tis NOBLER in the mind to suffer, or not to be.\n")
    process = subprocess.run([sys.executable, "-c", LOADER, str(folder / "saved"), text.read_text(), "To be"],
                             capture_output=True, text=True, cwd=folder)
    assert process.returncode == 0, process.stderr
    return folder, text, json.loads(process.stdout)


def test_the_exported_model_scores_a_text_as_eval_does(exported):
    import math

    folder, text, loaded = exported
    evaluation = json.loads(invoke("eval", folder / "run", "--corpus", text, "--json").stdout)
    log_probs = loaded["log_probs"]
    assert len(log_probs) == evaluation["characters"] == len(text.read_text()) - 3  # "f" twice is not in the vocabulary
    assert math.exp(-sum(log_probs) / len(log_probs)) == pytest.approx(evaluation["perplexity"], rel=1e-5)


def test_the_exported_model_samples_as_rnncli_sample_does(exported):
    folder, _, loaded = exported
    for sampled, args in zip(loaded["samples"], (["--temperature", 1], ["--temperature", 0.8, "--top-k", 5,
                                                                          "--top-p", 0.9])):
        result = invoke("sample", folder / "run", "--prime", "To be", "--length", 60, "--seed", 7, "--json", *args)
        assert json.loads(result.stdout)["text"] == sampled
        assert sampled.startswith("to be") and len(sampled) == 65  # the prime as the run normalises it


def test_an_existing_folder_is_refused(exported):
    folder, _, _ = exported
    result = invoke("export", folder / "run", folder / "saved")
    assert result.exit_code == 2 and "already exists; choose a new folder" in result.output
