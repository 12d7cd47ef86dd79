"""rnncli datasets list / download / info, the corpus options of train, sample and eval, and bad corpus input,
through the command line in process. Downloads come from a real HTTP server on 127.0.0.1."""

import dataclasses
import hashlib
import json

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.data import catalog, download
from tests.archives import make_zip
from tests.http_server import FileServer, closed_port_url

TEXT8_LIKE = " anarchism originated as a term of abuse first used against early working class radicals" * 40
TINY = ["--steps", "2", "--hidden", "8", "--batch-size", "2", "--unroll", "5", "--log-every", "1", "--eval-every",
        "1", "--sample-every", "0", "--checkpoint-every", "1"]


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(download, "DEFAULT_RETRY", download.RetryPolicy(retries=1, backoff_seconds=0.001))


@pytest.fixture
def tiny_text8(tmp_path, monkeypatch):
    """The catalog's text8 entry, pointed at a local server holding a small zip with a ``text8`` member."""
    archive = make_zip(tmp_path / "text8.zip", {"text8": TEXT8_LIKE}).read_bytes()
    with FileServer({"text8.zip": archive}) as server:
        entry = dataclasses.replace(catalog.load_catalog()["text8"], url=server.url("text8.zip"), bytes=len(archive),
                                    members=(catalog.Member("text8", len(TEXT8_LIKE)),))
        monkeypatch.setattr(catalog, "load_catalog", lambda: {"text8": entry})
        yield server


def test_train_on_text8_goes_through_the_catalog_download_and_cache(tiny_text8, tmp_path):
    result = invoke("train", "--corpus", "text8", "--valid-size", 300, "--test-size", 0, *TINY,
                    "--run-dir", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert tiny_text8.requests == [("text8.zip", None)]
    cached = tmp_path / "cache" / "text8" / "text8"
    assert cached.read_text() == TEXT8_LIKE
    assert (tmp_path / "cache" / "text8" / "text8.sha256").read_text().split()[0] == hashlib.sha256(
        TEXT8_LIKE.encode()).hexdigest()
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert {k: config[k] for k in ("encoding", "normalize", "level", "vocab_size", "valid_size", "test_size")} == {
        "encoding": "utf-8", "normalize": "none", "level": "char", "vocab_size": None, "valid_size": 300,
        "test_size": 0}
    assert len(json.loads((tmp_path / "run" / "vocab.json").read_text())["symbols"]) == len(set(TEXT8_LIKE)) == 21


def test_datasets_list_download_and_info_on_a_catalog_corpus(tiny_text8):
    listed = invoke("datasets", "list")
    assert listed.exit_code == 0 and "text8" in listed.output and "│ no " in listed.output
    fetched = invoke("datasets", "download", "text8")
    assert fetched.exit_code == 0, fetched.output
    assert f"sha256 {hashlib.sha256(TEXT8_LIKE.encode()).hexdigest()}" in fetched.output
    assert "│ cached " in invoke("datasets", "list").output
    info = json.loads(invoke("datasets", "info", "text8", "--valid-size", 300, "--test-size", 0, "--json").stdout)
    assert info["characters"] == len(TEXT8_LIKE) and info["vocab_size"] == 21
    assert info["splits"] == {"train": len(TEXT8_LIKE) - 300, "valid": 300, "test": 0}
    assert len(tiny_text8.requests) == 1


def test_info_describes_any_text_with_its_frequent_and_rare_symbols(tmp_path):
    (tmp_path / "corpus.txt").write_text("aaaa bbb cc d x\n" * 10 + "yz", encoding="utf-8")
    info = json.loads(invoke("datasets", "info", tmp_path / "corpus.txt", "--json", "--valid-size", 3).stdout)
    assert info["characters"] == 162 and info["vocab_size"] == 7 + 1  # a b c d x space newline, plus <unk>
    assert info["most_frequent"][:2] == [[" ", 40], ["a", 40]] and info["least_frequent"][0] == ["\n", 9]
    assert info["unknown"] == {"train": 0, "valid": 2, "test": 0}  # the validation text is "\nyz"
    shown = invoke("datasets", "info", tmp_path / "corpus.txt", "--valid-size", 3).output
    assert "vocabulary: 8 symbols including <unk>" in shown and "0 train / 2 valid / 0 test characters" in shown


def test_info_reads_folders_and_standard_input_at_either_level(tmp_path):
    for name, text in (("b.txt", "the cat sat\n"), ("a.txt", "The dog")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    folder = json.loads(invoke("datasets", "info", tmp_path, "--level", "word", "--normalize", "lower",
                               "--valid-size", 0, "--json").stdout)
    assert folder["symbols"] == 8 and folder["most_frequent"][:2] == [["<eos>", 3], ["the", 2]]
    piped = json.loads(invoke("datasets", "info", "-", "--valid-size", 0, "--json", input="abcabc").stdout)
    assert piped["characters"] == 6 and piped["vocab_size"] == 3


@pytest.fixture
def bad_files(tmp_path):
    (tmp_path / "empty.txt").touch()
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff")
    (tmp_path / "wide.txt").write_text("".join(chr(0x4E00 + i) for i in range(300)), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("args, message", [
    (["info", "{dir}/absent.txt"], "no such file or folder, and not a known corpus"),
    (["info", "{dir}/empty.txt"], "empty.txt is empty"),
    (["info", "{dir}/image.png"], "image.png holds NUL bytes: it is binary data, not text"),
    (["info", "{dir}/wide.txt", "--max-vocab", "100"], "270 distinct characters, more than --max-vocab 100"),
    (["info", "ftp://example.org/corpus.txt"], "only http:// and https:// URLs can be downloaded"),
    (["download", "nosuch"], "'nosuch' is not a known corpus; known corpora: "),
])
def test_bad_corpus_input_is_one_line_and_exit_2(bad_files, args, message):
    """Bad input: exit 2."""
    args = [a.format(dir=bad_files) for a in args]
    result = invoke("datasets", *args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and message in result.output


def test_a_404_and_an_unknown_encoding_are_refused(tmp_path):
    with FileServer({}) as server:
        result = invoke("datasets", "info", server.url("corpus.txt"))
    assert result.exit_code == 1 and "corpus.txt: HTTP 404" in result.output
    assert list((tmp_path / "cache").rglob("*.txt*")) == []
    result = invoke("datasets", "info", "-", "--encoding", "klingon", input="abc")
    assert result.exit_code == 2 and "'klingon' is not an encoding Python knows" in result.output


def test_a_corpus_shorter_than_one_batch_leaves_no_run_directory(tmp_path):
    (tmp_path / "short.txt").write_text("too short", encoding="utf-8")
    result = invoke("train", "--corpus", tmp_path / "short.txt", "--valid-size", 0, *TINY, "--batch-size", 4,
                    "--run-dir", tmp_path / "run")
    assert result.exit_code == 2 and "fewer than one batch" in result.output
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def word_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    lines = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"]
    (folder / "corpus.txt").write_text("\n".join(lines * 30) + "\n", encoding="utf-8")
    result = invoke("train", "--corpus", folder / "corpus.txt", "--level", "word", "--vocab-size", 8,
                    "--valid-size", 40, *TINY, "--run-dir", folder / "run")
    assert result.exit_code == 0, result.output
    return folder


def test_a_word_level_run_saves_its_vocabulary_and_samples_words(word_run):
    vocabulary = json.loads((word_run / "run" / "vocab.json").read_text())
    assert vocabulary["level"] == "word" and len(vocabulary["symbols"]) == 8 and vocabulary["symbols"][-1] == "<unk>"
    sample = json.loads(invoke("sample", word_run / "run", "--prime", "the cat", "--length", 6, "--json").stdout)
    words = sample["text"].split()
    assert sample["text"].startswith("the cat") and 2 < len(words) <= 8
    assert set(words) <= set(vocabulary["symbols"])


def test_a_word_level_run_evaluates_in_words_with_unk(word_run, tmp_path):
    (tmp_path / "other.txt").write_text("the zebra sat on the cat\n", encoding="utf-8")
    result = invoke("eval", word_run / "run", "--corpus", tmp_path / "other.txt", "--json")
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.stdout)
    assert evaluation["words"] == 6 and evaluation["unknown"] == 1 and evaluation["unknown_as"] == "<unk>"
    assert evaluation["bits_per_word"] > 0


@pytest.mark.parametrize("message", ["network is unreachable or the server is down; download http://127.0.0.1:",
                                     "elsewhere and pass the file with --corpus PATH"])
def test_a_failed_download_is_one_line_and_exit_1(message):
    """A network failure is a runtime failure, not bad input: exit 1, with the offline advice."""
    result = invoke("datasets", "info", closed_port_url())
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
