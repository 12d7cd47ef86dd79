"""How long the commands that compute nothing take, each in a fresh process, against a bare interpreter.

    python benchmarks/cli_startup.py [--rounds 5]          (smoke setting: --rounds 1)

``rnncli cells`` (the table and one cell's equations) and ``--help`` import no TensorFlow, so they should
answer in well under half a second; ``python -c pass`` is the baseline measured in the same run, and the
ratio to it is the figure to compare across machines. Prints the median and range of each.
"""

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "rnncli cells": [sys.executable, "-m", "rnncli", "cells"],
    "rnncli cells lstm": [sys.executable, "-m", "rnncli", "cells", "lstm"],
    "rnncli --help": [sys.executable, "-m", "rnncli", "--help"],
    "rnncli train --help": [sys.executable, "-m", "rnncli", "train", "--help"],
}


def seconds(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="Timed runs of each command, interleaved.")
    rounds = parser.parse_args().rounds
    times = {name: [] for name in COMMANDS}
    for name, command in COMMANDS.items():  # warm-up: file caches, .pyc files
        seconds(command)
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            times[name].append(seconds(command))
    baseline = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':<28}{'median s':>10}{'range s':>16}{'vs baseline':>13}")
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"{name:<28}{median:>10.3f}{f'{min(measured):.3f}-{max(measured):.3f}':>16}{median / baseline:>12.1f}x")


if __name__ == "__main__":
    main()
