"""A run directory: config.json, vocab.json, checkpoints/, metrics.jsonl, tensorboard/, samples.txt, curves.png.

Config and vocabulary are written atomically (temporary file, then rename), metrics are appended and
flushed one record at a time, so an interrupted run never leaves a file half-written.
"""

import fcntl
import json
import os
import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem

CONFIG = "config.json"
VOCAB = "vocab.json"
METRICS = "metrics.jsonl"
#: The copy of the text a run read from standard input (``--corpus -``), so it can be resumed and evaluated.
STDIN_COPY = "stdin.txt"
#: The file a training process holds an exclusive ``flock`` on while it writes the run.
LOCK = ".lock"
_CHECKPOINT_INDEX = re.compile(r"ckpt-(\d+)\.index")


def write_atomically(path, text, binary=False):
    """Write ``text`` (bytes when ``binary``) to ``path`` through a temporary file renamed into place."""
    path = Path(path)
    with tempfile.NamedTemporaryFile("wb" if binary else "w", dir=path.parent, delete=False,
                                     encoding=None if binary else "utf-8", prefix=f".{path.name}.") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(stream.name, path)


def default_run_path(cell):
    return Path("runs") / f"{datetime.now():%Y%m%d-%H%M%S}-{cell}"


def claim_empty_folder(path, not_empty_reason):
    """Create ``path`` for a new run; refuse a file, or a folder that already holds anything."""
    if path.exists() and not path.is_dir():
        raise UsageProblem(f"--run-dir {path} is a file, not a folder")
    if path.exists() and any(path.iterdir()):
        raise UsageProblem(f"{path} {not_empty_reason}; choose another --run-dir")
    path.mkdir(parents=True, exist_ok=True)


class RunDirectory:
    def __init__(self, path):
        self.path = Path(path)

    @classmethod
    def create(cls, path, config):
        """A new run directory for ``config``; refuses a folder that already holds anything."""
        path = Path(path)
        if (path / CONFIG).exists():
            raise UsageProblem(f"{path} already holds a run; continue it with --resume {path} "
                               "or choose another --run-dir")
        claim_empty_folder(path, "is not empty and is not an rnncli run")
        run = cls(path)
        write_atomically(run.path / CONFIG, config.to_json())
        return run

    def discard(self):
        """Undo ``create``: remove the config it wrote, and the folder when nothing else is in it."""
        (self.path / CONFIG).unlink(missing_ok=True)
        if not any(self.path.iterdir()):
            self.path.rmdir()

    @classmethod
    def open(cls, path):
        """An existing run directory; refuses a folder that is not one."""
        path = Path(path)
        if not path.is_dir():
            raise UsageProblem(f"{path}: no such run directory")
        if not (path / CONFIG).exists() or not (path / VOCAB).exists():
            raise UsageProblem(f"{path} is not an rnncli run directory (no {CONFIG} or {VOCAB})")
        return cls(path)

    def config(self):
        try:
            return TrainConfig.from_json((self.path / CONFIG).read_text())
        except (ValueError, TypeError) as problem:
            raise UsageProblem(f"{self.path / CONFIG} is unreadable: {problem}") from None

    def save_config(self, config):
        write_atomically(self.path / CONFIG, config.to_json())

    def is_locked(self):
        """Whether a process holds the run's lock (it is training), asked without waiting and without taking it."""
        try:
            descriptor = os.open(self.path / LOCK, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)

    def keep_stdin(self):
        """Copy standard input into the run (``--corpus -``)."""
        write_atomically(self.path / STDIN_COPY, sys.stdin.buffer.read(), binary=True)

    def corpus_source(self, corpus):
        """What to read for the run's ``--corpus``: its copy of standard input for ``-``, else the corpus."""
        return str(self.path / STDIN_COPY) if corpus == "-" else corpus

    def checkpoint_steps(self):
        """Steps of the checkpoints on disk, oldest first, read from their file names (no TensorFlow):
        ``ckpt-N`` holds the run after N steps."""
        if not self.checkpoints.is_dir():
            return []
        return sorted(int(m[1]) for m in map(_CHECKPOINT_INDEX.fullmatch, os.listdir(self.checkpoints)) if m)

    @property
    def best_checkpoints(self):
        return self.checkpoints / "best"

    @property
    def best_record_path(self):
        return self.best_checkpoints / "best.json"

    def best_record(self):
        """``{"step", "valid_perplexity", "valid_bpc", "checkpoint"}`` of the best checkpoint (``rnncli.best_checkpoint``), or
        None before the first evaluation."""
        try:
            return json.loads(self.best_record_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as problem:
            raise UsageProblem(f"{self.best_record_path} is unreadable: {problem}") from None

    def checkpoint_path(self, which="latest"):
        """The checkpoint prefix that ``--checkpoint which`` names: ``latest``, ``best``, or a step number whose
        checkpoint is still kept."""
        if which == "best":
            record = self.best_record()
            if record is None:
                raise UsageProblem(f"{self.path} has no best checkpoint yet (none before the first evaluation)")
            return str(self.best_checkpoints / record["checkpoint"])
        steps = self.checkpoint_steps()
        if not steps:
            raise UsageProblem(f"{self.path} has no checkpoint yet")
        if which == "latest":
            return str(self.checkpoints / f"ckpt-{steps[-1]}")
        if not str(which).isdigit() or int(which) not in steps:
            raise UsageProblem(f"--checkpoint {which}: choose latest, best or a kept step "
                               f"({', '.join(map(str, steps))})")
        return str(self.checkpoints / f"ckpt-{int(which)}")

    @property
    def vocab_path(self):
        return self.path / VOCAB

    @property
    def checkpoints(self):
        return self.path / "checkpoints"

    @property
    def tensorboard(self):
        return self.path / "tensorboard"

    @property
    def samples(self):
        return self.path / "samples.txt"

    @property
    def curves(self):
        return self.path / "curves.png"

    @property
    def metrics_path(self):
        return self.path / METRICS

    def append_metrics(self, record):
        with open(self.metrics_path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")
            stream.flush()

    def metrics(self):
        if not self.metrics_path.exists():
            return []
        records = []
        for line in self.metrics_path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:  # a record torn by a kill: everything before it is intact
                break
        return records

    def truncate_metrics(self, last_step):
        """Keep the records up to ``last_step``: what a resumed run recomputes is dropped, not doubled."""
        kept = [r for r in self.metrics() if r["step"] <= last_step]
        write_atomically(self.metrics_path, "".join(json.dumps(r) + "\n" for r in kept))
