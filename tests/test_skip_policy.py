"""tests/skip_policy.py: with CI set, a skip that is not on the allow-list fails the session; -rs shows it."""

import pytest

TESTS = """
import pytest

def test_runs():
    assert True

def test_needs_a_gpu():
    pytest.skip("no GPU here")
"""


def run_session(pytester, monkeypatch, ci, allowed=()):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makeini("[pytest]\naddopts = -rs\nci_allowed_skips =\n" + "".join(f"    {n}\n" for n in allowed))
    pytester.makepyfile(test_sample=TESTS)
    return pytester.runpytest("-p", "tests.skip_policy")


@pytest.mark.parametrize("ci", [None, "", "0", "false"])
def test_outside_ci_a_skip_is_reported_with_its_reason_and_the_session_passes(pytester, monkeypatch, ci):
    result = run_session(pytester, monkeypatch, ci)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] test_sample.py:*: no GPU here"])


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_skip_not_on_the_list_fails_the_session_and_is_named(pytester, monkeypatch, ci):
    result = run_session(pytester, monkeypatch, ci)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*CI is set and 1 skipped test(s) are not on ci_allowed_skips*",
                                 "test_sample.py::test_needs_a_gpu"])


def test_in_ci_a_skip_on_the_list_passes(pytester, monkeypatch):
    result = run_session(pytester, monkeypatch, "true", allowed=["test_sample.py::test_needs_a_gpu"])
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, skipped=1)


def test_in_ci_a_skipped_module_fails_the_session(pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(test_gpu_only="import pytest\npytest.importorskip('no_such_module_here')\n",
                        test_plain="def test_runs():\n    assert True\n")
    result = pytester.runpytest("-p", "tests.skip_policy")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["test_gpu_only.py"])
