"""Copies of catalog corpora made elsewhere: checked against the catalog, recognised, and cached as downloads."""

import hashlib

import pytest

from rnncli.data import catalog
from rnncli.data.cache import digest_path, fetch_entry, member_path
from rnncli.data.catalog import CatalogEntry, CorpusDefaults, Member
from rnncli.data.local_copies import add_copy, check_copy, find_copy
from rnncli.errors import UsageProblem
from tests.archives import make_zip
from tests.http_server import closed_port_url

TEXT = b" anarchism originated as a term of abuse first used against early working class radicals" * 40


def zip_entry(name, archive_bytes):
    return CatalogEntry(name, "", closed_port_url(f"{name}.zip"), archive_bytes, None, "zip",
                        (Member(name, len(TEXT)),), CorpusDefaults())


@pytest.fixture
def archive(tmp_path):
    return make_zip(tmp_path / "download.zip", {"tiny8": TEXT})


def test_the_extracted_file_is_a_copy_too_and_is_cached_where_extraction_puts_it(tmp_path, archive):
    entry = zip_entry("tiny8", archive.stat().st_size)
    (tmp_path / "tiny8").write_bytes(TEXT)
    copy = check_copy(entry, tmp_path / "tiny8")
    assert not copy.is_download
    [path] = add_copy(copy, tmp_path / "cache")
    assert path == member_path(entry, entry.members[0], tmp_path / "cache") and path.read_bytes() == TEXT
    assert digest_path(path).read_text().split()[0] == hashlib.sha256(TEXT).hexdigest()
    assert fetch_entry(entry, tmp_path / "cache") == [path]  # offline: the URL is unreachable
    assert not (tmp_path / "cache" / "downloads").exists()


def test_an_archive_without_the_catalog_member_is_not_a_copy(tmp_path):
    other = make_zip(tmp_path / "other.zip", {"README": TEXT})
    with pytest.raises(UsageProblem, match="does not hold tiny8's file 'tiny8': not a copy of tiny8"):
        check_copy(zip_entry("tiny8", other.stat().st_size), other)


def test_a_copy_is_recognised_only_when_one_entry_alone_fits(tmp_path, archive, monkeypatch):
    (tmp_path / "extracted").write_bytes(TEXT)
    entries = {"tiny8": zip_entry("tiny8", archive.stat().st_size), "wiki8": zip_entry("wiki8", None)}  # as enwik8
    monkeypatch.setattr(catalog, "load_catalog", lambda: entries)
    assert find_copy(archive).entry.name == "tiny8"
    assert find_copy(tmp_path / "extracted") is None  # the size of both entries' files, and no SHA-256 to tell
    monkeypatch.setattr(catalog, "load_catalog", lambda: {"tiny8": entries["tiny8"]})
    assert find_copy(tmp_path / "extracted").entry.name == "tiny8"
    (tmp_path / "unrelated.txt").write_bytes(TEXT[:-1])
    assert find_copy(tmp_path / "unrelated.txt") is None
