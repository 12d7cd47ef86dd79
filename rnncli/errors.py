"""The exceptions rnncli's library raises for a person to read: each message is one line that says what went
wrong and what to do, and each kind carries the exit status its command ends with. The command line shows
them in one place (``rnncli.cli.group``); the library never imports Click."""


class RnncliError(Exception):
    """Something rnncli cannot do. Exit status 1 unless a subclass says otherwise."""

    exit_code = 1


class UsageProblem(RnncliError):
    """Bad input from the user (an option, a file, a run directory): exit 2."""

    exit_code = 2


class RunFailed(RnncliError):
    """A run that started cannot go on (non-finite steps, a failed write); the message says what was kept."""


class NetworkProblem(RunFailed):
    """A download failed; the message carries the advice for working offline."""
