"""tf.distribute: mirrored replicas and several worker processes train like one device."""

import contextlib
import json
import os
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rnncli.cli import main

TINY = ["--hidden", "16", "--batch-size", "4", "--unroll", "8", "--lr", "1", "--log-every", "1",
        "--eval-every", "1000", "--sample-every", "0", "--valid-size", "200", "--seed", "3", "--steps", "6"]


def losses(run):
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return {r["step"]: r["loss"] for r in map(json.loads, lines) if "loss" in r}


def rnncli_process(*args):
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": "-1"}
    return subprocess.Popen([sys.executable, "-m", "rnncli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment)


def free_ports(count):
    """``count`` distinct free ports on the loopback: the probes are bound all at once, so no port comes twice."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


#: A stack whose state nests (skips in time, averages) and whose loss has a second term (the stabiliser).
STACK = ["--layers", "2", "--vertical", "both", "--residual", "--time-skip", "2", "--state-averaging",
         "--norm-stabilizer"]


@pytest.mark.parametrize("extra", [[], STACK, ["--unroll-mode", "window"], ["--log-every", 3, "--steps-per-call", 3],
                                   ["--average-weights", 0.5]],
                         ids=["one-layer", "stack", "window", "three-steps-a-call", "averaged-weights"])
def test_mirrored_over_two_logical_cpus_follows_the_one_device_loss_curve(tmp_path, small_corpus, extra):
    mirrored = rnncli_process("train", "--corpus", small_corpus, "--run-dir", tmp_path / "mirrored",
                              "--strategy", "mirrored", "--replicas", 2, "--json", *TINY, *extra)
    one = CliRunner().invoke(main, ["train", "--corpus", str(small_corpus), "--run-dir", str(tmp_path / "one"),
                                    "--json", *TINY, *map(str, extra)])
    stdout, stderr = mirrored.communicate(timeout=300)
    assert mirrored.returncode == 0, stderr
    assert one.exit_code == 0, one.output
    assert losses(tmp_path / "mirrored") == pytest.approx(losses(tmp_path / "one"), rel=1e-4)
    for name in ("parameter_checksum", "valid_perplexity"):  # the last evaluation's: of the average, if any
        assert json.loads(stdout)[name] == pytest.approx(json.loads(one.stdout)[name], rel=1e-4)


@pytest.mark.slow
def test_two_workers_on_localhost_follow_the_one_device_loss_curve(tmp_path, small_corpus):
    """Each worker process is one replica with half of the global batch; worker 0 (the chief) writes the run."""
    workers = ",".join(f"127.0.0.1:{port}" for port in free_ports(2))
    processes = [rnncli_process("train", "--corpus", small_corpus, "--run-dir", tmp_path / f"worker{i}",
                                "--strategy", "multi-worker", "--workers", workers, "--task-index", i, "--json", *TINY)
                 for i in range(2)]
    one = CliRunner().invoke(main, ["train", "--corpus", str(small_corpus), "--run-dir", str(tmp_path / "one"),
                                    "--json", *TINY])
    outputs = []
    try:
        for process in processes:
            outputs.append(process.communicate(timeout=300))
    finally:
        for process in processes:
            process.kill()
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr
    assert one.exit_code == 0, one.output
    assert not (tmp_path / "worker1").exists()  # only the chief writes a run directory
    assert sorted(losses(tmp_path / "worker0")) == list(range(6))
    assert losses(tmp_path / "worker0") == pytest.approx(losses(tmp_path / "one"), rel=1e-4)
    one_device = json.loads(one.stdout)["parameter_checksum"]
    for stdout, _ in outputs:
        assert json.loads(stdout)["parameter_checksum"] == pytest.approx(one_device, rel=1e-4)
