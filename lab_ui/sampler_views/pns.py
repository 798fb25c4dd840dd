"""The view of :class:`negsamp_core.samplers.pns.PNS`: popularity^α, fixed before training."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from negsamp_core.samplers.pns import PNS, PNSInspection

from ..chart_base import Style, figure, layout_spec
from ..i18n import _m, item_name, register, t, user_name
from .base import Panel, SamplerView, SourceBlock, _source

MESSAGES = {
    "param_pns_alpha": _m("α: popularity exponent", "α：流行度指数"),
    "help_pns_alpha": _m(
        "p(j) ∝ popularity^α. 0 = uniform (exactly RNS), 1 = proportional to popularity.",
        "p(j) ∝ 流行度^α。0 = 均匀（即 RNS），1 = 与流行度成正比。",
    ),
    "pns_chart": _m(
        "PNS sampling probability of {user}'s top items (α = {alpha})<br><sup>the number on each "
        "bar is the item's training popularity c_j</sup>",
        "PNS 对 {user} 采样概率最高的物品（α = {alpha}）<br><sup>柱上数字为该物品的训练流行度 c_j</sup>",
    ),
    "pns_explain": _m(
        "The distribution is fixed before training: it never looks at the model.",
        "该分布在训练前就已固定：它从不参考模型。",
    ),
    "pns_prob_y": _m("probability p(j)", "概率 p(j)"),
    "pns_draws": _m(
        "Popular items more often: probability ∝ popularity^α (α = 0.75 as in word2vec).",
        "更常抽热门物品：概率 ∝ 流行度^α（与 word2vec 一样取 α = 0.75）。",
    ),
    "pns_cost": _m("A binary search per negative; no model score.", "每个负例一次二分查找；不需要模型打分。"),
    "pns_risk": _m(
        "Popular is not the same as hard for this user; never adapts; popular items a user would like "
        "become false negatives.",
        "热门不等于对该用户难；分布从不更新；用户会喜欢的热门物品会变成伪负例。",
    ),
    "pns_paper": _m(
        "Mikolov et al., word2vec, NIPS 2013; Chen et al., NNCF, KDD 2017.",
        "Mikolov 等，word2vec，NIPS 2013；Chen 等，NNCF，KDD 2017。",
    ),
    "pns_full": _m("PNS · Popularity-based Negative Sampling", "PNS · 基于流行度的负采样"),
    "paper_pns_alpha": _m("0.75 (word2vec)", "0.75（word2vec）"),
}
register(__name__, MESSAGES)

STYLE = Style("#E69F00", "dash", "square", "/")
TOP = 15  # bars shown


def fig_probabilities(
    labels: Sequence[str],
    probabilities: Sequence[float],
    popularity: Sequence[int],
    *,
    user: str,
    alpha: float,
    lang: str = "en",
    height: int = 320,
) -> go.Figure:
    """PNS: one user's most likely negatives p(j), each bar labelled with its training popularity c_j."""
    bar = dict(
        type="bar",
        x=list(labels),
        y=list(probabilities),
        marker=dict(color=STYLE.color),
        text=[str(int(p)) for p in popularity],
        textposition="outside",
        name=t("pns_prob_y", lang),
    )
    spec = {
        "xaxis": {"type": "category", "tickangle": -30},
        "yaxis": {"title": {"text": t("pns_prob_y", lang)}, "rangemode": "tozero"},
    }
    layout_spec(
        spec,
        t("pns_chart", lang, user=user, alpha=f"{alpha:g}"),
        height,
        "pns-probs",
        showlegend=False,
        title_font_size=15,
        margin=dict(l=70, r=20, t=80, b=50),
    )
    return figure([bar], spec)


def panel(records: list[tuple[int, PNSInspection]], dataset, *, lang: str) -> Panel:
    user, record = records[0]
    probs = np.asarray(record.probabilities)
    best = np.argsort(-probs, kind="stable")[:TOP]
    fig = fig_probabilities(
        [item_name(dataset, int(j), lang) for j in best],
        probs[best].tolist(),
        dataset.item_popularity[best].tolist(),
        user=user_name(dataset, user, lang),
        alpha=float(record.alpha),
        lang=lang,
    )
    return Panel(figure=fig, caption=t("pns_explain", lang))


def sources(cls: type) -> list[SourceBlock]:
    """The fast ``_draw`` is a vectorised binary search; the per-row reference says the same plainly."""
    return [
        SourceBlock(f"{cls.__name__}.probabilities", _source(cls.probabilities), "reference"),
        SourceBlock(f"{cls.__name__}._reference_draw", _source(cls._reference_draw), "reference"),
        SourceBlock(f"{cls.__name__}._draw", _source(cls._draw), "fast"),
    ]


VIEW = SamplerView(
    name=PNS.name,
    style=STYLE,
    formula=r"P(j) = \frac{c_j^{\,\alpha}}{\sum_{j' \notin \mathcal{P}_u} c_{j'}^{\,\alpha}}, "
    r"\quad j \notin \mathcal{P}_u",
    texts={"full": "pns_full", "draws": "pns_draws", "cost": "pns_cost", "risk": "pns_risk", "paper": "pns_paper"},
    panel=panel,
    sources=sources,
    variant_param="alpha",
    variants=({"alpha": 0.0}, {"alpha": 0.75}, {"alpha": 1.0}),
)
