"""Pure functions from epoch records (and sampler internals) to Plotly figures.

No Streamlit here: tests build every figure directly. Conventions, for a projector:

* one fixed colour (Okabe-Ito, colour-blind safe) AND one dash / marker / hatch per sampler, read
  from the sampler's view (:func:`style_of`; any registered sampler has one);
* fixed heights, fixed axis ranges where the quantity has natural bounds, ``uirevision`` set so a
  redraw keeps the user's zoom;
* histograms use explicit shared ``xbins`` from the trainer's fixed score edges, so every sampler's
  bars line up.

``histories`` is always ``{sampler_name: [EpochRecord, ...]}`` in display order. A sampler's own
internals figures live in its view (:mod:`lab_ui.sampler_views`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from negsamp_core.results import epoch_scores

from .chart_base import GREY, LIGHT, Style
from .chart_base import layout as _layout
from .i18n import sampler_label, t
from .sampler_views import view_for

__all__ = ["style_of", "fig_convergence", "fig_fn_rate", "fig_hardness", "fig_score_hists", "fig_popularity",
           "fig_cost", "fig_long_tail", "fig_learn_draws", "metric_key"]


def style_of(name: str) -> Style:
    """The chart style of sampler ``name`` (from its view, or the default palette: never a KeyError)."""
    return view_for(name).style


def metric_key(metric: str, k: int) -> str:
    return f"{metric}@{k}"


def _line(name: str, x, y, *, showlegend=True, legendgroup=None, text=None) -> go.Scatter:
    s = style_of(name)
    return go.Scatter(x=list(x), y=list(y), name=sampler_label(name), mode="lines+markers",
                      line=dict(color=s.color, dash=s.dash, width=3),
                      marker=dict(symbol=s.symbol, size=8, color=s.color),
                      legendgroup=legendgroup or name, showlegend=showlegend, hovertext=text)


def _add(fig: go.Figure, items: list) -> None:
    """Add (trace, row, col) items in one call (add_trace per trace is ~10x slower)."""
    if not items:
        return
    traces = [i[0] for i in items]
    if items[0][1] is None:
        fig.add_traces(traces)
    else:
        fig.add_traces(traces, rows=[i[1] for i in items], cols=[i[2] for i in items])


def _x(records, x: str) -> list:
    return [r.elapsed_seconds if x == "seconds" else r.epoch for r in records]


def _max_epochs(histories: Mapping, epochs: int | None) -> int:
    seen = max((len(h) for h in histories.values()), default=0)
    return max(int(epochs or 0), seen, 1)


def _empty_note(fig: go.Figure, histories: Mapping, lang: str) -> None:
    if not any(histories.values()):
        fig.add_annotation(text=t("chart_empty", lang), showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font=dict(size=16, color=GREY))


# ---------------------------------------------------------------------------- training curves
def fig_convergence(histories: Mapping[str, Sequence], eval_k: int, *, x: str = "epoch", epochs: int | None = None,
                    lang: str = "en", height: int = 380) -> go.Figure:
    """Three small multiples: BPR loss, validation Recall@K, validation NDCG@K against epoch or seconds."""
    titles = (t("chart_loss", lang), t("chart_recall", lang, k=eval_k), t("chart_ndcg", lang, k=eval_k))
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.07)
    items = []
    for name, records in histories.items():
        xs = _x(records, x)
        for col, values in enumerate((
                [r.loss for r in records],
                [r.valid.get(metric_key("recall", eval_k), np.nan) for r in records],
                [r.valid.get(metric_key("ndcg", eval_k), np.nan) for r in records]), start=1):
            items.append((_line(name, xs, values, showlegend=col == 1), 1, col))
    _add(fig, items)
    x_title = t("x_epoch" if x == "epoch" else "x_seconds", lang)
    fig.update_xaxes(title_text=x_title)
    if x == "epoch":
        fig.update_xaxes(range=[0.5, _max_epochs(histories, epochs) + 0.5])
    fig.update_yaxes(rangemode="tozero")
    _empty_note(fig, histories, lang)
    return _layout(fig, t("chart_convergence", lang, x=x_title), height, f"convergence-{x}")


def fig_fn_rate(histories: Mapping[str, Sequence], definition: str, *, epochs: int | None = None,
                lang: str = "en", height: int = 360) -> go.Figure:
    """False-negative rate per epoch; the title says which definition is in use."""
    fig = go.Figure()
    _add(fig, [(_line(name, [r.epoch for r in records], [r.fn_rate for r in records]), None, None)
               for name, records in histories.items()])
    top = max((r.fn_rate for h in histories.values() for r in h if np.isfinite(r.fn_rate)), default=0.05)
    fig.update_xaxes(title_text=t("x_epoch", lang), range=[0.5, _max_epochs(histories, epochs) + 0.5])
    fig.update_yaxes(title_text=t("chart_fn_y", lang), tickformat=".0%", range=[0, max(0.05, top * 1.15)])
    _empty_note(fig, histories, lang)
    title = t("chart_fn_exact" if definition == "exact" else "chart_fn_heldout", lang)
    return _layout(fig, title, height, "fn-rate", title_font_size=16, margin=dict(l=60, r=20, t=80, b=50))


def fig_hardness(histories: Mapping[str, Sequence], *, epochs: int | None = None, lang: str = "en",
                 height: int = 360) -> go.Figure:
    """Mean gradient weight σ(s_uj − s_ui) of the sampled negatives per epoch (0..1)."""
    fig = go.Figure()
    _add(fig, [(_line(name, [r.epoch for r in records], [r.hardness_mean for r in records]), None, None)
               for name, records in histories.items()])
    fig.update_xaxes(title_text=t("x_epoch", lang), range=[0.5, _max_epochs(histories, epochs) + 0.5])
    fig.update_yaxes(title_text=t("chart_hardness_y", lang), range=[0, 1])
    _empty_note(fig, histories, lang)
    return _layout(fig, t("chart_hardness", lang), height, "hardness", title_font_size=16,
                   margin=dict(l=60, r=20, t=80, b=50))


def _hist(edges: np.ndarray, counts, **kw) -> go.Histogram:
    """A histogram of pre-binned counts: x = bin centres, summed, on the shared explicit bins."""
    edges = np.asarray(edges, dtype=float)
    counts = np.asarray(counts, dtype=float)
    centres = (edges[:-1] + edges[1:]) / 2
    share = counts / counts.sum() if counts.sum() > 0 else counts
    return go.Histogram(x=centres.tolist(), y=share.tolist(), histfunc="sum", autobinx=False,
                        xbins=dict(start=float(edges[0]), end=float(edges[-1]), size=float(edges[1] - edges[0])),
                        **kw)


def fig_score_hists(histories: Mapping[str, Sequence], edges: np.ndarray, *, lang: str = "en",
                    height: int = 330) -> go.Figure:
    """One panel per sampler (shared x and y): the last epoch's score histogram of the sampled
    negatives (sampler colour) over the positives (dark outline) and random items (light grey)."""
    names = list(histories)
    fig = make_subplots(rows=1, cols=max(len(names), 1), shared_yaxes=True, horizontal_spacing=0.02,
                        subplot_titles=[sampler_label(n) for n in names] or [""])
    epoch, items = 0, []
    for col, name in enumerate(names, start=1):
        records = histories[name]
        if not records:
            continue
        last = records[-1]
        epoch = max(epoch, last.epoch)
        first = col == 1
        items.append((_hist(edges, last.uniform_score_hist, name=t("trace_uniform", lang), legendgroup="uniform",
                            showlegend=first, marker=dict(color=LIGHT), opacity=0.9), 1, col))
        items.append((_hist(edges, last.neg_score_hist, name=t("trace_negatives", lang, sampler=sampler_label(name)),
                            legendgroup=name, marker=dict(color=style_of(name).color), opacity=0.75), 1, col))
        items.append((_hist(edges, last.pos_score_hist, name=t("trace_positives", lang), legendgroup="positives",
                            showlegend=first,
                            marker=dict(color="rgba(0,0,0,0)", line=dict(color="#000000", width=1.5))), 1, col))
    _add(fig, items)
    fig.update_layout(barmode="overlay", bargap=0.02)
    fig.update_xaxes(range=[float(edges[0]), float(edges[-1])])
    fig.update_xaxes(title_text=t("chart_scores_x", lang), col=(len(names) + 1) // 2 or 1)
    fig.update_yaxes(title_text=t("chart_scores_y", lang), tickformat=".0%", col=1)
    _empty_note(fig, histories, lang)
    return _layout(fig, t("chart_scores", lang, epoch=epoch), height, "score-hists")


def fig_popularity(histories: Mapping[str, Sequence], popularity_edges: np.ndarray, *, epochs: int | None = None,
                   lang: str = "en", height: int = 360) -> go.Figure:
    """Mean popularity of sampled negatives per epoch (random items dotted, for reference) and the
    last epoch's popularity distribution over the shared log-spaced bins."""
    edges = np.asarray(popularity_edges)
    labels = [f"{int(a)}" if b - a == 1 else f"{int(a)}–{int(b) - 1}" for a, b in zip(edges[:-1], edges[1:])]
    epoch = max((h[-1].epoch for h in histories.values() if h), default=0)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.1,
                        subplot_titles=(t("chart_popularity", lang), t("chart_popularity_hist", lang, epoch=epoch)))
    reference, items = None, []
    for name, records in histories.items():
        items.append((_line(name, [r.epoch for r in records], [r.neg_popularity_mean for r in records]), 1, 1))
        if records:
            reference = reference or [(r.epoch, r.uniform_popularity_mean) for r in records]
            counts = np.asarray(records[-1].neg_popularity_hist, dtype=float)
            share = counts / counts.sum() if counts.sum() else counts
            items.append((go.Bar(x=labels, y=share.tolist(), name=sampler_label(name), legendgroup=name,
                                 showlegend=False, marker=dict(color=style_of(name).color,
                                                               pattern=dict(shape=style_of(name).pattern))), 1, 2))
    if reference:
        items.append((go.Scatter(x=[e for e, _ in reference], y=[v for _, v in reference], mode="lines",
                                 name=t("trace_uniform_pop", lang), line=dict(color=GREY, dash="dot", width=2)), 1, 1))
    _add(fig, items)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=t("x_epoch", lang), range=[0.5, _max_epochs(histories, epochs) + 0.5], row=1, col=1)
    fig.update_yaxes(title_text=t("chart_popularity_y", lang), rangemode="tozero", row=1, col=1)
    fig.update_xaxes(title_text=t("chart_popularity_x", lang), type="category", row=1, col=2)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_annotations(font_size=15)
    _empty_note(fig, histories, lang)
    return _layout(fig, "", height, "popularity", margin=dict(l=60, r=20, t=50, b=50))


def fig_cost(histories: Mapping[str, Sequence], *, lang: str = "en", height: int = 340) -> go.Figure:
    """Mean seconds per epoch split into sampling and model update, and model scores per epoch."""
    names = [n for n, h in histories.items() if h]
    labels = [sampler_label(n) for n in names]
    sample = [float(np.mean([r.sample_seconds for r in histories[n]])) for n in names]
    train = [float(np.mean([r.train_seconds for r in histories[n]])) for n in names]
    scores = [float(np.mean([epoch_scores(r) for r in histories[n]])) for n in names]
    colours = [style_of(n).color for n in names]
    patterns = [style_of(n).pattern for n in names]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=(t("chart_cost", lang), t("chart_scores_count", lang)))
    _add(fig, [(go.Bar(x=labels, y=sample, name=t("trace_sampling", lang), showlegend=False,
                       marker=dict(color=colours, pattern=dict(shape=patterns)),
                       hovertemplate="%{x}: %{y:.3f} s"), 1, 1),
               (go.Bar(x=labels, y=train, name=t("trace_updating", lang), showlegend=False,
                       marker=dict(color=colours, opacity=0.35), text=[f"{a + b:.2f} s" for a, b in zip(sample, train)],
                       textposition="outside", hovertemplate="%{x}: %{y:.3f} s"), 1, 1),
               (go.Bar(x=labels, y=scores, name=t("chart_scores_count_y", lang), showlegend=False,
                       marker=dict(color=colours, pattern=dict(shape=patterns)), text=[_si(v) for v in scores],
                       textposition="outside"), 1, 2)])
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text=t("chart_cost_y", lang), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=t("chart_scores_count_y", lang), rangemode="tozero", row=1, col=2)
    fig.update_annotations(font_size=15)
    _empty_note(fig, histories, lang)
    return _layout(fig, "", height, "cost", margin=dict(l=70, r=20, t=50, b=50))


def _si(value: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f}{unit}"
    return f"{value:.0f}"


# ---------------------------------------------------------------------------- data
def fig_long_tail(popularity: np.ndarray, *, lang: str = "en", height: int = 320) -> go.Figure:
    """Training popularity of every item sorted from most to least popular (log y)."""
    pop = np.sort(np.asarray(popularity))[::-1]
    fig = go.Figure(go.Scatter(x=np.arange(1, pop.size + 1).tolist(), y=np.maximum(pop, 0.8).tolist(),
                               mode="lines", fill="tozeroy", line=dict(color="#0072B2", width=2),
                               name=t("metric_items", lang)))
    fig.update_xaxes(title_text=t("chart_long_tail_x", lang))
    fig.update_yaxes(title_text=t("chart_long_tail_y", lang), type="log", dtick=1)  # 1, 10, 100: no minor labels
    return _layout(fig, t("chart_long_tail", lang), height, "long-tail", showlegend=False)


# ---------------------------------------------------------------------------- learn page
def fig_learn_draws(counts: Mapping[str, np.ndarray], item_labels: Sequence[str], positive: np.ndarray,
                    liked_hidden: np.ndarray, *, user: str, lang: str = "en", height: int = 420) -> go.Figure:
    """Grouped bars: per item, how often each sampler drew it for one user; ✓ positives, ★ hidden likes."""
    marks = [("✓ " if p else "★ " if h else "") + lab for lab, p, h in zip(item_labels, positive, liked_hidden)]
    fig = go.Figure()
    for name, c in counts.items():
        fig.add_trace(go.Bar(x=marks, y=np.asarray(c).tolist(), name=sampler_label(name),
                             marker=dict(color=style_of(name).color, pattern=dict(shape=style_of(name).pattern))))
    for idx, hidden in enumerate(liked_hidden):
        if hidden:
            fig.add_vrect(x0=idx - 0.5, x1=idx + 0.5, fillcolor="#D55E00", opacity=0.08, line_width=0)
    fig.update_layout(barmode="group", bargap=0.15)
    fig.update_xaxes(type="category", tickangle=-35, automargin=True)
    fig.update_yaxes(title_text=t("learn_chart_y", lang), rangemode="tozero")
    fig = _layout(fig, t("learn_chart", lang, user=user), height, "learn-draws",
                  margin=dict(l=60, r=20, t=100, b=110))
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))  # above: labels need the room
    return fig
