import pytest

#: pytester runs pytest on small test files (tests/test_skip_policy.py); skip_policy fails CI sessions with skips.
pytest_plugins = ["pytester", "tests.skip_policy"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """No test touches the user's download cache."""
    monkeypatch.setenv("RNNCLI_DATA_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def shakespeare():
    """The tinyshakespeare text as shipped in the package (``rnncli.datasets``)."""
    from rnncli.data.catalog import load_catalog, packaged_file

    return packaged_file(load_catalog()["tinyshakespeare"].packaged).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def small_text():
    """A few thousand characters of a repeated sentence with variations."""
    words = "the quick brown fox jumps over the lazy dog while seven wizards quietly hex jumbo plums".split()
    return "\n".join(" ".join(words[i % len(words):] + words[: i % len(words)]) for i in range(60))


@pytest.fixture
def small_corpus(tmp_path, small_text):
    """``small_text`` in a file of the test's own folder."""
    path = tmp_path / "small.txt"
    path.write_text(small_text, encoding="utf-8")
    return path
