"""Errors shown in one place (``rnncli.cli.group``): one line and the exit status of the error's kind, or the
traceback with ``--debug``."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.errors import UsageProblem


def test_bad_input_from_the_library_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["sample", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'absent'}: no such run directory\n"


def test_with_debug_the_error_propagates_with_its_traceback(tmp_path):
    result = CliRunner().invoke(main, ["--debug", "sample", str(tmp_path / "absent")])
    assert isinstance(result.exception, UsageProblem)


@pytest.mark.parametrize("switch", [["--debug"], []])
def test_debug_in_a_process_prints_the_traceback_and_keeps_tensorflows_log(tmp_path, switch):
    environment = {"RNNCLI_DEBUG": "1"} if not switch else {}
    process = subprocess.run([sys.executable, "-m", "rnncli", *switch, "eval", str(tmp_path)],
                             capture_output=True, text=True, env={**_environment(), **environment})
    assert "Traceback (most recent call last)" in process.stderr
    assert "UsageProblem" in process.stderr


def test_without_debug_a_process_prints_one_line(tmp_path):
    process = subprocess.run([sys.executable, "-m", "rnncli", "eval", str(tmp_path)], capture_output=True, text=True,
                             env=_environment())
    assert process.returncode == 2
    assert process.stderr == f"Error: {tmp_path} is not an rnncli run directory (no config.json or vocab.json)\n"


def _environment():
    import os

    return {k: v for k, v in os.environ.items() if k != "RNNCLI_DEBUG"}


@pytest.mark.parametrize("command", [["--help"], ["train", "--help"], ["diagonal", "--help"]])
def test_help_imports_neither_numpy_nor_tensorflow(command):
    code = (f"import sys; from rnncli.cli import main; main({command!r}, standalone_mode=False); "
            "loaded = {'numpy', 'tensorflow'} & set(sys.modules); print(*loaded, file=sys.stderr); "
            "sys.exit(bool(loaded))")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
