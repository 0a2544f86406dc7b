"""Publishing a month's outputs so a reader never sees a half-written pack.

Every file is written into a temporary folder beside the month's folder; only when all of them
are complete is each one moved into place with os.replace (atomic on one filesystem). A killed
run leaves at most a `.tmp-*` folder, never a truncated board_pack.* under its real name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_month_folder(month_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success move its files into month_dir."""
    month_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{month_dir.name}-", dir=month_dir.parent))
    try:
        yield staging
        month_dir.mkdir(parents=True, exist_ok=True)
        for item in sorted(staging.iterdir()):
            os.replace(item, month_dir / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
