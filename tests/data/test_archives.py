"""Guarded extraction of one archive member: escaping names, zip bombs, truncation, unexpected members."""

import hashlib

import pytest

from rnncli.data.archives import escapes, extract_member
from rnncli.data.archives import ArchiveError
from tests.archives import make_tgz, make_zip

TEXT = b" anarchism originated as a term of abuse" * 50


@pytest.mark.parametrize("kind, make", [("zip", make_zip), ("tar.gz", make_tgz)])
def test_the_member_asked_for_is_extracted_and_others_are_ignored(tmp_path, kind, make):
    archive = make(tmp_path / "bundle", {"README": b"ignored", "./data/text8": TEXT})
    digest = extract_member(archive, kind, "./data/text8", tmp_path / "text8", len(TEXT))
    assert (tmp_path / "text8").read_bytes() == TEXT
    assert digest == hashlib.sha256(TEXT).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "text8"]


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/escape.txt", "data/../../escape.txt", "..\\escape.txt",
                                 "C:/escape.txt"])
def test_an_archive_with_an_escaping_member_is_refused_whole(tmp_path, bad):
    folder = tmp_path / "cache"
    folder.mkdir()
    archive = make_zip(folder / "bundle.zip", {"text8": TEXT, bad: b"owned"})
    with pytest.raises(ArchiveError, match="refusing the archive, its member .* escapes"):
        extract_member(archive, "zip", "text8", folder / "text8", len(TEXT))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["bundle.zip", "cache"]


def test_escaping_names_are_recognised_and_ordinary_ones_are_not():
    assert all(escapes(name) for name in ("../x", "/x", "a/../../x", "..\\x", "C:/x"))
    assert not any(escapes(name) for name in ("x", "./simple-examples/data/ptb.train.txt", "a/b..c"))


def test_a_member_larger_than_declared_is_refused_and_nothing_is_kept(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", {"text8": b"\0" * 1_000_000})
    with pytest.raises(ArchiveError, match="holds more than the 1,000 bytes expected"):
        extract_member(archive, "zip", "text8", tmp_path / "text8", 1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip"]


def test_a_member_shorter_than_declared_is_refused(tmp_path):
    archive = make_tgz(tmp_path / "short.tgz", {"text8": TEXT})
    with pytest.raises(ArchiveError, match=f"holds {len(TEXT):,} bytes, not the {len(TEXT) + 1:,} expected"):
        extract_member(archive, "tar.gz", "text8", tmp_path / "text8", len(TEXT) + 1)
    assert not (tmp_path / "text8").exists()


@pytest.mark.parametrize("kind, make", [("zip", make_zip), ("tar.gz", make_tgz)])
def test_a_truncated_archive_is_reported_as_damaged(tmp_path, kind, make):
    whole = make(tmp_path / "whole", {"text8": bytes(range(256)) * 400}).read_bytes()
    truncated = tmp_path / "truncated"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ArchiveError, match="damaged or truncated"):
        extract_member(truncated, kind, "text8", tmp_path / "text8")
    assert not (tmp_path / "text8").exists() and not (tmp_path / "text8.part").exists()


def test_a_missing_member_or_a_link_is_refused(tmp_path):
    archive = make_tgz(tmp_path / "links.tgz", {"real": TEXT}, links=[("text8", "real")])
    with pytest.raises(ArchiveError, match="'text8' is not a regular file"):
        extract_member(archive, "tar.gz", "text8", tmp_path / "text8")
    with pytest.raises(ArchiveError, match="has no member 'absent'"):
        extract_member(archive, "tar.gz", "absent", tmp_path / "text8")
