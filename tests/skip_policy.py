"""No test skips silently in CI: a pytest plugin (``tests/conftest.py`` loads it).

``-rs`` (in ``addopts``) lists every skip with its reason. When the environment variable ``CI`` is set (to
anything but ``""``, ``0`` or ``false``), a session in which any test or module was skipped fails (exit code 1),
unless the skipped node id is on the ``ci_allowed_skips`` list of the pytest configuration: the tests that truly
cannot run on a CI machine, each listed by hand with the reason beside it.
"""

import os

import pytest

ALLOWED_SKIPS_OPTION = "ci_allowed_skips"


def running_in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def pytest_addoption(parser):
    parser.addini(ALLOWED_SKIPS_OPTION, type="linelist", default=[],
                  help="node ids that may skip when CI is set (only what cannot run there, e.g. on a GPU)")


def pytest_configure(config):
    if running_in_ci():
        config.pluginmanager.register(SkipsFailInCI(config), "skips_fail_in_ci")


class SkipsFailInCI:
    """Collects the node ids of skipped tests and modules; fails the session if one is not allowed."""

    def __init__(self, config):
        self.config = config
        self.skipped = []

    def pytest_runtest_logreport(self, report):
        self._record(report)

    def pytest_collectreport(self, report):
        self._record(report)

    def _record(self, report):
        if report.skipped and not hasattr(report, "wasxfail"):  # an expected failure is not a skip
            self.skipped.append(report.nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        allowed = set(self.config.getini(ALLOWED_SKIPS_OPTION))
        forbidden = [nodeid for nodeid in dict.fromkeys(self.skipped) if nodeid not in allowed]
        if not forbidden:
            return
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", f"CI is set and {len(forbidden)} skipped test(s) are not on "
                                    f"{ALLOWED_SKIPS_OPTION}", red=True)
            for nodeid in forbidden:
                reporter.write_line(nodeid)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
