"""The figures are built as plain dicts and become a go.Figure once (lab_ui.chart_base.figure), skipping
plotly's per-property validation at runtime: these tests validate every builder's output with plotly,
check that chart_base.grid gives exactly make_subplots' axes and titles, and pin the traces, colours
and ranges of a small hand-made history."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from lab_ui import chart_base, figures
from lab_ui.i18n import t
from lab_ui.runs import LiveRun, RunSpec
from lab_ui.sampler_views import dns, irgan, pns, srns, view_for
from negsamp_core.arms import Arm
from negsamp_core.config import TrainConfig
from negsamp_core.data import make_toy
from negsamp_core.samplers import SAMPLER_NAMES
from negsamp_core.training import EpochRecord

SMALL = {"dns": {"candidates": 3}, "irgan": {"g_samples": 4, "g_epochs": 1}, "srns": {"s1": 3, "s2": 3, "warmup": 1}}
EDGES = np.linspace(-2.0, 2.0, 9)  # 8 score bins of 0.5
POP_EDGES = np.array([0, 1, 2, 4, 8])


def record(epoch: int, **kw) -> EpochRecord:
    """A hand-made epoch record (histograms as lists: the builders must not rely on tuples)."""
    base = dict(
        epoch=epoch,
        loss=0.7 / epoch,
        valid={"recall@3": 0.1 * epoch, "ndcg@3": 0.05 * epoch},
        fn_rate=0.02 * epoch,
        neg_score_mean=0.0,
        pos_score_mean=1.0,
        uniform_score_mean=-0.5,
        hardness_mean=0.3,
        neg_popularity_mean=2.0 + epoch,
        uniform_popularity_mean=1.5,
        neg_score_hist=[0, 0, 1, 3, 0, 0, 0, 0],
        pos_score_hist=[0, 0, 0, 0, 2, 2, 0, 0],
        uniform_score_hist=[0, 1, 1, 2, 0, 0, 0, 0],
        neg_popularity_hist=[1, 1, 2, 0],
        sample_seconds=0.01,
        train_seconds=0.03,
        eval_seconds=0.0,
        diag_seconds=0.0,
        elapsed_seconds=0.05 * epoch,
        n_scores=1500,
        n_pairs=40,
    )
    base.update(kw)
    return EpochRecord(**base)


HAND = {"rns": [record(1), record(2)], "dns": [record(1, hardness_mean=0.6), record(2, hardness_mean=0.7)]}


@pytest.fixture(scope="module")
def run() -> LiveRun:
    config = TrainConfig(dim=4, lr=0.05, batch_size=6, epochs=3, eval_k=3, score_bins=16)
    arms = (*SAMPLER_NAMES, Arm("DNS M=1", "dns", {"candidates": 1}))
    live = LiveRun(make_toy(), RunSpec(("toy",), arms, config, SMALL, seed=0))
    while not live.done:
        live.advance(50, budget_s=10)
    return live


def page_figures(histories, trainer, k, epochs, styles, lang):
    """Every page figure of one state (Compare's, the Playground's sizes, both x modes, both definitions)."""
    return {
        "convergence": figures.fig_convergence(histories, k, epochs=epochs, lang=lang, styles=styles),
        "convergence_s": figures.fig_convergence(histories, k, x="seconds", lang=lang, height=340),
        "scores": figures.fig_score_hists(histories, trainer.score_edges, lang=lang, styles=styles),
        "hardness": figures.fig_hardness(histories, epochs=epochs, lang=lang, styles=styles),
        "fn": figures.fig_fn_rate(histories, "exact", epochs=epochs, lang=lang, styles=styles),
        "fn_held": figures.fig_fn_rate(histories, "held-out", lang=lang, height=320),
        "popularity": figures.fig_popularity(histories, trainer.popularity_edges, epochs=epochs, lang=lang),
        "cost": figures.fig_cost(histories, lang=lang, styles=styles),
    }


def view_figures(run: LiveRun, lang: str) -> dict:
    out = {}
    users = np.arange(run.dataset.n_users)
    for label, trainer in run.trainers.items():
        panel = view_for(run.sampler_of(label)).internals(
            trainer.sampler, trainer.scorer, run.dataset, users, lang=lang
        )
        if panel is not None and panel.figure is not None:
            out[label] = panel.figure
    return out


def static_figures(lang: str) -> dict:
    return {
        "dns": dns.fig_candidates(["a", "b", "c"], [0.1, 0.5, -1], 1, [False, True, False], user="u", lang=lang),
        "irgan": irgan.fig_generator(["a", "b"], [0.6, 0.4], [0.1, -0.2], [False, True], user="u", lang=lang),
        "irgan_gd": irgan.fig_generator(["a"], [1.0], [0.3], [False], user="u", lang=lang, g_equals_d=True),
        "pns": pns.fig_probabilities(["a", "b"], [0.6, 0.4], [5, 3], user="u", alpha=0.75, lang=lang),
        "srns": srns.fig_memory([1, 2, 3], [0.1, 0.0, 0.3], [False, True, False], ["x", "y", "z"], lang=lang),
        "long_tail_small": figures.fig_long_tail(np.array([3, 0, 10]), lang=lang),
        "long_tail_big": figures.fig_long_tail(np.arange(500) % 97, lang=lang),
        "learn": figures.fig_learn_draws(
            {"rns": np.array([1, 2, 3]), "dns": np.array([0, 5, 1])},
            ["i1", "i2", "i3"],
            np.array([True, False, False]),
            np.array([False, True, False]),
            user="u",
            lang=lang,
        ),
    }


def assert_valid(fig: go.Figure, what: str) -> None:
    """Plotly's full validation accepts the spec and changes nothing in it."""
    spec = fig.to_plotly_json()
    validated = go.Figure(spec)  # raises ValueError on an invalid property or value
    assert json.loads(pio.to_json(validated)) == json.loads(pio.to_json(fig)), what


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_validates_with_plotly(run, lang):
    trainer = next(iter(run.trainers.values()))
    styles = figures.arm_styles(run.arms.values())
    h = run.histories
    states = {
        "finished": h,
        "one_epoch": {n: r[:1] for n, r in h.items()},
        "empty": {n: [] for n in h},
        "half_empty": {n: (r if i % 2 else []) for i, (n, r) in enumerate(h.items())},
        "nothing": {},
    }
    count = 0
    for state, histories in states.items():
        for name, fig in page_figures(histories, trainer, 3, 3, styles, lang).items():
            assert isinstance(fig, go.Figure)
            assert_valid(fig, f"{state}/{name}")
            count += 1
    for name, fig in {**view_figures(run, lang), **static_figures(lang)}.items():
        assert_valid(fig, name)
        count += 1
    assert count > 45


@pytest.mark.parametrize(
    "kw",
    [
        dict(cols=1),
        dict(cols=3, horizontal_spacing=0.07, titles=["a", "b", "c"]),
        dict(cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.1, titles=["p", "q"]),
        dict(cols=2, horizontal_spacing=0.12, titles=["", "q"]),
        dict(cols=5, shared_yaxes=True, horizontal_spacing=0.02, titles=list("vwxyz")),
        dict(cols=7, shared_yaxes=True, horizontal_spacing=0.02, titles=list("abcdefg")),
        dict(cols=4),
        dict(cols=1, secondary_y=True),
    ],
)
def test_grid_is_make_subplots(kw):
    """chart_base.grid gives make_subplots' axes (domains to the last bit, anchors, shared axes,
    the secondary y) and subplot-title annotations."""
    cols = kw.pop("cols")
    secondary = kw.get("secondary_y", False)
    ref = make_subplots(
        rows=1,
        cols=cols,
        horizontal_spacing=kw.get("horizontal_spacing"),
        column_widths=kw.get("column_widths"),
        subplot_titles=kw.get("titles"),
        shared_yaxes=kw.get("shared_yaxes", False),
        specs=[[{"secondary_y": True}]] if secondary else None,
    )
    ours = chart_base.figure([], chart_base.grid(cols, **kw))
    expected, got = ref.to_plotly_json()["layout"], ours.to_plotly_json()["layout"]
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_hand_made_history_traces_colours_and_ranges():
    conv = figures.fig_convergence(HAND, 3, epochs=4)
    assert [tr.name for tr in conv.data] == ["RNS"] * 3 + ["DNS"] * 3
    assert [(tr.xaxis, tr.yaxis) for tr in conv.data[:3]] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    assert [tr.showlegend for tr in conv.data] == [True, False, False] * 2
    assert conv.data[0].line.color == "#0072B2" and conv.data[0].line.dash == "solid"
    assert conv.data[3].line.color == "#009E73" and conv.data[3].line.dash == "dot"
    assert conv.data[3].marker.symbol == "diamond" and conv.data[3].line.width == 3
    assert list(conv.data[1].y) == [0.1, 0.2] and list(conv.data[0].x) == [1, 2]
    assert all(list(conv.layout[f"xaxis{n}"].range) == [0.5, 4.5] for n in ("", "2", "3"))
    assert conv.layout.xaxis.domain == (0.0, 0.2866666666666667)
    assert conv.layout.uirevision == "convergence-epoch" and conv.layout.height == 380
    assert [a.text for a in conv.layout.annotations] == [
        t("chart_loss"),
        t("chart_recall", k=3),
        t("chart_ndcg", k=3),
    ]
    assert "≡" in conv.layout.title.text  # identical losses: the coincidence note

    fn = figures.fig_fn_rate(HAND, "exact", epochs=4)
    assert list(fn.layout.yaxis.range) == [0, 0.05] and fn.layout.xaxis.dtick == 1
    assert fn.layout.yaxis.tickformat == ".0%" and fn.data[0].xaxis is None

    hard = figures.fig_hardness(HAND, epochs=4)
    assert list(hard.data[1].y) == [0.6, 0.7] and list(hard.layout.yaxis.range) == [0, 1]
    assert "≡" not in hard.layout.title.text

    scores = figures.fig_score_hists(HAND, EDGES)
    assert len(scores.data) == 6 and {tr.xbins.size for tr in scores.data} == {0.5}
    assert [tr.xaxis for tr in scores.data] == ["x", "x", "x", "x2", "x2", "x2"]
    assert list(scores.data[1].y) == [0, 0, 0.25, 0.75, 0, 0, 0, 0] and scores.data[4].marker.color == "#009E73"
    assert list(scores.layout.xaxis.range) == list(scores.layout.xaxis2.range) == [-2.0, 1.5]
    assert scores.layout.yaxis2.matches == "y" and scores.layout.yaxis2.showticklabels is False
    assert scores.layout.xaxis.title.text == t("chart_scores_x") and scores.layout.xaxis2.title.text is None
    assert {a.font.size for a in scores.layout.annotations} == {15} and scores.layout.barmode == "overlay"

    pop = figures.fig_popularity(HAND, POP_EDGES, epochs=4)
    assert [tr.type for tr in pop.data] == ["scatter", "bar", "scatter", "bar", "scatter"]
    assert list(pop.data[1].x) == ["0", "1", "2–3", "4–7"] and list(pop.data[1].y) == [0.25, 0.25, 0.5, 0]
    assert pop.data[1].marker.pattern.shape == "" and pop.data[3].marker.pattern.shape == "."
    assert pop.data[-1].line.dash == "dot" and list(pop.data[-1].y) == [1.5, 1.5]
    assert pop.layout.xaxis2.type == "category" and pop.layout.xaxis.domain == (0.0, 0.405)

    cost = figures.fig_cost(HAND)
    assert list(cost.data[0].x) == ["RNS", "DNS"] and list(cost.data[2].y) == [1500, 1500]
    assert list(cost.data[2].text) == ["1.5k", "1.5k"] and cost.layout.barmode == "stack"
    assert list(cost.data[1].text) == ["0.04 s", "0.04 s"]
    for fig in (conv, fn, hard, scores, pop, cost):
        assert fig.layout.margin.b == 95 and fig.layout.legend.yref == "container"
        assert fig.layout.xaxis.tickfont.size == 14 and fig.layout.font.size == 15


def test_empty_charts_have_a_centre_note_and_hidden_axes():
    for fig in (
        figures.fig_convergence({"rns": []}, 3),
        figures.fig_score_hists({"rns": []}, EDGES),
        figures.fig_popularity({"rns": []}, POP_EDGES),
        figures.fig_cost({}),
        figures.fig_fn_rate({}, "exact"),
    ):
        note = fig.layout.annotations[-1]
        assert note.text == t("chart_empty") and note.font.size == 16 and note.font.color == chart_base.GREY
        spec = fig.to_plotly_json()["layout"]
        axes = [v for k, v in spec.items() if k.startswith(("xaxis", "yaxis"))]
        assert axes and all(a["visible"] is False for a in axes)


def test_a_figure_never_shares_the_module_fonts():
    fig = figures.fig_hardness(HAND)
    fig.update_layout(font_size=30, legend_font_size=30)
    fig.update_xaxes(tickfont_size=30)
    assert chart_base.FONT == {"size": 15} and chart_base.TICK_FONT == {"size": 14}
    assert figures.fig_hardness(HAND).layout.font.size == 15


def test_merge_is_update_layout():
    base = {"legend": {"font": {"size": 14}, "y": 0.01}, "dtick": 1}
    chart_base.merge(base, {"legend": {"y": 1.02}, "dtick": None, "barmode": "group"})
    assert base == {"legend": {"font": {"size": 14}, "y": 1.02}, "barmode": "group"}
    ref = go.Figure(layout={"legend": {"font": {"size": 14}, "y": 0.01}, "xaxis": {"dtick": 1}})
    ref.update_layout(legend=dict(y=1.02), xaxis=dict(dtick=None))
    ours = chart_base.merge({"legend": {"font": {"size": 14}, "y": 0.01}, "xaxis": {"dtick": 1}}, {})
    chart_base.merge(ours, {"legend": {"y": 1.02}, "xaxis": {"dtick": None}})
    got = chart_base.figure([], ours).to_plotly_json()["layout"]
    assert got == ref.to_plotly_json()["layout"]


def test_figures_accept_histograms_of_any_sequence_type():
    """EpochRecord's histograms may be tuples, lists or arrays (the storage may change)."""
    as_arrays = {
        n: [
            record(
                r.epoch,
                neg_score_hist=np.asarray(r.neg_score_hist),
                pos_score_hist=tuple(r.pos_score_hist),
                uniform_score_hist=np.asarray(r.uniform_score_hist, dtype=np.int32),
                neg_popularity_hist=np.asarray(r.neg_popularity_hist),
            )
            for r in recs
        ]
        for n, recs in HAND.items()
    }
    a = json.loads(pio.to_json(figures.fig_score_hists(as_arrays, EDGES)))
    b = json.loads(pio.to_json(figures.fig_score_hists(HAND, EDGES)))
    assert a == b
    p = figures.fig_popularity(as_arrays, POP_EDGES)
    assert math.isclose(sum(p.data[1].y), 1.0)
