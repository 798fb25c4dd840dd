"""The Lessons page, presentation mode and the Learn page's lesson links under AppTest.

One ``run()`` is one tick (AppTest timers do not fire). Lessons are shortened through the page's
test hook (``lsn_test`` in the session: 2 epochs on a small world) so each run stays well inside
the timeout; the core's own tests check the verdicts on the default world.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from app_support import no_user_data, play, warm_up  # noqa: F401, E402  (autouse fixtures)
from streamlit.testing.v1 import AppTest  # noqa: E402

from lab_ui import lesson_view, present  # noqa: E402,F401  (registers the page texts)
from lab_ui.i18n import catalogue, t  # noqa: E402
from negsamp_core.lessons import LESSONS, LessonSession  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 60
SMALL = {"epochs": 2, "world": {"n_users": 60, "n_items": 150}}


def open_page(page: str | None, small: bool = True, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = str(value)
    if small:
        at.session_state["lsn_test"] = SMALL
    if page:
        at.switch_page(page)
    return at.run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [w.value for w in at.warning]
        + [e.value for e in at.title]
        + [i.value for i in at.info]
        + [s.value for s in at.success]
    )


def verdict(at: AppTest):
    found = [
        c for c in at.get("flex_container") + at.get("vertical_block") if getattr(c, "key", None) == "lesson_verdict"
    ]
    return found[0] if found else None


def chart_keys(at: AppTest) -> list[str]:
    return [e.proto.id.rsplit("-", 1)[-1] for e in at.get("plotly_chart")]


def play_to_verdict(at: AppTest, max_ticks: int = 40) -> int:
    at.button(key="lesson_play").click().run()
    ticks = 0
    while verdict(at) is None and ticks < max_ticks:
        at.run()
        assert_ok(at)
        ticks += 1
    return ticks


# ---------------------------------------------------------------------------- rendering
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_list_renders_every_lesson(lang):
    at = open_page("pages/lessons.py", lang=lang)
    assert_ok(at)
    body = texts(at)
    assert t("lp_title", lang) in body
    for lesson in LESSONS.values():
        assert lesson.title[lang] in body


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_every_lesson_renders_its_question_and_answers(lesson_id, lang):
    at = open_page("pages/lessons.py", lesson=lesson_id, lang=lang)
    assert_ok(at)
    lesson = LESSONS[lesson_id]
    assert lesson.title[lang] in at.title[0].value
    radio = at.radio(key="lesson_prediction")
    assert radio.value is None  # the learner may skip
    assert list(radio.options) == [c[lang] for c in lesson.choices]
    assert lesson.question[lang] in texts(at)
    assert at.button(key="lesson_play").label == t("play", lang)
    assert verdict(at) is None
    assert not at.slider and not at.select_slider  # settings are locked


def test_unknown_lesson_gives_a_notice_and_the_list():
    at = open_page("pages/lessons.py", lesson="no-such-lesson")
    assert_ok(at)
    assert any("no-such-lesson" in w.value for w in at.warning)
    assert all(lesson.title["en"] in texts(at) for lesson in LESSONS.values())


# ---------------------------------------------------------------------------- predict, play, verdict
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_predict_play_ticks_fill_the_verdict(lang):
    at = open_page("pages/lessons.py", lesson="dns-candidates", lang=lang)
    at.radio(key="lesson_prediction").set_value(0).run()
    ticks = play_to_verdict(at)
    box = verdict(at)
    assert box is not None, f"no verdict after {ticks} ticks"
    session = at.session_state["lsn_session"]
    assert session.done and all(len(t.history) == SMALL["epochs"] for t in session.trainers.values())
    result = session.result(lang)
    shown = "\n".join(m.value for m in box.markdown)
    for check in result["checks"]:
        assert check["text"] in shown
        assert t("lv_holds" if check["holds"] else "lv_fails", lang) in shown
    assert result["why"] in shown
    marked = [a.value for a in box.success] + [a.value for a in box.warning]
    assert marked and (t("lp_right_label", lang) in marked[0]) == (result["answer_index"] == 0)
    assert at.radio(key="lesson_prediction").disabled  # locked once played
    assert "lesson_chart_hardness" in chart_keys(at)  # the verdict's chart, highlighted
    assert any(getattr(c, "key", None) == "lesson_highlight_hardness" for c in at.get("flex_container"))
    html = at.get("download_button")[0]
    assert html.proto.label == t("lp_snapshot", lang)


def test_skipped_prediction_still_gets_the_runs_answer_and_reset_starts_again():
    at = open_page("pages/lessons.py", lesson="three-directions")
    play_to_verdict(at)
    box = verdict(at)
    result = at.session_state["lsn_session"].result("en")
    assert any(result["answer"] in i.value for i in box.info)
    first = at.session_state["lsn_session"]
    at.button(key="lesson_reset").click().run()
    assert_ok(at)
    assert at.session_state["lsn_session"] is not first and verdict(at) is None
    assert not at.radio(key="lesson_prediction").disabled


@pytest.mark.parametrize("lesson_id", ["srns-variance", "cost", "irgan-game", "pns-popularity", "false-negatives"])
def test_other_lessons_reach_their_verdict(lesson_id):
    at = open_page("pages/lessons.py", lesson=lesson_id)
    play_to_verdict(at, max_ticks=80)
    assert verdict(at) is not None
    keys = chart_keys(at)
    first = lesson_view.CHARTS[lesson_id][0].name
    assert f"lesson_chart_{first}" in keys


# ---------------------------------------------------------------------------- presentation mode
@pytest.mark.parametrize(
    "page, lesson", [("pages/lessons.py", "dns-candidates"), ("pages/compare.py", None), ("pages/playground.py", None)]
)
def test_present_mode_has_no_sidebar_no_slider_one_chart(page, lesson):
    params = {"present": 1, **({"lesson": lesson} if lesson else {}), "epochs": 2}
    at = open_page(page, **params)
    assert_ok(at)
    assert len(at.sidebar.children) == 0
    assert not at.slider and not at.select_slider and not at.multiselect
    prefix = {"pages/lessons.py": "lesson", "pages/compare.py": "cmp", "pages/playground.py": "pg"}[page]
    assert at.button(key=f"{prefix}_deck_next")
    assert len(chart_keys(at)) == 1
    first = chart_keys(at)[0]
    at.button(key=f"{prefix}_deck_next").click().run()
    assert_ok(at)
    assert len(chart_keys(at)) == 1 and chart_keys(at)[0] != first
    at.button(key=f"{prefix}_deck_prev").click().run()
    assert chart_keys(at) == [first]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    layout = figure["layout"]
    assert layout["font"]["size"] >= 16 and layout["title"]["font"]["size"] >= 28


def test_present_lesson_plays_to_the_verdict_beside_the_chart():
    at = open_page("pages/lessons.py", lesson="dns-candidates", present=1)
    play_to_verdict(at)
    assert verdict(at) is not None
    assert chart_keys(at) == ["lesson_chart_hardness"]


def test_compare_present_plays():
    at = open_page("pages/compare.py", present=1, samplers="rns,dns", epochs=1, dim=8)
    play(at, ticks=3)
    assert_ok(at)
    assert any(len(h) for h in at.session_state["cmp_run"].histories.values()) or at.session_state["cmp_run"].started


# ---------------------------------------------------------------------------- Learn page, navigation, pure parts
def test_learn_links_every_claim_to_its_lesson_and_draws_a_lessons_run():
    at = open_page(None)
    assert_ok(at)
    links = [e.proto for e in at.get("page_link")]
    linked = {p.query_string.split("lesson=")[1].split("&")[0] for p in links if "lesson=" in p.query_string}
    assert linked == set(LESSONS)
    assert "learn_chart_lesson" in chart_keys(at)
    assert "learn_chart_draws" not in chart_keys(at)


def test_navigation_lists_lessons_right_after_learn():
    at = open_page(None)
    pages = [e.proto.page for e in at.sidebar.get("page_link")]
    assert pages[:2] == ["", "lessons"], pages


def test_snapshot_is_one_self_contained_html_file():
    session = LessonSession("dns-candidates", seed=0, **SMALL)
    session.advance()
    result = session.result("zh")
    page = lesson_view.snapshot_html(session, result, "zh", prediction="更难，伪负例也更多")
    assert page.startswith("<!DOCTYPE html>") and "<script src=" not in page  # plotly.js embedded
    assert page.count("plotly-graph-div") >= len(lesson_view.CHARTS["dns-candidates"])
    assert all(c["text"] in page for c in result["checks"]) and result["why"] in page


def test_tinker_link_carries_samplers_seed_and_settings():
    q = lesson_view.tinker_params(LESSONS["dns-candidates"], seed=7)
    assert q["samplers"] == "rns,dns" and q["seed"] == "7" and q["dns.candidates"] == "32"


def test_variants_of_one_sampler_look_different():
    styles = lesson_view.arm_styles(LESSONS["dns-candidates"])
    assert len({(s.color, s.dash) for s in styles.values()}) == len(styles)


def test_page_texts_exist_in_both_languages_and_use_the_articles_terms():
    mine = {k: v for k, v in catalogue().items() if k.startswith(("lp_", "lv_", "learn_", "present_"))}
    assert mine and all(v["en"].strip() and v["zh"].strip() for v in mine.values())
    assert not any("假负例" in v["zh"] for v in mine.values())
