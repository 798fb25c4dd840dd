"""The view of :class:`negsamp_core.samplers.dns.DNS`: the best of M uniform candidates."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from negsamp_core.samplers.dns import DNS, DNSInspection

from ..chart_base import FALSE_NEGATIVE, LIGHT, Style, figure, layout_spec
from ..i18n import _m, item_name, register, t, user_name
from .base import Panel, SamplerView

MESSAGES = {
    "param_dns_candidates": _m("M: candidates", "M：候选数"),
    "help_dns_candidates": _m(
        "Uniform candidates scored per negative; the highest-scored one is kept. "
        "M = 1 is RNS; larger M = harder negatives and more false negatives.",
        "每个负例评分的均匀候选数，保留得分最高的一个。M = 1 即 RNS；M 越大，负例越难，伪负例也越多。",
    ),
    "dns_chart": _m(
        "DNS: the {m} candidates for {user}'s first negative<br><sup>scored when they were drawn; the "
        "highest is chosen; ★ with an orange outline = false negative (the table above scores with the "
        "model after the update)</sup>",
        "DNS：{user} 第一个负例的 {m} 个候选<br><sup>抽样时的得分；得分最高者被选中；★ 加橙色边框 = "
        "伪负例"
        "（上表用的是更新后的模型）</sup>",
    ),
    "dns_chart_y": _m("score when drawn", "抽样时的得分"),
    "dns_m1": _m("With M = 1 there is nothing to choose: DNS is exactly RNS.", "M = 1 时无可挑选：DNS 就是 RNS。"),
    "trace_candidate": _m("candidate", "候选"),
    "trace_chosen": _m("chosen", "选中"),
    "dns_draws": _m(
        "M uniform candidates; keeps the one the current model scores highest.",
        "均匀抽 M 个候选，保留当前模型打分最高的那个。",
    ),
    "dns_cost": _m("M model scores per negative.", "每个负例需要 M 次模型打分。"),
    "dns_risk": _m(
        "The larger M, the more often the 'hardest' item is one the user actually likes.",
        "M 越大，“最难”的物品越可能是用户其实喜欢的。",
    ),
    "dns_paper": _m(
        "Zhang, Chen, Wang, Yu, Optimizing Top-N Collaborative Filtering via Dynamic Negative Item "
        "Sampling, SIGIR 2013.",
        "Zhang、Chen、Wang、Yu，Optimizing Top-N Collaborative Filtering via Dynamic Negative Item "
        "Sampling，SIGIR 2013。",
    ),
    "dns_full": _m("DNS · Dynamic Negative Sampling", "DNS · 动态采样"),
    "paper_dns_candidates": _m("5 (IRGAN's DNS baseline)", "5（IRGAN 论文中的 DNS 基线）"),
}
register(__name__, MESSAGES)

STYLE = Style("#009E73", "dot", "diamond", ".")


def fig_candidates(
    labels: Sequence[str],
    scores: Sequence[float],
    chosen: int,
    false_negative: Sequence[bool],
    *,
    user: str,
    lang: str = "en",
    height: int = 320,
) -> go.Figure:
    """DNS: the M candidates of one negative slot with their scores, highest first, the chosen one marked."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    colours = [STYLE.color if i == chosen else LIGHT for i in order]
    lines = [FALSE_NEGATIVE if false_negative[i] else "rgba(0,0,0,0)" for i in order]
    text = [("★ " if false_negative[i] else "") + (t("trace_chosen", lang) if i == chosen else "") for i in order]
    bar = dict(
        type="bar",
        x=[f"{labels[i]}" for i in order],
        y=[float(scores[i]) for i in order],
        marker=dict(color=colours, line=dict(color=lines, width=3)),
        text=text,
        textposition="outside",
        name=t("trace_candidate", lang),
    )
    spec = {
        "xaxis": {"type": "category", "tickangle": -30},
        "yaxis": {"title": {"text": t("dns_chart_y", lang)}, "tickformat": ".2~g"},
    }
    layout_spec(
        spec,
        t("dns_chart", lang, m=len(labels), user=user),
        height,
        "dns-candidates",
        showlegend=False,
        title_font_size=15,
        margin=dict(l=70, r=20, t=80, b=50),
    )
    return figure([bar], spec)


def panel(records: list[tuple[int, DNSInspection]], dataset, *, lang: str) -> Panel:
    user, record = records[0]
    if record.scores is None:
        return Panel(text=t("dns_m1", lang))
    cand, scores = np.asarray(record.candidates[0]), np.asarray(record.scores[0])  # the first slot: (M,)
    fn = dataset.is_false_negative(np.full(cand.size, user), cand)
    fig = fig_candidates(
        [f"{item_name(dataset, int(j), lang)} #{m + 1}" for m, j in enumerate(cand)],
        scores.tolist(),
        int(record.chosen[0]),
        fn.tolist(),
        user=user_name(dataset, user, lang),
        lang=lang,
    )
    return Panel(figure=fig)


VIEW = SamplerView(
    name=DNS.name,
    style=STYLE,
    formula=r"j = \arg\max_{j' \in \{j_1,\dots,j_M\}} s(u, j'), \quad j_m \sim \mathrm{Uniform}(\mathcal{I}\setminus"
    r"\mathcal{P}_u)",
    texts={"full": "dns_full", "draws": "dns_draws", "cost": "dns_cost", "risk": "dns_risk", "paper": "dns_paper"},
    toy_params={"candidates": 4},
    panel=panel,
    variant_param="candidates",
    variants=({"candidates": 1}, {"candidates": 8}, {"candidates": 32}),
)
