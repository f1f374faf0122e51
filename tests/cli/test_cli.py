"""End-to-end: the `fukugan` CLI as a user runs it, on the bundled real data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fukugan.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, loaded_copy) -> Path:
    home = loaded_copy(tmp_path_factory.mktemp("home"))
    mp = pytest.MonkeyPatch()
    mp.setenv("FUKUGAN_HOME", str(home))
    yield home
    mp.undo()


def run(*args: str):
    return runner.invoke(app, list(args))


def run_json(*args: str) -> dict:
    res = run(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_sources_list_every_bundled_dataset_with_provenance(loaded):
    out = run_json("data", "sources")
    names = {r["dataset"] for r in out["rows"]}
    assert {"usgs_world_production", "oecd_iot", "wgi", "official_lists"} <= names
    for r in out["rows"]:
        assert r["source"] and r["year"] and r["unit"] and r["licence"] and r["rows"] > 0
        assert r["synthetic"] is False


@pytest.mark.slow
def test_data_load_into_an_empty_store(tmp_path, monkeypatch):
    """`fukugan data load` on a fresh home loads every bundled dataset (the other tests start
    from a copy of one such load)."""
    from fukugan.services.datasets import BUNDLED
    from fukugan.store.analytic import AnalyticStore

    monkeypatch.setenv("FUKUGAN_HOME", str(tmp_path))
    res = runner.invoke(app, ["data", "load"])
    assert res.exit_code == 0, res.output
    assert set(BUNDLED) <= {d.name for d in AnalyticStore(tmp_path).datasets()}


def test_load_if_needed_reuses_the_store(loaded, checksum):
    before = checksum(loaded)
    res = run("data", "load", "--if-needed")
    assert res.exit_code == 0 and "already loaded" in res.output
    assert checksum(loaded) == before


def test_production_gallium_known_answer(loaded):
    out = run_json("production", "gallium", "--year", "2024")
    rows = {r["iso3"]: r for r in out["rows"]}
    # USGS MCS 2025: China 750,000 kg of 762,000 kg listed (world total, rounded: 760,000)
    assert rows["CHN"]["share"] == pytest.approx(750000 / 762000)
    assert out["summary"]["denominator"] == 762000
    assert out["summary"]["world-total-usgs"] == 760000
    assert out["summary"]["hhi"] == pytest.approx(
        sum((v / 762000) ** 2 for v in (750000, 6000, 3000, 3000))
    )
    assert out["summary"]["home-rank"] == 3  # Japan: 3,000 kg, tied with Korea
    assert any(s["dataset"] == "usgs_world_production" for s in out["sources"])
    assert "EU-CRM" in out["summary"]["official-lists"]


@pytest.mark.slow
def test_production_accepts_misspelt_and_cased_names(loaded):
    # MCS 2025 withholds every germanium figure: the misspelt name resolves, the producers
    # are listed, and no share is invented
    out = run_json("production", "Gemanium", "--year", "2023")
    assert out["summary"]["commodity"] == "Germanium"
    assert out["summary"]["hhi"] is None and out["summary"]["home-share"] is None
    assert "CHN" in {r["iso3"] for r in out["rows"]}
    assert all(r["share"] is None for r in out["rows"])
    res = run("production", "LITHIUM")
    assert res.exit_code == 0, res.output


@pytest.mark.slow
def test_dependencies_rank_with_indicators(loaded):
    out = run_json("dependencies", "--top", "0")["reports"][0]
    rows = out["rows"]
    assert len(rows) > 60
    scores = [r["autonomy-risk"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    top = {r["commodity"] for r in rows[:10]}
    assert "Gallium" in top
    for r in rows:
        assert 0 <= r["autonomy-risk"] <= 1
        assert 0 < r["hhi"] <= 1 and r["top1-share"] <= r["top3-share"] + 1e-12


@pytest.mark.slow
def test_chokepoints_japan(loaded):
    out = run_json("chokepoints")["reports"][0]
    rows = out["rows"]
    assert rows and all(r["home-share"] > 0 for r in rows)
    assert rows[0]["commodity"] == "Iodine"  # Japan is the world's second iodine producer


def test_io_import_content_japan_2020(loaded):
    out = run_json("io", "import-content", "--country", "JPN", "--year", "2020")
    rows = {r["code"]: r for r in out["rows"]}
    assert len(rows) == 45
    assert rows["C19"]["total-import-content"] == pytest.approx(0.463, abs=1e-3)
    for r in rows.values():
        assert r["total-import-content"] >= r["direct-import-content"] - 1e-12


def test_io_leontief_is_square(loaded):
    out = run_json("io", "leontief", "--country", "JPN", "--year", "2020")
    assert len(out["rows"]) == 45 and len(out["rows"][0]) == 46
    assert out["rows"][0]["A01_02"] >= 1.0  # diagonal of L is at least 1


def test_japanese_labels(loaded):
    res = run("production", "gallium", "--lang", "ja")
    assert res.exit_code == 0
    assert "世界生産" in res.output and "出典" in res.output
    assert "ガリウム" in res.output


@pytest.mark.slow
def test_csv_output_has_provenance_comment(loaded):
    import io

    import pandas as pd

    res = run("chokepoints", "--format", "csv")
    assert res.exit_code == 0
    assert res.stdout.startswith("# report: Indispensability of JPN")
    assert "# Source: U.S. Geological Survey" in res.stdout
    # one block per report: the commodities, then (bundled trade data) the HS products
    blocks = res.stdout.split("# report: ")[1:]
    assert len(blocks) == 2 and blocks[1].startswith("Indispensability of JPN: world export")
    df = pd.read_csv(io.StringIO(blocks[0]), comment="#", skiprows=1)
    assert "Chokepoint score" in df.columns
    products = pd.read_csv(io.StringIO(blocks[1]), comment="#", skiprows=1, dtype={"HS6": str})
    assert "Product" in products.columns and len(products) == 25


@pytest.mark.parametrize(
    "args, needle",
    [
        (["production", "unobtainium"], "unknown commodity"),
        (["production", "gallium", "--year", "1990"], "years available"),
        (["io", "import-content", "--year", "1990"], "no OECD input-output table"),
        (["trade", "dependency", "--product", "850511"], "no trade rows for HS 850511"),
        (["trade", "dependency", "--product", "250410", "--year", "1990"], "1995-2024"),
        (["dependencies", "--year", "1990"], "trade years 1995-2024"),
    ],
)
def test_user_mistakes_give_a_message_and_exit_2(loaded, args, needle):
    res = run(*args)
    assert res.exit_code == 2
    assert needle in res.output
    assert "Traceback" not in res.output


def test_the_installed_command_never_prints_a_traceback(loaded, tmp_path):
    exe = Path(sys.executable).with_name("fukugan")
    env = {"FUKUGAN_HOME": str(loaded), "PATH": "/usr/bin:/bin"}
    bad = tmp_path / "bad.csv"
    bad.write_text("country,iso3c,year,score_wgi_scale\nJapan,JPN,2020,abc\n")
    p = subprocess.run(
        [str(exe), "data", "import", "wgi", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2
    assert "bad.csv" in p.stderr and "row 2" in p.stderr and "Traceback" not in p.stderr


CODES = """country_code,country_name,country_iso2,country_iso3
36,Australia,AU,AUS
156,China,CN,CHN
276,Germany,DE,DEU
392,Japan,JP,JPN
410,"Korea, Rep.",KR,KOR
842,USA,US,USA
"""

# Japan's imports of HS 850511 (permanent magnets) and 811292 (gallium, germanium...) in a
# small hand-made BACI year; v in thousand USD.
BACI = """t,i,j,k,v,q
2022,156,392,850511,900,10
2022,842,392,850511,60,1
2022,276,392,850511,40,1
2022,392,842,850511,50,1
2022,156,392,811292,300,1
2022,410,392,811292,100,1
2022,156,842,850511,500,5
"""


def _without_bundled_trade(home: Path) -> None:
    """Drop the bundled BACI extract, so that the hand-made year below is the only trade data
    (the known answers are on it; the real extract has its own tests)."""
    from fukugan.store.analytic import AnalyticStore

    store = AnalyticStore(home)
    if store.has("trade"):
        store.drop("trade")


@pytest.fixture
def baci_files(loaded, tmp_path) -> tuple[Path, Path]:
    _without_bundled_trade(loaded)
    trade = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    codes = tmp_path / "country_codes_V202401.csv"
    trade.write_text(BACI)
    codes.write_text(CODES)
    return trade, codes


@pytest.mark.slow
def test_trade_import_and_dependency_known_answers(loaded, baci_files):
    trade, codes = baci_files
    res = run("data", "import", "baci", str(trade), "--country-codes", str(codes))
    assert res.exit_code == 0, res.output
    out = run_json("trade", "dependency", "--product", "850511")["reports"]
    row = out[0]["rows"][0]
    suppliers = out[1]["rows"]
    assert [r["supplier"] for r in suppliers] == ["CHN", "USA", "DEU"]
    # JPN imports 1,000k USD: CHN 900, USA 60, DEU 40 -> HHI .81 + .0036 + .0016
    assert row["imports-usd"] == pytest.approx(1_000_000)
    assert row["hhi"] == pytest.approx(0.8152)
    assert row["top1"] == "CHN" and row["top1-share"] == pytest.approx(0.9)
    assert row["share-outside-like-minded"] == pytest.approx(0.9)
    # outside imports 900k / JPN exports 50k = 18 > 1; HHI outside = 1 > .4; share .9 > .5
    assert row["outside-to-exports"] == pytest.approx(18)
    assert row["eu2021-dependent"] is True
    assert "JP-SCM" in row["official-lists"]
    deps = run_json("dependencies", "--top", "0")["reports"]
    assert deps[1]["title"] == "title-dependencies-trade"
    hs = {r["hs6"]: r for r in deps[1]["rows"]}
    assert hs["850511"]["eu2021-dependent"] is True
    assert hs["811292"]["top1"] == "CHN"
    chk = run_json("chokepoints")["reports"]
    assert chk[1]["title"] == "title-chokepoints-trade"
    # JPN exports 50k of 850511; world exports 1,550k -> share 50/1550
    assert chk[1]["rows"][0]["home-share"] == pytest.approx(50 / 1550)


def test_bad_trade_file_changes_nothing(loaded, baci_files, checksum):
    trade, codes = baci_files
    before = checksum(loaded)
    bad = trade.with_name("BACI_HS17_Y2022_V202402.csv")
    bad.write_text(BACI.replace("2022,410,392,811292,100,1", "2022,410,392,811292,-5,1"))
    res = run("data", "import", "baci", str(bad), "--country-codes", str(codes))
    assert res.exit_code == 2
    assert bad.name in res.output and "row 7" in res.output and "'v'" in res.output
    assert checksum(loaded) == before


@pytest.mark.slow
def test_overview_shows_dependencies_and_chokepoints(loaded):
    reports = run_json("overview")["reports"]
    titles = [r["title"] for r in reports]
    assert titles[0] == "title-dependencies" and "title-chokepoints" in titles
    assert len(reports[0]["rows"]) == 10
    res = run("overview", "--lang", "ja")
    assert res.exit_code == 0 and "自律性リスク" in res.output and "不可欠性" in res.output


# -- published supply-risk methods on real data: EU CRM SR, IR, GeoPolRisk; JP-SCM tags -------

# The small BACI year above plus Japan's cobalt: ores (2605) from Congo (Kinshasa) 30 t and
# Australia 20 t, and 1 t of cobalt (8105.20) exported to Korea. Gallium: the 8112.92 rows
# above (a shared code: gallium, germanium, indium, niobium, vanadium), 1 t each from CHN, KOR.
CODES_SR = CODES + '180,"Congo, Dem. Rep.",CD,COD\n'
BACI_SR = BACI + "2022,180,392,260500,600,30\n2022,36,392,260500,400,20\n2022,392,410,810520,50,1\n"


@pytest.fixture
def sr_loaded(loaded, tmp_path):
    _without_bundled_trade(loaded)
    trade = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    codes = tmp_path / "country_codes_V202401.csv"
    trade.write_text(BACI_SR)
    codes.write_text(CODES_SR)
    res = run("data", "import", "baci", str(trade), "--country-codes", str(codes))
    assert res.exit_code == 0, res.output
    return loaded


def _median_wgi() -> float:
    import numpy as np

    from fukugan.data.bundled import WGI_CSV, bundled_path
    from fukugan.data.wgi import read_wgi, wgi_for_year

    return float(np.nanmedian(wgi_for_year(read_wgi(bundled_path(*WGI_CSV))[0], 2024)))


def _supply(out: dict) -> tuple[dict, dict, float]:
    """USGS production by country (tonnes as published here), WGI by country, 'Other countries'."""
    rows = [r for r in out["rows"] if r["share"] is not None]
    values = {r["iso3"]: r["value"] for r in rows}
    wgi = {r["iso3"]: r["wgi_0_10"] for r in rows}
    other = out["summary"]["denominator"] - sum(values.values())
    return values, wgi, other


def test_production_cobalt_sr_and_geopolrisk_known_answers(sr_loaded):
    out = run_json("production", "cobalt")
    s = out["summary"]
    values, wgi, other = _supply(out)
    med = _median_wgi()
    total = s["denominator"]
    w = {k: (v if v is not None else med) for k, v in wgi.items()}
    # EU CRM (Blengini et al. 2017): HHI_WGI,t of global supply, 'Other countries' as one
    # supplier with the median WGI; home sourcing = Japan's imports in tonnes (COD 30, AUS 20)
    hhi_wgi_gs = (
        sum((v / total) ** 2 * w[k] for k, v in values.items()) + (other / total) ** 2 * med
    )
    hhi_wgi_home = 0.6**2 * w["COD"] + 0.4**2 * w["AUS"]
    ir = (50 - 1) / (0 + 50 - 1)  # imports 50 t, exports 1 t, no Japanese mine production
    assert s["import-reliance"] == pytest.approx(ir) == 1.0
    assert s["eu-sr-hhi-wgi-gs"] == pytest.approx(hhi_wgi_gs, rel=1e-12)
    assert s["eu-sr-hhi-wgi-home"] == pytest.approx(hhi_wgi_home, rel=1e-12)
    assert s["eu-sr"] == pytest.approx(hhi_wgi_gs * ir / 2 + hhi_wgi_home * (1 - ir / 2))
    assert (s["eu-sr-eol-rir"], s["eu-sr-si-sr"]) == (0.0, 1.0)
    assert s["eu-sr-home-sourcing"] == "COD 60.0%, AUS 40.0%"
    # GeoPolRisk (Gemechu et al. 2016): HHI of production x sum g_i f_i / (p + F), g = WGI/10
    hhi = sum((v / total) ** 2 for v in values.values()) + (other / total) ** 2
    import_risk = (30 * w["COD"] / 10 + 20 * w["AUS"] / 10) / (0 + 50)
    assert s["geopolrisk-hhi"] == pytest.approx(hhi) == pytest.approx(s["hhi-upper"])
    assert s["geopolrisk-import-risk"] == pytest.approx(import_risk)
    assert s["geopolrisk"] == pytest.approx(hhi * import_risk)
    assert s["trade-basis"] == "quantity (t)" and s["home-imports"] == "50 t"
    assert s["trade-hs-codes"] == "2605, 810520, 282200, 810510 (2022)"  # 810510: HS92
    assert s["official-lists"].startswith("JP-SCM")
    notes = " ".join(out["notes"])
    assert "note-eu-sr" in out["notes"] and "note-geopolrisk" in out["notes"]
    assert "eol_rir=0" in notes and "si_sr=1" in notes and "t=1" in notes
    assert "Trade year 2022" in notes
    assert {"trade", "commodity_hs"} <= {src["dataset"] for src in out["sources"]}


def test_gallium_ir_with_domestic_production_and_shared_code(sr_loaded):
    out = run_json("production", "gallium")
    s = out["summary"]
    values, wgi, other = _supply(out)
    assert other == 0 and values["JPN"] == 3000  # kg: Japan produced 3 t of gallium in 2024
    # imports 8112.92: CHN 1 t, KOR 1 t; P = 3 t -> IR = 2 / (3 + 2)
    assert s["import-reliance"] == pytest.approx(0.4)
    total = sum(values.values())
    gs = sum((v / total) ** 2 * wgi[k] for k, v in values.items())
    home = 0.2**2 * wgi["CHN"] + 0.2**2 * wgi["KOR"] + 0.6**2 * wgi["JPN"]
    assert s["eu-sr"] == pytest.approx(gs * 0.2 + home * 0.8)
    hhi = sum((v / total) ** 2 for v in values.values())
    assert s["geopolrisk"] == pytest.approx(hhi * (wgi["CHN"] / 10 + wgi["KOR"] / 10) / 5)
    assert any("only shared HS codes (811292)" in n for n in out["notes"])
    assert "JP-SCM" in s["official-lists"]


def test_commodity_without_trade_rows_falls_back(sr_loaded):
    s = run_json("production", "lithium")["summary"]
    assert s["geopolrisk"] is None and s["import-reliance"] is None
    assert s["eu-sr"] == pytest.approx(s["eu-sr-hhi-wgi-gs"])
    assert s["eu-sr-home-sourcing"].startswith("= global supply")


@pytest.mark.slow
def test_dependencies_show_sr_geopolrisk_ir(sr_loaded):
    rows = {r["commodity"]: r for r in run_json("dependencies", "--top", "0")["reports"][0]["rows"]}
    co = run_json("production", "cobalt")["summary"]
    assert rows["Cobalt"]["eu-sr"] == pytest.approx(co["eu-sr"])
    assert rows["Cobalt"]["geopolrisk"] == pytest.approx(co["geopolrisk"])
    assert rows["Cobalt"]["import-reliance"] == 1.0
    assert rows["Lithium"]["geopolrisk"] is None and rows["Lithium"]["eu-sr"] > 0
    assert len(rows["Cobalt"]) == 15  # three columns more than before
    res = run("dependencies", "--lang", "ja", "--top", "5", "--format", "csv")
    assert (
        res.exit_code == 0 and "EU供給リスク（SR）,GeoPolRisk（地政学的供給リスク）" in res.output
    )


@pytest.mark.slow
def test_supply_risk_without_any_trade_data(tmp_path):
    from fukugan.data import concordance, lists, usgs, wgi
    from fukugan.data.bundled import USGS_WORLD_CSV, WGI_CSV, bundled_path
    from fukugan.services.production import production_profile
    from fukugan.store.analytic import AnalyticStore

    store = AnalyticStore(tmp_path / "fk")
    store.replace(
        {
            "usgs_world_production": usgs.read_world_production(bundled_path(*USGS_WORLD_CSV)),
            "wgi": wgi.read_wgi(bundled_path(*WGI_CSV)),
            "official_lists": lists.read_official_lists(bundled_path("lists")),
            "commodity_hs": concordance.read_concordance(),
        }
    )
    rep = production_profile(store, "cobalt")
    s = rep.summary
    assert s["eu-sr"] == pytest.approx(s["eu-sr-hhi-wgi-gs"]) and s["geopolrisk"] is None
    assert "trade-basis" not in s
    assert any("no trade data loaded" in n for n in rep.notes)
    assert "note-geopolrisk-unavailable" in rep.notes
    assert any("home sourcing = global supply" in n for n in rep.notes)
    assert "JP-SCM" in production_profile(store, "gallium").summary["official-lists"]


COMTRADE = """refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue
2022,JPN,CHN,M,850511,5000000
2022,JPN,USA,M,850511,5000000
"""


def test_baci_and_comtrade_for_one_year_are_not_added_together(loaded, baci_files, tmp_path):
    trade, codes = baci_files
    assert run("data", "import", "baci", str(trade), "--country-codes", str(codes)).exit_code == 0
    ct = tmp_path / "comtrade.csv"
    ct.write_text(COMTRADE)
    res = run("data", "import", "comtrade", str(ct))
    assert res.exit_code == 0, res.output
    out = run_json("trade", "dependency", "--product", "850511")["reports"][0]
    assert out["rows"][0]["imports-usd"] == pytest.approx(1_000_000)  # BACI alone
    assert any("not added" in n for n in out["notes"])
