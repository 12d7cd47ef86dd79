"""rnncli datasets list / download / info, the corpus options of train, sample and eval, and bad corpus input,
through the command line in process. Downloads come from a real HTTP server on 127.0.0.1."""

import dataclasses
import gzip
import hashlib
import io
import json
import time
import zipfile

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.data import catalog, download
from tests.archives import make_tgz, make_zip
from tests.http_server import FileServer, closed_port_url

TEXT8_LIKE = " anarchism originated as a term of abuse first used against early working class radicals" * 40
TINY = ["--steps", "2", "--hidden", "8", "--batch-size", "2", "--unroll", "5", "--log-every", "1", "--eval-every",
        "1", "--sample-every", "0", "--checkpoint-every", "1"]


def make_zip_bytes(members):
    with io.BytesIO() as buffer:
        with zipfile.ZipFile(buffer, "w") as bundle:
            for name, data in members.items():
                bundle.writestr(name, data)
        return buffer.getvalue()


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


def test_word_level_info_gives_the_unknown_rate_and_warns_above_5_percent(tmp_path):
    (tmp_path / "corpus.txt").write_text("Romeo, Romeo? wherefore art thou Romeo.\n" * 20 + "Juliet!\n", "utf-8")  # 57 of 193 training words, 5 of 10 validation words outside the 5 most frequent
    shown = invoke("datasets", "info", tmp_path / "corpus.txt", "--level", "word", "--vocab-size", 6,
                   "--valid-size", 10).output
    assert "<unk>: 29.5% of the training words, 50.0% of the validation words (vocabulary 6, --tokenizer words)" \
        in shown and "warning: more than 5% of the words are <unk>" in shown


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


def listing(folder):
    """Everything under ``folder`` (what ``git status --ignored`` would see), or None when it is absent."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else None


@pytest.fixture
def unreachable_text8(tmp_path, monkeypatch):
    """The catalog's text8 entry for a small zip with a ``text8`` member, at a URL where nothing listens, with
    a split of its own (300 / 300 characters); returns the zip's bytes."""
    archive = make_zip(tmp_path / "text8.zip", {"text8": TEXT8_LIKE}).read_bytes()
    (tmp_path / "text8.zip").unlink()
    entry = dataclasses.replace(catalog.load_catalog()["text8"], url=closed_port_url("text8.zip"), bytes=len(archive),
                                sha256=hashlib.sha256(archive).hexdigest(),
                                members=(catalog.Member("text8", len(TEXT8_LIKE)),),
                                defaults=catalog.CorpusDefaults(valid_size=300, test_size=300))
    monkeypatch.setattr(catalog, "load_catalog", lambda: {"text8": entry})
    monkeypatch.setattr(download, "DEFAULT_RETRY", download.RetryPolicy())  # the real back-off: 15 s if retried
    return archive


@pytest.mark.parametrize("command", [["train", "--corpus", "text8", *TINY], ["datasets", "download", "text8"],
                                     ["datasets", "info", "text8"]])
def test_an_unreachable_corpus_fails_at_once_with_commands_that_work_and_leaves_nothing(
        unreachable_text8, tmp_path, monkeypatch, command):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    started = time.monotonic()
    result = invoke(*command)
    assert time.monotonic() - started < 10  # a hang; a retry (a pause of 1 s or more) is caught by its line below
    assert result.exit_code == 1 and "Traceback" not in result.output and "retrying" not in result.output
    announced, error = result.output.strip().splitlines()
    assert announced.startswith("Downloading text8 (0.0 MB) from 127.0.0.1")
    assert error.startswith("Error: cannot download http://127.0.0.1:") and "refused the connection" in error
    assert ("`rnncli datasets add text8 PATH` with the file as downloaded, or train on it directly: `rnncli train "
            "--corpus PATH`") in error
    assert listing(work) == [] and listing(tmp_path / "cache") is None


def test_a_local_copy_added_to_the_cache_trains_offline_with_the_catalog_split(unreachable_text8, tmp_path):
    (tmp_path / "text8.zip").write_bytes(unreachable_text8)
    added = invoke("datasets", "add", "text8", tmp_path / "text8.zip")
    assert added.exit_code == 0, added.output
    assert f"text8.zip is text8's download ({len(unreachable_text8):,} bytes; its SHA-256 too): added" in added.output
    assert (tmp_path / "cache" / "text8" / "text8").read_text() == TEXT8_LIKE
    result = invoke("train", "--corpus", "text8", *TINY, "--run-dir", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert "step      1" in result.output and "Downloading" not in result.output
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert (config["valid_size"], config["test_size"]) == (300, 300)


def test_a_wrong_copy_is_refused_naming_its_size_or_hash(unreachable_text8, tmp_path):
    (tmp_path / "short.zip").write_bytes(unreachable_text8[:-1])
    (tmp_path / "other.zip").write_bytes(unreachable_text8[:-1] + b"!")
    short = invoke("datasets", "add", "text8", tmp_path / "short.zip")
    assert short.exit_code == 2
    assert f"is {len(unreachable_text8) - 1:,} bytes, not a copy of text8" in short.output
    other = invoke("datasets", "add", "text8", tmp_path / "other.zip")
    assert other.exit_code == 2 and "has the size of text8 but not its SHA-256" in other.output
    assert listing(tmp_path / "cache") is None


def test_a_local_copy_given_as_the_corpus_is_read_as_the_catalog_corpus(unreachable_text8, tmp_path):
    (tmp_path / "download.zip").write_bytes(unreachable_text8)
    result = invoke("datasets", "info", tmp_path / "download.zip", "--json")
    assert "download.zip is text8's download" in result.stderr and "read as --corpus text8" in result.stderr
    info = json.loads(result.stdout)
    assert (info["valid_size"], info["test_size"], info["characters"]) == (300, 300, len(TEXT8_LIKE))
    plain = json.loads(invoke("datasets", "info", tmp_path / "download.zip", "--member", "text8", "--json").stdout)
    assert plain["valid_size"] == len(TEXT8_LIKE) // 10  # named as an archive member: a plain file's split


@pytest.fixture
def corpus_server(tmp_path):
    """A server holding the small text as .zip, .gz, a two-file .zip, a .tar.gz with an escaping member, and a
    web page."""
    text = TEXT8_LIKE.encode()
    files = {"corpus.zip": make_zip(tmp_path / "corpus.zip", {"corpus.txt": text}).read_bytes(),
             "corpus.txt.gz": gzip.compress(text),
             "two.zip": make_zip(tmp_path / "two.zip", {"a.txt": text, "b.txt": text[::-1]}).read_bytes(),
             "evil.tar.gz": make_tgz(tmp_path / "evil.tar.gz", {"corpus.txt": text, "../evil.txt": b"x"}).read_bytes(),
             "page": b"<html>please sign in</html>"}
    for name in files:
        (tmp_path / name).unlink(missing_ok=True)
    with FileServer(files) as server:
        server.types["page"] = "text/html"
        yield server


@pytest.mark.parametrize("name", ["corpus.zip", "corpus.txt.gz"])
def test_an_archive_url_trains(corpus_server, tmp_path, name):
    result = invoke("train", "--corpus", corpus_server.url(name), "--valid-size", 300, *TINY, "--run-dir",
                    tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert "step      1" in result.output
    assert len(json.loads((tmp_path / "run" / "vocab.json").read_text())["symbols"]) == 21


@pytest.mark.parametrize("name, args, message", [
    ("two.zip", [], "two.zip.part holds 2 files; choose one with --member NAME: a.txt, b.txt"),
    ("two.zip", ["--member", "c.txt"], "has no member 'c.txt'; its files: a.txt, b.txt"),
    ("evil.tar.gz", [], "refusing the archive, its member '../evil.txt' escapes"),
    ("page", [], "answered with a web page (text/html), not a corpus"),
])
def test_an_unusable_download_is_refused_in_one_line_and_not_kept(corpus_server, tmp_path, monkeypatch, name, args,
                                                                   message):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = invoke("train", "--corpus", corpus_server.url(name), *args, *TINY)
    assert result.exit_code in (1, 2) and message in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
    assert listing(work) == [] and listing(tmp_path / "cache") is None


def test_the_member_of_a_two_file_archive_is_chosen_with_member(corpus_server):
    info = json.loads(invoke("datasets", "info", corpus_server.url("two.zip"), "--member", "b.txt", "--json").stdout)
    assert info["characters"] == len(TEXT8_LIKE) and info["least_frequent"]


def test_failures_that_waiting_may_cure_are_retried_visibly_then_reported(corpus_server, monkeypatch):
    monkeypatch.setattr(download, "DEFAULT_RETRY", download.RetryPolicy(retries=2, backoff_seconds=0.001))
    corpus_server.resets = 2
    result = invoke("datasets", "info", corpus_server.url("corpus.zip"))
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if "retrying" in line] == [
        "127.0.0.1 reset the connection; retrying in 0.001 s, attempt 2 of 3",
        "127.0.0.1 reset the connection; retrying in 0.002 s, attempt 3 of 3"]
    corpus_server.silences = [5, 5, 5]
    stalled = invoke("datasets", "info", corpus_server.url("corpus.txt.gz"), "--stall-timeout", 0.2)
    assert stalled.exit_code == 1
    assert "Error: 127.0.0.1 stalled: no byte for 0.2 s, 0 bytes received (3 attempts)" in stalled.output


def test_a_redirect_loop_is_one_line(corpus_server):
    corpus_server.redirects = {"a": "b", "b": "a"}
    result = invoke("datasets", "info", corpus_server.url("a"))
    assert result.exit_code == 1 and "redirects in a loop" in result.output
    assert result.output.count("\n") == 2  # the announcement and the error


def test_a_user_url_is_revalidated_on_each_use(corpus_server):
    url = corpus_server.url("corpus.zip")
    for _ in range(2):
        assert invoke("datasets", "info", url).exit_code == 0
    assert corpus_server.conditional[0] is None and corpus_server.conditional[1].startswith('"')
    corpus_server.files["corpus.zip"] = make_zip_bytes({"corpus.txt": b"abc" * 500})
    changed = json.loads(invoke("datasets", "info", url, "--json").stdout)
    assert changed["characters"] == 1500
