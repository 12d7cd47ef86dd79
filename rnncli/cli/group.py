"""The ``rnncli`` group: where every error of every command is shown, once.

A command raises; this class turns what it raised into the end of the process:

- ``rnncli.errors.RnncliError`` (bad input, a failed run, a failed download): ``Error: <message>`` on one line
  of stderr, exit status ``exit_code`` (2 for bad input, else 1);
- a stop by SIGINT or SIGTERM (``StopRequested``, ``KeyboardInterrupt``): exit 128 + the signal's number, the
  command having kept what it finished;
- Click's own parameter errors are Click's (exit 2, with the usage line).

``--debug`` (or ``RNNCLI_DEBUG=1``) shows the Python traceback instead, and leaves TensorFlow's native log on
stderr, which is otherwise sent to /dev/null for the life of the command.
"""

import signal
import warnings

import rich_click as click

from rnncli.errors import RnncliError
from rnncli.stop_signals import StopRequested

class RnncliGroup(click.RichGroup):
    """The group of every command; its ``debug`` parameter is ``--debug`` (or ``RNNCLI_DEBUG``)."""

    def invoke(self, context):
        debug = context.params.get("debug", False)
        try:
            return super().invoke(context)
        except RnncliError as problem:
            if debug:
                raise
            click.echo(f"Error: {problem}", err=True)
            context.exit(problem.exit_code)
        except StopRequested as stop:
            context.exit(stop.exit_code)
        except KeyboardInterrupt:
            if debug:
                raise
            context.exit(128 + signal.SIGINT)


def start_command(debug):
    """What the group does before any command: quiet TensorFlow's native log unless debugging, and print
    warnings as one line, as errors are."""
    if not debug:
        from rnncli.native_logs import route_native_logs_to_null

        route_native_logs_to_null()
    warnings.formatwarning = lambda message, *_: f"Warning: {message}\n"
