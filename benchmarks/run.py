"""``make bench``: run every benchmark section and write BENCHMARKS.md at the repository root.

Sections are modules listed in :data:`SECTIONS`; each exposes ``TITLE`` and
``run(quick: bool = False) -> tuple[str, dict]`` returning a Markdown section and its raw figures.
Add a benchmark by adding its module name to the list.

Usage::

    python -m benchmarks.run            # full scale (docs/PRODUCT.md "Speed and scale")
    python -m benchmarks.run --quick    # small sizes, a fast check: printed, BENCHMARKS.md kept
    python -m benchmarks.run --only bench_trade --output /tmp/B.md
    python -m benchmarks.run --only ario      # one section; the others' text is kept

Writing BENCHMARKS.md (or ``--output``) keeps the sections (and raw figures) of the modules that
were not run this time, as the file had them, so running one section never erases the others.
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
    "benchmarks.bench_io",
    "benchmarks.bench_ario",
    "benchmarks.bench_firms",
    "benchmarks.bench_montecarlo",
    "benchmarks.bench_api",
    "benchmarks.bench_planning",
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


RAW_START = "<details><summary>raw figures (JSON)</summary>"


def _previous(path: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """Sections (``"## title"`` → text) and raw figures of an existing benchmarks file."""
    if not path.exists():
        return {}, {}
    text = path.read_text(encoding="utf-8")
    body, _, raw_part = text.partition(RAW_START)
    sections: dict[str, str] = {}
    chunks = body.split("\n## ")
    for chunk in chunks[1:]:
        title = chunk.splitlines()[0].strip()
        sections[title] = "## " + chunk.rstrip("\n") + "\n"
    raw: dict[str, dict] = {}
    if raw_part:
        start, end = raw_part.find("```json"), raw_part.rfind("```")
        if start >= 0 and end > start:
            try:
                raw = json.loads(raw_part[start + len("```json") : end])
            except json.JSONDecodeError:
                raw = {}
    return sections, raw


def _selected(name: str, only: list[str] | None) -> bool:
    if not only:
        return True
    short = name.rsplit(".", 1)[-1]
    return any(o in (name, short, short.removeprefix("bench_")) for o in only)


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
        sections = [s for s in SECTIONS if _selected(s, args.only)]
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
            "**Quick mode: reduced sizes, not the docs/PRODUCT.md scale.** "
            if args.quick
            else 'Full scale as in docs/PRODUCT.md, "Speed and scale". '
        )
        + "Competing implementations are measured side by side in the same run.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()) + ".",
        "",
    ]
    output = args.output or (None if args.quick else ROOT / "BENCHMARKS.md")
    # keep the sections of the modules not run this time, as the file had them
    kept: list[str] = []
    if output is not None and len(sections) < len(SECTIONS):
        old_sections, old_raw = _previous(output)
        new_titles = {text.splitlines()[0].strip() for text in parts}
        by_name = dict(zip(sections, parts, strict=True))
        merged: list[str] = []
        for name in SECTIONS:
            if name in by_name:
                merged.append(by_name[name])
                continue
            try:
                title = importlib.import_module(name).TITLE
            except Exception:  # noqa: BLE001 - a broken module must not lose its old text
                title = None
            old = old_sections.pop(title, None) if title else None
            if old is not None:
                merged.append(old)
                kept.append(name)
                if name in old_raw:
                    raw = {**{name: old_raw[name]}, **raw}
        merged += [t for k, t in old_sections.items() if "## " + k not in new_titles]
        parts = merged
        raw = {k: raw[k] for k in SECTIONS if k in raw} | {
            k: v for k, v in raw.items() if k not in SECTIONS
        }
        if kept:
            header.insert(
                -2,
                "This run updated: "
                + ", ".join(f"`{n.rsplit('.', 1)[-1]}`" for n in sections)
                + f" ({started}); kept from earlier runs: "
                + ", ".join(f"`{n.rsplit('.', 1)[-1]}`" for n in kept)
                + ".\n",
            )
    body = "\n".join(header + parts)
    body += "\n" + RAW_START + "\n\n```json\n"
    body += json.dumps(raw, indent=1, default=str) + "\n```\n</details>\n"
    if output is not None:
        output.write_text(body, encoding="utf-8")
        print(f"written to {output}", file=sys.stderr)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
