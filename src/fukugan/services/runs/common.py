"""What the parts of the run service share: limits, the engines a scenario allows, and
the small conversions of stored rows and summaries."""

from __future__ import annotations

import logging
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from fukugan.errors import InputError
from fukugan.scenarios.schema import ENGINES
from fukugan.services.cluster import max_workers as max_workers  # re-exported
from fukugan.store.workspace import Run
from fukugan.store.workspace.repo import as_utc

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
INTERRUPTED = "interrupted: the server stopped while this run was running; run it again"
MAX_UPLOAD = 1_000_000
MAX_SAMPLES = 1000
ENDED = ("done", "failed", "cancelled")
log = logging.getLogger("fukugan.runs")


class RunFinished(InputError):
    """A cancel asked of a run that has already ended (done or failed)."""


class _Cancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised in a worker thread to stop a run whose cancel was requested."""


def _discard(run_dir: Path) -> None:
    """Remove a run's results and any half-written ``.tmp`` directory (all-or-nothing)."""
    for d in (run_dir, run_dir.with_name(run_dir.name + ".tmp")):
        if d.exists():
            shutil.rmtree(d, ignore_errors=True)


def sweep_of(run: Run) -> dict[str, int] | None:
    """``{samples, workers}`` of a Monte Carlo run, ``None`` for a single run."""
    mc = (run.parameters or {}).get("montecarlo")
    return mc if isinstance(mc, dict) and mc.get("samples") else None


def allowed_engines(doc: dict[str, Any]) -> list[str]:
    """Engines that can run a scenario, its own first (from its data and shocks: national IO
    tables → static, and ario for capacity shocks without ramps; MRIO → ario; firm network →
    firms; BOM network → exposure)."""
    data = doc.get("data") or {}
    out: list[str] = []
    if "oecd_iot" in data:
        out.append("static")
        shocks = doc.get("shocks") or []
        if shocks and all(
            s.get("type") in ("outage", "blackout") and not s.get("ramp") for s in shocks
        ):
            out.append("ario")
    if "mrio" in data:
        out.append("ario")
    if "firm_network" in data:
        out.append("firms")
    if "bom" in data:
        out.append("exposure")
    own = str(doc.get("engine", ""))
    ordered = [own] + [e for e in out if e != own] if own else out
    return [e for e in dict.fromkeys(ordered) if e in ENGINES]


def _iso(dt: datetime | None) -> str | None:
    dt = as_utc(dt)
    return dt.isoformat(timespec="seconds") if dt else None


def industry_names(lang: str) -> dict[str, str]:
    from fukugan.data.oecd_iot import industry_labels

    lab = industry_labels()
    return dict(zip(lab["code"], lab["label_ja" if lang == "ja" else "label_en"], strict=True))


def _source(p: dict[str, Any]) -> dict[str, Any]:
    """A source stored in a run's summary as every output shows it (with its citation)."""
    from fukugan.provenance import Provenance

    return Provenance.from_dict(p).source_doc()
