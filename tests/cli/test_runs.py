"""``rnncli runs``: every run below a folder with its state, read without TensorFlow."""

import fcntl
import json
import shutil
import subprocess
import sys

import pytest

from tests.command_line import invoke

TINY = ["--hidden", "8", "--batch-size", "4", "--unroll", "6", "--lr", "1", "--log-every", "2", "--eval-every", "2",
        "--sample-every", "0", "--valid-size", "300"]


def set_steps(run, steps):
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "steps": steps}))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, request):
    """runs/finished (4 of 4 steps), runs/interrupted (4 of 40), runs/diverged (--on-nan stop), runs/deep/running
    (its lock held by this process) and a folder that is not a run."""
    root = tmp_path_factory.mktemp("many")
    corpus = root / "corpus.txt"
    corpus.write_text("the cat sat on the mat and the dog sat on the log\n" * 40)
    folder = root / "runs"
    assert invoke("train", "--corpus", corpus, "--run-dir", folder / "finished", "--steps", 4, *TINY).exit_code == 0
    shutil.copytree(folder / "finished", folder / "interrupted")
    set_steps(folder / "interrupted", 40)
    diverged = invoke("train", "--corpus", corpus, "--run-dir", folder / "diverged", "--steps", 10, *TINY,
                      "--lr", "3e38", "--max-bad-steps", 1)
    assert diverged.exit_code == 1 and "non-finite steps" in diverged.output
    shutil.copytree(folder / "finished", folder / "deep" / "running")
    set_steps(folder / "deep" / "running", 40)
    lock = open(folder / "deep" / "running" / ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    request.addfinalizer(lock.close)
    (folder / "photos").mkdir()
    return folder


def listing(folder, *args):
    result = invoke("runs", folder, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_run_is_found_with_its_state(runs):
    rows = {row["name"]: row for row in listing(runs)}
    assert {name: row["state"] for name, row in rows.items()} == {
        "finished": "finished", "interrupted": "interrupted", "diverged": "diverged", "deep/running": "running"}
    finished = rows["finished"]
    metrics = [json.loads(line) for line in (runs / "finished" / "metrics.jsonl").read_text().splitlines()]
    best = min((r for r in metrics if "valid_bpc" in r), key=lambda r: r["valid_bpc"])
    assert (finished["step"], finished["steps"], finished["cell"], finished["layers"], finished["hidden"]) == \
        (4, 4, "lstm", 1, 8)
    assert (finished["best_valid_bpc"], finished["best_step"]) == (best["valid_bpc"], best["step"])
    config = json.loads((runs / "finished" / "config.json").read_text())
    assert finished["parameters"] == config["parameters"] > 0
    assert finished["chars_per_sec"] == [r for r in metrics if "chars_per_sec" in r][-1]["chars_per_sec"]


def test_sorting_by_a_column(runs):
    steps = [row["steps"] for row in listing(runs, "--sort", "steps")]
    assert steps == sorted(steps)
    assert [row["name"] for row in listing(runs, "--sort", "name")] == sorted(
        ["finished", "interrupted", "diverged", "deep/running"])


def test_one_run_in_detail(runs):
    details = listing(runs / "interrupted")
    assert details["run"]["state"] == "interrupted" and details["config"]["steps"] == 40
    assert "checkpoints/ckpt-4.index" in details["files"] and details["best"]["step"] in (0, 2, 3)
    table = invoke("runs", runs)
    assert table.exit_code == 0 and "4 run(s) below" in table.output and "diverged" in table.output


def test_runs_imports_no_tensorflow(runs):
    code = (f"import sys; from rnncli.cli import main; main(['runs', {str(runs)!r}], standalone_mode=False); "
            "sys.exit('tensorflow' in sys.modules)")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert process.returncode == 0, process.stderr


def test_a_missing_folder_is_one_line():
    result = invoke("runs", "/no/such/folder")
    assert result.exit_code == 2 and result.output == "Error: /no/such/folder: no such folder\n"
