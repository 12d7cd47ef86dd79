"""Running ``rnncli`` in this process, as the tests of its commands do."""

from click.testing import CliRunner

from rnncli.cli import main


def invoke(*args, **options):
    """``rnncli ARGS`` through Click's ``CliRunner`` (arguments as strings; exceptions not swallowed), with
    ``options`` for ``CliRunner.invoke`` (``input=`` for standard input)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **options)
