"""The hostile cases of issue 19, each run as a real ``python -m rnncli`` process: each ends with the exit status
it should and the line that says why, and none prints a Python traceback."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.run_lock import RunLock

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--hidden", "16", "--batch-size", "4", "--unroll", "8", "--log-every", "1", "--eval-every", "1000",
        "--sample-every", "0", "--valid-size", "300", "--checkpoint-every", "2"]


def rnncli(*args, cwd, stdin=None, env=None, timeout=180):
    """``python -m rnncli ARGS`` in ``cwd``: ``(completed process, seconds)``."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rnncli", *map(str, args)], cwd=cwd, stdin=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    return done, time.monotonic() - started


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A folder with a corpus and a trained run (3 checkpoints) that each case copies."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "corpus.txt").write_text("the quick brown fox jumps over the lazy dog.\n" * 120, encoding="utf-8")
    result = CliRunner().invoke(main, ["train", "--corpus", str(folder / "corpus.txt"), "--run-dir",
                                       str(folder / "trained"), "--steps", "6", *TINY])
    assert result.exit_code == 0, result.output
    return folder


@dataclass
class Case:
    """``python -m rnncli ARGS`` ({run}: a fresh copy of the trained run, {corpus}, {here}: the case's folder)
    after ``setup(run, here)``; it must exit ``status`` with ``says`` on stderr."""

    name: str
    args: list
    status: int
    says: str
    setup: object = None
    stdin: object = None
    env: dict = field(default_factory=dict)


def write(relative, text):
    return lambda run, here: (run / relative).write_text(text)


def torn_newest_checkpoint(run, here):
    index = run / "checkpoints" / "ckpt-6.index"
    index.write_bytes(index.read_bytes()[:40])


def bad_metrics_line(run, here):
    lines = (run / "metrics.jsonl").read_bytes().split(b"\n")
    lines[2] = b'{"step": 2, "loss": \xff}'
    (run / "metrics.jsonl").write_bytes(b"\n".join(lines))


def foreign_files(run, here):
    (run / "config.json").write_text(json.dumps({"models": ["md_lstm"], "height": 8, "width": 8}))
    (run / "vocab.json").write_text(json.dumps({"names": ["a", "b"]}))


CASES = [
    Case("corpus /dev/zero", ["train", "--corpus", "/dev/zero", "--run-dir", "{here}/r"], 2,
         "/dev/zero is a character device, not a file"),
    Case("corpus /dev/urandom", ["train", "--corpus", "/dev/urandom", "--run-dir", "{here}/r"], 2,
         "/dev/urandom is a character device"),
    Case("corpus a named pipe", ["train", "--corpus", "{here}/fifo", "--run-dir", "{here}/r"], 2,
         "fifo is a named pipe", setup=lambda run, here: os.mkfifo(here / "fifo")),
    Case("endless standard input", ["train", "--corpus", "-", "--max-corpus-bytes", 10**6, "--run-dir", "{here}/r"],
         2, "standard input gave more than 1,000,000 bytes", stdin="/dev/zero"),
    Case("UTF-16 corpus", ["train", "--corpus", "{here}/utf16.txt", "--run-dir", "{here}/r"], 2,
         "starts with a UTF-16 byte-order mark: pass --encoding utf-16",
         setup=lambda run, here: (here / "utf16.txt").write_text("some text\n" * 50, encoding="utf-16")),
    Case("run dir under a file", ["train", "--corpus", "{corpus}", "--run-dir", "{corpus}/run"], 2,
         "corpus.txt is a file, not a folder"),
    Case("second writer", ["train", "--resume", "{run}", "--steps", 8], 2,
         f"is being trained by another rnncli process (pid {os.getpid()}"),
    Case("config [1,2,3], train", ["train", "--resume", "{run}", "--steps", 8], 2,
         "config.json is not a valid run config: it holds a JSON list", setup=write("config.json", "[1, 2, 3]")),
    Case("config [1,2,3], sample", ["sample", "{run}"], 2, "it holds a JSON list",
         setup=write("config.json", "[1, 2, 3]")),
    Case("config [1,2,3], eval", ["eval", "{run}"], 2, "it holds a JSON list",
         setup=write("config.json", "[1, 2, 3]")),
    Case("hidden 'abc'", ["sample", "{run}"], 2, 'hidden is "abc", not int',
         setup=lambda run, here: (run / "config.json").write_text(
             json.dumps({**json.loads((run / "config.json").read_text()), "hidden": "abc"}))),
    Case("empty vocab, train", ["train", "--resume", "{run}", "--steps", 8], 2, "vocab.json is not a valid vocabulary",
         setup=write("vocab.json", "")),
    Case("garbage vocab, sample", ["sample", "{run}"], 2, "vocab.json is not a valid vocabulary",
         setup=write("vocab.json", "\x00\x01garbage")),
    Case("garbage vocab, eval", ["eval", "{run}"], 2, "vocab.json is not a valid vocabulary",
         setup=write("vocab.json", "[]")),
    Case("someone else's run files", ["sample", "{run}"], 2, "lacks corpus, cell, hidden", setup=foreign_files),
    Case("start that never finished, resume", ["train", "--resume", "{here}/dead"], 2,
         "holds no checkpoint: its start never finished",
         setup=lambda run, here: ((here / "dead").mkdir(), (here / "dead" / "config.json").write_text("{}"))),
    Case("start that never finished, new train", ["train", "--corpus", "{corpus}", "--run-dir", "{here}/dead",
                                                  "--steps", 1, *TINY], 0, "",
         setup=lambda run, here: ((here / "dead").mkdir(), (here / "dead" / "config.json").write_text("{}"))),
    Case("no checkpoint index, sample", ["sample", "{run}", "--length", 20], 0, "",
         setup=lambda run, here: (run / "checkpoints" / "checkpoint").unlink()),
    Case("torn newest checkpoint, eval", ["eval", "{run}"], 0, "ckpt-6 is unreadable", setup=torn_newest_checkpoint),
    Case("torn newest checkpoint, sample", ["sample", "{run}"], 0, "ckpt-6 is unreadable", setup=torn_newest_checkpoint),
    Case("bad metrics line, resume", ["train", "--resume", "{run}", "--steps", 8], 0,
         "metrics.jsonl: skipped line(s) 3", setup=bad_metrics_line),
    Case("prime file not UTF-8", ["sample", "{run}", "--prime-file", "{here}/prime"], 2, "is not UTF-8 text",
         setup=lambda run, here: (here / "prime").write_bytes(b"\xff\xfe\xfa")),
    Case("temperature nan", ["sample", "{run}", "--temperature", "nan"], 2, "'nan' is not a finite number"),
    Case("sample length 1e12", ["sample", "{run}", "--length", 10**12], 2, "needs about 40 TB of memory"),
    Case("sample 1e9 samples", ["sample", "{run}", "--num-samples", 10**9], 2, "needs about 20 TB of memory"),
    Case("diagonal size 1000", ["diagonal", "--size", 1000, "--run-dir", "{here}/d"], 2, "needs about"),
    Case("rollback forever", ["train", "--corpus", "{corpus}", "--run-dir", "{here}/r", "--steps", 50, *TINY,
                              "--lr", "3e38", "--on-nan", "rollback", "--max-bad-steps", 1], 1,
         "after 5 rollbacks (--max-rollbacks)"),
]


def run_case(case, place, here):
    """``(exit status, stderr)`` of ``case`` run in the folder ``here``."""
    run = here / "run"
    shutil.copytree(place / "trained", run)
    if case.setup:
        case.setup(run, here)
    fill = {"run": run, "corpus": place / "corpus.txt", "here": here}
    args = [str(a).format(**fill) for a in case.args]
    holder = RunLock(run).acquire() if case.name == "second writer" else None
    stdin = open(case.stdin, "rb") if case.stdin else subprocess.DEVNULL
    try:
        done, _ = rnncli(*args, cwd=here, stdin=stdin, env={k: v.format(**fill) for k, v in case.env.items()})
    finally:
        if holder:
            holder.release()
        if case.stdin:
            stdin.close()
    return done.returncode, done.stderr


@pytest.fixture(scope="module")
def outcomes(place, tmp_path_factory):
    """Every case and every stop, run four at a time (each is mostly a process starting TensorFlow)."""
    with ThreadPoolExecutor(4) as pool:
        cases = {case.name: pool.submit(run_case, case, place, tmp_path_factory.mktemp("case")) for case in CASES}
        stops = {stop.name: pool.submit(run_stop, stop, place, tmp_path_factory.mktemp("stop")) for stop in STOPS}
        return {name: future.result() for name, future in {**cases, **stops}.items()}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_case_ends_as_it_should_without_a_traceback(case, outcomes):
    status, stderr = outcomes[case.name]
    assert "Traceback" not in stderr, stderr
    assert status == case.status, stderr
    assert case.says in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:") or "─ Error ─" in line]
    assert len(errors) == (case.status != 0), stderr


#: Runs the command in its argv and prints its exit status and peak memory (kB). A child forked straight from
#: pytest would report pytest's own resident size, which it inherits until it execs.
PEAK_MEMORY = ("import resource, subprocess, sys; status = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.DEVNULL); print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def test_dev_zero_as_a_corpus_fails_in_under_5_seconds_and_1_gb(tmp_path):
    started = time.monotonic()
    measured = subprocess.run([sys.executable, "-c", PEAK_MEMORY, sys.executable, "-m", "rnncli", "train", "--corpus",
                               "/dev/zero", "--run-dir", str(tmp_path / "r")], cwd=tmp_path, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    status, peak_kb = map(int, measured.stdout.split())
    assert status == 2 and time.monotonic() - started < 5
    assert peak_kb < 2**20


def handles(pid, number):
    """Whether process ``pid`` has installed a handler for signal ``number`` (``SigCgt`` in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught >> (number - 1) & 1)


@dataclass
class Stop:
    name: str
    args: list
    number: int
    #: What shows that the command is at work: a file it writes, else seconds after it installed its handlers.
    ready: object


def written(relative):
    return lambda here: (here / relative).exists()


STOPS = [
    Stop("compare, SIGINT", ["compare", "--cells", "lstm", "--seeds", 1, "--budget-steps", 10**6, "--study-dir",
                             "{here}/study", "--corpus", "{corpus}", *TINY], signal.SIGINT,
         written("study/lstm/seed0/metrics.jsonl")),
    Stop("compare, SIGTERM", ["compare", "--cells", "gru", "--seeds", 1, "--budget-steps", 10**6, "--study-dir",
                              "{here}/study", "--corpus", "{corpus}", *TINY], signal.SIGTERM,
         written("study/gru/seed0/metrics.jsonl")),
    Stop("diagonal, SIGINT", ["diagonal", "--steps", 10**6, "--run-dir", "{here}/d"], signal.SIGINT,
         written("d/metrics.jsonl")),
    Stop("diagonal, SIGTERM", ["diagonal", "--steps", 10**6, "--run-dir", "{here}/d"], signal.SIGTERM,
         written("d/metrics.jsonl")),
    Stop("sample, SIGTERM", ["sample", "{run}", "--length", 10**8], signal.SIGTERM, 3),
    Stop("sample, SIGINT", ["sample", "{run}", "--length", 10**8], signal.SIGINT, 3),
    Stop("eval, SIGINT", ["eval", "{run}", "--corpus", "{here}/long.txt"], signal.SIGINT, 3),
    Stop("eval, SIGTERM", ["eval", "{run}", "--corpus", "{here}/long.txt"], signal.SIGTERM, 3),
]


def run_stop(stop, place, here):
    """``(exit status, stderr)`` of ``stop``'s command sent its signal once it is at work in the folder ``here``."""
    shutil.copytree(place / "trained", here / "run")
    (here / "long.txt").write_text((place / "corpus.txt").read_text() * 4000)
    fill = {"run": here / "run", "corpus": place / "corpus.txt", "here": here}
    process = subprocess.Popen([sys.executable, "-m", "rnncli", *(str(a).format(**fill) for a in stop.args)],
                               cwd=here, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 180
    while not handles(process.pid, signal.SIGTERM):  # the command line is up: both signals are its own
        if process.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    while callable(stop.ready) and not stop.ready(here) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not callable(stop.ready):
        time.sleep(stop.ready)
    process.send_signal(stop.number)
    try:
        _, stderr = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        process.kill()
        return None, f"still running 180 s after {signal.Signals(stop.number).name}: {process.communicate()[1]}"
    return process.returncode, stderr


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal handlers from /proc")
@pytest.mark.parametrize("stop", STOPS, ids=[stop.name for stop in STOPS])
def test_a_signal_stops_a_command_with_128_plus_it_without_a_traceback(stop, outcomes):
    status, stderr = outcomes[stop.name]
    assert "Traceback" not in stderr, stderr
    assert status == 128 + stop.number, stderr

