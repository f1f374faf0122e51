"""Every engine's results shown truthfully: each figure on the run page and in the API equals the
run's own files (``summary.json``, ``timeseries.parquet``), and nothing the engine did not
compute is shown (ARIO: no direct / indirect split, no paths; the risk-exposure LP: its own
TTR / TTS and REI tables instead of the loss template). Horizon labels name the days summed.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from fukugan.app.format import fmt
from fukugan.server import create_app

RUNS = {
    "exposure": ("automotive-chip-fab-fire", None),
    "static": ("gallium-germanium-licensing", None),
    "ario": ("hokkaido-blackout", "ario"),
    "static-hok": ("hokkaido-blackout", "static"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory, loaded_copy):
    home = tmp_path_factory.mktemp("run-views")
    loaded_copy(home)
    with TestClient(create_app(home)) as c:
        ids = {}
        for key, (scenario, engine) in RUNS.items():
            body = {"scenario": scenario, **({"engine": engine} if engine else {})}
            res = c.post("/api/v1/runs", json=body)
            assert res.status_code == 202, res.text
            ids[key] = res.json()["id"]
        res = c.post("/api/v1/runs", json={"scenario": "automotive-chip-fab-fire",
                                           "samples": 30, "workers": 1})  # fmt: skip
        assert res.status_code == 202, res.text
        ids["montecarlo"] = res.json()["id"]
        for rid in ids.values():
            for _ in range(600):
                doc = c.get(f"/api/v1/runs/{rid}").json()
                if doc["status"] in ("done", "failed"):
                    break
                time.sleep(0.2)
            assert doc["status"] == "done", doc
        yield c, ids


def files(client, rid) -> tuple[dict, pd.DataFrame]:
    d = Path(client.app.state.runs.ws.get_run(rid).run_dir)
    summary = json.loads((d / "summary.json").read_text("utf-8"))
    return summary, pd.read_parquet(d / "timeseries.parquet")


def kpi(html: str, name: str) -> str:
    m = re.search(rf'data-kpi="{name}">(.*?)</div>', html, re.S)
    assert m, name
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def cells(html: str, table: str, col: str) -> dict[str, str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    out = {}
    for row in re.findall(r"<tr data-[a-z]+=\"([^\"]+)\">(.*?)</tr>", body, re.S):
        m = re.search(rf'data-col="{col}">(.*?)</td>', row[1], re.S)
        if m:
            out[row[0]] = m.group(1).strip()
    return out


def test_exposure_run_shows_its_ttr_tts_and_rei_tables(world):
    client, ids = world
    rid = ids["exposure"]
    summary, ts = files(client, rid)
    html = client.get(f"/runs/{rid}", params={"lang": "en"}).text
    # the method's own output, from summary.json
    rei = cells(html, "rei-table", "rei")
    assert rei == {r["node"]: fmt(r["rei"], "number") for r in summary["risk_exposure"]}
    pi = cells(html, "rei-table", "pi")
    assert pi == {r["node"]: fmt(r["pi"], "number") for r in summary["risk_exposure"]}
    ttr = cells(html, "ttr-table", "ttr")
    for d in summary["disruptions"]:
        assert ttr[d["node"]] == f"{d['ttr_days']:,.0f} days"
    assert cells(html, "ttr-table", "tts") == {
        d["node"]: f"{d['tts_days']:,.0f} days" for d in summary["disruptions"]
    }
    # the cards: the sum and the largest of the disruptions' impacts
    assert kpi(html, "total-loss") == fmt(sum(d["pi"] for d in summary["disruptions"]), "number")
    assert kpi(html, "peak-loss") == fmt(max(d["pi"] for d in summary["disruptions"]), "number")
    assert kpi(html, "top-rei") == summary["risk_exposure"][0]["node"]
    # none of the loss template that does not apply to an LP
    for wrong in ("input-output links", "Losses over time", "Indirect share", 'id="loss-chart"'):
        assert wrong not in html, wrong
    ja = client.get(f"/runs/{rid}", params={"lang": "ja"}).text
    assert "リスク・エクスポージャー指数" in ja and "復旧時間" in ja
    # the API: the same tables, the loss series of the headline metric
    doc = client.get(f"/api/v1/runs/{rid}").json()
    assert doc["metric"] == summary["headline_metric"] == "profit_loss"
    got = {r["node"]: (r["rank"], r["rei"], r["pi"]) for r in doc["exposure"]["risk_exposure"]}
    assert got == {r["node"]: (r["rank"], r["rei"], r["pi"]) for r in summary["risk_exposure"]}
    assert doc["summary"]["indirect_share"] is None and "indirect_share" in doc["not_computed"]
    series = client.get(f"/api/v1/runs/{rid}/timeseries").json()
    assert series["metric"] == "profit_loss" and sum(series["series"]["total"]) == pytest.approx(
        summary["total_loss"]
    )


def test_ario_run_says_not_computed_instead_of_zero(world):
    client, ids = world
    rid = ids["ario"]
    summary, ts = files(client, rid)
    html = client.get(f"/runs/{rid}", params={"lang": "en"}).text
    assert "not computed by this engine" in kpi(html, "indirect-share")
    assert "0.0%" not in kpi(html, "indirect-share")
    assert 'id="paths-table"' not in html and "0 / 0" not in html
    assert "not computed by this engine" in html.split('id="paths-count"', 1)[1][:200]
    # the total and its horizon: exactly the days the series sums over
    loss = ts[(ts["metric"] == "loss") & (ts["unit_kind"] != "total")]
    days = sorted(loss["t"].unique())
    assert kpi(html, "total-loss") == fmt(float(loss["value"].sum()), "number")
    label = f"sum over days {days[0]}–{days[-1]} ({len(days)} days)"
    assert label in html and "sum over 29 days" not in html
    assert summary["scenario"]["horizon_days"] == len(days) == 30
    assert "million USD ·" in html  # the total's unit is not "per day"
    doc = client.get(f"/api/v1/runs/{rid}").json()
    for k in ("direct_loss", "indirect_loss", "indirect_share"):
        assert doc["summary"][k] is None and k in doc["not_computed"]
    assert doc["n_paths"] is None
    assert all(r["direct"] is None and r["indirect"] is None for r in doc["by_sector"])
    assert doc["summary"]["total_loss"] == pytest.approx(float(loss["value"].sum()))
    paths = client.get(f"/api/v1/runs/{rid}/paths").json()
    assert paths["computed"] is False and paths["total"] is None
    assert list(client.get(f"/api/v1/runs/{rid}/timeseries").json()["series"]) == ["total"]
    assert "このエンジンでは算出しません" in client.get(f"/runs/{rid}", params={"lang": "ja"}).text


def test_compare_never_subtracts_a_figure_not_computed(world):
    client, ids = world
    a, b = ids["static-hok"], ids["ario"]
    cmp = client.get("/api/v1/runs/compare", params={"a": a, "b": b}).json()
    assert cmp["deltas"]["indirect_share"] is None
    assert cmp["b"]["summary"]["indirect_share"] is None
    assert cmp["deltas"]["total_loss"] == pytest.approx(
        cmp["b"]["summary"]["total_loss"] - cmp["a"]["summary"]["total_loss"]
    )
    html = client.get("/compare", params={"a": a, "b": b, "lang": "en"}).text
    row = html.split('data-key="indirect_share"', 1)[1].split("</tr>", 1)[0]
    assert "not computed by ario" in row and "0.0%" not in row and "−" not in row
    assert re.search(r'class="num delta\s*">–</td>', row)


def test_static_run_shows_price_pass_through_and_assumed_inputs(world):
    import html as html_mod

    client, ids = world
    rid = ids["static"]
    summary, ts = files(client, rid)
    html = client.get(f"/runs/{rid}", params={"lang": "en"}).text
    price = cells(html, "price-table", "price")
    assert price == {u: fmt(v, "percent-fine") for u, v in summary["price_change_peak"].items()}
    assert "e-05" not in html.split('id="price-table"', 1)[1].split("</table>", 1)[0]
    assumed = html.split('id="assumptions-table"', 1)[1].split("</table>", 1)[0]
    for s in summary["resolved_shocks"]:
        assert fmt(s["supplier_share"], "percent-fine") in assumed
        assert fmt(s["sector_share"], "percent-fine") in assumed
    assert "USGS MCS 2025" in assumed and "given in the scenario" in assumed
    # the scenario as run: Japanese as written, not \\u escapes
    ja = client.get(f"/runs/{rid}", params={"lang": "ja"}).text
    assert "\\u4e2d" not in ja and summary["scenario"]["description"]["ja"][:10] in ja
    assert "レオンチェフ価格波及" in ja
    # the Japanese page quotes the Japanese source descriptions, and the run's Japanese notes
    assumed_ja = ja.split('id="assumptions-table"', 1)[1].split("</table>", 1)[0]
    for s in summary["resolved_shocks"]:
        assert s["supplier_share_source_ja"] in html_mod.unescape(assumed_ja)
    assert "ガリウムの世界生産" in assumed_ja and "シナリオで指定" in assumed_ja
    assert "share of" not in assumed_ja and "given in the scenario" not in assumed_ja
    from fukugan.i18n import t

    method = ja.split(f"<summary>{t('web-method-notes', 'ja')}</summary>", 1)[1]
    method = method.split("</details>", 1)[0]
    for n in summary["notes_ja"]:
        assert n in html_mod.unescape(method)
    assert summary["notes_ja"] and "ゲルマニウム" in method and "other traded" not in method
    doc = client.get(f"/api/v1/runs/{rid}").json()
    assert {r["unit"]: r["change"] for r in doc["price_pass_through"]} == pytest.approx(
        summary["price_change_peak"]
    )
    assert doc["summary"]["indirect_share"] == pytest.approx(summary["indirect_share"])
    assert doc["not_computed"] == []
    assert kpi(html, "indirect-share") == fmt(summary["indirect_share"], "percent")
    loss = ts[(ts["metric"] == "loss") & (ts["unit_kind"] != "total")]
    days = sorted(loss["t"].unique())
    assert f"sum over days {days[0]}–{days[-1]} ({len(days)} days)" in html
    assert doc["days"] == {"first": days[0], "last": days[-1], "count": len(days)}


@pytest.mark.parametrize("key", list(RUNS))
def test_what_the_engine_applied_is_shown_in_the_pages_language(world, key):
    """The run page's "what the engine applied" lists the run's own lines, in the page's
    language (the summary holds both)."""
    import html as html_mod

    client, ids = world
    rid = ids[key]
    summary, _ = files(client, rid)
    for lang, lines in (("en", summary["applied"]), ("ja", summary["applied_ja"])):
        page = client.get(f"/runs/{rid}", params={"lang": lang}).text
        section = page.split('id="applied"', 1)[1].split("</section>", 1)[0]
        shown = [
            html_mod.unescape(re.sub(r"<[^>]+>", "", m))
            for m in re.findall(r'<li data-applied="\d+">(.*?)</li>', section, re.S)
        ]
        assert shown == lines, lang


def test_units_are_written_in_the_pages_language(world):
    """The unit line and the total's unit of a static run: the run's own unit in English, the
    same unit in Japanese on the Japanese page."""
    from fukugan.i18n import unit_name

    client, ids = world
    rid = ids["static"]
    summary, _ = files(client, rid)
    unit = summary["unit"]
    en = client.get(f"/runs/{rid}", params={"lang": "en"}).text
    ja = client.get(f"/runs/{rid}", params={"lang": "ja"}).text
    total = unit[: -len(" per day")] if unit.endswith(" per day") else unit

    def sub(page: str) -> str:
        return page.split('data-kpi-unit="total-loss">', 1)[1].split("</div>", 1)[0]

    assert sub(en).startswith(total)
    assert sub(ja).startswith(unit_name(total, "ja")) and "USD" not in sub(ja)


def test_monte_carlo_histogram_is_the_samples_own_total_losses(world):
    """The histogram's bars count the sweep's own samples (``samples.parquet``): every sample in
    exactly one bin of equal width between the smallest and the largest total loss."""
    import numpy as np

    c, ids = world
    rid = ids["montecarlo"]
    d = Path(c.app.state.runs.ws.get_run(rid).run_dir)
    losses = pd.read_parquet(d / "samples.parquet")["total_loss"].to_numpy()
    for lang in ("en", "ja"):
        html = c.get(f"/runs/{rid}?lang={lang}").text
        section = html.split('id="mc-histogram"', 1)[1].split("</section>", 1)[0]
        assert 'data-n="30"' in html
        bars = re.findall(r'data-count="(\d+)" data-lo="([^"]+)" data-hi="([^"]+)"', section)
        assert len(bars) == int(np.ceil(np.sqrt(30)))  # √n bins
        assert sum(int(n) for n, _, _ in bars) == len(losses) == 30
        edges = [float(lo) for _, lo, _ in bars] + [float(bars[-1][2])]
        assert edges[0] == pytest.approx(losses.min()) and edges[-1] == pytest.approx(losses.max())
        widths = np.diff(edges)
        assert np.allclose(widths, widths[0])
        for n, lo, hi in bars:
            lo, hi = float(lo), float(hi)
            inside = (losses >= lo) & ((losses < hi) | (hi == edges[-1]) & (losses <= hi))
            assert int(n) == int(inside.sum())
        assert ("標本ごとの総損失" if lang == "ja" else "Total loss of each sample") in section
        assert ("千米ドル" if lang == "ja" else "thousand USD") in section
