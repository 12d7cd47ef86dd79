"""SIGINT and SIGTERM during training: finish the step in flight, then stop cleanly.

The handlers only record the signal; the training loop looks at ``requested`` between steps, writes a
checkpoint and the metrics, and exits with 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
"""

import contextlib
import signal
import threading


class StopRequested(Exception):
    def __init__(self, signal_number):
        super().__init__(signal.Signals(signal_number).name)
        self.exit_code = 128 + signal_number


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
