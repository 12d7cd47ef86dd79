"""rnncli compare: a tiny study's table, files, plot, matched parameters and resumption."""

import dataclasses
import json

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.compare import hidden_for_parameters, parameter_polynomial
from rnncli.config import TrainConfig
from rnncli.restore import build_model
from tests.pictures import assert_drawn

TINY = ["--batch-size", "4", "--unroll", "8", "--lr", "1", "--log-every", "2", "--eval-every", "3",
        "--sample-every", "0", "--valid-size", "300"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("cell", ["lstm", "gru", "mut1", "fgr"])
def test_the_parameter_polynomial_is_exact_and_the_matched_size_is_the_closest(cell):
    config = TrainConfig(cell=cell, layers=2, embedding_size=5)
    a, b, c = parameter_polynomial(config, vocab_size=30)
    count = build_model(dataclasses.replace(config, hidden=37), 30).parameter_count
    assert a * 37**2 + b * 37 + c == pytest.approx(count)
    hidden = hidden_for_parameters(config, 30, 20_000)

    def distance(h):
        return abs(build_model(dataclasses.replace(config, hidden=h), 30).parameter_count - 20_000)

    assert distance(hidden) <= min(distance(hidden - 1), distance(hidden + 1))


def test_a_tiny_study_ranks_cells_writes_its_files_and_resumes(tmp_path, small_corpus):
    study = tmp_path / "study"
    args = ["compare", "--cells", "lstm,jzs1", "--seeds", 2, "--budget-steps", 6, "--match-params", 4000,
            "--study-dir", study, "--corpus", small_corpus, "--json", *TINY]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert [row["cell"] for row in summary] == sorted(["lstm", "mut1"], key=lambda c: next(
        r["valid_bpc_mean"] for r in summary if r["cell"] == c))
    assert all(abs(row["parameters"] - 4000) < 400 and row["seeds"] == 2 for row in summary)
    assert "hidden sizes for about 4,000 parameters" in result.stderr
    assert "sorted by validation bpc" in result.stderr
    saved = json.loads((study / "study.json").read_text())
    assert len(saved["runs"]) == 4 and {r["steps"] for r in saved["runs"]} == {6}
    lines = (study / "study.csv").read_text().splitlines()
    assert lines[0].startswith("cell,seed,hidden,parameters") and len(lines) == 5
    assert_drawn(study / "study.png", size=(1300, 500))
    seeds = {r["seed"]: r["valid_bpc"] for r in saved["runs"] if r["cell"] == "lstm"}
    assert seeds[0] != seeds[1]  # different seeds, different runs

    (study / "mut1" / "seed1" / "result.json").unlink()  # as if that run had been interrupted
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    how = {("mut1", 1): "resumed"}
    assert [line for line in again.stderr.splitlines() if line.startswith("run ")] == [
        f"run {n}/4  {r['cell']} seed {r['seed']}  {how.get((r['cell'], r['seed']), 'kept')}  "
        f"valid bpc {r['valid_bpc']:.3f}  {r['wall_seconds']:.0f} s" for n, r in enumerate(saved["runs"], 1)]
    assert "step " not in again.stderr  # each run's own log goes to its directory
    assert "validation perplexity" in (study / "mut1" / "seed1" / "train.log").read_text()
    assert json.loads((study / "study.json").read_text())["runs"] == saved["runs"]


@pytest.mark.parametrize("args, message", [
    (["--cells", "lstm,nosuch"], "unknown cell nosuch"),
    ([], "give a budget"),
    (["--budget-steps", "2", "--residual"], "--residual joins layers of equal width"),
])
def test_bad_study_options_are_one_line_and_exit_2(tmp_path, small_corpus, args, message):
    result = CliRunner().invoke(main, ["compare", "--corpus", str(small_corpus), "--study-dir",
                                       str(tmp_path / "s"), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "s").exists()
