"""Scenario definitions: the bundled examples and uploaded scenarios, each validated at the
boundary, private ones visible only to their owner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fukugan.errors import UnknownItemError
from fukugan.results import jsonable
from fukugan.scenarios.schema import (
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from fukugan.services.runs.base import RunServiceBase
from fukugan.services.runs.common import EXAMPLES, MAX_UPLOAD, _iso, allowed_engines
from fukugan.store.workspace import ScenarioDef
from fukugan.store.workspace.repo import sha256_text, visible_to


class CatalogueMixin(RunServiceBase):
    """Scenario definitions."""

    def _scenario_row(self, scenario_id: str, viewer: int | None = None) -> ScenarioDef:
        row = self.ws.get_scenario(scenario_id)
        if row is None or not visible_to(row, viewer):
            raise UnknownItemError(f"no scenario {scenario_id!r}; see /api/v1/scenarios")
        return row

    def scenario_doc(self, row: ScenarioDef, *, full: bool = False) -> dict[str, Any]:
        doc = row.doc
        desc = doc.get("description") or {}
        out: dict[str, Any] = {
            "id": row.id,
            "name": row.name,
            "origin": row.origin,
            "filename": row.filename,
            "description": {
                "en": str(desc.get("en") or "").strip(),
                "ja": str(desc.get("ja") or desc.get("en") or "").strip(),
            },
            "engine": str(doc.get("engine")),
            "engines": allowed_engines(doc),
            "home": str(doc.get("home", "JPN")),
            "horizon_days": int(doc.get("horizon_days", 365)),
            "seed": int(doc.get("seed", 0)),
            "shocks": [str(s.get("type")) for s in doc.get("shocks") or []],
            "data": sorted((doc.get("data") or {}).keys()),
            "uncertainty": [str(u.get("param")) for u in doc.get("uncertainty") or []],
            "created_at": _iso(row.created_at),
            "private": row.owner_user_id is not None,
        }
        if full:
            out["yaml"] = row.yaml_text
            out["scenario"] = doc
        return out

    def scenarios(self, viewer: int | None = None) -> list[dict[str, Any]]:
        """The scenarios ``viewer`` may see: shared ones and ``viewer``'s private ones."""
        return [self.scenario_doc(r) for r in self.ws.list_scenarios(viewer=viewer)]

    def scenario(self, scenario_id: str, viewer: int | None = None) -> dict[str, Any]:
        return self.scenario_doc(self._scenario_row(scenario_id, viewer), full=True)

    def upload_scenario(
        self,
        data: bytes | str,
        filename: str = "scenario.yaml",
        *,
        owner_user_id: int | None = None,
    ) -> dict[str, Any]:
        """Validate an uploaded scenario YAML and store it (id ``u-`` + SHA-256 prefix; the
        same file uploaded twice is stored once). A bad file raises :class:`ScenarioError`
        naming the file, line and field, and is recorded as a failed upload.

        ``owner_user_id``: store it private to that hub user. Its id then hashes the owner
        with the text, so the same file uploaded by two users (or shared and private) gives
        distinct rows and an id says nothing about what others uploaded."""
        filename = Path(filename or "scenario.yaml").name[:200] or "scenario.yaml"
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            if len(raw) > MAX_UPLOAD:
                raise ScenarioError(
                    f"file too large ({len(raw):,} bytes; at most {MAX_UPLOAD:,})", path=filename
                )
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                raise ScenarioError(f"not UTF-8 text ({e.reason})", path=filename) from None
            sc = parse_scenario(text, path=filename)
        except ScenarioError as e:
            self.ws.add_upload(
                filename=filename, kind="scenario", data=raw, status="failed", error=str(e)
            )
            raise
        key = text if owner_user_id is None else f"owner:{owner_user_id}\n{text}"
        sid = "u-" + sha256_text(key)[:10]
        self.ws.add_upload(filename=filename, kind="scenario", data=raw, status="imported")
        row = self.ws.put_scenario(
            id=sid,
            name=sc.name,
            origin="upload",
            yaml_text=text,
            doc=jsonable(sc.doc),
            filename=filename,
            owner_user_id=owner_user_id,
        )
        return self.scenario_doc(row, full=True)

    def _load(self, row: ScenarioDef) -> Scenario:
        if row.origin == "example" and (EXAMPLES / row.filename).is_file():
            return load_scenario(EXAMPLES / row.filename)  # relative data paths resolve
        return parse_scenario(row.yaml_text, path=row.filename or f"{row.name}.yaml")
