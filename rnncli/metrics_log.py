"""``metrics.jsonl``: an append-only log of records, read back as one record per (step, kind).

A record is a JSON object with an integer ``step``; its kind is ``valid`` when it holds ``valid_bpc`` (an
evaluation), else ``train`` (a training log). Every record a training session writes carries ``session``
(1, 2, ... in the order the sessions began; records written before sessions existed count as session 0,
begun at step 0) and ``session_start``, the step the session began from: 0 for a new run, the step of the
restored checkpoint for a resume or a rollback.

Nothing is ever rewritten or deleted. A session that begins at step S supersedes what earlier sessions
recorded for steps S and later (those steps are trained again), so readers keep::

    record r of session k  ⇔  no session j > k has session_start_j ≤ step_r

and of what is left the last record of each (step, kind). Lines that are not records (bad bytes, not JSON,
not an object, no integer ``step``: a line torn by a kill or edited by hand) are skipped, with one warning
naming their line numbers.
"""

import json
import warnings

from rnncli.errors import RunFailed


def record_kind(record):
    return "valid" if "valid_bpc" in record else "train"


def parse_lines(raw):
    """``(records, bad)``: the records of the bytes ``raw`` in file order, and the 1-based numbers of the
    lines that are not records."""
    records, bad = [], []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
            record = None
        if _is_record(record):
            records.append(record)
        else:
            bad.append(number)
    return records, bad


def _is_record(value):
    def integer(key, default):
        number = value.get(key, default)
        return isinstance(number, int) and not isinstance(number, bool)

    return isinstance(value, dict) and integer("step", None) and integer("session", 0) and integer("session_start", 0)


def current_records(records):
    """The records no later session superseded, one per (step, kind) (the latest), in step order; ``records``
    in file order, where sessions follow one another (one writer at a time, ``rnncli.run_lock``)."""
    kept, session = {}, None
    for record in records:
        if record.get("session", 0) != session:  # a new session: what it trains again is superseded
            session, start = record.get("session", 0), record.get("session_start", 0)
            kept = {key: earlier for key, earlier in kept.items() if earlier["step"] < start}
        kept[(record["step"], record_kind(record))] = record
    return sorted(kept.values(), key=lambda r: r["step"])


class MetricsLog:
    """Reads and appends ``path``; ``begin_session(step)`` makes the records appended after it a new session."""

    def __init__(self, path):
        self.path = path
        self.session = None

    def _all_records(self):
        if not self.path.exists():
            return []
        records, bad = parse_lines(self.path.read_bytes())
        if bad:
            shown = ", ".join(map(str, bad[:10])) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            warnings.warn(f"{self.path}: skipped line(s) {shown}, which are not metrics records", stacklevel=3)
        return records

    def records(self):
        return current_records(self._all_records())

    def begin_session(self, start_step):
        """Number the records appended from now on as the next session, begun at ``start_step``."""
        number = max((r.get("session", 0) for r in self._all_records()), default=0) + 1
        self.session = {"session": number, "session_start": start_step}

    def append(self, record):
        """Append ``record`` (with the session's fields) as one flushed line; a line torn by a kill is first
        ended, so that the new record starts a line of its own."""
        line = json.dumps({**record, **(self.session or {})}) + "\n"
        try:
            with open(self.path, "ab") as stream:
                if stream.tell() and not self._ends_with_newline():
                    line = "\n" + line
                stream.write(line.encode("utf-8"))
                stream.flush()
        except OSError as problem:
            raise RunFailed(f"cannot write {self.path}: {problem.strerror}") from None

    def _ends_with_newline(self):
        with open(self.path, "rb") as stream:
            stream.seek(-1, 2)
            return stream.read(1) == b"\n"
