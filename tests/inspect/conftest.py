"""A small two-layer LSTM trained a few steps, and its page, shared by the tests of ``rnncli inspect``."""

import json

import pytest

from tests.command_line import invoke


def page_data(page):
    """The JSON object embedded in a page (``rnncli.inspect.page``), read back without rnncli's code."""
    html = page.read_text(encoding="utf-8")
    start = html.index('<script id="inspection-data" type="application/json">')
    data = html[html.index(">", start) + 1:html.index("</script>", start)]
    return json.loads(data)


@pytest.fixture(scope="package")
def trained_run(tmp_path_factory):
    """``(run, text, page, summary)``: a 2×12 LSTM trained 10 steps (Glorot weights: units that vary), a
    4,500-character text it did not train on (so eval reads it as two streams), and ``inspect --text --json``'s
    page and summary."""
    folder = tmp_path_factory.mktemp("inspect")
    corpus = folder / "corpus.txt"
    corpus.write_text("To be, or not to be: that is the question.\n  (Whether 'tis nobler in the mind.)\n" * 40,
                      encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--run-dir", folder / "run", "--hidden", 12, "--layers", 2,
                    "--steps", 10, "--init", "glorot", "--batch-size", 4, "--unroll", 10, "--lr", 1,
                    "--valid-size", 600, "--sample-every", 0, "--eval-every", 10, "--json")
    assert result.exit_code == 0, result.output
    text = folder / "text.txt"
    text.write_text(("Whether 'tis nobler in the mind (to be, or not to be).\nThat is the question: " * 70)[:4500],
                    encoding="utf-8")
    page = folder / "page.html"
    result = invoke("inspect", folder / "run", "--text", text, "--out", page, "--json")
    assert result.exit_code == 0, result.output
    return folder / "run", text, page, json.loads(result.stdout)
