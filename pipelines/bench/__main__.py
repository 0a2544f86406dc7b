"""`python -m pipelines.bench [S M L] [--work DIR] [--out DIR]`: the scale benchmark; with no
scale named, all three and then the region benchmark (bench/region.md).

`python -m pipelines.bench region [--work DIR] [--out DIR]` runs only the region benchmark.
`python -m pipelines.bench floor EXTRACTS_DIR` runs only the floor (the benchmark's child).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pipelines.bench.floor import run_floor
from pipelines.bench.region import SIZES, run_region_bench
from pipelines.bench.run import DEFAULT_OUT, FIRST_REPORTING_MONTH, MONTH, SCALES, main


def cli(argv: list[str]) -> int:
    if argv[:1] == ["floor"]:
        count, missing = run_floor(Path(argv[1]), FIRST_REPORTING_MONTH, MONTH)
        print(f"floor: {count} indicator-months computed from {argv[1]}")
        if missing:
            print(f"floor: not implemented, left out of its time: {', '.join(missing)}")
        return 0
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__)
    parser.add_argument(
        "scales", nargs="*", help="any of S M L, or region (default: all three, then region)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "boardpack-bench",
        help="scratch folder for extracts, databases and packs (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results.md/.json folder")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scales if s not in {*SCALES, "region"}]
    if unknown:
        parser.error(f"unknown scale(s) {unknown}; choose from {[*SCALES, 'region']}")
    work, out = args.work.resolve(), args.out.resolve()
    scales = [s for s in args.scales if s in SCALES] or ([] if args.scales else list(SCALES))
    status = main(scales, work, out) if scales else 0
    if "region" in args.scales or not args.scales:
        work.mkdir(parents=True, exist_ok=True)
        log_path = work / "bench-region.log"
        log_path.write_text("")
        ok = run_region_bench(list(SIZES), work, out, log_path)
        print((out / "region.md").read_text())
        print(f"Child process output: {log_path}")
        status = status or (0 if ok else 1)
    return status


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
