"""Stocks and second sources on the BOM network (exposure engine): worked by hand on the
bundled automotive example, and refused where they cannot mean anything."""

from __future__ import annotations

import pytest

from fukugan.scenarios.schema import ScenarioError, parse_scenario
from fukugan.services.engines import prepare, simulate

BASE = """\
name: chip-fire
engine: exposure
data:
  bom: {example: automotive}
horizon_days: 90
parameters: {period_days: 7}
shocks:
  - {type: outage, facility: CHIP, delta: 1, start: 0, recovery: {path: step, days: 42}}
"""


def loss(responses: str = "") -> tuple[float, dict]:
    sc = parse_scenario(BASE + (f"responses:\n{responses}" if responses else ""), path="s.yaml")
    r = simulate(prepare(sc, None), sc, 0)
    return r.summary["total_loss"], r.summary


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        # six weeks without the fab: the ECUs need 6 × 150 chips, 300 are on hand; the 600
        # short cost the sedans (margin 2, 600 demanded over the six weeks) before the SUVs
        ("", 1200.0),
        # two weeks of the chips' gross requirement (150 a week) on hand: 300 more chips
        ("  - {type: stockpile_release, facility: CHIP, days_of_cover: 14}\n", 600.0),
        # and a second source of 30 % of it (45 a week) from week 2: 4 × 45 = 180 more
        (
            "  - {type: stockpile_release, facility: CHIP, days_of_cover: 14}\n"
            "  - {type: alternate_sourcing, facility: CHIP, max_share: 0.3, lead_time_days: 14}\n",
            240.0,
        ),
        # a second source that only delivers after the fab is back adds nothing
        (
            "  - {type: alternate_sourcing, facility: CHIP, max_share: 1, lead_time_days: 42}\n",
            1200.0,
        ),
        # enough stock: nothing lost
        ("  - {type: stockpile_release, facility: CHIP, days_of_cover: 28}\n", 0.0),
        # a stock of the wafers does not help while the chip fab is down
        ("  - {type: stockpile_release, facility: WAFER, days_of_cover: 60}\n", 1200.0),
    ],
)
def test_stocks_and_second_sources_worked_by_hand(responses, expected):
    total, _ = loss(responses)
    assert total == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        # half the fab back from day 14 (week 2) of six: 0.5 × 150 × 4 weeks = 300 chips more
        ("  - {type: restoration, facility: CHIP, fraction: 0.5, start: 14}\n", 600.0),
        # from day 0: 0.5 × 150 × 6 = 450 chips; with the 300 on hand, 150 short (sedans)
        ("  - {type: restoration, facility: CHIP, fraction: 0.5}\n", 300.0),
        # two restorations add up, never beyond the fab's capacity: nothing lost
        (
            "  - {type: restoration, facility: CHIP, fraction: 0.7}\n"
            "  - {type: restoration, facility: CHIP, fraction: 0.7}\n",
            0.0,
        ),
        # a second source sought on day 14 of the fire delivers from day 28: 2 weeks × 45
        (
            "  - {type: alternate_sourcing, facility: CHIP, max_share: 0.3, lead_time_days: 14, "
            "start: 14}\n",
            1200.0 - 2 * 90.0,
        ),
        # a stock bought on day 14 is not counted in the fire that began on day 0
        ("  - {type: stockpile_release, facility: CHIP, days_of_cover: 14, start: 14}\n", 1200.0),
    ],
)
def test_measures_taken_during_the_outage_worked_by_hand(responses, expected):
    total, s = loss(responses)
    assert total == pytest.approx(expected, abs=1e-9)
    assert s["disruptions"][0]["restored_units"] >= 0.0


def test_a_stock_on_hand_before_a_later_outage_counts_in_it():
    late = BASE.replace("start: 0,", "start: 14,")
    sc = parse_scenario(
        late + "responses:\n  - {type: stockpile_release, facility: CHIP, days_of_cover: 14, "
        "start: 14}\n",
        path="s.yaml",
    )
    assert simulate(prepare(sc, None), sc, 0).summary["total_loss"] == pytest.approx(600.0)


def test_a_restoration_lengthens_the_time_to_survive():
    # CHIP down: 300 chips on hand cover 2 weeks of 150. With 50 % of the fab (75 a week) the
    # stock falls by 75 a week: 300 / 75 = 4 weeks
    _, plain = loss()
    _, half = loss("  - {type: restoration, facility: CHIP, fraction: 0.5}\n")
    assert plain["disruptions"][0]["tts"] == pytest.approx(2.0)
    assert half["disruptions"][0]["tts"] == pytest.approx(4.0)
    assert half["disruptions"][0]["restored_units"] == pytest.approx(450.0)
    _, again = loss()  # the TTS program is put back as it was
    assert again["disruptions"][0]["tts"] == pytest.approx(2.0)


def test_the_summary_says_what_each_response_did_in_both_languages():
    _, s = loss(
        "  - {id: buffer, type: stockpile_release, facility: CHIP, days_of_cover: 14}\n"
        "  - {type: alternate_sourcing, facility: CHIP, max_share: 0.3, lead_time_days: 14}\n"
    )
    en, ja = "\n".join(s["applied"]), "\n".join(s["applied_ja"])
    assert "responses[0] (buffer): 14 days of cover of CHIP's output on hand (300 units" in en
    assert "a second source of CHIP's output, 30% of its gross requirement (45 units" in en
    assert "在庫 14日分（300単位" in ja and "第二調達先（総所要量の30%" in ja


@pytest.mark.parametrize(
    ("response", "field", "words"),
    [
        ("{type: stockpile_release, facility: CHP, days_of_cover: 5}",
         "responses[0].facility", "close: CHIP"),
        ("{type: stockpile_release, days_of_cover: 5}", "responses[0]", "facility"),
        ("{type: stockpile_release, commodity: gallium, facility: CHIP, days_of_cover: 5}",
         "responses[0].commodity", "nodes, not commodities"),
        ("{type: alternate_sourcing, facility: SEDAN, max_share: 0.5, lead_time_days: 0}",
         "responses[0].facility", "input of no BOM row"),
        ("{type: alternate_sourcing, facility: CHIP, max_share: 0.5, lead_time_days: 0, "
         "ramp_days: 7}", "responses[0].ramp_days", "no ramp"),
        ("{type: rationing, rule: proportional}", "responses[0].type", "allocates supply optimally"),
        ("{type: restoration, facility: STEEL, fraction: 0.5}", "responses[0].facility",
         "no outage of the scenario takes node 'STEEL' down"),
        ("{type: restoration, facility: CHIP, fraction: 0.5, sectors: [C26]}",
         "responses[0].sectors", "nodes, not regions"),
    ],
)  # fmt: skip
def test_responses_that_mean_nothing_on_a_bom_network_are_refused(response, field, words):
    sc = parse_scenario(BASE + f"responses:\n  - {response}\n", path="s.yaml")
    with pytest.raises(ScenarioError) as e:
        prepare(sc, None)
    assert f"field '{field}'" in str(e.value) and words in str(e.value)


def test_a_facility_on_a_commodity_engine_is_refused():
    from fukugan.scenarios.schema import load_scenario
    from fukugan.services.engines.fields import check_fields

    sc = load_scenario(
        __import__("pathlib").Path(__file__).parents[2]
        / "src/fukugan/scenarios/examples/gallium-germanium-licensing.yaml"
    )
    doc = {**sc.doc, "responses": [{"type": "stockpile_release", "facility": "CHIP",
                                    "days_of_cover": 5}]}  # fmt: skip
    from fukugan.scenarios.schema import Scenario

    with pytest.raises(ScenarioError) as e:
        check_fields(Scenario(doc, sc.path, sc.lines), "static")
    assert "facility" in str(e.value) and "BOM network" in str(e.value)
