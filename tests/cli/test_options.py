"""Every option of every command: it has help, and a float option refuses nan and inf."""

import click as plain_click
import pytest
from click.testing import CliRunner

from rnncli.cli import main


def commands(group=main, path=()):
    """``(path, command)`` for every command below ``group``, groups included."""
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, plain_click.Group):
            yield from commands(command, (*path, name))


def float_options():
    for path, command in commands():
        for param in command.params:
            if isinstance(param, plain_click.Option) and isinstance(param.type, plain_click.types.FloatParamType):
                yield path, param.opts[0]


FLOAT_OPTIONS = sorted(set(float_options()))


def test_the_walk_finds_the_float_options_of_every_computing_command():
    found = {(path[0], option) for path, option in FLOAT_OPTIONS}
    assert {("train", "--lr"), ("train", "--max-seconds"), ("train", "--forget-bias"), ("sample", "--temperature"),
            ("compare", "--budget-seconds"), ("compare", "--dropout"), ("diagonal", "--lr")} <= found


@pytest.mark.parametrize("value", ["nan", "inf"])
@pytest.mark.parametrize("path, option", FLOAT_OPTIONS)
def test_a_float_option_refuses_nan_and_infinity_with_exit_2(path, option, value):
    result = CliRunner().invoke(main, [*path, "RUN", f"{option}={value}"])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("path, command", list(commands()), ids=lambda p: " ".join(p) if isinstance(p, tuple) else "")
def test_every_option_and_command_says_what_it_does(path, command):
    assert command.help, f"rnncli {' '.join(path)} has no help"
    missing = [p.opts[0] for p in command.params if isinstance(p, plain_click.Option) and not p.help]
    assert not missing, f"rnncli {' '.join(path)}: options without help: {missing}"


def test_train_help_at_80_columns_shows_the_option_groups():
    result = CliRunner().invoke(main, ["train", "--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    panels = ["Data", "Model", "Stack", "Optimisation and schedule", "Run directory and checkpoints",
              "Logging and sampling", "Devices and distribution"]
    positions = [result.output.find(f"╭─ {panel} ") for panel in panels]
    assert -1 not in positions and positions == sorted(positions)
    assert max(len(line) for line in result.output.splitlines()) <= 80
    ungrouped = result.output[result.output.find("╭─ Options "):]
    assert ungrouped.count("│ -") == 1 and "--help" in ungrouped  # only --help is left outside the groups


def test_negative_infinity_is_refused_where_no_bound_would_refuse_it():
    result = CliRunner().invoke(main, ["train", "--forget-bias=-inf"])
    assert result.exit_code == 2 and "'-inf' is not a finite number" in result.output
