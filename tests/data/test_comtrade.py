from __future__ import annotations

import numpy as np
import pytest

from fukugan.data.baci import TRADE_COLUMNS
from fukugan.data.comtrade import read_comtrade
from fukugan.errors import InputError

PLUS_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,motCode,qtyUnitAbbr,qty,"
    "netWgt,primaryValue\n"
)


def plus(
    rep=("392", "JPN"),
    flow="M",
    par=("156", "CHN"),
    cmd="280530",
    value="5000",
    netwgt="1000",
    p2="0",
    customs="C00",
    mot="0",
    freq="A",
    year="2022",
):
    return (
        f"C,{freq},{year}0101,{year},52,{year},{rep[0]},{rep[1]},x,{flow},x,{par[0]},{par[1]},x,"
        f"{p2},W00,World,H6,{cmd},x,{len(cmd)},True,{customs},{mot},kg,{netwgt},{netwgt},{value}\n"
    )


def write(tmp_path, text, name="comtrade.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_comtrade_plus_layout(tmp_path):
    rows = [
        plus(),  # kept
        plus(par=("0", "W00"), value="9000"),  # World total: dropped
        plus(cmd="2805", value="7000"),  # HS4 aggregate: dropped, not added
        plus(cmd="TOTAL", value="99999"),  # TOTAL: dropped
        plus(flow="X"),  # export: dropped
        plus(flow="RM", cmd="280540"),  # re-import: dropped
        plus(par=("899", "_X"), value="5"),  # Areas nes: dropped
        plus(par=("490", "S19"), cmd="10121", value="700", netwgt=""),  # TWN, leading zero
        plus(p2="156", value="1"),  # partner2 breakdown: dropped
        plus(customs="C01", value="1"),  # customs breakdown: dropped
        plus(mot="1000", value="1"),  # transport breakdown: dropped
        plus(par=("392", "JPN"), value="3"),  # from itself: dropped
        plus(rep=("842", "USA"), par=("36", "AUS"), value="12.5", netwgt="2500"),
    ]
    frame, prov = read_comtrade(write(tmp_path, PLUS_HEADER + "".join(rows)))
    assert list(frame.columns) == list(TRADE_COLUMNS)
    got = sorted(
        zip(
            frame["importer"].astype(str),
            frame["exporter"].astype(str),
            frame["hs6"].astype(str),
            frame["value_usd"],
            strict=True,
        )
    )
    assert got == [
        ("JPN", "CHN", "280530", 5000.0),
        ("JPN", "TWN", "010121", 700.0),
        ("USA", "AUS", "280530", 12.5),
    ]
    q = dict(zip(frame["exporter"].astype(str), frame["quantity_t"], strict=True))
    assert q["CHN"] == 1.0 and q["AUS"] == 2.5 and np.isnan(q["TWN"])
    assert frame["year"].dtype == np.int16 and set(frame["year"]) == {2022}
    assert frame["source"].iloc[0] == "UN Comtrade H6"
    assert "aggregate import rows dropped" in prov.notes and "TWN" in prov.notes


LEGACY_HEADER = (
    "Classification,Year,Period,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,"
    "Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,"
    "Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag\n"
)


def test_legacy_layout(tmp_path):
    rows = (
        "H4,2016,2016,6,1,1,Import,392,Japan,JPN,156,China,CHN,280530,x,8,kg,10,2000,800,0\n"
        "H4,2016,2016,6,1,1,Import,392,Japan,JPN,0,World,WLD,280530,x,8,kg,10,2000,900,0\n"
        "H4,2016,2016,6,1,2,Export,392,Japan,JPN,156,China,CHN,280530,x,8,kg,10,2000,50,0\n"
        "H4,2016,2016,2,0,1,Import,392,Japan,JPN,156,China,CHN,28,x,8,kg,10,2000,5000,0\n"
        "H4,2016,2016,6,1,1,Import,392,Japan,JPN,842,USA,USA,10121,x,8,kg,,,100,0\n"
    )
    frame, prov = read_comtrade(write(tmp_path, LEGACY_HEADER + rows))
    assert frame["exporter"].astype(str).tolist() == ["CHN", "USA"]
    assert frame["hs6"].astype(str).tolist() == ["280530", "010121"]
    np.testing.assert_allclose(frame["value_usd"], [800.0, 100.0])
    np.testing.assert_allclose(frame["quantity_t"], [2.0, np.nan])
    assert prov.year == "2016"


@pytest.mark.parametrize(
    ("row", "field", "text"),
    [
        (plus(rep=("999", "XYZ")), "reporterISO", "unknown reporter"),
        (plus(par=("998", "QQQ")), "partnerISO", "unknown partner"),
        (plus(value="-1"), "primaryValue", "negative"),
        (plus(value="abc"), "primaryValue", "not a number"),
        (plus(value=""), "primaryValue", "missing"),
        (plus(netwgt="-3"), "netWgt", "negative"),
        (plus(cmd="28A530"), "cmdCode", "malformed HS"),
        (plus(cmd="28053012"), "cmdCode", "malformed HS"),
        (plus(cmd="005030"), "cmdCode", "malformed HS"),
        (plus(freq="M"), "freqCode", "annual"),
        (plus(flow=""), "flowCode", "missing"),
        (plus(), "refYear,reporterISO,partnerISO,cmdCode", "duplicate"),
    ],
)
def test_bad_rows(tmp_path, row, field, text):
    good = plus(par=("36", "AUS"))
    p = write(tmp_path, PLUS_HEADER + good + plus() + row)
    with pytest.raises(InputError) as ei:
        read_comtrade(p)
    e = ei.value
    assert (e.path, e.row, e.field) == (str(p), 4, field)
    assert text in e.message


def test_missing_column(tmp_path):
    p = write(tmp_path, "refYear,reporterISO,flowCode,partnerISO,cmdCode\n2022,JPN,M,CHN,280530\n")
    with pytest.raises(InputError) as ei:
        read_comtrade(p)
    assert (ei.value.row, ei.value.field) == (1, "value")
    assert "primaryValue" in ei.value.message


def test_monthly_period_refused(tmp_path):
    p = write(
        tmp_path,
        "period,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
        "2022,JPN,M,CHN,280530,1\n202201,JPN,M,USA,280530,1\n",
    )
    with pytest.raises(InputError) as ei:
        read_comtrade(p)
    assert (ei.value.row, ei.value.field) == (3, "period")
