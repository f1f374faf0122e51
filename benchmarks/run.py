"""``make bench``: run every benchmark section and write BENCHMARKS.md at the repository root.

Sections are modules listed in :data:`SECTIONS`; each exposes ``TITLE`` and
``run(quick: bool = False) -> tuple[str, dict]`` returning a Markdown section and its raw figures.
Add a benchmark by adding its module name to the list.

Usage::

    python -m benchmarks.run            # full scale (PRODUCT.md "Speed and scale")
    python -m benchmarks.run --quick    # small sizes, a fast check: printed, BENCHMARKS.md kept
    python -m benchmarks.run --only bench_trade --output /tmp/B.md
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

#: Benchmark modules, run in this order.
SECTIONS: list[str] = [
    "benchmarks.bench_trade",
]

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import numpy as np
    import pandas as pd

    info = {
        "cpus (nproc)": str(os.cpu_count()),
        "cpus usable": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
        ),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    try:
        import pyarrow as pa

        info["pyarrow"] = pa.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        info["memory"] = f"{kb / 2**20:.1f} GiB"
    except OSError:  # pragma: no cover
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run fukugan's benchmarks, write BENCHMARKS.md")
    p.add_argument("--quick", action="store_true", help="small sizes (a fast check)")
    p.add_argument("--only", action="append", help="run only these section modules")
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write (default: BENCHMARKS.md; --quick only prints unless given)",
    )
    args = p.parse_args(argv)

    sections = SECTIONS
    if args.only:
        sections = [s for s in SECTIONS if s.rsplit(".", 1)[-1] in args.only or s in args.only]
    started = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts: list[str] = []
    raw: dict[str, dict] = {}
    for name in sections:
        mod = importlib.import_module(name)
        print(f"== {mod.TITLE} ({'quick' if args.quick else 'full'}) ...", file=sys.stderr)
        t0 = time.perf_counter()
        text, figures = mod.run(quick=args.quick)
        print(f"   done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        parts.append(text)
        raw[name] = figures

    info = machine()
    header = [
        "# fukugan benchmarks",
        "",
        f"Written by `python -m benchmarks.run{' --quick' if args.quick else ''}` "
        f"(`make bench`) on {started}. "
        + (
            "**Quick mode: reduced sizes, not the PRODUCT.md scale.** "
            if args.quick
            else 'Full scale as in PRODUCT.md, "Speed and scale". '
        )
        + "Competing implementations are measured side by side in the same run.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()) + ".",
        "",
    ]
    body = "\n".join(header + parts)
    body += "\n<details><summary>raw figures (JSON)</summary>\n\n```json\n"
    body += json.dumps(raw, indent=1, default=str) + "\n```\n</details>\n"
    output = args.output or (None if args.quick else ROOT / "BENCHMARKS.md")
    if output is not None:
        output.write_text(body, encoding="utf-8")
        print(f"written to {output}", file=sys.stderr)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
