"""Archives recognised by their bytes, and guarded reading of one member: escaping names, zip bombs, truncation,
unexpected members, several files."""

import bz2
import gzip
import hashlib
import io
import lzma
import tarfile
import zipfile

import pytest

from rnncli.data import archives
from rnncli.data.archives import ArchiveError, archive_kind, choose_member, escapes, extract_member, read_member
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


def compressed(path, data, kind):
    opener = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}[kind]
    with opener(path, "wb") as stream:
        stream.write(data)
    return path


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_a_compressed_file_is_recognised_by_its_bytes_and_read_as_its_one_member(tmp_path, kind):
    archive = compressed(tmp_path / "corpus.dat", TEXT, kind)  # the name says nothing
    assert archive_kind(archive) == kind
    assert choose_member(archive, kind) == "corpus.dat"
    assert read_member(archive, kind, "corpus.dat") == TEXT


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_a_tar_is_recognised_whatever_its_compression(tmp_path, mode):
    archive = tmp_path / "bundle.dat"
    with tarfile.open(archive, mode) as bundle:
        info = tarfile.TarInfo("data/corpus.txt")
        info.size = len(TEXT)
        bundle.addfile(info, io.BytesIO(TEXT))
    assert archive_kind(archive) == "tar"
    assert read_member(archive, "tar", choose_member(archive, "tar")) == TEXT


def test_plain_text_is_not_an_archive(tmp_path):
    (tmp_path / "corpus.zip").write_bytes(TEXT)  # the name says zip, the bytes do not
    assert archive_kind(tmp_path / "corpus.zip") is None


def test_several_files_need_a_member_and_clutter_is_left_out(tmp_path):
    archive = make_zip(tmp_path / "two.zip", {"a.txt": TEXT, "b.txt": TEXT, "__MACOSX/._a.txt": b"fork"})
    with pytest.raises(ArchiveError, match="holds 2 files; choose one with --member NAME: a.txt, b.txt$"):
        choose_member(archive, "zip")
    assert choose_member(archive, "zip", "b.txt") == "b.txt"
    with pytest.raises(ArchiveError, match="has no member 'c.txt'; its files: a.txt, b.txt$"):
        choose_member(archive, "zip", "c.txt")


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MEMBER_LIMIT", 1_000_000)
    bomb = make_zip(tmp_path / "bomb.zip", {"text8": b"\0" * 5_000_000})
    assert bomb.stat().st_size < 10_000
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: pytest.fail("the member was opened"))
    with pytest.raises(ArchiveError, match="holds more than the 1,000,000 bytes expected"):
        read_member(bomb, "zip", "text8")


def test_a_compressed_stream_is_cut_off_at_the_limit_while_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MEMBER_LIMIT", 1_000_000)
    monkeypatch.setattr(archives, "CHUNK_BYTES", 1 << 16)
    bomb = compressed(tmp_path / "bomb.gz", b"\0" * 5_000_000, "gz")  # a gzip declares no size up front
    with pytest.raises(ArchiveError, match="holds more than the 1,000,000 bytes expected"):
        read_member(bomb, "gz", "bomb")
