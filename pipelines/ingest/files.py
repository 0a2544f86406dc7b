"""Reading an extract file as bytes: fingerprint, encoding, header line.

Real extracts arrive as UTF-8, UTF-8 with a byte order mark (Excel, SSMS "Save results as")
or Windows-1252 (older SQL Server exports). DuckDB reads UTF-8 only without extensions, which
cannot be downloaded here, so a Windows-1252 file is transcoded to a temporary UTF-8 copy.

DuckDB's CSV reader also fails on a file that mixes \r\n and \n line endings (a file
appended to in another editor), so such a file is copied with \n endings throughout.

One streaming pass over the bytes computes the SHA-256 (to skip unchanged files), checks that
the bytes are valid UTF-8, and counts line breaks (to tell whether DuckDB's record order maps
straight onto physical line numbers). This costs well under a second per 100 MB.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.errors import ExtractFileError

CHUNK_SIZE = 4 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
SAVE_AS = "save it from the case-management system or Excel as CSV UTF-8"
# Bytes of whitespace other than spaces and line ends, in UTF-8 or Windows-1252: a tab, a
# vertical tab or form feed, a no-break space (0xA0, also the second byte of UTF-8's), the
# Unicode spaces U+1680, U+2000-U+205F (the lead bytes of that range: typographic quotes and
# dashes too, which only makes the check cautious), U+3000 and a byte order mark in the text.
ODD_SPACE_BYTES = (
    b"\t",
    b"\x0b",
    b"\x0c",
    b"\xa0",
    b"\xe1\x9a\x80",
    b"\xe2\x80",
    b"\xe2\x81",
    b"\xe3\x80\x80",
    b"\xef\xbb\xbf",
)
# The first bytes of files that are not text at all, as people save them by mistake.
NOT_TEXT = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or a zip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls) or another Office file",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3\x00": "a SQLite database",
}


@dataclass(frozen=True)
class ScannedFile:
    """What one pass over a file's bytes tells us."""

    path: Path
    file_name: str
    sha256: str
    size: int
    is_utf8: bool
    mixed_line_endings: bool
    last_content_line: int  # physical line number of the last line that is not blank
    has_nul: bool = True  # a NUL byte somewhere: only then are values checked for one
    # whitespace other than spaces and line ends (a tab, a no-break or zero-width space)
    has_odd_space: bool = True


def extract_present(extracts_dir: Path, file_name: str) -> bool:
    """Whether the folder holds an entry of that name, in any case (find_extract then says
    whether it can be read)."""
    folder = Path(extracts_dir)
    if os.path.lexists(folder / file_name):
        return True
    try:
        return any(entry.name.lower() == file_name.lower() for entry in folder.iterdir())
    except OSError:
        return False


def find_extract(extracts_dir: Path, file_name: str, allow_outside_symlinks: bool = False) -> Path:
    """The extract's path; accepts a different case (``SSD_Contacts.csv``) because files copied
    from Windows shares often change case. Raises ExtractFileError when there is no such file,
    when it is a folder or not a regular file, or when it is a symbolic link to a file outside
    the extracts folder (unless ``allow_outside_symlinks``)."""
    folder = Path(extracts_dir)
    exact = folder / file_name
    found = exact if os.path.lexists(exact) else None
    if found is None and folder.is_dir():
        try:
            entries = sorted(folder.iterdir())
        except OSError as e:
            raise ExtractFileError(
                file_name, f"the extracts folder {folder} cannot be listed: {e.strerror}"
            ) from None
        found = next((c for c in entries if c.name.lower() == file_name.lower()), None)
    if found is None:
        raise ExtractFileError(
            file_name, f"file not found in {extracts_dir} (expected the extract {file_name})"
        )
    return _checked_entry(folder, found, file_name, allow_outside_symlinks)


def _checked_entry(folder: Path, path: Path, file_name: str, allow_outside: bool) -> Path:
    """The entry if it is a regular file the loader may read (see find_extract)."""
    shown = path.name
    if path.is_symlink():
        target = path.resolve()
        if not allow_outside and not target.is_relative_to(folder.resolve()):
            raise ExtractFileError(
                file_name,
                f"{shown} is a symbolic link to {target}, outside the extracts folder; refused "
                "(expected the file itself in the extracts folder; set "
                "BOARDPACK_ALLOW_OUTSIDE_SYMLINKS=1 to follow such links)",
            )
        if not os.path.exists(path):
            raise ExtractFileError(
                file_name, f"{shown} is a symbolic link to {target}, which does not exist"
            )
    try:
        mode = path.stat().st_mode
    except OSError as e:
        raise ExtractFileError(file_name, f"{shown} cannot be read: {e.strerror}") from None
    if stat.S_ISDIR(mode):
        raise ExtractFileError(
            file_name,
            f"{shown} in {folder} is a folder, not a file (expected the extract {file_name} "
            "as a CSV file)",
        )
    if not stat.S_ISREG(mode):
        raise ExtractFileError(
            file_name,
            f"{shown} is not a regular file (a device, pipe or socket); expected a CSV file",
        )
    return path


def _open_for_reading(path: Path, file_name: str):
    try:
        return open(path, "rb")
    except PermissionError:
        raise ExtractFileError(
            file_name,
            f"{path.name} cannot be read: permission denied (expected a file that the account "
            "running the pipeline may read; ask for its permissions to be fixed)",
        ) from None
    except OSError as e:
        raise ExtractFileError(file_name, f"{path.name} cannot be read: {e.strerror}") from None


class _Utf8Check:
    """Feeds a file's bytes through a UTF-8 decoder, remembering the first byte that is not
    UTF-8 and whether valid non-ASCII UTF-8 came before it: then the file mixes encodings
    (a Windows-1252 file fails at its first accented letter), and reading it all as
    Windows-1252 would silently garble the UTF-8 part.

    After the first bad byte it keeps looking for valid UTF-8 letters (a second, lenient
    decoder: anything it decodes that is neither ASCII nor a replacement character is real
    UTF-8), which catches a Windows-1252 file with UTF-8 appended after it."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.lenient = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.ok = True
        self.saw_non_ascii = False
        self.bad_byte = 0
        self.bad_line = 0
        self.non_ascii_before_bad = False
        self.utf8_line_after_bad = 0  # a line after the first bad byte holding UTF-8 letters

    def feed(self, data: bytes, lines_before: int, final: bool = False) -> None:
        if not self.ok:
            self._look_for_utf8(data, lines_before, final)
            return
        pending = self.decoder.getstate()[0]  # the start of a character cut by the chunk
        try:
            self.decoder.decode(data, final=final)
            self.saw_non_ascii = self.saw_non_ascii or not data.isascii()
        except UnicodeDecodeError as e:
            seen = pending + data
            self.ok = False
            self.bad_byte = seen[min(e.start, len(seen) - 1)]
            self.bad_line = lines_before + seen[: e.start].count(b"\n") + 1
            self.non_ascii_before_bad = self.saw_non_ascii or not seen[: e.start].isascii()
            after = e.start + 1
            self._look_for_utf8(seen[after:], lines_before + seen[:after].count(b"\n"), final)

    def _look_for_utf8(self, data: bytes, lines_before: int, final: bool) -> None:
        if self.utf8_line_after_bad or data.isascii():
            if final:
                self.lenient.decode(b"", final=True)
            return
        text = self.lenient.decode(data, final=final)
        letters = text.replace("\ufffd", "")
        if letters.isascii():
            return
        first = next(i for i, ch in enumerate(text) if ord(ch) > 127 and ch != "\ufffd")
        self.utf8_line_after_bad = lines_before + text[:first].count("\n") + 1

    @property
    def mixed(self) -> bool:
        return not self.ok and (self.non_ascii_before_bad or bool(self.utf8_line_after_bad))


def _not_text(first_chunk: bytes, file_name: str) -> None:
    """Refuse, without quoting it, a file that is not comma-separated text at all."""
    for magic, kind in NOT_TEXT.items():
        if first_chunk.startswith(magic):
            raise ExtractFileError(
                file_name, f"the file is {kind}, not a CSV text file (expected CSV; {SAVE_AS})"
            )
    sample = first_chunk[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) / 2
        if max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half:
            order = "little-endian" if odd > even else "big-endian"
            raise ExtractFileError(
                file_name,
                f"the file looks UTF-16 encoded ({order}, without a byte order mark: every "
                f"other byte is 0) (expected UTF-8, UTF-8 with BOM or Windows-1252; {SAVE_AS})",
            )
    header = first_chunk.split(b"\n", 1)[0]
    if b"\x00" in header:
        raise ExtractFileError(
            file_name,
            "the first line contains NUL bytes: this is not a CSV text file (expected a header "
            f"line of column names; {SAVE_AS})",
        )


# The last scan of each file in this process, with the file's state when it was scanned. A
# night's `boardpack run` first asks whether anything is to load (pipelines/up_to_date.py), then
# the load scans the same files again: 185 MB twice at the benchmark's L, 1.5-3 s. A file
# written since has another ctime (which nobody can set back), so a matching state means the
# same bytes, with git's rule for "racily clean" files: trusted only if it last changed well
# before the scan began (a coarse clock, a tick of a few ms on older kernels, could otherwise
# give a write just after the scan the same times).
_LAST_SCAN: dict[tuple[str, str], tuple[tuple[int, ...], ScannedFile]] = {}
_SETTLED_NS = 2_000_000_000
_now_ns = time.time_ns  # the clock the rule reads (the tests move it)


def _state(path: Path) -> tuple[int, ...]:
    found = os.stat(path)
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def scan_file(path: Path, file_name: str) -> ScannedFile:
    """Fingerprint the file and check its encoding; raises ExtractFileError for a file that
    cannot be read, an empty file, a file that is not text (a workbook, UTF-16), or one that
    mixes UTF-8 with another encoding. A file this process scanned before, unchanged since,
    is not read again."""
    key = (os.path.abspath(path), file_name)
    try:
        before = _state(path)
    except OSError:  # _scan says why, in the file's own terms
        return _scan(path, file_name)
    last = _LAST_SCAN.get(key)
    if last is not None and last[0] == before:
        return dataclasses.replace(last[1], path=path)
    started = _now_ns()
    scanned = _scan(path, file_name)
    # the later of mtime (which copies and tools may set back) and ctime (which nobody can)
    settled = max(before[3], before[4]) < started - _SETTLED_NS
    with contextlib.suppress(OSError):
        if settled and _state(path) == before:
            _LAST_SCAN[key] = (before, scanned)
    return scanned


def _scan(path: Path, file_name: str) -> ScannedFile:
    sha = hashlib.sha256()
    utf8 = _Utf8Check()
    has_bom = False
    size = 0
    newlines = 0
    crlf = 0
    previous_last_byte = b""
    trailing_newlines = 0  # line breaks after the last character that is not a line break
    has_nul = has_odd_space = False
    previous_tail = b""
    with _open_for_reading(path, file_name) as f:
        while chunk := _read_chunk(f, path, file_name):
            text = chunk
            if size == 0:
                if chunk.startswith(UTF16_BOMS):
                    raise ExtractFileError(
                        file_name,
                        "the file is UTF-16 encoded (expected UTF-8, UTF-8 with BOM or "
                        "Windows-1252; save it as UTF-8 CSV)",
                    )
                _not_text(chunk, file_name)
                has_bom = chunk.startswith(UTF8_BOM)
                text = chunk.removeprefix(UTF8_BOM)
            sha.update(chunk)
            utf8.feed(text, newlines)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            has_nul = has_nul or b"\x00" in chunk
            if not has_odd_space:  # with the end of the last chunk: a character cut in two
                seen = previous_tail + text
                has_odd_space = any(m in seen for m in ODD_SPACE_BYTES)
                previous_tail = text[-2:]
            crlf += chunk.count(b"\r\n") + (previous_last_byte == b"\r" and chunk[:1] == b"\n")
            previous_last_byte = chunk[-1:]
            body = chunk.rstrip(b"\r\n")
            if body:
                trailing_newlines = chunk[len(body) :].count(b"\n")
            else:
                trailing_newlines += chunk.count(b"\n")
    if size == 0:
        raise ExtractFileError(
            file_name, "the file is empty (0 bytes); expected at least a header line"
        )
    utf8.feed(b"", newlines, final=True)  # a character cut off at the very end
    if not utf8.ok and (has_bom or utf8.mixed):
        if has_bom:
            why = "the file starts with a UTF-8 byte order mark"
        elif utf8.non_ascii_before_bad:
            why = "earlier lines are UTF-8"
        else:
            why = f"line {utf8.utf8_line_after_bad} is UTF-8"
        raise ExtractFileError(
            file_name,
            f"the file mixes encodings: byte 0x{utf8.bad_byte:02X} on line {utf8.bad_line} is "
            f"not UTF-8, but {why} (expected one encoding throughout: UTF-8, UTF-8 with BOM or "
            "Windows-1252)",
        )
    return ScannedFile(
        path=path,
        file_name=file_name,
        sha256=sha.hexdigest(),
        size=size,
        is_utf8=utf8.ok,
        mixed_line_endings=0 < crlf < newlines,
        last_content_line=newlines - trailing_newlines + 1,
        has_nul=has_nul,
        has_odd_space=has_odd_space,
    )


def _read_chunk(f, path: Path, file_name: str) -> bytes:
    try:
        return f.read(CHUNK_SIZE)
    except OSError as e:  # e.g. EIO on a failing network share
        raise ExtractFileError(file_name, f"{path.name} cannot be read: {e.strerror}") from None


def readable_path(scanned: ScannedFile, temp_dir: Path) -> Path:
    """A path DuckDB can read: the file itself when it is UTF-8 with consistent line endings,
    otherwise a UTF-8 copy in temp_dir (transcoded from Windows-1252, line endings made \\n).
    Raises ExtractFileError when the bytes are neither UTF-8 nor Windows-1252."""
    if scanned.is_utf8 and not scanned.mixed_line_endings:
        return scanned.path
    target = Path(temp_dir) / f"readable_{scanned.file_name}"
    decoder = codecs.getincrementaldecoder("utf-8-sig" if scanned.is_utf8 else "cp1252")()
    offset = 0
    lines_before = 0
    held_back = ""  # a \r at the end of a chunk, whose \n may start the next one
    with open(scanned.path, "rb") as source, open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK_SIZE):
            try:
                text = held_back + decoder.decode(chunk, final=False)
            except UnicodeDecodeError as e:
                bad = chunk[e.start]
                line = lines_before + chunk[: e.start].count(b"\n") + 1
                raise ExtractFileError(
                    scanned.file_name,
                    f"cannot decode the file: byte 0x{bad:02X} on line {line} (byte offset "
                    f"{offset + e.start}) is not valid UTF-8 or Windows-1252 (expected a "
                    "UTF-8, UTF-8 with BOM or Windows-1252 text file)",
                ) from None
            held_back = "\r" if text.endswith("\r") else ""
            text = text.removesuffix("\r")
            out.write(text.replace("\r\n", "\n") if scanned.mixed_line_endings else text)
            offset += len(chunk)
            lines_before += chunk.count(b"\n")
        out.write(held_back)
    return target


def read_header(path: Path) -> list[str]:
    """The header line's names as written (no trimming), parsed as comma-separated values."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        first_line = f.readline()
    rows = list(csv.reader([first_line.rstrip("\r\n")]))
    return rows[0] if rows else []
