"""The ``rnncli`` group: where every error of every command is shown, once.

A command raises; this class turns what it raised into the end of the process:

- ``rnncli.errors.RnncliError`` (bad input, a failed run, a failed download): ``Error: <message>`` on one line
  of stderr, exit status ``exit_code`` (2 for bad input, else 1);
- a stop by SIGINT or SIGTERM (``StopRequested``, ``KeyboardInterrupt``): exit 128 + the signal's number, the
  command having kept what it finished (and printed what it carries, such as a partial sample). SIGTERM
  raises ``StopRequested`` for the life of the command (``rnncli.stop_signals.stop_now``);
- Click's own parameter errors are Click's (exit 2, with the usage line).

``--debug`` (or ``RNNCLI_DEBUG=1``) shows the Python traceback instead, and leaves TensorFlow's native log on
stderr, which is otherwise sent to /dev/null for the life of the command.
"""

import signal
import threading
import warnings

import rich_click as click

from rnncli.errors import RnncliError
from rnncli.stop_signals import StopRequested, stop_now

class RnncliGroup(click.RichGroup):
    """The group of every command; its ``debug`` parameter is ``--debug`` (or ``RNNCLI_DEBUG``)."""

    def invoke(self, context):
        debug = context.params.get("debug", False)
        previous = signal.signal(signal.SIGTERM, stop_now) if _in_main_thread() else None
        try:
            return super().invoke(context)
        except RnncliError as problem:
            if debug:
                raise
            click.echo(f"Error: {problem}", err=True)
            context.exit(problem.exit_code)
        except StopRequested as stop:
            if stop.output:
                click.echo(stop.output)
            context.exit(stop.exit_code)
        except KeyboardInterrupt:
            if debug:
                raise
            context.exit(128 + signal.SIGINT)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


def start_command(debug):
    """What the group does before any command: quiet TensorFlow's native log unless debugging, and print
    warnings as one line, as errors are."""
    if not debug:
        from rnncli.native_logs import route_native_logs_to_null

        route_native_logs_to_null()
    warnings.formatwarning = lambda message, *_: f"Warning: {message}\n"
