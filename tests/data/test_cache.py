"""The download cache: catalog entries fetched once from a local server, digests recorded beside them and checked."""

import hashlib

import pytest

from rnncli.data.cache import cache_state, digest_path, download_path, fetch_entry, fetch_url
from rnncli.data.catalog import CatalogEntry, CorpusDefaults, Member
from rnncli.data.download import DownloadError, RetryPolicy
from rnncli.data.sources import SourceFile
from tests.archives import make_tgz, make_zip
from tests.http_server import FileServer

FAST = RetryPolicy(retries=2, backoff_seconds=0.001, timeout_seconds=5)
TEXT = b" anarchism originated as a term of abuse first used against early working class radicals" * 40


def zip_entry(url, archive_bytes, member="text8", member_bytes=len(TEXT)):
    return CatalogEntry("tiny8", "a tiny text8", url, archive_bytes, None, "zip", (Member(member, member_bytes),),
                        CorpusDefaults(valid_size=100, test_size=100))


def sha(data):
    return hashlib.sha256(data).hexdigest()


def test_a_catalog_corpus_is_downloaded_extracted_and_recorded_once(tmp_path):
    archive = make_zip(tmp_path / "tiny8.zip", {"text8": TEXT, "README": b"not wanted"}).read_bytes()
    cache = tmp_path / "cache"
    with FileServer({"tiny8.zip": archive}) as server:
        entry = zip_entry(server.url("tiny8.zip"), len(archive))
        assert cache_state(entry, cache) == "no"
        [path] = fetch_entry(entry, cache, retry=FAST)
        assert fetch_entry(entry, cache, retry=FAST) == [path]
    assert len(server.requests) == 1
    assert path == cache / "tiny8" / "text8" and path.read_bytes() == TEXT
    assert digest_path(path).read_text() == f"{sha(TEXT)}  text8\n"
    downloaded = download_path(entry.url, cache)
    assert downloaded.read_bytes() == archive and digest_path(downloaded).read_text().split()[0] == sha(archive)
    assert not (cache / "tiny8" / "README").exists()
    assert cache_state(entry, cache) == "cached"
    path.unlink()
    assert cache_state(entry, cache) == "archive"


def test_a_corpus_published_with_its_splits_gives_its_three_files_in_order(tmp_path):
    names = [f"./simple-examples/data/ptb.{split}.txt" for split in ("train", "valid", "test")]
    archive = make_tgz(tmp_path / "simple-examples.tgz", {name: f"{name} text\n".encode() for name in names})
    with FileServer({"simple-examples.tgz": archive.read_bytes()}) as server:
        entry = CatalogEntry("ptb", "", server.url("simple-examples.tgz"), None, None, "tar.gz",
                             tuple(Member(name, None, split) for name, split in zip(names, ("train", "valid", "test"))),
                             CorpusDefaults(level="word"))
        paths = fetch_entry(entry, tmp_path / "cache", retry=FAST)
    assert entry.presplit
    assert [p.name for p in paths] == ["ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"]
    assert paths[1].read_text() == "./simple-examples/data/ptb.valid.txt text\n"


def test_a_truncated_archive_of_unknown_size_is_reported_and_deleted(tmp_path):
    archive = make_zip(tmp_path / "tiny8.zip", {"text8": TEXT}).read_bytes()
    cache = tmp_path / "cache"
    with FileServer({"tiny8.zip": archive[: len(archive) // 2]}) as server:
        entry = zip_entry(server.url("tiny8.zip"), None)
        with pytest.raises(DownloadError, match="damaged or truncated .*; the download was deleted"):
            fetch_entry(entry, cache, retry=FAST)
    assert not download_path(entry.url, cache).exists()
    assert [p for p in cache.rglob("*") if p.is_file()] == []


def test_an_archive_with_an_escaping_member_is_refused_and_deleted(tmp_path):
    archive = make_zip(tmp_path / "evil.zip", {"text8": TEXT, "../../evil.txt": b"owned"}).read_bytes()
    cache = tmp_path / "cache"
    with FileServer({"evil.zip": archive}) as server:
        with pytest.raises(DownloadError, match="member '../../evil.txt' escapes"):
            fetch_entry(zip_entry(server.url("evil.zip"), len(archive)), cache, retry=FAST)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / "evil.zip"]


def test_a_cached_file_that_changed_is_deleted_when_read(tmp_path):
    with FileServer({"corpus.txt": TEXT}) as server:
        path = fetch_url(server.url("corpus.txt"), tmp_path, retry=FAST)
    assert SourceFile(path, cached=True).read_bytes() == TEXT
    path.write_bytes(TEXT.upper())
    with pytest.raises(DownloadError, match="no longer matches the SHA-256 recorded .* it was deleted"):
        SourceFile(path, cached=True).read_bytes()
    assert not path.exists() and not digest_path(path).exists()


def test_urls_with_the_same_file_name_are_cached_apart(tmp_path):
    first, second = (download_path(f"https://{host}/input.txt", tmp_path) for host in ("a.org", "b.org"))
    assert first != second and first.name.endswith("-input.txt")
