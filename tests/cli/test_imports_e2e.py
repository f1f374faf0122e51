"""End-to-end: ``fukugan data import KIND PATH`` as a user runs it.

* a good small file of every kind imports, is listed by ``fukugan data sources`` with its
  provenance and row count, and a second import replaces rather than duplicates (trade data:
  rows of the same source and year are replaced, other years and sources are kept);
* every class of bad input ends with exit code 2 and one line naming the file, the row (header =
  row 1) and the field, never a traceback, and leaves the store byte-for-byte unchanged;
* ``kill -9`` in the middle of a big import (a real subprocess, and a crash injected before and
  after every file and catalog operation) leaves a store that opens, reads back what its catalog
  records, holds the old or the new data and never a mixture, and heals on the next import; a
  reader or a writer that meets another process's write waits for it instead of failing;
* random mutations of a valid BACI file import fully or are refused with exit code 2 and an
  unchanged store (hypothesis).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fukugan.cli.main import app
from fukugan.data.oecd_iot import BUNDLED_DIR as OECD_DIR
from fukugan.store.analytic import AnalyticStore

runner = CliRunner()
EXE = Path(sys.executable).with_name("fukugan")
OECD_DOM = OECD_DIR / "dom"
IOT_ROWS = 5011  # cells of one OECD table in the store (doctest of oecd_iot.iot_to_frame)

# -- small good files ------------------------------------------------------------------------

CODES = """country_code,country_name,country_iso2,country_iso3
36,Australia,AU,AUS
156,China,CN,CHN
276,Germany,DE,DEU
392,Japan,JP,JPN
410,"Korea, Rep.",KR,KOR
842,USA,US,USA
"""
BACI_HEADER = "t,i,j,k,v,q\n"
BACI_2022_ROWS = [
    "2022,156,392,850511,900,10",
    "2022,842,392,850511,60,1",
    "2022,276,392,850511,40,1",
    "2022,392,842,850511,50,1",
    "2022,156,392,811292,300,1",
    "2022,410,392,811292,100,NA",
    "2022,156,842,850511,500,5",
]
BACI_2022 = BACI_HEADER + "\n".join(BACI_2022_ROWS) + "\n"
BACI_2022_NAME = "BACI_HS17_Y2022_V202401.csv"
# the same year again, revised: 5 rows, other values
BACI_2022_REVISED = BACI_HEADER + (
    "2022,156,392,850511,950,11\n"
    "2022,842,392,850511,70,1\n"
    "2022,276,392,850511,45,1\n"
    "2022,156,392,811292,310,1\n"
    "2022,36,392,811292,20,1\n"
)
BACI_2021 = BACI_HEADER + (
    "2021,156,392,850511,800,9\n2021,842,392,850511,50,1\n2021,36,392,811292,10,\n"
)
BACI_2021_NAME = "BACI_HS17_Y2021_V202401.csv"

COMTRADE_PLUS_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,"
    "reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,"
    "partner2Desc,classificationCode,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,motCode,"
    "qtyUnitAbbr,qty,netWgt,primaryValue\n"
)


def plus(
    rep="392,JPN",
    flow="M",
    par="156,CHN",
    cmd="280530",
    value="5000",
    netwgt="1000",
    year="2020",
    freq="A",
) -> str:
    """One Comtrade+ record (header COMTRADE_PLUS_HEADER)."""
    return (
        f"C,{freq},{year}0101,{year},52,{year},{rep},x,{flow},x,{par},x,0,W00,World,H6,{cmd},x,"
        f"{len(cmd)},True,C00,0,kg,{netwgt},{netwgt},{value}\n"
    )


COMTRADE_PLUS = COMTRADE_PLUS_HEADER + "".join(
    [
        plus(),  # kept
        plus(par="36,AUS", value="700"),  # kept
        plus(rep="842,USA", cmd="850511", value="1200", netwgt=""),  # kept
        plus(par="0,W00", value="9999"),  # World total: dropped
        plus(flow="X", value="1"),  # export: dropped
        plus(cmd="2805", value="5700"),  # HS4 aggregate: dropped
    ]
)
COMTRADE_PLUS_KEPT = 3

COMTRADE_LEGACY = (
    "Classification,Year,Period,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,"
    "Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,"
    "Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag\n"
    "H4,2019,2019,6,1,1,Import,392,Japan,JPN,156,China,CHN,280530,x,8,kg,10,2000,800,0\n"
    "H4,2019,2019,6,1,1,Import,392,Japan,JPN,0,World,WLD,280530,x,8,kg,10,2000,900,0\n"
    "H4,2019,2019,6,1,2,Export,392,Japan,JPN,156,China,CHN,280530,x,8,kg,10,2000,50,0\n"
    "H4,2019,2019,6,1,1,Import,392,Japan,JPN,842,USA,USA,10121,x,8,kg,,,100,0\n"
)
COMTRADE_LEGACY_KEPT = 2

USGS_HEADER = (
    "SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,"
    "CAP_2023,CAP_EST_ 2024,CAP_NOTES,RESERVES_2024,RESERVE_NOTES\n"
)
USGS_ROWS = [
    "MCS2025,Gallium,China,Primary production,kilograms,750000,750000,,,,,,",
    "MCS2025,Gallium,Japan,Primary production,kilograms,3000,3000,,,,,,",
    "MCS2025,Gallium,Other countries,Primary production,kilograms,9000,9000,,,,,,",
    "MCS2025,Gallium,World total (rounded),Primary production,kilograms,760000,760000,,,,,,",
    "MCS2025,Lithium,Australia,Mine production,metric tons,86000,88000,,,,,7000000,",
]
USGS = "\ufeff" + USGS_HEADER + "\n".join(USGS_ROWS) + "\n"
USGS_RECORDS = 11  # production 2023 + 2024 of every row, and one reserves figure

WGI_HEADER = "country,iso3c,year,score_wgi_scale\n"
WGI = (
    WGI_HEADER
    + "Japan,JPN,2021,1.30\nJapan,JPN,2022,1.31\nChina,CHN,2022,-0.41\nChile,CHL,2022,0.9\n"
)


def put(d: Path, name: str, content: str | bytes) -> Path:
    p = d / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


# -- running the CLI ---------------------------------------------------------------------------


def cli(home: Path, *args: object):
    """``fukugan ARGS`` with FUKUGAN_HOME=home (typer's CliRunner, stdout and stderr mixed)."""
    return runner.invoke(app, [str(a) for a in args], env={"FUKUGAN_HOME": str(home)})


def ok(home: Path, *args: object):
    res = cli(home, *args)
    assert res.exit_code == 0, res.output
    return res


def sources(home: Path) -> dict[str, dict]:
    res = ok(home, "data", "sources", "--format", "json")
    return {r["dataset"]: r for r in json.loads(res.stdout)["rows"]}


def no_traceback(res) -> None:
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)


def stored_files(home: Path) -> set[str]:
    d = home / "analytic" / "parquet"
    return {p.name for p in d.iterdir()} if d.exists() else set()


def assert_consistent(home: Path) -> dict[str, int]:
    """The store opens, lists its datasets, and each reads back with its recorded row count;
    no file is missing. Returns {dataset: rows}."""
    res = cli(home, "data", "sources", "--format", "json")
    assert res.exit_code == 0, res.output
    listed = {r["dataset"]: r["rows"] for r in json.loads(res.stdout)["rows"]}
    store = AnalyticStore(home)
    infos = store.datasets()
    assert {d.name: d.rows for d in infos} == listed
    for d in infos:
        assert d.file.exists(), d
        assert pq.read_metadata(d.file).num_rows == d.rows
        assert len(store.read(d.name)) == d.rows
    return listed


def assert_no_orphans(home: Path) -> None:
    live = {d.file.name for d in AnalyticStore(home).datasets()}
    assert stored_files(home) == live
    assert not list((home / "analytic").glob("catalog.duckdb.*.tmp*"))


def trade_rows(home: Path) -> list[tuple]:
    """The stored trade rows as sorted tuples (source, year, exporter, importer, hs6, value)."""
    f = AnalyticStore(home).read("trade")
    cols = ["source", "year", "exporter", "importer", "hs6", "value_usd"]
    return sorted(zip(*(f[c].astype(str) if c != "value_usd" else f[c] for c in cols), strict=True))


@pytest.fixture
def codes(tmp_path) -> Path:
    return put(tmp_path, "country_codes_V202401.csv", CODES)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A store with a small dataset of every kind (the starting point of the bad-input tests)."""
    d = tmp_path_factory.mktemp("seed-files")
    home = tmp_path_factory.mktemp("seed") / "home"
    cc = put(d, "country_codes_V202401.csv", CODES)
    shutil.copy(OECD_DOM / "JPN2020dom.csv", d / "JPN2020dom.csv")
    ok(home, "data", "import", "usgs-world", put(d, "MCS2025_World_Data.csv", USGS))
    ok(home, "data", "import", "wgi", put(d, "wgi.csv", WGI))
    ok(home, "data", "import", "oecd-iot", d / "JPN2020dom.csv")
    ok(home, "data", "import", "baci", put(d, BACI_2021_NAME, BACI_2021), "--country-codes", cc)
    ok(home, "data", "import", "baci", put(d, BACI_2022_NAME, BACI_2022), "--country-codes", cc)
    return home


@pytest.fixture
def store_home(seeded, tmp_path) -> Path:
    """A private copy of the seeded store."""
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    return home


# -- 1. good files -------------------------------------------------------------------------------


def _oecd_dir(d: Path) -> Path:
    for name in ("JPN2015dom.csv", "KOR2020dom.csv"):
        put(d / "iot", name, (OECD_DOM / name).read_bytes())
    put(d / "iot", "README.txt", "not a table: ignored")
    return d / "iot"


GOOD = {
    # kind, make(dir) -> path, dataset, rows, year, source text
    "usgs-world": (
        "usgs-world",
        lambda d: put(d, "MCS2025_World_Data.csv", USGS),
        "usgs_world_production",
        USGS_RECORDS,
        "2025 (data 2023, est. 2024)",
        "U.S. Geological Survey",
    ),
    "wgi": (
        "wgi",
        lambda d: put(d, "wgi.csv", WGI),
        "wgi",
        4,
        "2023 release (1996-2022)",
        "Worldwide Governance Indicators",
    ),
    "oecd-iot-file": (
        "oecd-iot",
        lambda d: put(d, "JPN2020dom.csv", (OECD_DOM / "JPN2020dom.csv").read_bytes()),
        "oecd_iot",
        IOT_ROWS,
        "2020",
        "OECD, National Input-Output Tables",
    ),
    "oecd-iot-directory": (
        "oecd-iot",
        _oecd_dir,
        "oecd_iot",
        2 * IOT_ROWS,
        "2015-2020",
        "OECD, National Input-Output Tables",
    ),
    "baci": (
        "baci",
        lambda d: put(d, BACI_2022_NAME, BACI_2022),
        "trade",
        len(BACI_2022_ROWS),
        "2022",
        "CEPII BACI HS17 version 202401",
    ),
    "comtrade-plus": (
        "comtrade",
        lambda d: put(d, "comtrade_plus.csv", COMTRADE_PLUS),
        "trade",
        COMTRADE_PLUS_KEPT,
        "2020",
        "United Nations Comtrade",
    ),
    "comtrade-legacy": (
        "comtrade",
        lambda d: put(d, "comtrade_legacy.csv", COMTRADE_LEGACY),
        "trade",
        COMTRADE_LEGACY_KEPT,
        "2019",
        "United Nations Comtrade",
    ),
}


@pytest.mark.parametrize("case", list(GOOD))
def test_good_file_imports_is_listed_and_reimport_replaces(case, home, tmp_path, codes):
    kind, make, dataset, rows, year, source = GOOD[case]
    path = make(tmp_path)
    extra = ["--country-codes", codes] if kind == "baci" else []
    res = ok(home, "data", "import", kind, path, *extra)
    assert f"Imported {kind}" in res.output
    src = sources(home)
    assert set(src) == {dataset}
    r = src[dataset]
    assert r["rows"] == rows and r["year"] == year and source in r["source"]
    assert r["unit"] and r["licence"] and r["url"] and r["synthetic"] is False
    first = trade_rows(home) if dataset == "trade" else None
    # the same file again: replaced, not duplicated; the old file is collected
    ok(home, "data", "import", kind, path, *extra)
    again = sources(home)
    assert again[dataset]["rows"] == rows and again[dataset]["year"] == year
    assert len(stored_files(home)) == 1
    if first is not None:
        assert trade_rows(home) == first
    assert assert_consistent(home) == {dataset: rows}


def test_trade_imports_merge_by_source_and_year(home, tmp_path, codes):
    cc = ["--country-codes", codes]
    ok(home, "data", "import", "baci", put(tmp_path, BACI_2022_NAME, BACI_2022), *cc)
    # the same source and year, revised: replaces the 7 rows by 5
    revised = put(tmp_path / "v2", BACI_2022_NAME, BACI_2022_REVISED)
    ok(home, "data", "import", "baci", revised, *cc)
    t = sources(home)["trade"]
    assert (t["rows"], t["year"]) == (5, "2022")
    values = {(e, i, h): v for _, _, e, i, h, v in trade_rows(home)}
    assert values[("CHN", "JPN", "850511")] == 950_000.0  # the revised value
    assert values[("AUS", "JPN", "811292")] == 20_000.0  # a row only the revision has
    assert ("KOR", "JPN", "811292") not in values  # a row only the first file had: gone
    # a second BACI year is kept beside the first
    ok(home, "data", "import", "baci", put(tmp_path, BACI_2021_NAME, BACI_2021), *cc)
    t = sources(home)["trade"]
    assert (t["rows"], t["year"]) == (8, "2021-2022")
    # Comtrade data (another source) beside the BACI data: both kept
    ok(home, "data", "import", "comtrade", put(tmp_path, "plus.csv", COMTRADE_PLUS))
    ok(home, "data", "import", "comtrade", put(tmp_path, "legacy.csv", COMTRADE_LEGACY))
    t = sources(home)["trade"]
    assert t["rows"] == 8 + COMTRADE_PLUS_KEPT + COMTRADE_LEGACY_KEPT
    assert t["year"] == "2019-2022"
    assert "CEPII BACI" in t["source"] and "United Nations Comtrade" in t["source"]
    assert "Etalab" in t["licence"] and "UN Comtrade" in t["licence"]
    # re-importing the Comtrade+ year replaces it; the others stay
    ok(home, "data", "import", "comtrade", put(tmp_path, "plus.csv", COMTRADE_PLUS))
    assert sources(home)["trade"]["rows"] == 8 + COMTRADE_PLUS_KEPT + COMTRADE_LEGACY_KEPT
    per = {}
    for src, year, *_ in trade_rows(home):
        per[(src, year)] = per.get((src, year), 0) + 1
    assert per == {
        ("BACI HS17 V202401", "2021"): 3,
        ("BACI HS17 V202401", "2022"): 5,
        ("UN Comtrade H6", "2020"): COMTRADE_PLUS_KEPT,
        ("UN Comtrade H4", "2019"): COMTRADE_LEGACY_KEPT,
    }
    # the source is listed once, however many times it was imported
    assert t["source"].count("CEPII BACI") == 1
    assert len(stored_files(home)) == 1
    assert_consistent(home)


def test_oecd_file_beside_a_directory_replaces_only_its_table(home, tmp_path):
    ok(home, "data", "import", "oecd-iot", _oecd_dir(tmp_path))
    jpn = put(tmp_path, "JPN2020dom.csv", (OECD_DOM / "JPN2020dom.csv").read_bytes())
    for _ in range(2):
        ok(home, "data", "import", "oecd-iot", jpn)
        r = sources(home)["oecd_iot"]
        assert (r["rows"], r["year"]) == (3 * IOT_ROWS, "2015, 2020")
    res = ok(home, "io", "import-content", "--country", "KOR", "--year", "2020", "-f", "json")
    assert len(json.loads(res.stdout)["rows"]) == 45


# -- 2. bad input --------------------------------------------------------------------------------

BINARY = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb2\xa3\x8c\xff" * 64  # an .xlsx


@dataclass(frozen=True)
class Bad:
    kind: str
    name: str  # file (or directory) name the message must show
    content: str | bytes | Callable[[Path], Path] | None  # None: the path does not exist
    row: int | None
    field: str | None
    needle: str
    extra: tuple[str, ...] = ()  # extra CLI arguments; "{codes}" is the good codes file


def baci(*rows: str, header: str = BACI_HEADER) -> str:
    return header + "".join(r + "\n" for r in rows)


OK = "2022,156,392,850511,900,10"


def bad_baci(
    content, row, field, needle, name=BACI_2022_NAME, extra=("--country-codes", "{codes}")
):
    return Bad("baci", name, content, row, field, needle, extra)


def bad_codes(content, row, field, needle, name="country_codes_V202499.csv"):
    """A bad country-code file beside a good BACI file: the message names the codes file."""

    def make(d: Path) -> Path:
        c = d / name
        if isinstance(content, str | bytes):
            put(d, name, content)
        elif callable(content):
            content(c)
        return c

    return Bad("baci", name, make, row, field, needle, ("codes-as-file",))


def plus_file(*rows: str, header: str = COMTRADE_PLUS_HEADER) -> str:
    return header + plus(par="36,AUS") + "".join(rows)


def usgs(*rows: str, header: str = USGS_HEADER) -> str:
    return header + USGS_ROWS[0] + "\n" + "".join(r + "\n" for r in rows)


U = "MCS2025,Gallium,Japan,Primary production,kilograms"


def wgi(*rows: str, header: str = WGI_HEADER) -> str:
    return header + "Japan,JPN,2022,1.31\n" + "".join(r + "\n" for r in rows)


def iot(edit: Callable[[list[list[str]]], None], name: str = "JPN2020dom.csv"):
    """The bundled JPN 2020 table with ``edit`` applied to its rows (header = rows[0])."""

    def make(d: Path) -> Path:
        with open(OECD_DOM / "JPN2020dom.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        edit(rows)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return put(d, name, buf.getvalue())

    return make


def cell(label: str, col: str, value: str):
    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index(col)
        next(r for r in rows if r[0] == label)[j] = value

    return edit


def drop_col(col: str):
    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index(col)
        for r in rows:
            del r[j]

    return edit


def relabel(old: str, new: str):
    def edit(rows: list[list[str]]) -> None:
        next(r for r in rows if r[0] == old)[0] = new

    return edit


def repeat_row(label: str):
    def edit(rows: list[list[str]]) -> None:
        rows.append(list(next(r for r in rows if r[0] == label)))

    return edit


def iot_dir_with(bad_edit, bad_name: str):
    """A directory of two tables, one of them bad: the message names the bad file."""

    def make(d: Path) -> Path:
        put(d / "tables", "JPN2015dom.csv", (OECD_DOM / "JPN2015dom.csv").read_bytes())
        iot(bad_edit, bad_name)(d / "tables")
        return d / "tables"

    return make


def a_directory(d: Path) -> Path:
    (d / "folder.csv").mkdir()
    return d / "folder.csv"


UTF16 = "t,i,j,k,v,q\n2022,156,392,850511,1,1\n".encode("utf-16")
ROW_C20 = 12  # line of DOM_C20 in JPN2020dom.csv (header = 1)

BAD = [
    # -- BACI ----------------------------------------------------------------------------------
    bad_baci(baci(OK, header="t,i,j,k,q\n").replace(",900,", ","), 1, "v", "missing column"),
    bad_baci(baci(OK, "2022,842,392,850511,abc,1"), 3, "v", "not a number: 'abc'"),
    bad_baci(baci(OK, "2022,8x2,392,850511,1,1"), 3, "i", "not an integer: '8x2'"),
    bad_baci(baci(OK, "2022,842,392,850511,1e400,1"), 3, "v", "number out of range"),
    bad_baci(baci(OK, "2022,842,392,850511,-5,1"), 3, "v", "negative value: -5"),
    bad_baci(baci(OK, "2022,842,392,850511,5,-1"), 3, "q", "negative value: -1"),
    bad_baci(baci(OK, "2022,842,392,850511,NaN,1"), 3, "v", "missing value"),
    bad_baci(baci(OK, "2022,842,392,850511,,1"), 3, "v", "missing value"),
    bad_baci(baci(OK, "2022,999,392,850511,1,1"), 3, "i", "unknown country code 999"),
    bad_baci(baci(OK, "2022,842,1000000000000,850511,1,1"), 3, "j", "unknown country code"),
    bad_baci(baci(OK, "2022,842,392,85A511,1,1"), 3, "k", "malformed HS6 code: '85A511'"),
    bad_baci(baci(OK, "2022,842,392,8505,1,1"), 3, "k", "malformed HS6"),
    bad_baci(baci(OK, "2022,842,392,8505111,1,1"), 3, "k", "malformed HS6"),
    bad_baci(baci(OK, OK), 3, "t,i,j,k", "first seen at row 2"),
    bad_baci(baci(OK, "2021,842,392,850511,1,1"), 3, "t", "differs from the file name"),
    bad_baci(baci(OK, "2022,842,392,850511,1"), 3, None, "expected 6 fields, found 5"),
    bad_baci("t,i,j,k,v,q,T\n" + OK + ",2022\n", 1, "T", "column appears twice"),
    bad_baci(baci(OK, "2022,842,392,850511,[/x],1"), 3, "v", "not a number: '[/x]'"),
    bad_baci("", 1, None, "empty file"),
    bad_baci(BACI_HEADER, 2, None, "no data rows"),
    bad_baci(BINARY, None, None, "not a CSV text file"),
    bad_baci(UTF16, 1, None, "UTF-16"),
    bad_baci(None, None, None, "file not found"),
    bad_baci(a_directory, None, None, "expected a file, got a directory", name="folder.csv"),
    bad_baci(baci(OK), None, None, "needs its country-code file", extra=()),
    bad_codes(None, None, None, "file not found"),
    bad_codes(lambda p: p.mkdir(), None, None, "expected a file, got a directory"),
    bad_codes(CODES + "999,Bad,,TOOLONG\n", 8, "country_iso3", "not an ISO3 code"),
    bad_codes(CODES + "156,Again,CN,CHN\n", 8, "country_code", "duplicate country code"),
    bad_codes(CODES + "-4,Minus,XX,XXX\n", 8, "country_code", "outside 0..99999"),
    bad_codes(CODES.replace("country_iso3", "iso3"), 1, "iso3", "missing column"),
    bad_codes(BINARY, None, None, "not a CSV text file"),
    # -- Comtrade (Comtrade+ and legacy layouts) ------------------------------------------------
    Bad("comtrade", "c.csv", plus_file(plus(value="abc")), 3, "primaryValue", "not a number"),
    Bad("comtrade", "c.csv", plus_file(plus(value="-1")), 3, "primaryValue", "negative value"),
    Bad("comtrade", "c.csv", plus_file(plus(netwgt="-3")), 3, "netWgt", "negative value"),
    Bad("comtrade", "c.csv", plus_file(plus(value="")), 3, "primaryValue", "missing value"),
    Bad("comtrade", "c.csv", plus_file(plus(value="NaN")), 3, "primaryValue", "missing value"),
    Bad("comtrade", "c.csv", plus_file(plus(par="998,QQQ")), 3, "partnerISO", "unknown partner"),
    Bad("comtrade", "c.csv", plus_file(plus(rep="-1,JPN")), 3, "reporterCode", "negative"),
    Bad("comtrade", "c.csv", plus_file(plus(cmd="28A530")), 3, "cmdCode", "malformed HS"),
    Bad("comtrade", "c.csv", plus_file(plus(cmd="0053")), 3, "cmdCode", "malformed HS"),
    Bad(
        "comtrade",
        "c.csv",
        plus_file(plus(par="36,AUS")),
        3,
        "refYear,reporterISO,partnerISO,cmdCode",
        "duplicate",
    ),
    Bad("comtrade", "c.csv", plus_file(plus(freq="M")), 3, "freqCode", "only annual data"),
    Bad(
        "comtrade",
        "c.csv",
        plus_file(header=COMTRADE_PLUS_HEADER.replace("primaryValue", "pv")),
        1,
        "value",
        "missing column",
    ),
    Bad(
        "comtrade", "c.csv", COMTRADE_PLUS_HEADER + plus(flow="X"), None, None, "nothing to import"
    ),
    Bad(
        "comtrade",
        "legacy.csv",
        COMTRADE_LEGACY.replace(",100,0\n", ",1x0,0\n"),
        5,
        "Trade Value (US$)",
        "not a number: '1x0'",
    ),
    Bad(
        "comtrade",
        "legacy.csv",
        COMTRADE_LEGACY.replace("842,USA,USA", "842,USA,XYZ"),
        5,
        "Partner ISO",
        "unknown partner",
    ),
    Bad(
        "comtrade",
        "legacy.csv",
        COMTRADE_LEGACY + COMTRADE_LEGACY.splitlines(True)[1],
        6,
        "Year,Reporter ISO,Partner ISO,Commodity Code",
        "duplicate",
    ),
    Bad(
        "comtrade",
        "legacy.csv",
        COMTRADE_LEGACY.replace("Trade Value (US$)", "Value"),
        1,
        "value",
        "missing column",
    ),
    Bad("comtrade", "c.csv", "", 1, None, "empty file"),
    Bad("comtrade", "c.csv", BINARY, None, None, "not a CSV text file"),
    Bad("comtrade", "c.csv", COMTRADE_PLUS.encode("utf-16"), 1, None, "UTF-16"),
    Bad("comtrade", "c.csv", None, None, None, "file not found"),
    Bad("comtrade", "folder.csv", a_directory, None, None, "got a directory"),
    # -- USGS MCS world data -------------------------------------------------------------------
    Bad(
        "usgs-world",
        "u.csv",
        usgs(header=USGS_HEADER.replace(",RESERVE_NOTES", "")).replace(",,,,,,\n", ",,,,,\n"),
        1,
        "RESERVE_NOTES",
        "missing required column",
    ),
    Bad("usgs-world", "u.csv", usgs(f"{U},12x,3000,,,,,,"), 3, "PROD_2023", "cannot read '12x'"),
    Bad("usgs-world", "u.csv", usgs(f"{U},-3000,3000,,,,,,"), 3, "PROD_2023", "negative value"),
    Bad("usgs-world", "u.csv", usgs(f"{U},3000,nan,,,,,,"), 3, "PROD_EST_ 2024", "cannot read"),
    Bad(
        "usgs-world",
        "u.csv",
        usgs(f"{U},3000,{'9' * 400},,,,,,"),
        3,
        "PROD_EST_ 2024",
        "out of range",
    ),
    Bad(
        "usgs-world",
        "u.csv",
        usgs(U.replace("Japan", "") + ",1,1,,,,,,"),
        3,
        "COUNTRY",
        "empty country name",
    ),
    Bad(
        "usgs-world",
        "u.csv",
        usgs(U.replace("Japan", "Atlantis") + ",1,1,,,,,,"),
        3,
        "COUNTRY",
        "unknown country name 'Atlantis'",
    ),
    Bad("usgs-world", "u.csv", usgs(USGS_ROWS[0]), 3, "COUNTRY", "duplicate row"),
    Bad("usgs-world", "u.csv", usgs(f"{U},3000,3000"), 3, None, "expected 13 fields, found 7"),
    Bad(
        "usgs-world",
        "u.csv",
        usgs(U.replace("Primary production", "") + ",1,1,,,,,,"),
        3,
        "TYPE",
        "empty TYPE",
    ),
    Bad("usgs-world", "u.csv", "", 1, None, "empty file"),
    Bad("usgs-world", "u.csv", USGS_HEADER, 2, None, "no data rows"),
    Bad("usgs-world", "u.csv", BINARY, None, None, "not a CSV text file"),
    Bad("usgs-world", "u.csv", USGS.encode("utf-16"), 1, None, "UTF-16"),
    Bad(
        "usgs-world",
        "u.csv",
        usgs(U.replace("Japan", "Côte d'Ivoire") + ",1,1,,,,,,").encode("latin-1"),
        3,
        None,
        "not UTF-8 text (byte 0xf4)",
    ),
    Bad("usgs-world", "u.csv", None, None, None, "file not found"),
    Bad("usgs-world", "folder.csv", a_directory, None, None, "got a directory"),
    # -- WGI ---------------------------------------------------------------------------------
    Bad("wgi", "w.csv", "country,iso3c,year\nJapan,JPN,2022\n", 1, "score_wgi_scale", "missing"),
    Bad("wgi", "w.csv", wgi("Chile,CHL,2022,high"), 3, "score_wgi_scale", "'high' is not a num"),
    Bad("wgi", "w.csv", wgi("Chile,CHL,2022,NaN"), 3, "score_wgi_scale", "is not a number"),
    Bad("wgi", "w.csv", wgi("Chile,CHL,2022,"), 3, "score_wgi_scale", "'' is not a number"),
    Bad("wgi", "w.csv", wgi("Chile,CHL,2022,50"), 3, "score_wgi_scale", "outside the WGI"),
    Bad("wgi", "w.csv", wgi("Chile,CHL,20x2,0.9"), 3, "year", "not a whole number"),
    Bad("wgi", "w.csv", wgi("Atlantis,ATL,2022,0.1"), 3, "iso3c", "unknown ISO3 country code"),
    Bad("wgi", "w.csv", wgi("Japan,JPN,2022,1.2"), 3, "iso3c", "first at row 2"),
    Bad("wgi", "w.csv", wgi("Chile,CHL,2022,0.9,7"), 3, None, "expected 4 fields, found 5"),
    Bad("wgi", "w.csv", "", 1, None, "empty file"),
    Bad("wgi", "w.csv", WGI_HEADER, 2, None, "no data rows"),
    Bad("wgi", "w.csv", BINARY, None, None, "not a CSV text file"),
    Bad("wgi", "w.csv", WGI.encode("utf-16"), 1, None, "UTF-16"),
    Bad("wgi", "w.csv", None, None, None, "file not found"),
    Bad("wgi", "folder.csv", a_directory, None, None, "got a directory"),
    # -- OECD input-output tables (a file, or a directory of them) -----------------------------
    Bad("oecd-iot", "JPN2020dom.csv", iot(drop_col("NPISH")), 1, "NPISH", "is missing"),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(cell("DOM_C20", "C29", "abc")),
        ROW_C20,
        "C29",
        "not a number: 'abc'",
    ),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(cell("DOM_C20", "C29", "-5")),
        ROW_C20,
        "C29",
        "must not be negative",
    ),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(cell("DOM_C20", "C29", "")),
        ROW_C20,
        "C29",
        "not a number: ''",
    ),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(cell("DOM_C20", "C29", "NaN")),
        ROW_C20,
        "C29",
        "not a number: 'NaN'",
    ),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(cell("DOM_C20", "C29", "12345678")),
        94,
        "C29",
        "does not add up",
    ),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(relabel("DOM_C20", "DOM_C99")),
        ROW_C20,
        "(row label)",
        "unknown row",
    ),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        iot(repeat_row("DOM_C20")),
        97,
        "(row label)",
        "appears twice (first on row 12)",
    ),
    Bad(
        "oecd-iot",
        "XYZ2020dom.csv",
        iot(lambda rows: None, "XYZ2020dom.csv"),
        None,
        "file name",
        "unknown country code 'XYZ'",
    ),
    Bad(
        "oecd-iot",
        "table.csv",
        iot(lambda rows: None, "table.csv"),
        None,
        "file name",
        "CCCYYYYdom.csv",
    ),
    Bad(
        "oecd-iot",
        "KOR2020dom.csv",
        iot_dir_with(cell("IMP_C26", "C26", "x"), "KOR2020dom.csv"),
        ROW_C20 + 45 + 6,  # IMP_C26: 45 DOM_ rows, then IMP_A01_02 ... IMP_C26
        "C26",
        "not a number: 'x'",
    ),
    Bad("oecd-iot", "JPN2020dom.csv", "", 1, None, "empty"),
    Bad("oecd-iot", "JPN2020dom.csv", BINARY, None, None, "not a CSV text file"),
    Bad("oecd-iot", "JPN2020dom.csv", "a,b\n".encode("utf-16"), 1, None, "UTF-16"),
    Bad(
        "oecd-iot",
        "JPN2020dom.csv",
        lambda d: put(
            d,
            "JPN2020dom.csv",
            (OECD_DOM / "JPN2020dom.csv")
            .read_text(encoding="utf-8")
            .replace('"DOM_C20"', '"DOM_C20\xe9"')
            .encode("latin-1"),
        ),
        ROW_C20,
        None,
        "not UTF-8 text (byte 0xe9)",
    ),
    Bad("oecd-iot", "JPN2020dom.csv", None, None, None, "file not found"),
    Bad(
        "oecd-iot",
        "empty",
        lambda d: (d / "empty").mkdir() or d / "empty",
        None,
        None,
        "no CCCYYYYdom.csv files found",
    ),
]


def _bad_id(b: Bad) -> str:
    return f"{b.kind}-{re.sub(r'[^a-z0-9]+', '-', b.needle.lower()).strip('-')[:32]}"


def _make_bad(b: Bad, d: Path, codes: Path) -> list[str]:
    """Write the case's file(s) under ``d``; the ``fukugan`` arguments that import it."""
    if b.content is None:
        path = d / "missing" / b.name
    elif callable(b.content):
        path = b.content(d)
    else:
        path = put(d, b.name, b.content)
    if b.extra == ("codes-as-file",):  # a bad codes file beside a good BACI file
        trade = put(d, BACI_2022_NAME, BACI_2022)
        return ["data", "import", "baci", str(trade), "--country-codes", str(path)]
    extra = [str(codes) if a == "{codes}" else a for a in b.extra]
    return ["data", "import", b.kind, str(path), *extra]


@pytest.mark.parametrize("bad", BAD, ids=[_bad_id(b) for b in BAD])
def test_bad_input_exits_2_names_file_row_field_and_changes_nothing(
    bad, store_home, tmp_path, checksum
):
    d = tmp_path / "in"
    d.mkdir()
    codes = put(d, "country_codes_V202401.csv", CODES)
    args = _make_bad(bad, d, codes)
    before = checksum(store_home)
    res = cli(store_home, *args)
    assert res.exit_code == 2, res.output
    no_traceback(res)
    msg = res.output.strip()
    assert msg.startswith("error: ") and len(msg.splitlines()) == 1, msg
    assert bad.needle in msg
    assert bad.name in msg  # the file (or directory) at fault
    if bad.row is not None:
        assert re.search(rf": row {bad.row}\b", msg), msg
    if bad.field is not None:
        assert f"field {bad.field!r}" in msg, msg
    assert checksum(store_home) == before


def test_bad_input_into_an_empty_store_creates_nothing(home, tmp_path, codes):
    bad = put(tmp_path, BACI_2022_NAME, baci(OK, "2022,842,392,850511,-5,1"))
    res = cli(home, "data", "import", "baci", bad, "--country-codes", codes)
    assert res.exit_code == 2 and "row 3" in res.output
    assert not home.exists()
    res = cli(home, "data", "import", "nonsense", bad)
    assert res.exit_code == 2 and "unknown kind 'nonsense'" in res.output
    no_traceback(res)
    assert not home.exists()


@pytest.mark.parametrize(
    ("kind", "name", "content", "where"),
    [
        ("baci", BACI_2022_NAME, BINARY, "not a CSV text file"),
        ("usgs-world", "u.csv", usgs(f"{U},-3000,3000,,,,,,"), "row 3, field 'PROD_2023'"),
        ("wgi", "w.csv", wgi("Atlantis,ATL,2022,0.1"), "row 3, field 'iso3c'"),
    ],
    ids=["baci-binary", "usgs-negative", "wgi-unknown-country"],
)
def test_installed_command_prints_one_line_on_stderr(
    store_home, tmp_path, codes, checksum, kind, name, content, where
):
    path = put(tmp_path, name, content)
    extra = ["--country-codes", str(codes)] if kind == "baci" else []
    before = checksum(store_home)
    p = subprocess.run(
        [str(EXE), "data", "import", kind, str(path), *extra],
        env={"FUKUGAN_HOME": str(store_home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2, p.stderr
    assert p.stdout == ""
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert f"error: {path}: " in p.stderr and where in p.stderr
    assert checksum(store_home) == before


# -- 3. kill -9 ------------------------------------------------------------------------------------


def _big_baci(d: Path, n: int) -> tuple[Path, Path]:
    """A synthetic BACI year of ``n`` distinct rows (and its country-code file), numpy-made."""
    m = 200
    codes = np.arange(1000, 1000 + m)
    iso = [f"{'XYZ'[k // 100]}{k % 100:02d}" for k in range(m)]
    cc = d / "country_codes_V999999.csv"
    cc.write_text(
        "country_code,country_name,country_iso2,country_iso3\n"
        + "".join(f"{c},Synthetic {s},XX,{s}\n" for c, s in zip(codes, iso, strict=True))
    )
    idx = np.arange(n)
    rng = np.random.default_rng(7)
    table = pa.table(
        {
            "t": np.full(n, 2022),
            "i": codes[idx % m],
            "j": codes[(idx // m) % m],
            "k": 100100 + idx // (m * m),
            "v": np.round(rng.random(n) * 1000, 3),
            "q": np.round(rng.random(n) * 10, 3),
        }
    )
    path = d / "BACI_HS17_Y2022_V999999.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return path, cc


def test_kill_9_during_a_big_import_leaves_a_consistent_store(tmp_path, codes):
    home = tmp_path / "home"
    parquet = home / "analytic" / "parquet"
    ok(home, "data", "import", "wgi", put(tmp_path, "wgi.csv", WGI))
    ok(
        home,
        "data",
        "import",
        "baci",
        put(tmp_path, BACI_2021_NAME, BACI_2021),
        "--country-codes",
        codes,
    )
    old = trade_rows(home)
    n = 2_500_000
    big, big_codes = _big_baci(tmp_path, n)
    env = {"FUKUGAN_HOME": str(home), "PATH": "/usr/bin:/bin"}
    cmd = [str(EXE), "data", "import", "baci", str(big), "--country-codes", str(big_codes)]

    outcomes = []
    # kill as soon as the new Parquet file is being written; as soon as it has been renamed into
    # place (before or during the catalog commit); and after a fixed delay
    for trigger in ("writing", "renamed", 0.6):
        before = {p.name for p in parquet.glob("*.parquet*")}  # with the orphans of earlier kills
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.monotonic()
        phase = "finished"
        while proc.poll() is None:
            writing = {p.name for p in parquet.glob("*.parquet.tmp")} - before
            renamed = {p.name for p in parquet.glob("*.parquet")} - before
            elapsed = time.monotonic() - t0
            if (
                (trigger == "writing" and writing)
                or (trigger == "renamed" and renamed)
                or (isinstance(trigger, float) and elapsed >= trigger)
            ):
                proc.send_signal(signal.SIGKILL)
                phase = "writing" if writing else "renamed" if renamed else "reading"
                break
            assert elapsed < 60, "the import did not finish"
            time.sleep(0.002)
        proc.wait(timeout=60)
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert "Traceback" not in err, err
        outcomes.append((trigger, phase, proc.returncode))

        listed = assert_consistent(home)
        assert listed["wgi"] == 4
        rows = listed["trade"]
        # the trade dataset is the old one or the complete new one, never anything between
        assert rows in (len(old), len(old) + n), outcomes
        if phase == "writing":
            assert proc.returncode == -signal.SIGKILL and rows == len(old)
        if rows == len(old):
            assert trade_rows(home) == old
        else:
            f = AnalyticStore(home).read("trade", columns=["year"])
            assert (f["year"] == 2022).sum() == n
    assert any(p == "writing" and rc == -signal.SIGKILL for _, p, rc in outcomes), outcomes

    # the next import succeeds, and leaves no file of the killed imports behind
    ok(home, "data", "import", "wgi", put(tmp_path, "wgi.csv", WGI))
    assert_consistent(home)
    assert_no_orphans(home)


def _crash_at(step: int, home: Path, args: list[str]) -> int:
    """Run ``fukugan ARGS`` in a forked child that SIGKILLs itself just before its ``step``-th
    write operation (Parquet write, fsync, rename, unlink, read-write DuckDB connect and every
    statement on it). Returns the child's wait status."""
    pid = os.fork()
    if pid:
        deadline = time.monotonic() + 60
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"the import forked to crash at step {step} hung")
            time.sleep(0.005)
    try:  # the child: never returns
        import duckdb

        count = itertools.count(1)

        def tick() -> None:
            if next(count) == step:
                os.kill(os.getpid(), signal.SIGKILL)

        def before(fn):
            def wrapped(*a, **kw):
                tick()
                return fn(*a, **kw)

            return wrapped

        class Con:  # a read-write catalog connection: every statement is a step
            def __init__(self, con):
                self._con = con

            def execute(self, *a, **kw):
                tick()
                return self._con.execute(*a, **kw)

            def __getattr__(self, name):
                return getattr(self._con, name)

        connect = duckdb.connect

        def connect_(database=":memory:", read_only=False, **kw):
            if read_only or database == ":memory:":
                return connect(database, read_only=read_only, **kw)
            tick()
            return Con(connect(database, read_only=read_only, **kw))

        duckdb.connect = connect_
        pq.write_table = before(pq.write_table)
        os.fsync = before(os.fsync)
        os.replace = before(os.replace)
        pathlib.Path.unlink = before(pathlib.Path.unlink)
        os.environ["FUKUGAN_HOME"] = str(home)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        try:
            app(args, standalone_mode=False)
        except SystemExit as exc:
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        os._exit(0)
    except BaseException:
        os._exit(3)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("start", ["empty", "seeded"])
def test_crash_at_every_step_of_an_import_leaves_old_or_new(start, seeded, tmp_path, codes):
    """Deterministic kill -9 at each operation of an import: the store always holds the old
    data or the new, and the next import repairs any leftover."""
    new_file = put(tmp_path, BACI_2022_NAME, BACI_2022_REVISED)
    args = ["data", "import", "baci", str(new_file), "--country-codes", str(codes)]
    template = tmp_path / "template"
    if start == "seeded":
        shutil.copytree(seeded, template)
    # the old and the new trade rows, from an import that runs to the end
    reference = tmp_path / "reference"
    if template.exists():
        shutil.copytree(template, reference)
    old = trade_rows(reference) if start == "seeded" else None
    ok(reference, *args)
    new = trade_rows(reference)

    killed = 0
    for step in itertools.count(1):
        home = tmp_path / f"crash-{step}"
        if template.exists():
            shutil.copytree(template, home)
        status = _crash_at(step, home, args)
        if os.WIFEXITED(status):
            assert os.WEXITSTATUS(status) == 0
            break  # ran to the end: every step has been tried
        assert os.WTERMSIG(status) == signal.SIGKILL
        killed += 1
        listed = assert_consistent(home)
        state = trade_rows(home) if "trade" in listed else None
        assert state in (old, new), f"step {step}: a mixture of old and new trade rows"
        # a following import succeeds and collects what the killed one left behind
        ok(home, *args)
        assert trade_rows(home) == new
        assert_no_orphans(home)
        shutil.rmtree(home)
        assert step < 200
    assert killed >= 8  # parquet write, fsync, rename, catalog connect, commit, GC, ...


def test_a_reader_and_a_writer_wait_for_a_busy_store(store_home, tmp_path):
    """Another process's catalog commit or write in progress: readers and writers wait for it
    instead of failing (DuckDB's file lock; the store's write lock)."""
    import duckdb

    store = AnalyticStore(store_home)
    env = {"FUKUGAN_HOME": str(store_home), "PATH": "/usr/bin:/bin"}
    wgi_file = put(tmp_path, "wgi.csv", WGI.replace("1.31", "1.5"))
    with store._write_lock():
        con = duckdb.connect(str(store.catalog_path))  # as a writer in the middle of a commit
        try:
            reader = subprocess.Popen(
                [str(EXE), "data", "sources", "-f", "json"], env=env, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            writer = subprocess.Popen(
                [str(EXE), "data", "import", "wgi", str(wgi_file)], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            time.sleep(2.0)
            assert reader.poll() is None and writer.poll() is None  # both waiting
        finally:
            con.close()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert {r["dataset"] for r in json.loads(out)["rows"]} >= {"wgi", "trade"}
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert sources(store_home)["wgi"]["rows"] == 4
    assert AnalyticStore(store_home).read("wgi")["wgi"].max() == 1.5
    assert_consistent(store_home)
    assert_no_orphans(store_home)


# -- 4. property: mutated BACI files -------------------------------------------------------------

JUNK = [
    "",
    " ",
    "NA",
    "abc",
    "-1",
    "1e400",
    "0x1F",
    "1,5",
    "[/x]",
    '"',
    "\t",
    "é",
    "9" * 25,
    "2021",
    "010121",
    "\x00",
    "\ufeff",
    " 392 ",
    "nan",
    "inf",
    "\r",
]

mutation = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 5)),
    st.tuples(
        st.just("junk"),
        st.integers(0, len(BACI_2022_ROWS)),  # 0 = the header
        st.integers(0, 5),
        st.one_of(st.sampled_from(JUNK), st.text(max_size=6)),
    ),
    st.tuples(st.just("dup"), st.integers(1, len(BACI_2022_ROWS))),
)


def _mutate(ops) -> str:
    rows = [BACI_HEADER.strip().split(",")] + [r.split(",") for r in BACI_2022_ROWS]
    for op in ops:
        if op[0] == "drop":
            for r in rows:
                if op[1] < len(r):
                    del r[op[1]]
        elif op[0] == "junk":
            r = rows[op[1]]
            if r:
                r[op[2] % len(r)] = op[3]
        else:
            rows.append(list(rows[op[1]]))
    return "".join(",".join(r) + "\n" for r in rows)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(mutation, min_size=1, max_size=3))
@example(ops=[("junk", 0, 0, "\r")])  # a lone CR in the header once gave a csv.Error traceback
@example(ops=[("junk", 2, 4, "[/x]")])  # Rich markup in the message once gave a MarkupError
def test_mutated_baci_file_imports_fully_or_changes_nothing(seeded, tmp_path, checksum, ops):
    d = tmp_path / uuid.uuid4().hex
    home = d / "home"
    shutil.copytree(seeded, home)
    codes = put(d, "country_codes_V202401.csv", CODES)
    path = put(d, BACI_2022_NAME, _mutate(ops))
    before = checksum(home)
    seeded_rows = trade_rows(home)
    res = cli(home, "data", "import", "baci", path, "--country-codes", codes)
    no_traceback(res)
    assert res.exit_code in (0, 2), res.output
    if res.exit_code == 2:
        assert path.name in res.output and res.output.startswith("error: ")
        assert checksum(home) == before
    else:  # imported fully: the year's rows are exactly the file's, the other year is kept
        from fukugan.data.baci import read_baci

        frame, _ = read_baci(path, codes)
        rows = trade_rows(home)
        assert [r for r in rows if r[1] == "2021"] == [r for r in seeded_rows if r[1] == "2021"]
        got = [r for r in rows if r[1] == "2022"]
        assert len(got) == len(frame) and sum(r[5] for r in got) == pytest.approx(
            frame["value_usd"].sum()
        )
        assert_consistent(home)
        assert_no_orphans(home)
    shutil.rmtree(d)
