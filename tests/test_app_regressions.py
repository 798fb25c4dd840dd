"""Regressions found by a newcomer driving the app (pure functions, no Streamlit)."""

from lab_ui.i18n import t
from lab_ui.runs import changed_fields


def test_regression_reset_notice_names_only_settings_the_learner_changed():
    # Switching the Playground from SRNS to IRGAN listed SRNS s1/history and IRGAN g_dim as "changed".
    old = {"samplers": ("srns",), "srns.s1": 4, "srns.history": 5, "seed": 0}
    new = {"samplers": ("irgan",), "irgan.g_dim": 5, "irgan.g_pretrain_epochs": 0, "seed": 0}
    assert changed_fields(old, new) == ["samplers"]
    # A structural parameter of a sampler that stays is still reported.
    assert changed_fields({"samplers": ("srns",), "srns.s1": 4}, {"samplers": ("srns",), "srns.s1": 8}) == ["srns.s1"]


def test_regression_pns_chart_is_not_labelled_with_irgans_generator():
    assert "p_G" not in t("pns_prob_y", "en") and "p(j)" in t("pns_prob_y", "en")


def test_srns_caption_colour_matches_the_false_negative_marker():
    from lab_ui import figures

    assert "orange" in t("srns_explain", "en", n=2, w=1.0)
    assert "橙色" in t("srns_explain", "zh", n=2, w=1.0)
    assert figures.STYLE["srns"]["color"] == "#D55E00"  # Okabe-Ito vermillion/orange, the ✕ colour
