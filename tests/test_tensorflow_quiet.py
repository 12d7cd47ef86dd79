"""A run leaves nothing in the temporary folder: not AutoGraph's generated modules, nor their cached bytecode."""

import os
import subprocess
import sys


def test_a_run_that_trains_evaluates_and_samples_leaves_the_temporary_folder_empty(tmp_path, small_corpus):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    environment["TMPDIR"] = str(temporary)
    subprocess.run([sys.executable, "-m", "rnncli", "train", "--corpus", str(small_corpus), "--run-dir",
                    str(tmp_path / "run"), "--hidden", "8", "--batch-size", "4", "--unroll", "5", "--steps", "2",
                    "--log-every", "1", "--eval-every", "1", "--sample-every", "1"],
                   env=environment, check=True, capture_output=True, text=True)
    assert sorted(str(p.relative_to(temporary)) for p in temporary.rglob("*")) == []
