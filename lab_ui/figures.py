"""Pure functions from epoch records (and sampler internals) to Plotly figures.

No Streamlit here: tests build every figure directly. Conventions, for a projector:

* one fixed colour (Okabe-Ito, colour-blind safe) AND one dash / marker / hatch per sampler, read
  from the sampler's view (:func:`style_of`; any registered sampler has one);
* fixed heights, fixed axis ranges where the quantity has natural bounds, ``uirevision`` set so a
  redraw keeps the user's zoom;
* histograms use explicit shared ``xbins`` from the trainer's fixed score edges, so every sampler's
  bars line up;
* each figure is assembled as plain dicts (traces, a :func:`~lab_ui.chart_base.grid` of subplots,
  the common :func:`~lab_ui.chart_base.layout_spec`) and becomes a ``go.Figure`` once, at the end
  (:func:`~lab_ui.chart_base.figure`): live redraws stay cheap.

``histories`` is always ``{arm label: [EpochRecord, ...]}`` in display order: a plain sampler's
label is its name (``"dns"``), a variant's its label (``"DNS M=8"``). ``styles`` (from
:func:`arm_styles`) gives each arm its look; without it a sampler name takes its view's style and a
variant label one derived from its sampler's (never a KeyError). A sampler's own internals figures
live in its view (:mod:`lab_ui.sampler_views`).

Readability: integer counts (ticks and hover), histogram ranges fitted to the data (shared by all
arms), a visible note when two arms' curves coincide (DNS M = 1 over RNS), and a one-line "how to
read this" per chart (:func:`how_to_read`).
"""

from __future__ import annotations

import math
import zlib
from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from negsamp_core.results import epoch_scores
from negsamp_core.samplers import SAMPLERS

from .chart_base import GREY, LIGHT, Style, axes, cell, figure, grid, layout_spec, merge, note_spec, variant_style
from .i18n import sampler_label, t
from .sampler_views import view_for

__all__ = [
    "style_of",
    "arm_styles",
    "fig_convergence",
    "fig_fn_rate",
    "fig_hardness",
    "fig_score_hists",
    "fig_popularity",
    "fig_cost",
    "fig_long_tail",
    "fig_learn_draws",
    "metric_key",
    "how_to_read",
    "coinciding",
    "READ_KEYS",
]

# The one-line "how to read this" of each chart (a caption under it on every page).
READ_KEYS = {
    "convergence": "read_convergence",
    "scores": "read_scores",
    "hardness": "read_hardness",
    "fn": "read_fn",
    "popularity": "read_popularity",
    "cost": "read_cost",
}


def how_to_read(chart: str, lang: str = "en") -> str:
    """The translated one-line reading guide of ``chart`` (a key of :data:`READ_KEYS`)."""
    return t(READ_KEYS[chart], lang)


def style_of(name: str, styles=None) -> Style:
    """The chart style of arm ``name``: ``styles[name]`` when given; a sampler name's view style (or
    the default palette); a variant label (``"DNS M=8"``) a style in its sampler's hue family. Never
    a KeyError."""
    if styles and name in styles:
        return styles[name]
    if name in SAMPLERS:
        return view_for(name).style
    head = name.split(" ", 1)[0].lower()
    if head in SAMPLERS and head != name:
        return variant_style(view_for(head).style, 1 + zlib.crc32(name.encode()) % 5)
    return view_for(name).style


def arm_styles(arms) -> dict[str, Style]:
    """``{label: Style}`` for arms (:class:`negsamp_core.arms.Arm`) in order: the first arm of each
    sampler takes the sampler's own style, later ones its variants (:func:`variant_style`)."""
    seen: dict[str, int] = {}
    out = {}
    for arm in arms:
        index = seen.get(arm.sampler, 0)
        seen[arm.sampler] = index + 1
        out[arm.label] = variant_style(view_for(arm.sampler).style, index)
    return out


def metric_key(metric: str, k: int) -> str:
    return f"{metric}@{k}"


def _line(
    name: str, x, y, *, showlegend=True, legendgroup=None, text=None, styles=None, hover: str = "%{y:.3f}", **kw
) -> dict:
    """One arm's line (a scatter trace dict) in its style; ``kw``: e.g. the subplot's axes (:func:`cell`)."""
    s = style_of(name, styles)
    label = sampler_label(name)
    trace = dict(
        type="scatter",
        x=list(x),
        y=list(y),
        name=label,
        mode="lines+markers",
        line=dict(color=s.color, dash=s.dash, width=3),
        marker=dict(symbol=s.symbol, size=8, color=s.color),
        legendgroup=legendgroup or name,
        showlegend=showlegend,
        hovertemplate=f"{label}: {hover}<extra></extra>",
        **kw,
    )
    if text is not None:
        trace["hovertext"] = text
    return trace


def coinciding(series: Mapping[str, Sequence[float]]) -> list[list[str]]:
    """Groups (two or more) of arms whose non-empty series are identical: one line hides the other."""
    groups: dict[tuple, list[str]] = {}
    for name, values in series.items():
        values = [round(float(v), 12) if math.isfinite(float(v)) else None for v in values]
        if values:
            groups.setdefault(tuple(values), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def _coincide_note(series: Mapping[str, Sequence[float]], lang: str) -> str:
    """A title line saying which arms' curves coincide (e.g. DNS M = 1 exactly over RNS), or ""."""
    groups = coinciding(series)
    if not groups:
        return ""
    text = "; ".join(
        t("chart_coincide", lang, a=", ".join(sampler_label(n) for n in g[:-1]), b=sampler_label(g[-1])) for g in groups
    )
    return f"<br><sup><span style='color:#8A5A00'>≡ {text}</span></sup>"


def _x(records, x: str) -> list:
    return [r.elapsed_seconds if x == "seconds" else r.epoch for r in records]


def _dtick(epochs: int):
    """Whole-epoch ticks on short runs (no "2.5 epochs"); Plotly's choice on long ones."""
    return 1 if epochs <= 12 else None


def _max_epochs(histories: Mapping, epochs: int | None) -> int:
    seen = max((len(h) for h in histories.values()), default=0)
    return max(int(epochs or 0), seen, 1)


def _empty_note(spec: dict, histories: Mapping, lang: str) -> None:
    """The centre note "waiting for the first epoch" (axes hidden) while no arm has an epoch."""
    if not any(histories.values()):
        note_spec(spec, t("chart_empty", lang))


# ---------------------------------------------------------------------------- training curves
def fig_convergence(
    histories: Mapping[str, Sequence],
    eval_k: int,
    *,
    x: str = "epoch",
    epochs: int | None = None,
    lang: str = "en",
    height: int = 380,
    styles=None,
) -> go.Figure:
    """Three small multiples: BPR loss, validation Recall@K, validation NDCG@K against epoch or seconds."""
    titles = (t("chart_loss", lang), t("chart_recall", lang, k=eval_k), t("chart_ndcg", lang, k=eval_k))
    spec = grid(3, titles=titles, horizontal_spacing=0.07)
    data = []
    recall, ndcg = metric_key("recall", eval_k), metric_key("ndcg", eval_k)
    for name, records in histories.items():
        xs = _x(records, x)
        for col, values in enumerate(
            (
                [r.loss for r in records],
                [r.valid.get(recall, np.nan) for r in records],
                [r.valid.get(ndcg, np.nan) for r in records],
            ),
            start=1,
        ):
            data.append(_line(name, xs, values, showlegend=col == 1, styles=styles, **cell(col)))
    note = _coincide_note({n: [r.loss for r in h] for n, h in histories.items()}, lang)
    x_axis = {"title": {"text": t("x_epoch" if x == "epoch" else "x_seconds", lang)}}
    if x == "epoch":
        x_axis["range"] = [0.5, _max_epochs(histories, epochs) + 0.5]
    axes(spec, x_axis, {"rangemode": "tozero"})
    _empty_note(spec, histories, lang)
    title = {"epoch": "chart_convergence_epoch", "seconds": "chart_convergence_seconds"}[
        "epoch" if x == "epoch" else "seconds"
    ]
    layout_spec(
        spec, t(title, lang) + note, height, f"convergence-{x}", margin=dict(l=60, r=20, t=95 if note else 70, b=50)
    )
    return figure(data, spec)


def _epoch_axis(histories: Mapping, epochs: int | None, lang: str) -> dict:
    """The x axis of a per-epoch chart: the planned epochs (a redraw keeps the range), whole-epoch
    ticks on short runs."""
    most = _max_epochs(histories, epochs)
    axis = {"title": {"text": t("x_epoch", lang)}, "range": [0.5, most + 0.5]}
    if _dtick(most) is not None:
        axis["dtick"] = _dtick(most)
    return axis


def fig_fn_rate(
    histories: Mapping[str, Sequence],
    definition: str,
    *,
    epochs: int | None = None,
    lang: str = "en",
    height: int = 360,
    styles=None,
) -> go.Figure:
    """False-negative rate per epoch; the title says which definition is in use. The y range grows
    in steps of 5 points (so a user's zoom survives most redraws, see ``uirevision``)."""
    data = [
        _line(name, [r.epoch for r in records], [r.fn_rate for r in records], styles=styles, hover="%{y:.1%}")
        for name, records in histories.items()
    ]
    top = max((r.fn_rate for h in histories.values() for r in h if np.isfinite(r.fn_rate)), default=0.05)
    spec = {
        "xaxis": _epoch_axis(histories, epochs, lang),
        "yaxis": {
            "title": {"text": t("chart_fn_y", lang)},
            "tickformat": ".0%",
            "range": [0, min(1.0, max(0.05, math.ceil(top * 1.1 / 0.05) * 0.05))],
        },
    }
    note = _coincide_note({n: [r.fn_rate for r in h] for n, h in histories.items()}, lang)
    _empty_note(spec, histories, lang)
    title = t("chart_fn_exact" if definition == "exact" else "chart_fn_heldout", lang) + note
    layout_spec(
        # the subtitle in two short lines: in the Playground's half-width column one line was cut
        spec,
        title,
        height,
        "fn-rate",
        title_font_size=16,
        margin=dict(l=60, r=20, t=118 if note else 98, b=50),
    )
    return figure(data, spec)


def fig_hardness(
    histories: Mapping[str, Sequence], *, epochs: int | None = None, lang: str = "en", height: int = 360, styles=None
) -> go.Figure:
    """Mean gradient weight σ(s_uj − s_ui) of the sampled negatives per epoch (0..1)."""
    data = [
        _line(name, [r.epoch for r in records], [r.hardness_mean for r in records], styles=styles)
        for name, records in histories.items()
    ]
    spec = {
        "xaxis": _epoch_axis(histories, epochs, lang),
        "yaxis": {"title": {"text": t("chart_hardness_y", lang)}, "range": [0, 1]},
    }
    note = _coincide_note({n: [r.hardness_mean for r in h] for n, h in histories.items()}, lang)
    _empty_note(spec, histories, lang)
    layout_spec(
        spec,
        t("chart_hardness", lang) + note,
        height,
        "hardness",
        title_font_size=16,
        margin=dict(l=60, r=20, t=100 if note else 80, b=50),
    )
    return figure(data, spec)


def _hist(edges: np.ndarray, counts, **kw) -> dict:
    """A histogram (trace dict) of pre-binned counts: x = bin centres, summed, on the shared explicit bins."""
    edges = np.asarray(edges, dtype=float)
    counts = np.asarray(counts, dtype=float)
    centres = (edges[:-1] + edges[1:]) / 2
    share = counts / counts.sum() if counts.sum() > 0 else counts
    return dict(
        type="histogram",
        x=centres.tolist(),
        y=share.tolist(),
        histfunc="sum",
        autobinx=False,
        xbins=dict(start=float(edges[0]), end=float(edges[-1]), size=float(edges[1] - edges[0])),
        **kw,
    )


def data_range(edges: np.ndarray, hists: Sequence, pad_bins: int = 1, step: float = 0.5) -> tuple[float, float]:
    """The x range of the non-empty bins of ``hists`` (counts over ``edges``), padded by ``pad_bins``
    and rounded outwards to multiples of ``step``, within the edges (the whole range when all are empty)."""
    edges = np.asarray(edges, dtype=float)
    total = np.zeros(edges.size - 1)
    for counts in hists:
        counts = np.asarray(counts, dtype=float)
        if counts.size == total.size:
            total += counts
    filled = np.flatnonzero(total > 0)
    if not filled.size:
        return float(edges[0]), float(edges[-1])
    lo = edges[max(filled[0] - pad_bins, 0)]
    hi = edges[min(filled[-1] + 1 + pad_bins, edges.size - 1)]
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return max(float(edges[0]), lo), min(float(edges[-1]), hi)


def fig_score_hists(
    histories: Mapping[str, Sequence], edges: np.ndarray, *, lang: str = "en", height: int = 330, styles=None
) -> go.Figure:
    """One panel per arm (shared x and y): the last epoch's score histogram of the sampled
    negatives (arm colour) over the positives (dark outline) and random items (light grey).
    The x range fits the union of every arm's non-empty bins (same range in every panel)."""
    names = list(histories)
    spec = grid(
        max(len(names), 1),
        shared_yaxes=True,
        horizontal_spacing=0.02,
        titles=[sampler_label(n) for n in names] or [""],
        title_font={"size": 15},
    )
    hover = "%{x:.2f}: %{y:.1%}"
    epoch, data, hists = 0, [], []
    for col, name in enumerate(names, start=1):
        records = histories[name]
        if not records:
            continue
        last = records[-1]
        hists += [last.uniform_score_hist, last.neg_score_hist, last.pos_score_hist]
        epoch = max(epoch, last.epoch)
        first = col == 1
        colour = style_of(name, styles).color
        axes_of = cell(col)
        data.append(
            _hist(
                edges,
                last.uniform_score_hist,
                name=t("trace_uniform", lang),
                legendgroup="uniform",
                showlegend=first,
                marker=dict(color=LIGHT),
                opacity=0.9,
                hovertemplate=hover,
                **axes_of,
            )
        )
        data.append(
            _hist(
                edges,
                last.neg_score_hist,
                name=t("trace_negatives", lang, sampler=sampler_label(name)),
                legendgroup=name,
                marker=dict(color=colour),
                opacity=0.75,
                hovertemplate=hover,
                **axes_of,
            )
        )
        data.append(
            _hist(
                edges,
                last.pos_score_hist,
                name=t("trace_positives", lang),
                legendgroup="positives",
                showlegend=first,
                marker=dict(color="rgba(0,0,0,0)", line=dict(color="#000000", width=1.5)),
                hovertemplate=hover,
                **axes_of,
            )
        )
    spec.update(barmode="overlay", bargap=0.02)
    axes(spec, {"range": list(data_range(edges, hists))})
    middle = (len(names) + 1) // 2 or 1
    spec["xaxis" if middle == 1 else f"xaxis{middle}"]["title"] = {"text": t("chart_scores_x", lang)}
    merge(spec["yaxis"], {"title": {"text": t("chart_scores_y", lang)}, "tickformat": ".0%"})
    _empty_note(spec, histories, lang)
    layout_spec(spec, t("chart_scores", lang, epoch=epoch), height, "score-hists")
    return figure(data, spec)


def fig_popularity(
    histories: Mapping[str, Sequence],
    popularity_edges: np.ndarray,
    *,
    epochs: int | None = None,
    lang: str = "en",
    height: int = 360,
    styles=None,
) -> go.Figure:
    """Mean popularity of sampled negatives per epoch (random items dotted, for reference) and the
    last epoch's popularity distribution over the shared log-spaced bins."""
    edges = np.asarray(popularity_edges)
    labels = [f"{int(a)}" if b - a == 1 else f"{int(a)}–{int(b) - 1}" for a, b in zip(edges[:-1], edges[1:])]
    epoch = max((h[-1].epoch for h in histories.values() if h), default=0)
    spec = grid(
        2,
        column_widths=[0.45, 0.55],
        horizontal_spacing=0.1,
        titles=(t("chart_popularity", lang), t("chart_popularity_hist", lang, epoch=epoch)),
        title_font={"size": 15},
    )
    reference, data = None, []
    for name, records in histories.items():
        style = style_of(name, styles)
        data.append(
            _line(
                name,
                [r.epoch for r in records],
                [r.neg_popularity_mean for r in records],
                styles=styles,
                hover="%{y:.1f}",
                **cell(1),
            )
        )
        if records:
            reference = reference or [(r.epoch, r.uniform_popularity_mean) for r in records]
            counts = np.asarray(records[-1].neg_popularity_hist, dtype=float)
            share = counts / counts.sum() if counts.sum() else counts
            data.append(
                dict(
                    type="bar",
                    x=labels,
                    y=share.tolist(),
                    name=sampler_label(name),
                    legendgroup=name,
                    showlegend=False,
                    marker=dict(color=style.color, pattern=dict(shape=style.pattern)),
                    hovertemplate=f"{sampler_label(name)} · %{{x}}: %{{y:.1%}}<extra></extra>",
                    **cell(2),
                )
            )
    if reference:
        data.append(
            dict(
                type="scatter",
                x=[e for e, _ in reference],
                y=[v for _, v in reference],
                mode="lines",
                name=t("trace_uniform_pop", lang),
                line=dict(color=GREY, dash="dot", width=2),
                hovertemplate="%{y:.1f}",
                **cell(1),
            )
        )
    spec["barmode"] = "group"
    merge(spec["xaxis"], _epoch_axis(histories, epochs, lang))
    merge(spec["yaxis"], {"title": {"text": t("chart_popularity_y", lang)}, "rangemode": "tozero"})
    merge(spec["xaxis2"], {"title": {"text": t("chart_popularity_x", lang)}, "type": "category"})
    spec["yaxis2"]["tickformat"] = ".0%"
    _empty_note(spec, histories, lang)
    layout_spec(spec, "", height, "popularity", margin=dict(l=60, r=20, t=50, b=50))
    return figure(data, spec)


def fig_cost(histories: Mapping[str, Sequence], *, lang: str = "en", height: int = 340, styles=None) -> go.Figure:
    """Mean seconds per epoch split into sampling and model update, and model scores per epoch
    (an integer count: whole-number ticks and hover)."""
    names = [n for n, h in histories.items() if h]
    labels = [sampler_label(n) for n in names]
    sample = [float(np.mean([r.sample_seconds for r in histories[n]])) for n in names]
    train = [float(np.mean([r.train_seconds for r in histories[n]])) for n in names]
    scores = [float(np.mean([epoch_scores(r) for r in histories[n]])) for n in names]
    colours = [style_of(n, styles).color for n in names]
    patterns = [style_of(n, styles).pattern for n in names]
    spec = grid(
        2,
        horizontal_spacing=0.12,
        titles=(t("chart_cost", lang), t("chart_scores_count", lang)),
        title_font={"size": 15},
    )
    data = [
        dict(
            type="bar",
            x=labels,
            y=sample,
            name=t("trace_sampling", lang),
            showlegend=False,
            marker=dict(color=colours, pattern=dict(shape=patterns)),
            hovertemplate="%{x}: %{y:.3f} s",
            **cell(1),
        ),
        dict(
            type="bar",
            x=labels,
            y=train,
            name=t("trace_updating", lang),
            showlegend=False,
            marker=dict(color=list(colours), opacity=0.35),
            text=[f"{a + b:.2f} s" for a, b in zip(sample, train)],
            textposition="outside",
            hovertemplate="%{x}: %{y:.3f} s",
            **cell(1),
        ),
        dict(
            type="bar",
            x=labels,
            y=[round(v) for v in scores],
            name=t("chart_scores_count_y", lang),
            showlegend=False,
            marker=dict(color=list(colours), pattern=dict(shape=list(patterns))),
            text=[_si(v) for v in scores],
            textposition="outside",
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
            **cell(2),
        ),
    ]
    spec["barmode"] = "stack"
    merge(spec["yaxis"], {"title": {"text": t("chart_cost_y", lang)}, "rangemode": "tozero"})
    merge(
        spec["yaxis2"], {"title": {"text": t("chart_scores_count_y", lang)}, "rangemode": "tozero", "tickformat": "~s"}
    )
    _empty_note(spec, histories, lang)
    layout_spec(spec, "", height, "cost", margin=dict(l=70, r=20, t=50, b=50))
    return figure(data, spec)


def _si(value: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f}{unit}"
    return f"{value:.0f}"


# ---------------------------------------------------------------------------- data
def fig_long_tail(popularity: np.ndarray, *, lang: str = "en", height: int = 320) -> go.Figure:
    """Training popularity of every item sorted from most to least popular: log y (1, 10, 100) on
    real-sized data, a plain integer axis with markers on small data (a dozen items, counts < 20)."""
    pop = np.sort(np.asarray(popularity))[::-1]
    small = pop.size <= 60 or pop.max(initial=0) < 20
    data = [
        dict(
            type="scatter",
            x=np.arange(1, pop.size + 1).tolist(),
            y=(pop if small else np.maximum(pop, 0.8)).astype(float).tolist(),
            mode="lines+markers" if pop.size <= 60 else "lines",
            fill="tozeroy",
            line=dict(color="#0072B2", width=2),
            name=t("metric_items", lang),
            hovertemplate="#%{x}: %{y:,.0f}<extra></extra>",
        )
    ]
    spec = {"xaxis": {"title": {"text": t("chart_long_tail_x", lang)}, "tickformat": ",d", "rangemode": "tozero"}}
    if small:
        spec["yaxis"] = {
            "title": {"text": t("chart_long_tail_y_linear", lang)},
            "rangemode": "tozero",
            "tickformat": ",d",
        }
        if pop.max(initial=0) <= 10:
            spec["yaxis"]["dtick"] = 1
    else:  # 1, 10, 100: no minor labels
        spec["yaxis"] = {"title": {"text": t("chart_long_tail_y", lang)}, "type": "log", "dtick": 1}
    title = t("chart_long_tail", lang) + "<br><sup>" + t("read_long_tail", lang) + "</sup>"
    layout_spec(spec, title, height, "long-tail", showlegend=False, margin=dict(l=60, r=20, t=80, b=50))
    return figure(data, spec)


# ---------------------------------------------------------------------------- learn page
def fig_learn_draws(
    counts: Mapping[str, np.ndarray],
    item_labels: Sequence[str],
    positive: np.ndarray,
    liked_hidden: np.ndarray,
    *,
    user: str,
    lang: str = "en",
    height: int = 420,
) -> go.Figure:
    """Grouped bars: per item, how often each sampler drew it for one user; ✓ positives, ★ hidden likes."""
    marks = [("✓ " if p else "★ " if h else "") + lab for lab, p, h in zip(item_labels, positive, liked_hidden)]
    data = [
        dict(
            type="bar",
            x=list(marks),
            y=np.asarray(c).tolist(),
            name=sampler_label(name),
            marker=dict(color=style_of(name).color, pattern=dict(shape=style_of(name).pattern)),
        )
        for name, c in counts.items()
    ]
    shapes = [
        dict(
            type="rect",
            x0=idx - 0.5,
            x1=idx + 0.5,
            xref="x",
            y0=0,
            y1=1,
            yref="y domain",
            fillcolor="#D55E00",
            opacity=0.08,
            line=dict(width=0),
        )
        for idx, hidden in enumerate(liked_hidden)
        if hidden
    ]
    spec = {
        "barmode": "group",
        "bargap": 0.15,
        "xaxis": {"type": "category", "tickangle": -35, "automargin": True},
        "yaxis": {"title": {"text": t("learn_chart_y", lang)}, "rangemode": "tozero"},
    }
    if shapes:
        spec["shapes"] = shapes
    layout_spec(spec, t("learn_chart", lang, user=user), height, "learn-draws", margin=dict(l=60, r=20, t=100, b=110))
    merge(spec, {"legend": dict(orientation="h", y=1.02, yanchor="bottom", x=0)})  # above: labels need the room
    return figure(data, spec)
