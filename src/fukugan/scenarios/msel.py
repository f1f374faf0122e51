"""The master scenario events list (MSEL) of an exercise package as a spreadsheet: export to
CSV or XLSX, import from either with a column mapping — exercise planners draft injects in
spreadsheets in meetings.

Columns (header row 1; the default header of each field, any other header mapped with
``mapping={"message": "Inject text"}``)::

    field            header            cell
    number           Number            the inject's id (MSEL number)
    turn             Time              the turn it falls due: 3, "T3", "Turn 3", "ターン3"
    sender           From              a role id or a simulated actor
    to               To                role ids separated by ; or ,
    team             Team              free text (the cell the inject is for)
    channel          Method            news | intelligence | supplier_notice |
                                       government_announcement | other
    subject          Subject           English
    subject_ja       Subject (ja)      Japanese (English when empty)
    message          Message           English
    message_ja       Message (ja)      Japanese (English when empty)
    expected         Expected action
    expected_ja      Expected action (ja)
    depends          Depends           rules ; separated: "hold if D1=release", "fire if not D2"
    marking          Marking           TLP[/clearance]: "AMBER/1", "RED", "" = none
    manual           Manual            yes | no (held for the facilitator)
    objective        Objective         the exercise objective the inject tests

Import replaces the package's injects by the sheet's rows (``change`` rules, which carry new
texts, are kept from the package for injects of the same number) and validates the result as a
package: errors name the sheet's file, row (1-based, header = row 1) and column.
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from fukugan.errors import InputError
from fukugan.scenarios.exercise import ExerciseError, ExercisePackage, parse_package

__all__ = ["FIELDS", "msel_rows", "package_with_msel", "read_msel", "write_msel"]

#: field → default header, in column order
FIELDS: dict[str, str] = {
    "number": "Number",
    "turn": "Time",
    "sender": "From",
    "to": "To",
    "team": "Team",
    "channel": "Method",
    "subject": "Subject",
    "subject_ja": "Subject (ja)",
    "message": "Message",
    "message_ja": "Message (ja)",
    "expected": "Expected action",
    "expected_ja": "Expected action (ja)",
    "depends": "Depends",
    "marking": "Marking",
    "manual": "Manual",
    "objective": "Objective",
}
REQUIRED = ("number", "turn", "to", "channel", "message")
CHANNELS = ("news", "intelligence", "supplier_notice", "government_announcement", "other")
_ALIASES = {
    "intel": "intelligence",
    "supplier notice": "supplier_notice",
    "government announcement": "government_announcement",
    "press": "news",
}
_RULE = re.compile(
    r"^\s*(fire|hold)\s+if\s+(not\s+)?([A-Za-z0-9_.-]+)(?:\s*=\s*([A-Za-z0-9_.-]+))?\s*$"
)


def _headers(mapping: Mapping[str, str] | None) -> dict[str, str]:
    h = dict(FIELDS)
    for k, v in (mapping or {}).items():
        if k not in FIELDS:
            raise InputError(
                f"unknown MSEL field {k!r} in the column mapping; fields: {', '.join(FIELDS)}"
            )
        h[k] = v
    return h


def _rule_text(dep: dict[str, Any]) -> str:
    cond = f"{'' if dep.get('taken', True) else 'not '}{dep['decision']}"
    return f"{dep['effect']} if {cond}" + (f"={dep['option']}" if dep.get("option") else "")


def msel_rows(pkg: ExercisePackage) -> list[dict[str, str]]:
    """The MSEL of a package as rows ``{field: text}`` (fields of :data:`FIELDS`)."""
    rows = []
    for inj in pkg.doc["injects"]:
        to = inj["to"] if isinstance(inj["to"], list) else [inj["to"]]
        marking = inj.get("marking")
        deps = [d for d in inj.get("depends", []) or [] if d["effect"] != "change"]
        rows.append(
            {
                "number": str(inj["id"]),
                "turn": str(inj["turn"]),
                "sender": inj.get("from", ""),
                "to": "; ".join(to),
                "team": inj.get("team", ""),
                "channel": inj["channel"],
                "subject": (inj.get("subject") or {}).get("en", ""),
                "subject_ja": (inj.get("subject") or {}).get("ja", ""),
                "message": inj["text"]["en"],
                "message_ja": inj["text"]["ja"],
                "expected": (inj.get("expected_action") or {}).get("en", ""),
                "expected_ja": (inj.get("expected_action") or {}).get("ja", ""),
                "depends": "; ".join(_rule_text(d) for d in deps),
                "marking": (f"{marking['tlp']}/{marking.get('clearance', 0)}" if marking else ""),
                "manual": "yes" if inj.get("manual") else "",
                "objective": inj.get("objective", ""),
            }
        )
    return rows


def write_msel(
    pkg: ExercisePackage, out: str | Path, *, mapping: Mapping[str, str] | None = None
) -> Path:
    """Write the package's MSEL to ``out`` (``.csv`` UTF-8 with BOM for spreadsheets, or
    ``.xlsx``)."""
    out = Path(out)
    headers = _headers(mapping)
    rows = msel_rows(pkg)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "MSEL"
        ws.append([headers[f] for f in FIELDS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([r[f] for f in FIELDS])
        ws.freeze_panes = "A2"
        wb.save(out)
    elif out.suffix.lower() == ".csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([headers[f] for f in FIELDS])
            for r in rows:
                w.writerow([r[f] for f in FIELDS])
    else:
        raise InputError("write the MSEL as .csv or .xlsx", path=out)
    return out


def _cells(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise InputError("file not found", path=path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
            raise InputError(
                f"not a readable XLSX workbook ({type(e).__name__})", path=path
            ) from None
        ws = wb.worksheets[0]
        out = [
            ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
             for v in row]
            for row in ws.iter_rows(values_only=True)
        ]  # fmt: skip
        wb.close()
        return out
    if path.suffix.lower() == ".csv":
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                return [list(r) for r in csv.reader(fh)]
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 text ({e.reason})", path=path) from None
    raise InputError("an MSEL is a .csv or .xlsx file", path=path)


def _turn(text: str) -> int | None:
    m = re.fullmatch(r"\s*(?:t|turn|ターン)?\s*([0-9]+)\s*", text, flags=re.IGNORECASE)
    return int(m.group(1)) if m else None


def read_msel(path: str | Path, *, mapping: Mapping[str, str] | None = None) -> list[dict]:
    """The injects of an MSEL sheet, as package inject mappings (module doc)."""
    path = Path(path)
    headers = _headers(mapping)
    cells = _cells(path)
    if not cells or not any(c.strip() for c in cells[0]):
        raise InputError("empty MSEL: the first row must hold the column headers", path=path)
    head = [c.strip() for c in cells[0]]
    col: dict[str, int] = {}
    for f, h in headers.items():
        if h in head:
            col[f] = head.index(h)
    for f in REQUIRED:
        if f not in col:
            raise InputError(
                f"no column {headers[f]!r} (field {f}); columns: {', '.join(h for h in head if h)}"
                " — map another header with --map " + f"{f}=HEADER",
                path=path,
                row=1,
            )
    injects = []
    for n, raw in enumerate(cells[1:], start=2):
        row = {
            f: (raw[i].strip() if i < len(raw) and raw[i] is not None else "")
            for f, i in col.items()
        }
        if not any(row.values()):
            continue

        def bad(field: str, msg: str, *, _n: int = n) -> InputError:
            return InputError(msg, path=path, row=_n, field=headers[field])

        for f in REQUIRED:
            if not row.get(f):
                raise bad(f, "empty cell: required")
        turn = _turn(row["turn"])
        if turn is None or turn < 1:
            raise bad("turn", f"{row['turn']!r} is not a turn (write 3, T3 or Turn 3)")
        channel = _ALIASES.get(row["channel"].lower(), row["channel"].lower())
        if channel not in CHANNELS:
            raise bad("channel", f"{row['channel']!r} is not one of {', '.join(CHANNELS)}")
        inj: dict[str, Any] = {
            "id": row["number"],
            "turn": turn,
            "to": [x.strip() for x in re.split(r"[;,]", row["to"]) if x.strip()],
            "channel": channel,
            "text": {"en": row["message"], "ja": row.get("message_ja") or row["message"]},
        }
        if row.get("sender"):
            inj["from"] = row["sender"]
        if row.get("team"):
            inj["team"] = row["team"]
        if row.get("objective"):
            inj["objective"] = row["objective"]
        if row.get("subject"):
            inj["subject"] = {"en": row["subject"], "ja": row.get("subject_ja") or row["subject"]}
        if row.get("expected"):
            inj["expected_action"] = {
                "en": row["expected"],
                "ja": row.get("expected_ja") or row["expected"],
            }
        if row.get("marking"):
            m = re.fullmatch(r"(?:TLP:)?\s*([A-Z+]+)\s*(?:/\s*([0-3]))?", row["marking"].upper())
            if not m:
                raise bad("marking", f"{row['marking']!r}: write TLP[/clearance], e.g. AMBER/1")
            inj["marking"] = {"tlp": m.group(1), "clearance": int(m.group(2) or 0)}
        if row.get("manual"):
            v = row["manual"].lower()
            if v not in ("yes", "no", "true", "false", "1", "0", "はい", "いいえ"):
                raise bad("manual", f"{row['manual']!r}: write yes or no")
            if v in ("yes", "true", "1", "はい"):
                inj["manual"] = True
        if row.get("depends"):
            deps = []
            for part in [p for p in row["depends"].split(";") if p.strip()]:
                m = _RULE.match(part)
                if not m:
                    raise bad(
                        "depends",
                        f"{part.strip()!r}: write 'hold if D1=option', 'fire if not D2' "
                        "(';' between rules; texts that change are written in the package)",
                    )
                dep: dict[str, Any] = {"decision": m.group(3), "effect": m.group(1)}
                if m.group(2):
                    dep["taken"] = False
                if m.group(4):
                    dep["option"] = m.group(4)
                deps.append(dep)
            inj["depends"] = deps
        inj["_row"] = n
        injects.append(inj)
    return injects


def package_with_msel(
    pkg: ExercisePackage,
    sheet: str | Path,
    out: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
) -> ExercisePackage:
    """A new package file ``out``: ``pkg`` with its injects replaced by the sheet's (module
    doc), validated before it is written (a bad sheet writes nothing)."""
    sheet, out = Path(sheet), Path(out)
    rows = read_msel(sheet, mapping=mapping)
    doc = copy.deepcopy(pkg.doc)
    old = {str(i["id"]): i for i in doc["injects"]}
    injects, where = [], {}
    for r in rows:
        where[len(injects)] = r.pop("_row")
        keep = [d for d in (old.get(r["id"], {}).get("depends") or []) if d["effect"] == "change"]
        if keep:
            r["depends"] = [*r.get("depends", []), *keep]
        injects.append(r)
    doc["injects"] = injects
    ref = doc["scenario"]
    relative = None
    if "path" in ref and pkg.path and not Path(ref["path"]).is_absolute():
        import os

        target = (Path(pkg.path).parent / ref["path"]).resolve()
        ref["path"] = str(target)  # validated with the absolute path, written relative
        relative = os.path.relpath(target, out.resolve().parent)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    try:
        new = parse_package(text, path=str(out))
    except ExerciseError as e:
        m = re.match(r"injects\[(\d+)\]", e.field or "")
        if m and int(m.group(1)) in where:
            raise InputError(
                e.message, path=sheet, row=where[int(m.group(1))], field=e.field
            ) from None
        raise
    if relative is not None:
        doc["scenario"]["path"] = relative
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return new
