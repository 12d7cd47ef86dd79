"""``rnncli sample`` and ``eval`` choosing a checkpoint, masking ``<unk>`` and writing to a file."""

import json

import pytest

from tests.command_line import invoke

TINY = ["--hidden", "8", "--batch-size", "4", "--unroll", "6", "--lr", "3", "--log-every", "5", "--eval-every", "3",
        "--sample-every", "0", "--checkpoint-every", "5", "--keep-checkpoints", "1", "--valid-size", "400"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run over a vocabulary of 6 characters and <unk>, evaluated every 3 steps, keeping one checkpoint."""
    folder = tmp_path_factory.mktemp("sampled")
    corpus = folder / "corpus.txt"
    corpus.write_text("abracadabra, said the wizard; xyzzy, said the other one.\n" * 60, encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--run-dir", folder / "run", "--steps", 20, "--vocab-size", 7,
                    *TINY)
    assert result.exit_code == 0, result.output
    return folder / "run"


def validations(run):
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r for r in records if "valid_bpc" in r]


def test_the_best_checkpoint_is_the_one_whose_evaluation_is_the_best_figure(run):
    evaluations = validations(run)
    best = min(evaluations, key=lambda r: r["valid_perplexity"])
    assert [r["step"] for r in evaluations if r.get("best")][-1] == best["step"]
    assert json.loads((run / "checkpoints" / "best" / "best.json").read_text())["step"] == best["step"]
    result = invoke("eval", run, "--checkpoint", "best", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bpc"] == pytest.approx(best["valid_bpc"], rel=1e-5)
    latest = json.loads(invoke("eval", run, "--json").stdout)
    assert latest["bpc"] == pytest.approx(evaluations[-1]["valid_bpc"], rel=1e-5)


def test_a_step_that_is_no_longer_kept_is_refused_with_the_kept_ones(run):
    result = invoke("sample", run, "--checkpoint", 5)
    assert result.exit_code == 2 and "--checkpoint 5: choose latest, best or a kept step (20)" in result.output
    assert invoke("sample", run, "--checkpoint", 20, "--length", 5).exit_code == 0


def test_no_unk_never_draws_unk(run):
    def texts(*args):
        result = invoke("sample", run, "--length", 200, "--num-samples", 20, "--temperature", 3, "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["texts"]

    assert any("<unk>" in text for text in texts())  # the untrained-ish model draws it often
    assert not any("<unk>" in text for text in texts("--no-unk"))


def test_output_writes_the_samples_to_a_file_and_nothing_to_stdout(run, tmp_path):
    result = invoke("sample", run, "--length", 30, "--num-samples", 2, "--seed", 1, "--output", tmp_path / "out.txt")
    assert result.exit_code == 0 and result.output == ""
    written = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert written == invoke("sample", run, "--length", 30, "--num-samples", 2, "--seed", 1).output
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left beside it
