"""`python -m pipelines.bench [S M L] [--work DIR] [--out DIR]`: the scale benchmark.

`python -m pipelines.bench floor EXTRACTS_DIR` runs only the floor (the benchmark's child).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pipelines.bench.floor import run_floor
from pipelines.bench.run import DEFAULT_OUT, FIRST_REPORTING_MONTH, MONTH, SCALES, main


def cli(argv: list[str]) -> int:
    if argv[:1] == ["floor"]:
        count, missing = run_floor(Path(argv[1]), FIRST_REPORTING_MONTH, MONTH)
        print(f"floor: {count} indicator-months computed from {argv[1]}")
        if missing:
            print(f"floor: not implemented, left out of its time: {', '.join(missing)}")
        return 0
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__)
    parser.add_argument("scales", nargs="*", help="any of S M L (default: all three)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "boardpack-bench",
        help="scratch folder for extracts, databases and packs (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results.md/.json folder")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {unknown}; choose from {list(SCALES)}")
    return main(args.scales or list(SCALES), args.work.resolve(), args.out.resolve())


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
