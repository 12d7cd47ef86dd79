from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """No test touches the user's download cache."""
    monkeypatch.setenv("RNNCLI_DATA_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def shakespeare():
    """The real tinyshakespeare text from ../shared/data (skips when the folder is absent)."""
    path = SHARED_DATA / "tinyshakespeare.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside this checkout)")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def small_corpus(tmp_path):
    """A short text file: a few thousand characters of a repeated sentence with variations."""
    words = "the quick brown fox jumps over the lazy dog while seven wizards quietly hex jumbo plums".split()
    lines = [" ".join(words[i % len(words):] + words[: i % len(words)]) for i in range(60)]
    path = tmp_path / "small.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
