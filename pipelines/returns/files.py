"""Writing the returns' child-level files: only under the restricted folder, owner-only."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pipelines.quality.worklists import _private_dir, _write_private

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def check_year(year: str) -> tuple[str, str]:
    """'2024-25' -> ('2024-25', '2025'); a clear error for anything else."""
    match = YEAR_PATTERN.match(year.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"expected a collection year as YYYY-YY (e.g. 2024-25), got {year!r}")
    return year.strip(), str(int(match[1]) + 1)


def private_dir(*parts: Path | str) -> Path:
    """Each folder from the first part down created 0700."""
    path = _private_dir(Path(parts[0]))
    for part in parts[1:]:
        path = _private_dir(path / part)
    return path


def write_private(path: Path, data: bytes) -> Path:
    _write_private(path, data)
    return path


def csv_bytes(header: list[str], rows: list[tuple]) -> bytes:
    """CSV as the DfE's loaders read it: UTF-8, comma-separated, blanks for NULL."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")
