"""Compare races IRGAN's G = D form beside DNS: its curves coincide with DNS's (both languages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from app_support import no_user_data, warm_up  # noqa: F401, E402  (autouse fixtures)
from streamlit.testing.v1 import AppTest  # noqa: E402

from lab_ui.i18n import t  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 30
GD_ARM = "irgan:g_equals_d=1"  # M = 8 candidates, as the page's DNS
LABEL = "IRGAN (G = D)"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_races_irgan_g_equals_d_beside_dns_and_the_curves_coincide(lang):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {
        "dataset": "toy",
        "lang": lang,
        "samplers": "rns,dns,irgan",
        "arms": GD_ARM,
        "epochs": 2,
    }.items():
        at.query_params[key] = value
    at.switch_page("pages/compare.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["cmp_run"]
    assert list(run.trainers) == ["rns", "dns", "irgan", LABEL]
    assert run.trainers[LABEL].sampler.params["g_equals_d"] is True
    assert run.trainers["irgan"].sampler.params["g_equals_d"] is False
    at.button(key="cmp_play").click().run()
    for _ in range(10):
        if run.done:
            break
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    h = run.histories
    assert len(h["dns"]) == 2 and [r.loss for r in h["dns"]] == [r.loss for r in h[LABEL]]
    assert [dict(r.valid) for r in h["dns"]] == [dict(r.valid) for r in h[LABEL]]
    figs = {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}
    note = figs["cmp_chart_fn"]["layout"]["title"]["text"]
    assert t("chart_coincide", lang, a="DNS", b=LABEL) in note, note


def test_the_irgan_race_button_offers_the_g_equals_d_form():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["dataset"] = "toy"
    at.switch_page("pages/compare.py")
    at.run()
    race = at.button(key="cmp_race_irgan")
    assert "IRGAN (G = D)" in race.label
    race.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "IRGAN (G = D)" in at.session_state["cmp_run"].trainers
    assert "irgan:g_equals_d=1" in str(at.query_params["arms"])
