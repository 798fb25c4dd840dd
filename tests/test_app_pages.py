"""The Streamlit pages under streamlit.testing (AppTest): rendering, the player, URL parameters,
impossible settings, dataset fallback. One ``run()`` is one tick (AppTest timers do not fire)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from app_support import no_user_data, play, warm_up  # noqa: F401, E402  (autouse fixtures)
from streamlit.testing.v1 import AppTest  # noqa: E402

from lab_ui.datasets import handle_upload  # noqa: E402
from lab_ui.i18n import t  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SHARED_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
PAGES = {"learn": None, "playground": "pages/playground.py", "compare": "pages/compare.py", "data": "pages/data.py"}
TITLES = {"learn": "app_title", "playground": "playground_title", "compare": "compare_title", "data": "data_title"}
TIMEOUT = 30  # generous: the 2-core CI machine is slow; each run here takes well under 3 s alone


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = str(value)
    if PAGES[page]:
        at.switch_page(PAGES[page])
    return at.run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def charts(at: AppTest) -> dict:
    """Plotly figures drawn on the page, by their key: {key: figure JSON}."""
    out = {}
    for element in at.get("plotly_chart"):
        key = element.proto.id.rsplit("-", 1)[-1]
        out[key] = json.loads(element.proto.spec)
    return out


def run_of(at: AppTest, prefix: str):
    return at.session_state[f"{prefix}_run"]


# ---------------------------------------------------------------------------- rendering
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("dataset", ["synthetic", "toy"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders(page, dataset, lang):
    at = open_page(page, dataset=dataset, lang=lang)
    assert_ok(at)
    assert at.session_state["dataset"] == dataset
    assert t(TITLES[page], lang) in at.title[0].value
    assert [b.label for b in at.sidebar.button] == [] and len(at.sidebar.selectbox) == 1  # identical shell
    if page in ("compare", "playground"):
        prefix = "cmp" if page == "compare" else "pg"
        assert at.button(key=f"{prefix}_play").label == t("play", lang)
        assert at.button(key=f"{prefix}_reset").label == t("reset", lang)


@pytest.mark.real_data
@pytest.mark.skipif(not (SHARED_DATASETS / "ml-100k").is_dir(), reason="needs ../shared/datasets/ml-100k")
@pytest.mark.parametrize("page", list(PAGES))
def test_pages_render_on_movielens(page, monkeypatch):
    monkeypatch.setenv("NEGSAMP_DATA_DIR", str(SHARED_DATASETS))
    at = open_page(page, dataset="ml-100k")
    assert_ok(at)
    assert at.session_state["dataset"] == "ml-100k" and not at.error
    if page == "compare":
        fn = charts(at)["cmp_chart_fn"]
        assert "held-out" in fn["layout"]["title"]["text"]


# ---------------------------------------------------------------------------- the player
def test_play_grows_history_pause_stops_reset_clears():
    at = open_page("compare", dataset="toy")
    run = run_of(at, "cmp")
    assert all(not h for h in run.histories.values())
    at.slider(key="w_cmp_speed").set_value(2).run()  # 2 batches per tick: 20 epochs take 30 ticks
    at.button(key="cmp_play").click().run()
    assert at.session_state["cmp_playing"]
    for _ in range(3):
        at.run()
    assert_ok(at)
    epochs = {n: tr.epoch for n, tr in run.trainers.items()}
    assert min(epochs.values()) >= 1 and all(len(h) >= 1 for h in run.histories.values())
    assert not run.done
    counter = [m.value for m in at.markdown if "ns-counter" in m.value][0]
    assert all(f'data-epoch="{e}"' in counter for e in epochs.values()) and "RNS" in counter
    at.button(key="cmp_pause").click().run()
    paused = {n: (tr.epoch, tr.step_in_epoch) for n, tr in run.trainers.items()}
    at.run().run()
    assert {n: (tr.epoch, tr.step_in_epoch) for n, tr in run.trainers.items()} == paused
    at.button(key="cmp_reset").click().run()
    assert_ok(at)
    new = run_of(at, "cmp")
    assert new is not run and all(not h for h in new.histories.values())
    assert all(tr.epoch == 0 and tr.step_in_epoch == 0 for tr in new.trainers.values())


def test_step_trains_one_batch_and_fills_the_step_view():
    at = open_page("playground", dataset="toy", sampler="dns")
    at.button(key="pg_step").click().run()
    assert_ok(at)
    trainer = run_of(at, "pg").trainers["dns"]
    assert trainer.step_in_epoch == 1 and not at.session_state["pg_playing"]
    assert at.selectbox(key="pg_step_user").value in trainer.sampler.last["users"].tolist()
    assert "pg_chart_dns" in charts(at)


@pytest.mark.parametrize("sampler", ["rns", "pns", "dns", "irgan", "srns"])
def test_playground_internals_for_each_sampler(sampler):
    at = open_page("playground", dataset="toy", sampler=sampler, epochs=3)
    at.button(key="pg_play").click().run()
    for _ in range(6):
        at.run()
    assert_ok(at)
    run = run_of(at, "pg")
    assert run.done and not at.session_state["pg_playing"]  # stopped by itself at the chosen epochs
    assert run.trainers[sampler].epoch == 3
    drawn = charts(at)
    expected = {
        "rns": None,
        "pns": "pg_chart_pns",
        "dns": "pg_chart_dns",
        "irgan": "pg_chart_irgan",
        "srns": "pg_chart_srns",
    }[sampler]
    if expected:
        assert expected in drawn
    assert len(at.dataframe) >= 1  # the step table


def test_compare_charts_have_one_trace_per_selected_sampler_and_shared_bins():
    at = open_page("compare", dataset="toy", samplers="rns,dns,srns")
    at.slider(key="w_cmp_speed").set_value(3).run()
    at.button(key="cmp_play").click().run()
    at.run().run()
    at.button(key="cmp_pause").click().run()  # while playing, figures refresh at most every 1.5 s
    assert_ok(at)
    drawn = charts(at)
    conv = drawn["cmp_chart_convergence"]
    assert [d["name"] for d in conv["data"] if d.get("showlegend", True)] == ["RNS", "DNS", "SRNS"]
    assert len(conv["data"]) == 9
    hists = [d for d in drawn["cmp_chart_scores"]["data"] if d["type"] == "histogram"]
    assert {json.dumps(d["xbins"], sort_keys=True) for d in hists} == {json.dumps(hists[0]["xbins"], sort_keys=True)}
    edges = run_of(at, "cmp").trainers["rns"].score_edges
    assert hists[0]["xbins"]["start"] == edges[0] and hists[0]["xbins"]["end"] == edges[-1]
    assert {d["name"] for d in drawn["cmp_chart_fn"]["data"]} == {"RNS", "DNS", "SRNS"}
    assert "exact" in drawn["cmp_chart_fn"]["layout"]["title"]["text"]
    for key in (
        "cmp_chart_convergence",
        "cmp_chart_scores",
        "cmp_chart_hardness",
        "cmp_chart_fn",
        "cmp_chart_popularity",
        "cmp_chart_cost",
    ):
        assert drawn[key]["layout"]["height"] and drawn[key]["layout"]["uirevision"], key


def test_results_table_and_downloads_after_the_run():
    at = play(open_page("compare", dataset="toy", samplers="rns,pns", epochs=2), ticks=4)
    assert_ok(at)
    assert run_of(at, "cmp").done
    table = at.dataframe[0].value
    assert list(table[t("col_sampler")]) == ["RNS", "PNS"] and t("col_test_ndcg", k=3) in table
    assert len(at.get("download_button")) == 2


def test_switching_pages_keeps_the_run():
    at = open_page("compare", dataset="toy")
    at.button(key="cmp_play").click().run()
    run = run_of(at, "cmp")
    done = {n: (tr.epoch, tr.step_in_epoch) for n, tr in run.trainers.items()}
    at.switch_page("pages/data.py").run()
    assert_ok(at)
    at.switch_page("pages/compare.py").run()
    assert_ok(at)
    assert run_of(at, "cmp") is run
    assert all((tr.epoch, tr.step_in_epoch) >= done[n] for n, tr in run.trainers.items())


# ---------------------------------------------------------------------------- settings
def test_url_parameters_restore_the_experiment():
    at = open_page(
        "compare",
        dataset="toy",
        seed=3,
        samplers="rns,dns",
        lr=0.02,
        epochs=7,
        k=2,
        **{"dns.candidates": 4, "lang": "zh"},
    )
    assert_ok(at)
    ss = at.session_state
    assert (ss["dataset"], ss["seed"], ss["lang"]) == ("toy", 3, "zh")
    assert at.multiselect(key="w_cmp_samplers").value == ["rns", "dns"]
    assert at.slider(key="w_cmp_epochs").value == 7
    assert at.select_slider(key="w_cmp_lr").value == 0.02
    run = run_of(at, "cmp")
    assert list(run.trainers) == ["rns", "dns"] and run.spec.seed == 3
    assert run.spec.config.lr == 0.02 and run.spec.config.epochs == 7 and run.spec.config.n_negatives == 2
    assert run.trainers["dns"].sampler.params["candidates"] == 4
    # the page writes its settings back: the address is a shareable link
    assert at.query_params["dataset"] == ["toy"] or at.query_params["dataset"] == "toy"
    assert "dns.candidates" in at.query_params


def test_widget_change_is_not_undone_by_the_url():
    at = open_page("compare", dataset="toy", epochs=7)
    at.slider(key="w_cmp_epochs").set_value(9).run()
    assert at.slider(key="w_cmp_epochs").value == 9
    at.run()
    assert at.session_state["cmp_epochs"] == 9 and run_of(at, "cmp").spec.config.epochs == 9


def test_live_setting_applies_without_reset():
    at = open_page("playground", dataset="toy", sampler="dns")
    at.button(key="pg_step").click().run()
    run = run_of(at, "pg")
    at.slider(key="w_pg_dns_candidates").set_value(6).run()
    assert at.slider(key="w_pg_dns_candidates").value == 6
    assert run_of(at, "pg") is run and run.trainers["dns"].sampler.params["candidates"] == 6
    at.select_slider(key="w_pg_lr").set_value(0.01).run()
    assert run.trainers["dns"].config.lr == 0.01 and not at.info


def test_structural_change_resets_with_a_notice():
    at = open_page("playground", dataset="toy", sampler="rns")
    at.button(key="pg_step").click().run()
    run = run_of(at, "pg")
    at.select_slider(key="w_pg_dim").set_value(16).run()
    assert_ok(at)
    assert run_of(at, "pg") is not run
    assert any("reset" in i.value for i in at.info)


def test_impossible_settings_explain_and_keep_the_run():
    at = open_page("compare", dataset="toy")
    run = run_of(at, "cmp")
    at.slider(key="w_cmp_topk").set_value(40).run()
    assert at.slider(key="w_cmp_topk").value == 40
    assert_ok(at)
    assert any("top-K" in e.value for e in at.error)
    assert run_of(at, "cmp") is run
    at.slider(key="w_cmp_topk").set_value(3)
    at.slider(key="w_cmp_k").set_value(12).run()
    assert_ok(at)
    assert any("S1" in e.value for e in at.error)  # SRNS needs K <= S1
    assert run_of(at, "cmp") is run


def test_divergence_message_is_shown():
    at = open_page("compare", dataset="toy", samplers="rns")
    run_of(at, "cmp").trainers["rns"].error = "Training diverged at epoch 1: lower the learning rate"
    at.run()
    assert_ok(at)
    assert any("diverged" in e.value for e in at.error)
    assert at.button(key="cmp_play").disabled


def test_language_switch_translates_player():
    at = open_page("compare", dataset="toy")
    at.radio(key="w_lang").set_value("zh").run()
    assert_ok(at)
    labels = [at.button(key=f"cmp_{k}").label for k in ("play", "pause", "step", "reset")]
    assert labels == ["播放", "暂停", "单步", "重置"]


# ---------------------------------------------------------------------------- data
def test_missing_movielens_explains_and_keeps_the_previous_dataset():
    at = open_page("data", dataset="toy")
    at.sidebar.selectbox[0].set_value("ml-latest-small").run()
    assert_ok(at)
    assert at.session_state["dataset"] == "toy"
    assert any("ml-latest-small" in e.value for e in at.error)
    # Regression (newcomer review): the app gave command-line advice ("Pass --data-dir ...", "--download").
    assert all("Pass --data-dir" not in e.value and "--download" not in e.value for e in at.error)
    assert any("Data page" in e.value for e in at.error)


def test_synthetic_knobs_rebuild_the_world():
    at = open_page("data")
    at.slider(key="form_syn_users").set_value(100)
    at.slider(key="form_syn_obs").set_value(0.5)
    for button in at.button:
        if button.label == t("syn_build"):
            button.click()
    at.run()
    assert_ok(at)
    assert at.session_state["syn_users"] == 100 and at.session_state["syn_obs"] == 0.5
    assert at.metric[0].value == "100"


def test_csv_upload_handler_good_and_bad():
    good = "user,item,rating\n" + "\n".join(f"u{u},i{i},5" for u in range(5) for i in range(u, u + 12))
    result = handle_upload(good.encode(), "mine.csv", None)
    assert result.error is None and result.dataset.n_users == 5
    bad = handle_upload(b"foo,bar\n1,2\n", "bad.csv", None)
    assert bad.dataset is None and "column" in bad.error.lower()
    empty = handle_upload(b"", "empty.csv", None)
    assert empty.dataset is None and empty.error


def test_uploaded_csv_becomes_the_dataset_and_a_bad_one_keeps_it():
    good = "user,item\n" + "\n".join(f"u{u},i{i}" for u in range(6) for i in range(u, u + 12))
    result = handle_upload(good.encode(), "mine.csv", None)
    at = open_page("data", dataset="toy")
    at.session_state["_csv_datasets"] = {result.digest: result.dataset}
    at.session_state["_pending"] = {"dataset": "csv", "csv_digest": result.digest, "csv_name": "mine.csv"}
    at.run()
    assert_ok(at)
    assert at.session_state["dataset"] == "csv" and at.metric[0].value == "6"
    # a bad upload returns an error and changes nothing in the session
    assert handle_upload(b"user\n1\n", "bad.csv", None).error
    at.switch_page("pages/compare.py").run()
    assert_ok(at)
    assert at.session_state["dataset"] == "csv" and "held-out" in charts(at)["cmp_chart_fn"]["layout"]["title"]["text"]


@pytest.mark.real_data
@pytest.mark.skipif(not (SHARED_DATASETS / "ml-100k").is_dir(), reason="needs ../shared/datasets/ml-100k")
def test_data_page_loads_movielens_from_a_typed_folder_and_resets_runs():
    at = open_page("compare", dataset="toy", samplers="rns")
    at.button(key="cmp_step").click().run()
    old = run_of(at, "cmp")
    at.switch_page("pages/data.py").run()
    at.text_input(key="w_data_dir").input(str(SHARED_DATASETS)).run()
    at.button(key="data_ml_load").click().run()
    assert_ok(at)
    assert at.session_state["dataset"] == "ml-100k" and at.metric[0].value == "943"
    assert at.session_state["cmp_batch"] == 1024  # the dataset's defaults
    at.switch_page("pages/compare.py").run()
    assert_ok(at)
    assert run_of(at, "cmp") is not old and any("dataset" in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_irgan_on_off_options_are_translated_checkboxes_and_g_init_a_named_choice(lang):
    at = open_page("playground", dataset="toy", sampler="irgan", lang=lang)
    assert_ok(at)
    for param in ("baseline", "online"):
        box = at.checkbox(key=f"w_pg_irgan_{param}")
        assert box.label.startswith(t(f"param_irgan_{param}", lang)) and box.help == t(f"help_irgan_{param}", lang)
    init = at.selectbox(key="w_pg_irgan_g_init")
    assert init.options == [t(k, lang) for k in ("irgan_g_init_uniform", "irgan_g_init_bpr", "irgan_g_init_dns")]
    at.checkbox(key="w_pg_irgan_baseline").check().run()
    assert_ok(at)
    assert at.session_state["pg_run"].trainers["irgan"].sampler.params["baseline"] is True  # live: same run
    assert at.query_params["irgan.baseline"] in ("1", ["1"])  # and in the shareable link


def test_regression_downloads_are_built_on_click_not_at_every_chart_refresh(monkeypatch):
    """Both downloads were built at every chart refresh while playing (the JSON grows ~14 KB per
    epoch and Streamlit's media store kept copies per session). They are callables now, run on click."""
    import lab_ui.runs

    calls = []
    for name in ("history_json", "history_csv"):
        real = getattr(lab_ui.runs, name)
        monkeypatch.setattr(lab_ui.runs, name, lambda *a, _real=real, _n=name, **k: calls.append(_n) or _real(*a, **k))
    at = play(open_page("compare", dataset="toy", samplers="rns,pns", epochs=3), ticks=4)
    assert_ok(at)
    assert run_of(at, "cmp").done and len(at.get("download_button")) == 2
    assert calls == []
    protos = [b.proto for b in at.get("download_button")]
    assert all(p.deferred_file_id and not p.url for p in protos)  # the browser asks for it on click
