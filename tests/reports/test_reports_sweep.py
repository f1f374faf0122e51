"""The Monte Carlo sweep briefing: a small real sweep (6 samples of hokkaido-blackout, in
process), its briefing as a dict, HTML and PDF in English and Japanese, and as JSON; the numbers
in it are the ones in the sweep's files; provenance lines and the reproducibility block are
there; damaged sweep directories are clear 400s / 404s, never 500s; a private sweep job's
briefing is visible to its owner only."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.reports.test_reports import JAPANESE, embedded_fonts, pdf_pages, pdf_text

from fukugan.app.format import fmt
from fukugan.reports.render import cjk_fonts, render_html
from fukugan.reports.run import run_briefing
from fukugan.server import create_app
from fukugan.services.simulate import simulate_sweep
from fukugan.store.analytic import AnalyticStore

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "fukugan" / "scenarios" / "examples"
SWEEP = "mc-hokkaido"
N = 6


@pytest.fixture(scope="module")
def home(tmp_path_factory, loaded_copy) -> Path:
    h = loaded_copy(tmp_path_factory.mktemp("reports-sweep-home"))
    store = AnalyticStore(h)
    simulate_sweep(
        store, EXAMPLES / "hokkaido-blackout.yaml", samples=N, workers=0, out=h / "runs" / SWEEP
    )
    runs = h / "runs"
    # damaged copies: a file missing, a file corrupt, a summary without its distributions
    for name in ("mc-no-daily", "mc-bad-sectors", "mc-no-dist", "mc-bad-json"):
        shutil.copytree(runs / SWEEP, runs / name)
    (runs / "mc-no-daily" / "daily.parquet").unlink()
    (runs / "mc-bad-sectors" / "by_sector.parquet").write_bytes(b"PAR1 not really parquet")
    s = json.loads((runs / "mc-no-dist" / "summary.json").read_text("utf-8"))
    del s["total_loss"]
    (runs / "mc-no-dist" / "summary.json").write_text(json.dumps(s), "utf-8")
    (runs / "mc-bad-json" / "summary.json").write_text("{not json", "utf-8")
    return h


@pytest.fixture(scope="module")
def client(home) -> TestClient:
    with TestClient(create_app(home)) as c:
        yield c


def files(home: Path):
    d = home / "runs" / SWEEP
    summary = json.loads((d / "summary.json").read_text("utf-8"))
    return (
        pd.read_parquet(d / "by_sector.parquet"),
        pd.read_parquet(d / "samples.parquet"),
        summary,
    )


@pytest.mark.slow
def test_sweep_briefing_numbers_are_the_sweep_files(home):
    by, samples, summary = files(home)
    doc = run_briefing(home / "runs" / SWEEP, lang="en")
    assert doc["kind"] == "sweep" and doc["title"] == "hokkaido-blackout"
    assert (doc["engine"], doc["home"], doc["horizon"], doc["seed"], doc["samples"]) == (
        "static",
        "JPN",
        30,
        2018,
        N,
    )
    assert doc["uncertainty"] == [
        {"param": "shocks[0].days", "distribution": "triangular(low=1, mode=2, high=7)"},
        {"param": "shocks[0].depth", "distribution": "uniform(low=0.7, high=1.0)"},
    ]
    # headline: exactly summary.json's distributions, which are those of samples.parquet
    head = {h["key"]: h for h in doc["headline"]}
    for key, col in (("total-loss", "total_loss"), ("peak-loss", "peak_loss")):
        for stat in ("mean", "sd", "q05", "q50", "q95"):
            assert head[key][stat] == summary[col][stat]
        x = samples[col].to_numpy(dtype=float)
        assert head[key]["mean"] == pytest.approx(x.mean(), rel=1e-12)
        assert [head[key][q] for q in ("q05", "q50", "q95")] == pytest.approx(
            list(np.quantile(x, [0.05, 0.5, 0.95])), rel=1e-12
        )
    assert head["total-loss"]["unit"] == "million USD"
    assert head["peak-loss"]["unit"] == summary["unit"]
    # sectors: the first 10 rows of by_sector.parquet (largest mean first), every figure equal
    assert len(doc["sectors"]) == 10 and doc["n_sectors"] == len(by)
    for row, ref in zip(doc["sectors"], by.head(10).itertuples(), strict=True):
        assert row["code"] == ref.unit
        assert [row[k] for k in ("mean", "sd", "q05", "q50", "q95")] == [
            ref.mean,
            ref.sd,
            ref.q05,
            ref.q50,
            ref.q95,
        ]
        assert row["q05"] <= row["q50"] <= row["q95"]
    means = [r["mean"] for r in doc["sectors"]]
    assert means == sorted(means, reverse=True)
    # findings written from those numbers; charts inline
    assert doc["findings"][0].startswith(f"Across {N} samples, output lost over 30 days totals")
    assert "most affected sector" in doc["findings"][2] and by.unit.iloc[0] in doc["findings"][2]
    assert doc["range_svg"].count("<circle") == 10 and "<polygon" in doc["daily_svg"]
    # provenance and reproducibility
    assert doc["sources"] and all(s["citation"] for s in doc["sources"])
    assert {s["dataset"] for s in doc["sources"]} == {p["dataset"] for p in summary["sources"]}
    assert doc["provenance"].startswith(f"Computed by fukugan from {N} engine runs on: OECD")
    repro = doc["repro"]
    assert repro["command"] == (
        f"fukugan simulate hokkaido-blackout.yaml --samples {N} --seed 2018 --engine static"
    )
    assert repro["seed"] == 2018 and repro["versions"] == summary["versions"]
    assert "uncertainty:" in repro["scenario_yaml"] and "SeedSequence" in repro["seeding"]
    html = render_html(doc)
    assert "<script" not in html and html.count("<svg") >= 3


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_sweep_briefing_html_and_pdf_over_http(client, home, tmp_path, lang):
    by, _, summary = files(home)
    res = client.get(f"/reports/run/{SWEEP}.html", params={"lang": lang})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    html = res.text
    numbers = [fmt(float(summary["total_loss"][k]), "number") for k in ("mean", "q05", "q95")]
    numbers += [fmt(float(by["mean"].iloc[0]), "number"), fmt(float(by["q95"].iloc[0]), "number")]
    for s in numbers:
        assert s in html, s
    assert "shocks[0].days" in html and "triangular(low=1, mode=2, high=7)" in html
    assert "fukugan simulate hokkaido-blackout.yaml --samples 6 --seed 2018" in html
    assert f'href="/runs/{SWEEP}"' in html and f"/reports/run/{SWEEP}.pdf?lang={lang}" in html
    if lang == "ja":
        assert "モンテカルロ・ブリーフィング" in html and "不確実なパラメータ" in html
        assert "fukuganがエンジンを6回実行して算出" in html
    else:
        assert "Monte Carlo briefing" in html and "Computed by fukugan from 6 engine runs" in html

    res = client.get(f"/reports/run/{SWEEP}.pdf", params={"lang": lang})
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    data = res.content
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    assert 3 <= pdf_pages(data) <= 6
    if cjk_fonts():
        fonts = {f.replace("-", "") for f in embedded_fonts(data)}
        assert any("NotoSansCJK" in f for f in fonts), fonts
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) not installed: text not checked")
    for s in numbers:
        assert s in text, s
    assert "hokkaido-blackout" in text and "2018" in text and "OECD" in text
    assert "--samples 6" in text
    if lang == "ja":
        assert "標本" in text and "不確実なパラメータ" in text and "出典" in text
        assert "fukuganがエンジンを6回実行して算出" in text
        assert len(JAPANESE.findall(text)) > 200
    else:
        assert "Computed by fukugan from 6 engine runs on: OECD" in text
        assert "Reproducibility" in text and "Sources" in text


def test_sweep_briefing_as_json(client, home):
    _, _, summary = files(home)
    res = client.get(f"/api/v1/reports/run/{SWEEP}", params={"lang": "ja"})
    assert res.status_code == 200, res.text
    doc = res.json()
    assert doc["kind"] == "sweep" and doc["lang"] == "ja" and doc["samples"] == N
    assert doc["headline"][0]["mean"] == summary["total_loss"]["mean"]
    assert doc["findings"][0].startswith("6標本で、30日間の生産損失の合計は平均")
    assert doc["sources"] and doc["repro"]["seed"] == 2018


@pytest.mark.parametrize("run", ["mc-no-daily", "mc-bad-sectors", "mc-no-dist", "mc-bad-json"])
def test_damaged_sweeps_are_clear_errors_not_500(client, run):
    for url in (f"/reports/run/{run}.html", f"/reports/run/{run}.pdf"):
        res = client.get(url)
        assert res.status_code == 400, (url, res.status_code)
        assert "text/html" in res.headers["content-type"]
    res = client.get(f"/api/v1/reports/run/{run}")
    assert res.status_code == 400 and res.headers["content-type"].startswith("application/problem")
    detail = res.json()["detail"]
    assert "summary.json" in detail or ".parquet" in detail, detail
    assert "/tmp" not in json.dumps(res.json())  # no server path in the problem
    assert client.get("/api/v1/reports/run/mc-nothing-here").status_code == 404


@pytest.mark.slow
def test_sweep_job_briefing_keeps_the_private_run_check(client):
    from tests.api.test_runs_api import _login

    from fukugan.services.hub import Hub

    state = client.app.state
    if state.hub is None:  # opened lazily on first use, as get_hub does
        state.hub = Hub(state.hub_home)
    hub = state.hub
    org = hub.create_org("sweep-report-org", "company")
    owner = hub.create_user("sweep-owner", org, "analyst", 1, "owner's long password")
    hub.create_user("sweep-other", org, "analyst", 1, "other's long password")
    alice = _login(client.app, "sweep-owner", "owner's long password")
    bob = _login(client.app, "sweep-other", "other's long password")
    svc = client.app.state.runs
    mine = svc.submit("hokkaido-blackout", samples=4, workers=1, owner_user_id=owner)["id"]
    deadline = time.monotonic() + 60
    while (doc := alice.get(f"/api/v1/runs/{mine}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert doc["status"] == "done" and doc["kind"] == "montecarlo", doc
    res = alice.get(f"/api/v1/reports/run/{mine}")
    assert res.status_code == 200 and res.json()["kind"] == "sweep"
    assert res.json()["samples"] == 4
    assert alice.get(f"/reports/run/{mine}.html").status_code == 200
    for c in (bob, TestClient(client.app)):
        assert c.get(f"/api/v1/reports/run/{mine}").status_code == 404
        assert c.get(f"/reports/run/{mine}.pdf").status_code == 404
