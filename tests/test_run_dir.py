"""The run directory under hostile conditions: history that survives bad lines and crashes, one writer at a time,
checkpoints found without their index, staging folders, and foreign or broken run files."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.errors import RunFailed, UsageProblem
from rnncli.metrics_log import current_records, parse_lines
from rnncli.run_dir import RunDirectory, default_run_path, write_atomically
from rnncli.run_lock import RunLock
from rnncli.tensorflow_quiet import tf
from tests.http_server import FileServer

TINY = ["--hidden", "8", "--batch-size", "4", "--unroll", "6", "--lr", "1", "--log-every", "1",
        "--eval-every", "1000", "--sample-every", "0", "--valid-size", "300"]


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def train(corpus, run, steps, *extra):
    result = invoke("train", "--corpus", corpus, "--run-dir", run, "--steps", steps, *TINY, *extra)
    assert result.exit_code == 0, result.output
    return result


def forget_checkpoints_after(run, step):
    """What a kill -9 after checkpoint ``step`` leaves: the later checkpoints never written."""
    for path in (run / "checkpoints").glob("ckpt-*"):
        if int(path.name.split(".")[0].split("-")[1]) > step:
            path.unlink()


# metrics.jsonl ---------------------------------------------------------------------------------------------------

def test_lines_that_are_not_records_are_skipped_and_named():
    raw = b"\n".join([b'{"step": 0, "loss": 1}', b'{"step": 1, "lo\xff": 2}', b"not json", b"[1, 2]",
                      b'{"loss": 3}', b'{"step": "2"}', b'{"step": true}', b'{"step": 1, "loss": 4}', b""])
    records, bad = parse_lines(raw)
    assert records == [{"step": 0, "loss": 1}, {"step": 1, "loss": 4}]
    assert bad == [2, 3, 4, 5, 6, 7]


def test_a_later_session_supersedes_the_steps_it_trains_again_and_nothing_else():
    first = [{"step": s, "loss": s, "session": 1, "session_start": 0} for s in range(6)]
    valid = {"step": 4, "valid_bpc": 9.0, "session": 1, "session_start": 0}
    second = [{"step": s, "loss": 10 + s, "session": 2, "session_start": 2} for s in (2, 3)]
    kept = current_records([*first[:5], valid, first[5], *second])
    # steps 4 and 5 of session 1 belong to a trajectory that session 2 (from step 2) abandoned
    assert [(r["step"], r["loss"]) for r in kept] == [(0, 0), (1, 1), (2, 12), (3, 13)]


def test_old_records_without_sessions_count_as_one_session_from_step_0():
    kept = current_records([{"step": 0, "loss": 1}, {"step": 1, "loss": 2},
                            {"step": 1, "loss": 3, "session": 1, "session_start": 1}])
    assert [r["loss"] for r in kept] == [1, 3]


def test_a_bad_line_and_a_crash_lose_no_history(tmp_path, small_corpus):
    run = tmp_path / "run"
    train(small_corpus, run, 8, "--checkpoint-every", 4, "--log-every", 2, "--eval-every", 3)
    metrics = run / "metrics.jsonl"
    lines = metrics.read_bytes().split(b"\n")
    lines[2] = b'{"step": 2, "loss": \xff}'  # a bad byte in the middle
    lines[3] = b'{"loss": 1.0}'  # a record without a step
    metrics.write_bytes(b"\n".join(lines)[:-9])  # and a torn last line
    before = metrics.read_bytes()
    forget_checkpoints_after(run, 4)  # the crash: steps 4-7 are trained again
    with pytest.warns(UserWarning, match=r"metrics.jsonl: skipped line\(s\) 3, 4, 9, which are not"):
        result = invoke("train", "--resume", run, "--steps", 8, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = metrics.read_bytes()
    assert after.startswith(before)  # appended to, never rewritten
    records, _ = parse_lines(after)
    with pytest.warns(UserWarning, match=r"metrics.jsonl: skipped line\(s\) 3, 4, 9, which are not"):
        kept = RunDirectory(run).metrics()  # every reader still says so
    keys = [(r["step"], "valid_bpc" in r) for r in kept]
    assert len(keys) == len(set(keys))  # every step recorded once
    assert {r["step"] for r in kept if "loss" in r} == {0, 4, 6, 7}  # step 2's record was the bad line 3
    assert {r["step"] for r in kept if "valid_bpc" in r} == {0, 6, 7}  # step 3's was line 4
    assert all(r["session"] == 2 for r in kept if r["step"] >= 4)
    assert sum(r.get("session") == 1 and r["step"] >= 4 for r in records) >= 2  # superseded, still on disk


def test_the_first_log_after_a_resume_averages_the_steps_an_uninterrupted_run_averages(tmp_path, small_corpus):
    run = tmp_path / "run"
    train(small_corpus, run, 10, "--checkpoint-every", 3, "--log-every", 4)
    whole = {r["step"]: r["loss"] for r in RunDirectory(run).metrics() if "loss" in r}
    forget_checkpoints_after(run, 6)  # resumes at step 6 with steps 5 of the window 5-8 behind it
    assert invoke("train", "--resume", run, "--steps", 10).exit_code == 0
    resumed = [r for r in RunDirectory(run).metrics() if "loss" in r]
    assert [(r["step"], r["session"]) for r in resumed] == [(0, 1), (4, 1), (8, 2), (9, 2)]
    assert {r["step"]: r["loss"] for r in resumed} == pytest.approx(whole, rel=1e-6)


def test_samples_after_a_resume_follow_a_line_that_supersedes_the_earlier_sections(tmp_path, small_corpus):
    run = tmp_path / "run"
    train(small_corpus, run, 6, "--checkpoint-every", 2, "--sample-every", 2)
    before = (run / "samples.txt").read_text()
    forget_checkpoints_after(run, 2)
    assert invoke("train", "--resume", run, "--steps", 6).exit_code == 0
    after = (run / "samples.txt").read_text()
    assert after.startswith(before)
    assert "continues from step 2: sections above for step 2 and later are superseded" in after[len(before):]
    assert after[len(before):].count("── sample 1 of 5") == 3  # steps 2, 4 and the final 5


# one writer ------------------------------------------------------------------------------------------------------

def test_a_second_lock_on_a_run_names_the_pid_that_holds_it(tmp_path):
    first = RunLock(tmp_path).acquire()
    with pytest.raises(UsageProblem, match=f"being trained by another rnncli process \\(pid {os.getpid()}"):
        RunLock(tmp_path).acquire()
    first.release()
    RunLock(tmp_path).acquire().release()


def test_a_second_train_on_a_run_exits_2_and_the_first_goes_on(tmp_path, small_corpus):
    run = tmp_path / "run"
    train(small_corpus, run, 2)
    command = [sys.executable, "-m", "rnncli", "train", "--resume", str(run), "--steps", "100000"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while max((r["step"] for r in RunDirectory(run).metrics()), default=0) < 4:
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    second = invoke("train", "--resume", run, "--steps", 100000)
    assert second.exit_code == 2
    assert f"is being trained by another rnncli process (pid {first.pid}" in second.output
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 130, stderr
    steps = [r["step"] for r in RunDirectory(run).metrics() if "loss" in r]
    assert steps == list(range(len(steps)))
    assert invoke("train", "--resume", run, "--steps", max(steps) + 2).exit_code == 0  # the lock went with it


def test_default_run_paths_do_not_collide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = default_run_path("lstm")
    first.mkdir(parents=True)
    second = default_run_path("lstm")
    assert second != first and str(os.getpid()) in second.name


# checkpoints without the index -----------------------------------------------------------------------------------

def test_runs_without_the_checkpoint_index_resume_sample_and_evaluate(tmp_path, small_corpus):
    run = tmp_path / "run"
    train(small_corpus, run, 6, "--checkpoint-every", 2)
    (run / "checkpoints" / "checkpoint").unlink()
    assert invoke("sample", run, "--length", 5).exit_code == 0
    assert invoke("eval", run).exit_code == 0
    result = invoke("train", "--resume", run, "--steps", 8)
    assert result.exit_code == 0 and "from " + str(run / "checkpoints" / "ckpt-6") in result.output


def test_a_torn_newest_checkpoint_is_skipped_by_sample_and_eval(tmp_path, small_corpus):
    run = tmp_path / "run"
    train(small_corpus, run, 6, "--checkpoint-every", 2)
    torn = run / "checkpoints" / "ckpt-6.index"
    torn.write_bytes(torn.read_bytes()[:40])
    for command in (["sample", run, "--length", 5, "--temperature", 0], ["eval", run]):
        with pytest.warns(UserWarning, match="ckpt-6 is unreadable"):
            result = invoke(*command)
        assert result.exit_code == 0, result.output


def test_a_checkpoint_rotated_away_while_it_is_read_is_skipped_without_a_warning(tmp_path, small_corpus, monkeypatch):
    run = tmp_path / "run"
    train(small_corpus, run, 6, "--checkpoint-every", 2)
    restore = tf.train.Checkpoint.restore

    def rotated_away_first(checkpoint, path):  # what the training process's rotation does to a reader
        if path.endswith("ckpt-6"):
            for file in (run / "checkpoints").glob("ckpt-6.*"):
                file.unlink()
        return restore(checkpoint, path)

    monkeypatch.setattr(tf.train.Checkpoint, "restore", rotated_away_first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = invoke("sample", run, "--length", 5)
    assert result.exit_code == 0, result.output


# atomic creation -------------------------------------------------------------------------------------------------

def test_a_failed_start_leaves_nothing(tmp_path, small_corpus):
    result = invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "runs" / "run", "--steps", 2,
                    *TINY, "--valid-size", 10**9)
    assert result.exit_code == 2 and "leave no training text" in result.output
    assert not (tmp_path / "runs").exists()  # the corpus is read before any folder is made


def test_a_start_that_never_finished_does_not_block_a_new_train(tmp_path, small_corpus):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text("{}")
    result = invoke("train", "--resume", run)
    assert result.exit_code == 2 and "holds no checkpoint: its start never finished" in result.output
    train(small_corpus, run, 2)
    assert RunDirectory.open(run).checkpoint_steps() == [0, 2]


def test_a_start_killed_before_its_first_checkpoint_leaves_a_staging_folder_the_next_run_removes(
        tmp_path, small_corpus):
    runs = tmp_path / "runs"
    command = [sys.executable, "-m", "rnncli", "train", "--corpus", "-", "--run-dir", str(runs / "first")]
    starting = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)  # waits for stdin
    deadline = time.monotonic() + 60
    while not list(runs.glob(".first.starting-*/.lock")) or not list(runs.glob(".first.starting-*/config.json")):
        assert starting.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    starting.kill()
    starting.wait()
    assert not (runs / "first").exists() and len(list(runs.iterdir())) == 1
    train(small_corpus, runs / "second", 2)
    assert sorted(p.name for p in runs.iterdir()) == ["second"]


# foreign or broken run files -------------------------------------------------------------------------------------

@pytest.mark.parametrize("file, text, message", [
    ("config.json", "[1, 2, 3]", "config.json is not a valid run config: it holds a JSON list"),
    ("config.json", None, 'config.json is not a valid run config: hidden is "abc", not int'),
    ("config.json", '{"models": ["md_lstm"], "height": 8}', "lacks corpus, cell, hidden"),
    ("vocab.json", "", "vocab.json is not a valid vocabulary"),
    ("vocab.json", "\x00garbage", "vocab.json is not a valid vocabulary"),
    ("vocab.json", '{"symbols": []}', 'vocab.json is not a valid vocabulary: not an object with a non-empty'),
])
def test_a_broken_run_file_is_named_in_one_line_with_exit_2(tmp_path, small_corpus, file, text, message):
    run = tmp_path / "run"
    train(small_corpus, run, 2)
    if text is None:
        text = json.dumps({**json.loads((run / "config.json").read_text()), "hidden": "abc"})
    (run / file).write_text(text)
    for command in (["train", "--resume", run, "--steps", 4], ["sample", run], ["eval", run]):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1


# disk and permissions --------------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs that a test can fill or make read-only; skipped where mounting is impossible (not root, or
    a container without the right to mount), which the skip message says."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode:
        pytest.skip(f"mounting a 2 MB tmpfs is impossible here: {mounted.stderr.strip() or mounted.returncode}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk, leave_bytes):
    """Write a filler file until ``disk`` has about ``leave_bytes`` left (none: until the disk is full)."""
    with open(disk / "filler", "wb", buffering=0) as filler:
        while os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize > leave_bytes:
            try:
                filler.write(b"\0" * 4096)
            except OSError:
                break


def leftovers(run):
    return sorted(p.name for p in run.rglob("*") if "_temp" in p.name or p.name.startswith((".config", ".vocab")))


def test_a_full_disk_is_one_line_keeps_the_last_checkpoint_and_resumes_once_space_is_freed(small_disk, small_corpus):
    run = small_disk / "run"
    train(small_corpus, run, 2, "--hidden", 64)  # checkpoints of about 110 kB
    fill(small_disk, 40_000)  # room for the config and the metrics, not for a checkpoint
    result = invoke("train", "--resume", run, "--steps", 4)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    error = result.output.strip().splitlines()[-1]
    # the final evaluation's best checkpoint is the first write that fails
    assert error == (f"Error: cannot write checkpoint {run}/checkpoints/best/ckpt-4: No space left on device; the "
                     "last good checkpoint ckpt-2 is kept")
    fill(small_disk, 0)
    result = invoke("train", "--resume", run, "--steps", 4)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.strip().splitlines()[-1] == f"Error: cannot write {run}/tensorboard: No space left on device"
    assert leftovers(run) == [] and RunDirectory(run).checkpoint_steps() == [0, 2]
    (small_disk / "filler").unlink()
    result = invoke("train", "--resume", run, "--steps", 4)
    assert result.exit_code == 0, result.output
    assert f"from {run}/checkpoints/ckpt-2 at step 2" in result.output


def test_an_atomic_write_on_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(small_disk):
    (small_disk / "config.json").write_text("old")
    fill(small_disk, 0)
    with pytest.raises(RunFailed, match=f"^cannot write {small_disk}/config.json: No space left on device$"):
        write_atomically(small_disk / "config.json", "new" * 10_000)
    assert sorted(p.name for p in small_disk.iterdir()) == ["config.json", "filler"]
    assert (small_disk / "config.json").read_text() == "old"


def test_a_read_only_run_refuses_training_in_one_line_and_still_samples(small_disk, small_corpus):
    run = small_disk / "run"
    train(small_corpus, run, 2)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = invoke("train", "--resume", run, "--steps", 4)
    assert result.exit_code == 2
    assert result.output == f"Error: cannot lock {run} for training: {run}/.lock: Read-only file system\n"
    assert invoke("sample", run, "--length", 5).exit_code == 0
    result = invoke("train", "--corpus", small_corpus, "--run-dir", small_disk / "new", *TINY)
    assert result.exit_code == 2 and "Read-only file system" in result.output


def test_run_dirs_under_a_file_and_unusable_download_caches_are_one_line(tmp_path, small_corpus, monkeypatch):
    (tmp_path / "file").touch()
    result = invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "file" / "run", *TINY)
    assert result.output == f"Error: --run-dir {tmp_path}/file/run: {tmp_path}/file is a file, not a folder\n"
    monkeypatch.setenv("RNNCLI_DATA_DIR", str(tmp_path / "file"))
    with FileServer({"corpus.txt": small_corpus.read_bytes()}) as server:  # a download needs the cache
        result = invoke("train", "--corpus", server.url("corpus.txt"), "--run-dir", tmp_path / "run", *TINY)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith(f"Error: cannot use the download cache {tmp_path}/file (")
