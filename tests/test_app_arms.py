"""Compare with variants of one sampler (arms): URL round trip, rendering in both languages, the
editor (ready-made race, add, remove), styles per arm, a bad arms= value gives a notice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")
from app_support import no_user_data, warm_up  # noqa: F401, E402  (autouse fixtures)
from streamlit.testing.v1 import AppTest  # noqa: E402

from lab_ui import figures  # noqa: E402
from lab_ui.i18n import t  # noqa: E402
from lab_ui.state import arms_text, variant_arms  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 30
DNS_RACE = "dns:candidates=1;dns:candidates=8;dns:candidates=32"


def compare(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page("pages/compare.py")
    return at.run()


def charts(at: AppTest) -> dict:
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def test_arms_text_normalises_and_round_trips():
    assert arms_text("DNS:candidates=1 ; dns:candidates=8.0") == "dns:candidates=1;dns:candidates=8"
    arms = variant_arms(DNS_RACE)
    assert [a.label for a in arms] == ["DNS M=1", "DNS M=8", "DNS M=32"]
    assert arms_text(arms_text(DNS_RACE)) == DNS_RACE
    assert [a.label for a in variant_arms("srns:alpha=0;srns:alpha=5")] == ["SRNS α=0", "SRNS α=5"]
    for bad in ("dns:candidates=0", "dns:m=2", "nope", "dns:candidates", ""):
        with pytest.raises(ValueError):
            arms_text(bad)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_renders_variant_arms_in_both_languages_and_plays(lang):
    at = compare(dataset="toy", lang=lang, samplers="rns", arms=DNS_RACE, epochs=2)
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["cmp_run"]
    assert list(run.trainers) == ["rns", "DNS M=1", "DNS M=8", "DNS M=32"]
    assert [run.trainers[k].sampler.params["candidates"] for k in ("DNS M=1", "DNS M=8", "DNS M=32")] == [1, 8, 32]
    assert at.query_params["arms"] in (DNS_RACE, [DNS_RACE])
    at.button(key="cmp_play").click().run()
    for _ in range(8):
        if run.done:
            break
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    figs = charts(at)
    legend = [tr["name"] for tr in figs["cmp_chart_convergence"]["data"] if tr.get("showlegend", True)]
    assert legend == ["RNS", "DNS M=1", "DNS M=8", "DNS M=32"]
    lines = {tr["name"]: (tr["line"]["color"], tr["line"]["dash"]) for tr in figs["cmp_chart_hardness"]["data"]}
    assert len(set(lines.values())) == 4  # every arm its own colour and dash
    # DNS M=1 draws exactly what RNS draws: identical curves, and the chart says so
    h = run.histories
    assert [r.loss for r in h["rns"]] == [r.loss for r in h["DNS M=1"]]
    note = figs["cmp_chart_fn"]["layout"]["title"]["text"]
    assert t("chart_coincide", lang, a="RNS", b="DNS M=1") in note, note
    for key in ("cmp_chart_convergence", "cmp_chart_scores", "cmp_chart_fn", "cmp_chart_cost"):
        assert figs[key]["layout"]["uirevision"]
    captions = " ".join(c.value for c in at.caption)
    assert figures.how_to_read("fn", lang) in captions


def test_editor_race_add_and_remove():
    at = compare(dataset="toy")
    race = at.button(key="cmp_race_dns")
    assert "M=1" in race.label and "M=32" in race.label
    race.click().run()
    assert not at.exception
    assert at.session_state["cmp_arms"] == DNS_RACE
    assert list(at.session_state["cmp_run"].trainers) == ["rns", "DNS M=1", "DNS M=8", "DNS M=32"]
    at.selectbox(key="cmp_variant_sampler").set_value("srns").run()
    at.selectbox(key="cmp_variant_param_srns").set_value("alpha").run()
    at.number_input(key="cmp_variant_value_srns_alpha").set_value(0.0).run()
    at.button(key="cmp_variant_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["cmp_arms"].endswith(";srns:alpha=0")
    assert "SRNS α=0" in at.session_state["cmp_run"].trainers
    at.button(key="cmp_variant_remove_0").click().run()
    assert at.session_state["cmp_arms"] == "dns:candidates=8;dns:candidates=32;srns:alpha=0"
    assert "dns:candidates=8;dns:candidates=32;srns:alpha=0" in str(at.query_params["arms"])


def test_bad_arms_in_the_url_give_a_notice_not_a_traceback():
    at = compare(dataset="toy", arms="dns:candidates=0;;bogus")
    assert not at.exception
    assert any("arms=" in w.value for w in at.warning) or any("arms=" in i.value for i in at.info), [
        w.value for w in at.warning
    ]
    assert list(at.session_state["cmp_run"].trainers) == ["rns", "pns", "dns", "irgan", "srns"]


def test_variant_styles_stay_in_the_sampler_hue_and_never_raise():
    from negsamp_core.arms import Arm

    styles = figures.arm_styles(
        [Arm("dns", "dns"), Arm("DNS M=1", "dns", {"candidates": 1}), Arm("DNS M=32", "dns", {"candidates": 32})]
    )
    assert styles["dns"] == figures.style_of("dns")
    assert len({(s.color, s.dash, s.symbol) for s in styles.values()}) == 3
    green = np.array([int(figures.style_of("dns").color[i : i + 2], 16) for i in (1, 3, 5)])
    for s in styles.values():
        rgb = np.array([int(s.color[i : i + 2], 16) for i in (1, 3, 5)])
        assert rgb.argmax() == green.argmax()  # still a green
    assert figures.style_of("DNS M=4").color  # an unknown variant label: derived, no KeyError
    assert figures.style_of("whatever label").color
    assert t("chart_coincide", "zh", a="RNS", b="DNS M=1").startswith("RNS")
