"""Regressions from a newcomer's pass at 1280 px (issue 8): URL values out of range, the impossible
first run, the reset notice after a dataset switch, the divergence toast, the Learn cards' lesson
links, the split results table and empty charts without meaningless axes."""

from __future__ import annotations

import numpy as np
from app_support import play  # noqa: E402
from test_app_pages import assert_ok, no_user_data, open_page, run_of, warm_up  # noqa: F401 (fixtures)

from lab_ui import figures
from lab_ui.i18n import t
from lab_ui.learn import lessons_for_sampler
from negsamp_core.lessons import LESSONS
from negsamp_core.samplers import SAMPLERS


def test_regression_out_of_range_url_params_were_clamped_without_a_notice():
    at = open_page("compare", dataset="toy", epochs=0, dim=-5, k=99999)
    assert_ok(at)
    notices = [w.value for w in at.warning if t("url_adjusted", items="").split(":")[0] in w.value]
    assert len(notices) == 1, [w.value for w in at.warning]
    text = notices[0]
    assert "epochs=0 → 1 (allowed: 1–200)" in text
    assert "k=99999 → 20 (allowed: 1–20)" in text
    assert "dim=-5 → " in text and "allowed: " in text
    assert at.session_state["cmp_epochs"] == 1 and at.session_state["cmp_k"] == 20
    at.run()  # said once, not at every rerun
    assert not [w.value for w in at.warning if "epochs=0" in w.value]


def test_in_range_url_params_give_no_notice():
    at = open_page("compare", dataset="toy", epochs=5, k=3)
    assert_ok(at)
    assert not [w.value for w in at.warning if "→" in w.value]


def test_regression_previous_run_is_kept_said_when_there_was_no_previous_run():
    at = open_page("compare", dataset="toy", topk=40)  # impossible on the toy world, on the first build
    assert_ok(at)
    errors = [e.value for e in at.error]
    assert any(t("run_build_error_first", error="").rstrip(": ") in e for e in errors), errors
    assert not any("previous run is kept" in e for e in errors)


def test_regression_dataset_switch_notice_lists_settings_the_user_did_not_touch():
    at = open_page("compare", dataset="toy", samplers="rns")
    assert run_of(at, "cmp") is not None
    at.sidebar.selectbox[0].set_value("synthetic").run()
    assert_ok(at)
    notices = [i.value for i in at.info if i.value.startswith("↺")]
    assert notices == ["↺ " + t("run_reset_notice", what=t("what_dataset"))], notices


def test_divergence_is_also_said_in_a_toast_once():
    at = open_page("compare", dataset="toy", samplers="rns")
    run_of(at, "cmp").trainers["rns"].error = "Training diverged at epoch 1: lower the learning rate"
    at.run()
    assert_ok(at)
    assert any("diverged" in toast.value for toast in at.toast)
    at.run()
    assert not any("diverged" in toast.value for toast in at.toast)


def test_regression_rns_card_had_no_lesson_link():
    for name in SAMPLERS:
        lessons = lessons_for_sampler(name)
        assert lessons and all(lid in LESSONS for lid in lessons), name
        assert all(any(arm.sampler == name for arm in LESSONS[lid].arms) for lid in lessons), name


def test_learn_page_links_every_sampler_card_to_its_lessons():
    at = open_page("learn")
    assert_ok(at)
    links = [link.proto.query_string if hasattr(link.proto, "query_string") else "" for link in at.get("page_link")]
    needed = sum(len(lessons_for_sampler(n)) for n in SAMPLERS)
    assert len(links) >= needed + 3  # the three direction cards too


def test_results_table_is_split_into_two_narrow_tables():
    at = open_page("compare", dataset="toy", samplers="rns,pns", epochs=1)
    play(at, ticks=4)
    assert_ok(at)
    assert run_of(at, "cmp").done
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 2 and all(len(table.columns) <= 7 for table in tables)
    assert all(list(table[t("col_sampler")]) == ["RNS", "PNS"] for table in tables)
    assert t("col_test_ndcg", k=3) in tables[0] and t("col_fn_rate") in tables[1]


def test_regression_empty_score_chart_showed_a_meaningless_percent_axis():
    fig = figures.fig_score_hists({"rns": [], "dns": []}, np.linspace(-8, 8, 33)).to_plotly_json()
    layout = fig["layout"]
    axes = [v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))]
    assert axes and all(axis.get("visible") is False for axis in axes)
    assert any(a["text"] == t("chart_empty") for a in layout["annotations"])


def test_regression_playground_fn_chart_subtitle_was_cut_in_a_half_width_column():
    import re

    for definition in ("exact", "heldout"):
        title = figures.fig_fn_rate({"rns": []}, definition, epochs=3)["layout"]["title"]["text"]
        lines = [re.sub(r"<[^>]+>", "", line) for line in title.split("<br>")]
        assert len(lines) >= 3 and max(len(line) for line in lines) <= 50, lines


def test_regression_coincide_note_overlapped_a_y_tick_in_presentation_mode():
    from lab_ui import present

    histories = {"RNS": [], "DNS M=1": []}
    fig = figures.fig_fn_rate(histories, "exact", epochs=3)
    fig.update_layout(title_text=fig.layout.title.text + "<br><sup>≡ RNS and DNS M=1 coincide</sup>")
    big = present.big(fig)
    lines = big.layout.title.text.split("<br>")
    assert len(lines) == 2 and "≡" in lines[1]  # the first line and the note; the subtitle is in the caption
    assert big.layout.title.yanchor == "top" and big.layout.margin.t >= 150
