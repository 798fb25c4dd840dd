"""Figures are pure functions of epoch records: one trace per sampler, fixed styles, shared bins."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lab_ui import figures
from lab_ui.i18n import t
from lab_ui.runs import LiveRun, RunSpec, history_csv, history_frame, history_json, results_frame
from negsamp_core.config import TrainConfig
from negsamp_core.data import make_toy
from negsamp_core.samplers import SAMPLER_NAMES

SMALL = {"dns": {"candidates": 3}, "irgan": {"g_samples": 4, "g_epochs": 1}, "srns": {"s1": 3, "s2": 3, "warmup": 1}}


@pytest.fixture(scope="module")
def finished_run() -> LiveRun:
    config = TrainConfig(dim=4, lr=0.05, batch_size=6, epochs=3, eval_k=3, score_bins=16)
    run = LiveRun(make_toy(), RunSpec(("toy",), SAMPLER_NAMES, config, SMALL, seed=0))
    while not run.done:
        run.advance(50, budget_s=10)
    return run


def names_of(fig) -> list[str]:
    return [tr.name for tr in fig.data]


def test_convergence_has_one_line_per_sampler_and_panel(finished_run):
    fig = figures.fig_convergence(finished_run.histories, 3, epochs=3)
    assert len(fig.data) == 3 * len(SAMPLER_NAMES)
    legend = [tr.name for tr in fig.data if tr.showlegend]
    assert legend == ["RNS", "PNS", "DNS", "IRGAN", "SRNS"]
    for tr in fig.data:
        style = figures.style_of(tr.name.lower())
        assert tr.line.color == style.color and tr.line.dash == style.dash
        assert tr.marker.symbol == style.symbol
    assert fig.layout.height and fig.layout.uirevision
    assert list(fig.layout.xaxis.range) == [0.5, 3.5]


def test_convergence_against_seconds(finished_run):
    fig = figures.fig_convergence(finished_run.histories, 3, x="seconds")
    rns = finished_run.histories["rns"]
    assert list(fig.data[0].x) == [r.elapsed_seconds for r in rns]


def test_styles_are_distinct_colour_dash_marker_and_hatch():
    styles = [figures.style_of(n) for n in SAMPLER_NAMES]
    for field in ("color", "dash", "symbol", "pattern"):
        assert len({getattr(s, field) for s in styles}) == len(SAMPLER_NAMES), field


def test_default_styles_differ_from_the_views_and_an_unknown_name_never_raises():
    from lab_ui.chart_base import DEFAULT_STYLES

    viewed = {figures.style_of(n).color for n in SAMPLER_NAMES}
    assert not viewed & {s.color for s in DEFAULT_STYLES}
    assert len({s.color for s in DEFAULT_STYLES}) == len(DEFAULT_STYLES)
    assert figures.style_of("no-such-sampler").color in {s.color for s in DEFAULT_STYLES}


def test_score_histograms_share_explicit_bins(finished_run):
    edges = finished_run.trainers["rns"].score_edges
    fig = figures.fig_score_hists(finished_run.histories, edges)
    spec = json.loads(fig.to_json())
    hists = [tr for tr in spec["data"] if tr["type"] == "histogram"]
    assert len(hists) == 3 * len(SAMPLER_NAMES)
    bins = {(h["xbins"]["start"], h["xbins"]["end"], h["xbins"]["size"]) for h in hists}
    assert bins == {(edges[0], edges[-1], edges[1] - edges[0])}
    negatives = [h["name"] for h in hists if "negatives" in h["name"]]
    assert negatives == [f"{n} negatives" for n in ("RNS", "PNS", "DNS", "IRGAN", "SRNS")]
    for h in hists:  # shares, summed per bin
        assert h["histfunc"] == "sum" and abs(sum(h["y"]) - 1) < 1e-9


def test_fn_rate_title_names_the_definition(finished_run):
    exact = figures.fig_fn_rate(finished_run.histories, "exact")
    held = figures.fig_fn_rate(finished_run.histories, "held-out")
    assert "exact" in exact.layout.title.text and "held-out" in held.layout.title.text
    assert len(exact.data) == len(SAMPLER_NAMES)


def test_other_panels_build(finished_run):
    tr = finished_run.trainers["rns"]
    pop = figures.fig_popularity(finished_run.histories, tr.popularity_edges, epochs=3)
    assert {d.name for d in pop.data} >= {"RNS", "PNS", "DNS", "IRGAN", "SRNS"}
    cost = figures.fig_cost(finished_run.histories)
    assert list(cost.data[0].x) == ["RNS", "PNS", "DNS", "IRGAN", "SRNS"]
    hard = figures.fig_hardness(finished_run.histories, epochs=3)
    assert list(hard.layout.yaxis.range) == [0, 1]
    for fig in (pop, cost, hard):
        assert fig.layout.height and fig.layout.uirevision


def test_empty_histories_show_a_waiting_note():
    fig = figures.fig_convergence({"rns": [], "dns": []}, 10, epochs=5)
    assert fig.layout.annotations[-1].text == t("chart_empty")


def test_chinese_titles():
    fig = figures.fig_hardness({"rns": []}, lang="zh")
    assert "难度" in fig.layout.title.text


def test_internals_figures():
    from lab_ui.sampler_views import dns, irgan, srns

    d = dns.fig_candidates(["a", "b", "c"], [0.1, 0.5, -1], 1, [False, True, False], user="u")
    assert list(d.data[0].x) == ["b", "a", "c"]
    g = irgan.fig_generator(["a", "b"], [0.6, 0.4], [0.1, -0.2], [False, True], user="u")
    assert len(g.data) == 2
    s = srns.fig_memory([1, 2, 3], [0.1, 0.0, 0.3], [False, True, False], ["x", "y", "z"])
    assert [len(d.x) for d in s.data] == [2, 1]
    lt = figures.fig_long_tail(np.array([3, 0, 10]))  # small data: a plain integer axis
    assert list(lt.data[0].y) == [10, 3, 0] and lt.layout.yaxis.type != "log" and lt.layout.yaxis.dtick == 1
    big = figures.fig_long_tail(np.arange(500) % 97)
    assert big.layout.yaxis.type == "log" and min(big.data[0].y) == 0.8


def test_export_csv_json_and_results(finished_run):
    frame = history_frame(finished_run.histories)
    assert len(frame) == 3 * len(SAMPLER_NAMES) and {"sampler", "epoch", "loss", "valid_ndcg@3"} <= set(frame)
    assert history_csv(finished_run.histories).splitlines()[0].startswith("sampler,epoch,loss")
    payload = json.loads(history_json(finished_run))
    assert set(payload["histories"]) == set(SAMPLER_NAMES) and len(payload["histories"]["dns"]) == 3
    table = results_frame(finished_run, {"sampler": "S"})
    assert list(table["S"]) == ["RNS", "PNS", "DNS", "IRGAN", "SRNS"] and "test_ndcg" in table


def test_rebuilt_figures_keep_uirevision_and_planned_ranges(finished_run):
    """A redraw while training runs keeps the chart's uirevision and its x range (the planned epochs),
    so Plotly can keep a learner's zoom; counts are integers; histograms fit the data."""
    h = finished_run.histories
    early = {n: r[:1] for n, r in h.items()}
    for build in (
        lambda hs: figures.fig_fn_rate(hs, "exact", epochs=3),
        lambda hs: figures.fig_hardness(hs, epochs=3),
        lambda hs: figures.fig_convergence(hs, 3, epochs=3),
    ):
        a, b = json.loads(build(early).to_json())["layout"], json.loads(build(h).to_json())["layout"]
        assert a["uirevision"] == b["uirevision"] and a["xaxis"]["range"] == b["xaxis"]["range"] == [0.5, 3.5]
    cost = figures.fig_cost(h)
    assert all(float(v).is_integer() for v in cost.data[2].y) and ",.0f" in cost.data[2].hovertemplate
    edges = finished_run.trainers["rns"].score_edges
    lo, hi = figures.data_range(edges, [r[-1].neg_score_hist for r in h.values()])
    assert edges[0] <= lo < hi <= edges[-1] and lo % 0.5 == 0 and hi % 0.5 == 0
    assert figures.data_range(edges, [np.zeros(len(edges) - 1)]) == (edges[0], edges[-1])
    assert figures.coinciding({"a": [1, 2], "b": [1, 2], "c": [1, 3], "d": []}) == [["a", "b"]]
    from lab_ui.chart_base import CHART_CONFIG

    assert CHART_CONFIG["toImageButtonOptions"]["format"] == "png" and CHART_CONFIG["displayModeBar"]


def test_history_csv_has_the_test_metrics_at_the_best_epoch(finished_run):
    from lab_ui.runs import run_tests

    frame = history_frame(finished_run.histories, run_tests(finished_run))
    assert {"best_epoch", "test_ndcg@3", "test_recall@3"} <= set(frame)
    best = frame[frame["best_epoch"]]
    assert len(best) == len(SAMPLER_NAMES) and best["test_ndcg@3"].notna().all()
    assert frame[~frame["best_epoch"]]["test_ndcg@3"].isna().all()
