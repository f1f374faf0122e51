"""Read a firm network in the format of Inoue & Todo's reference simulator (``proNet``,
HiroyasuInoue/ProductionNetworkSimulator) from a directory.

Files (plain text, one record a line, fields separated by spaces or tabs; blank lines ignored):

================  =================================================================
``atable.txt``    ``supplier customer value`` — daily transaction value, > 0
``cvector.txt``   ``firm final_demand`` — ≥ 0 (a firm not listed has none)
``pini.txt``      ``firm initial_output`` — must equal sales to customers + final
                  demand (to 1e-6 relative; the model computes it from the links)
``affi.txt``      ``firm sector [ignored...]`` — sector an integer ≥ 1
``delta.txt``     optional: ``firm delta [start_step]`` — capacity falls to
                  (1 − δ)·P_ini from that step (default 0, the first simulated step)
================  =================================================================

The firms are those of ``atable.txt`` (as in the reference, firms listed only in the other
files are ignored; the provenance says how many). Validation is all-or-nothing:
:class:`PronetError` names the file, the line and the field for a missing file, a missing or
extra field, a value that is not a number, a negative (or, for a link, zero) value, a
duplicate link or firm, a self-loop, a firm without a sector or initial output, a sector that
is not an integer ≥ 1, a δ outside 0..1, a start step that is not an integer ≥ 0, an unknown
firm in ``delta.txt``, or an initial output that does not match the links.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.errors import InputError
from fukugan.firm_network import FirmNetwork
from fukugan.provenance import Provenance

__all__ = ["FILES", "PronetData", "PronetError", "read_pronet"]

FILES = ("atable.txt", "cvector.txt", "pini.txt", "affi.txt")
PINI_RTOL = 1e-6


class PronetError(InputError):
    """A bad reference-format file: names the file, the line (1-based) and the field.

    >>> str(PronetError("negative value -1", path="d/atable.txt", row=3, field="value"))
    "d/atable.txt: line 3, field 'value': negative value -1"
    """

    def __str__(self) -> str:
        where = [self.path] if self.path else []
        loc = []
        if self.row is not None:
            loc.append(f"line {self.row}")
        if self.field is not None:
            loc.append(f"field {self.field!r}")
        if loc:
            where.append(", ".join(loc))
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass(frozen=True)
class PronetData:
    """What :func:`read_pronet` returns.

    Attributes:
        network: the firm network (firm ids as in the files; sectors named by their number).
        delta: δ per firm (0 where ``delta.txt`` names none).
        start: first step of each firm's δ (reference steps: 0 = first simulated step).
        provenance: where the data came from.
    """

    network: FirmNetwork
    delta: np.ndarray
    start: np.ndarray
    provenance: Provenance


def _table(path: Path, names: tuple[str, ...], required: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The file's fields as strings (``names[:required]`` must be present, the others optional;
    a last name ``"rest"`` takes any further fields) and the 1-based line of each record."""
    if not path.is_file():
        raise PronetError("file not found", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PronetError(f"not a UTF-8 text file ({e.reason})", path=path) from None
    lines, rows = [], []
    width = len(names)
    rest = names[-1] == "rest"
    for no, line in enumerate(text.splitlines(), start=1):
        tok = line.split()
        if not tok:
            continue
        if len(tok) < required:
            raise PronetError("missing field", path=path, row=no, field=names[len(tok)])
        if len(tok) > width and not rest:
            raise PronetError(
                f"too many fields ({len(tok)}; expected {', '.join(names)})", path=path, row=no
            )
        lines.append(no)
        rows.append(tok[:width] + [None] * (width - len(tok)))
    if not rows:
        raise PronetError("no records", path=path)
    return pd.DataFrame(rows, columns=list(names), dtype=object), np.asarray(lines)


def _number(
    raw: pd.DataFrame, col: str, lines: np.ndarray, path: Path, *, allow_missing: bool = False
) -> np.ndarray:
    s = raw[col]
    out = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(out) & (s.notna().to_numpy() if allow_missing else True)
    bad |= np.isinf(out)
    if bad.any():
        i = int(np.argmax(bad))
        raise PronetError(f"not a number: {s.iloc[i]!r}", path=path, row=int(lines[i]), field=col)
    return out


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def read_pronet(directory: str | Path) -> PronetData:
    """Read ``atable.txt``, ``cvector.txt``, ``pini.txt``, ``affi.txt`` and the optional
    ``delta.txt`` from ``directory`` (module doc); raises :class:`PronetError`."""
    d = Path(directory)
    if not d.is_dir():
        raise PronetError("not a directory", path=d)
    # links
    p = d / "atable.txt"
    at, at_lines = _table(p, ("supplier", "customer", "value"), 3)
    sup = at["supplier"].str.strip().to_numpy(dtype=object)
    cus = at["customer"].str.strip().to_numpy(dtype=object)
    val = _number(at, "value", at_lines, p)
    bad = val <= 0
    if bad.any():
        i = _first(bad)
        what = "negative value" if val[i] < 0 else "zero value (a link needs a value > 0)"
        raise PronetError(
            f"{what}: {at['value'].iloc[i]}", path=p, row=int(at_lines[i]), field="value"
        )
    loop = sup == cus
    if loop.any():
        i = _first(loop)
        raise PronetError(
            f"self-loop: firm {sup[i]} supplies itself",
            path=p,
            row=int(at_lines[i]),
            field="customer",
        )
    pairs = pd.Series(sup + " " + cus)  # tokens hold no spaces
    dup = pairs.duplicated().to_numpy()
    if dup.any():
        i = _first(dup)
        first = int(at_lines[_first((pairs == pairs.iloc[i]).to_numpy())])
        raise PronetError(
            f"duplicate link {sup[i]} → {cus[i]} (first on line {first})",
            path=p,
            row=int(at_lines[i]),
            field="customer",
        )
    ids = pd.unique(np.concatenate((sup, cus)))
    try:
        order = np.argsort(np.array([int(x) for x in ids]), kind="stable")
    except ValueError:
        order = np.argsort(ids.astype(str), kind="stable")
    ids = ids[order]
    index = pd.Index(ids)
    n = len(ids)

    def per_firm(name: str, cols: tuple[str, ...], required: int):
        path = d / name
        tab, lines = _table(path, cols, required)
        firm = tab[cols[0]].str.strip().to_numpy(dtype=object)
        dupf = pd.Series(firm).duplicated().to_numpy()
        if dupf.any():
            i = _first(dupf)
            raise PronetError(
                f"firm {firm[i]} listed twice", path=path, row=int(lines[i]), field="firm"
            )
        pos = index.get_indexer(firm)
        return tab, lines, pos, path

    # sectors
    af, af_lines, af_pos, af_path = per_firm("affi.txt", ("firm", "sector", "rest"), 2)
    sec_num = _number(af, "sector", af_lines, af_path)
    bad = (sec_num < 1) | (sec_num != np.round(sec_num))
    if bad.any():
        i = _first(bad)
        raise PronetError(
            f"unknown sector {af['sector'].iloc[i]!r} (sectors are integers ≥ 1)",
            path=af_path,
            row=int(af_lines[i]),
            field="sector",
        )
    sector = np.full(n, -1, dtype=np.int64)
    known = af_pos >= 0
    sector[af_pos[known]] = sec_num[known].astype(np.int64)
    missing = np.flatnonzero(sector < 0)
    if missing.size:
        raise PronetError(
            f"missing firm {ids[missing[0]]} (it has links in atable.txt)",
            path=af_path,
            field="firm",
        )
    codes, sec_idx = np.unique(sector, return_inverse=True)
    # final demand
    cv, cv_lines, cv_pos, cv_path = per_firm("cvector.txt", ("firm", "final_demand"), 2)
    c_val = _number(cv, "final_demand", cv_lines, cv_path)
    bad = c_val < 0
    if bad.any():
        i = _first(bad)
        raise PronetError(
            f"negative value: {cv['final_demand'].iloc[i]}",
            path=cv_path,
            row=int(cv_lines[i]),
            field="final_demand",
        )
    final = np.zeros(n)
    final[cv_pos[cv_pos >= 0]] = c_val[cv_pos >= 0]
    # initial output: checked against the links
    pv, pv_lines, pv_pos, pv_path = per_firm("pini.txt", ("firm", "initial_output"), 2)
    p_val = _number(pv, "initial_output", pv_lines, pv_path)
    bad = p_val < 0
    if bad.any():
        i = _first(bad)
        raise PronetError(
            f"negative value: {pv['initial_output'].iloc[i]}",
            path=pv_path,
            row=int(pv_lines[i]),
            field="initial_output",
        )
    pini = np.full(n, np.nan)
    pini[pv_pos[pv_pos >= 0]] = p_val[pv_pos >= 0]
    missing = np.flatnonzero(np.isnan(pini))
    if missing.size:
        raise PronetError(
            f"missing firm {ids[missing[0]]} (it has links in atable.txt)",
            path=pv_path,
            field="firm",
        )
    si = index.get_indexer(sup)
    ci = index.get_indexer(cus)
    sales = np.bincount(si, weights=val, minlength=n)
    expect = sales + final
    off = np.abs(pini - expect) > PINI_RTOL * np.maximum(np.abs(expect), 1.0)
    if off.any():
        f = int(np.argmax(off))
        k = int(np.flatnonzero(pv_pos == f)[0])
        raise PronetError(
            f"initial output {pini[f]:.10g} of firm {ids[f]} differs from its sales to "
            f"customers + final demand = {expect[f]:.10g}",
            path=pv_path,
            row=int(pv_lines[k]),
            field="initial_output",
        )
    # shock
    delta = np.zeros(n)
    start = np.zeros(n, dtype=np.int64)
    dp = d / "delta.txt"
    n_shocked = 0
    if dp.exists():
        de, de_lines, de_pos, _ = per_firm("delta.txt", ("firm", "delta", "start"), 2)
        dv = _number(de, "delta", de_lines, dp)
        bad = (dv < 0) | (dv > 1)
        if bad.any():
            i = _first(bad)
            raise PronetError(
                f"δ must be in 0..1, got {de['delta'].iloc[i]}",
                path=dp,
                row=int(de_lines[i]),
                field="delta",
            )
        unknown = de_pos < 0
        if unknown.any():
            i = _first(unknown)
            raise PronetError(
                f"unknown firm {de['firm'].iloc[i]} (not in atable.txt)",
                path=dp,
                row=int(de_lines[i]),
                field="firm",
            )
        if "start" in de:
            sv = _number(de, "start", de_lines, dp, allow_missing=True)
            sv = np.where(np.isnan(sv), 0.0, sv)
            bad = (sv < 0) | (sv != np.round(sv))
            if bad.any():
                i = _first(bad)
                raise PronetError(
                    f"start step must be an integer ≥ 0, got {de['start'].iloc[i]}",
                    path=dp,
                    row=int(de_lines[i]),
                    field="start",
                )
            start[de_pos] = sv.astype(np.int64)
        delta[de_pos] = dv
        n_shocked = int((dv > 0).sum())
    ignored = sum(int((pos < 0).sum()) for pos in (af_pos, cv_pos, pv_pos))
    net = FirmNetwork.from_edges(
        si,
        ci,
        val,
        sectors=sec_idx.astype(np.int32),
        final_demand=final,
        sector_names=tuple(str(c) for c in codes),
        firm_ids=np.asarray(ids, dtype=str),
        label=f"reference format (proNet): {d}",
    )
    notes = f"{n} firms, {len(val)} links, {len(codes)} sectors"
    if ignored:
        notes += f"; {ignored} records of firms without links ignored (as the reference does)"
    if n_shocked:
        notes += f"; delta.txt: {n_shocked} firms with δ > 0"
    prov = Provenance(
        "firm_network",
        str(d),
        "user file",
        net.unit,
        "user data (proNet format)",
        notes=notes,
    )
    return PronetData(net, delta, start, prov)
