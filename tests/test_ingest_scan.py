"""A file scanned once in a process is not read again while it is unchanged (a night's run asks
whether anything is to load, then loads: pipelines/ingest/files.py), and any write since, or a
file written too recently to tell, is read again."""

import hashlib
import os
import time

import pytest

from pipelines.ingest import files
from pipelines.ingest.errors import ExtractFileError

CONTENT = b"person_id,person_sex\nP1,M\nP2,F\n"
AN_HOUR_AGO = time.time() - 3600


@pytest.fixture
def reads(monkeypatch):
    """The files scan_file opens, in order; the scans as a night's run makes them, long after
    the files were written (the clock an hour ahead: a file's change time cannot be set back)."""
    opened = []
    original = files._open_for_reading

    def counting(path, file_name):
        opened.append(path.name)
        return original(path, file_name)

    monkeypatch.setattr(files, "_open_for_reading", counting)
    monkeypatch.setattr(files, "_LAST_SCAN", {})
    monkeypatch.setattr(files, "_now_ns", lambda: time.time_ns() + 3600 * 10**9)
    return opened


def _written(path, content, mtime=AN_HOUR_AGO):
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


def test_an_unchanged_file_is_read_once(tmp_path, reads):
    path = _written(tmp_path / "ssd_person.csv", CONTENT)
    first = files.scan_file(path, "ssd_person.csv")
    again = files.scan_file(path, "ssd_person.csv")
    assert reads == ["ssd_person.csv"]
    assert again == first
    assert first.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (first.size, first.last_content_line) == (len(CONTENT), 3)


def test_a_write_since_is_read_even_with_the_same_size_and_time(tmp_path, reads):
    path = _written(tmp_path / "ssd_person.csv", CONTENT)
    first = files.scan_file(path, "ssd_person.csv")
    changed = CONTENT.replace(b"P2,F", b"P3,M")
    time.sleep(0.05)  # past the clock's tick (a few ms on older kernels): a later change time
    _written(path, changed)  # same size, its modification time set back as it was
    again = files.scan_file(path, "ssd_person.csv")
    assert reads == ["ssd_person.csv", "ssd_person.csv"]
    assert again.sha256 == hashlib.sha256(changed).hexdigest() != first.sha256


def test_a_file_replaced_by_another_is_read(tmp_path, reads):
    path = _written(tmp_path / "ssd_person.csv", CONTENT)
    files.scan_file(path, "ssd_person.csv")
    other = _written(tmp_path / "new.csv", CONTENT + b"P4,F\n")
    other.replace(path)
    assert files.scan_file(path, "ssd_person.csv").size == len(CONTENT) + 5
    assert len(reads) == 2


def test_a_file_changed_moments_ago_is_read_every_time(tmp_path, reads, monkeypatch):
    monkeypatch.setattr(files, "_now_ns", time.time_ns)  # the scan just after the change
    path = _written(tmp_path / "ssd_person.csv", CONTENT)  # modified an hour ago, changed now
    files.scan_file(path, "ssd_person.csv")
    files.scan_file(path, "ssd_person.csv")
    assert len(reads) == 2


def test_a_file_that_fails_fails_every_time(tmp_path, reads):
    path = _written(tmp_path / "ssd_person.csv", b"")
    for _ in range(2):
        with pytest.raises(ExtractFileError, match="the file is empty"):
            files.scan_file(path, "ssd_person.csv")
    assert len(reads) == 2
