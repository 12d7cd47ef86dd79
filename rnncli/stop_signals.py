"""SIGINT and SIGTERM: every command stops with 128 + the signal number (130 for SIGINT, 143 for SIGTERM).

Outside training, SIGINT raises ``KeyboardInterrupt`` (Python's default) and SIGTERM ``StopRequested``
(``stop_now``, installed by the command line for the life of a command), so ``finally`` blocks keep what a
command finished. During training ``StopSignals`` only records the signal; the training loop looks at
``requested`` between steps, writes a checkpoint and the metrics, and stops.
"""

import contextlib
import signal
import threading


class StopRequested(BaseException):
    """A stop by signal. Like ``KeyboardInterrupt``, not an ``Exception``: code that handles errors (TensorFlow's
    tracing wraps every ``Exception`` raised while it traces) lets it through."""

    def __init__(self, signal_number, output=None):
        super().__init__(signal.Signals(signal_number).name)
        self.exit_code = 128 + signal_number
        #: What the command finished before the signal (a partial sample), for the command line to print.
        self.output = output

    @classmethod
    def carrying(cls, stop, output):
        """``stop`` (a ``StopRequested``, or a ``KeyboardInterrupt``: SIGINT) carrying ``output``."""
        number = stop.exit_code - 128 if isinstance(stop, StopRequested) else signal.SIGINT
        return cls(number, output)


def stop_now(number, _frame):
    """A signal handler that stops the command where it is."""
    raise StopRequested(number)


class StopSignals:
    def __init__(self):
        self.requested = None

    @contextlib.contextmanager
    def installed(self):
        """Catch SIGINT/SIGTERM while the block runs (only the main thread can install handlers)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.signal(s, self._record) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _record(self, number, _frame):
        if self.requested is not None:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.requested = number

    def raise_if_requested(self):
        if self.requested is not None:
            raise StopRequested(self.requested)
