"""The view of :class:`negsamp_core.samplers.srns.SRNS`: a memory of hard candidates, high and fluctuating."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from negsamp_core.samplers.srns import SRNS, SRNSInspection

from ..chart_base import FALSE_NEGATIVE, Style, figure, layout_spec
from ..i18n import _m, item_name, register, t, user_name
from .base import Panel, SamplerView

MESSAGES = {
    "param_srns_s1": _m("S1: memory size", "S1：记忆大小"),
    "param_srns_s2": _m("S2: fresh candidates", "S2：新候选数"),
    "param_srns_alpha": _m("α: weight of the score's std", "α：得分标准差的权重"),
    "param_srns_warmup": _m("W: warm-up epochs", "W：预热轮数"),
    "param_srns_tau": _m("τ: memory temperature", "τ：记忆更新温度"),
    "param_srns_history": _m("T: epochs of score history", "T：得分历史的轮数"),
    "help_srns_s1": _m("Candidate negatives kept in each user's memory.", "每个用户记忆中保留的候选负例数。"),
    "help_srns_s2": _m(
        "Fresh uniform candidates mixed into the memory at each update.", "每次更新记忆时混入的新均匀候选数。"
    ),
    "help_srns_alpha": _m(
        "Weight of the score's standard deviation: prefer items whose score fluctuates "
        "(hard true negatives) over stable high scores (likely false negatives). 0 = pure hardness.",
        "得分标准差的权重：偏好得分波动的物品（真正的强负例），"
        "而不是得分稳定偏高的物品（可能是伪负例）。0 = 只看难度。",
    ),
    "help_srns_warmup": _m("The variance term grows as min(1, epoch / W).", "方差项按 min(1, 轮数 / W) 逐渐增大。"),
    "help_srns_tau": _m(
        "Temperature of the memory update: small τ keeps the hardest items.",
        "记忆更新的温度：τ 越小越倾向保留最难的物品。",
    ),
    "help_srns_history": _m("Epoch-end snapshots used for the standard deviation.", "用于计算标准差的每轮末快照数。"),
    "srns_chart": _m(
        "SRNS memory of the last batch's users: mean vs std of each item's score history",
        "SRNS 记忆（上一批次的用户）：每个物品得分历史的均值与标准差",
    ),
    "srns_x": _m("mean score over the last epochs", "最近几轮得分的均值"),
    "srns_y": _m("std of the score over the last epochs", "最近几轮得分的标准差"),
    "srns_true_neg": _m("true negative", "真负例"),
    "srns_false_neg": _m("false negative", "伪负例"),
    "srns_explain": _m(
        "SRNS's hypothesis (Ding et al., NeurIPS 2020): false negatives (orange ✕) score high "
        "and **stably** (right, low), hard true negatives score high but **fluctuate** (right, "
        "high). It picks argmax ρ + α·w·std, so it prefers the fluctuating ones. Check whether the "
        "hypothesis holds here: if the orange ✕ sit high, false negatives fluctuate too and SRNS "
        "cannot tell them apart. {n} snapshots stored, warm-up weight w = {w:.2f}.",
        "SRNS 的假设（Ding 等，NeurIPS 2020）：伪负例（橙色 ✕）得分高且**稳定**（右下），"
        "真正的强负例得分高但"
        "**波动**（右上）。它选择 argmax ρ + α·w·std，因此偏好波动的物品。请检查该假设在这里是否成立："
        "如果橙色 ✕ "
        "位置偏高，说明伪负例同样波动，SRNS 就无法把它们区分出来。已存 {n} 个快照，预热权重 w = "
        "{w:.2f}。",
    ),
    "srns_wait": _m(
        "The score history needs at least two finished epochs: until then every std is 0 and the "
        "points lie on the bottom line.",
        "得分历史至少需要完成两轮训练：在此之前所有标准差都为 0，点都落在底线上。",
    ),
    "srns_draws": _m(
        "From a small per-user memory of hard candidates, the item whose score is high and fluctuates across epochs.",
        "从每位用户的一小块强负例候选记忆中，挑选得分高且在各轮之间波动的物品。",
    ),
    "srns_cost": _m(
        "S1 scores per pair, a memory update with S2 fresh candidates, and a score history.",
        "每对需 S1 次打分，用 S2 个新候选更新记忆，并保存得分历史。",
    ),
    "srns_risk": _m(
        "Needs a few epochs of history before the variance term helps; more knobs to tune.",
        "方差项需要几轮的历史才能起作用；需要调节的参数更多。",
    ),
    "srns_paper": _m(
        "Ding, Quan, Yao, Li, Jin, Simplify and Robustify Negative Sampling for Implicit "
        "Collaborative Filtering, NeurIPS 2020.",
        "Ding、Quan、Yao、Li、Jin，Simplify and Robustify Negative Sampling for Implicit Collaborative "
        "Filtering，NeurIPS 2020。",
    ),
    "srns_full": _m("SRNS · Simplify and Robustify Negative Sampling", "SRNS · 简单且具有较强鲁棒性的负采样"),
    "paper_srns_s1": _m("8 (ML-1M) / 20 (ML-100K)", "8（ML-1M）/ 20（ML-100K）"),
    "paper_srns_s2": _m("64 (ML-1M) / 20 (ML-100K)", "64（ML-1M）/ 20（ML-100K）"),
    "paper_srns_alpha": _m("5 (ML-1M) / 10 (ML-100K)", "5（ML-1M）/ 10（ML-100K）"),
    "paper_srns_warmup": _m("50 epochs", "50 轮"),
    "paper_srns_tau": _m("10 (ML-1M) / 1 (ML-100K)", "10（ML-1M）/ 1（ML-100K）"),
    "paper_srns_history": _m("5 (released code)", "5（原论文代码）"),
}
register(__name__, MESSAGES)

STYLE = Style("#D55E00", "longdash", "x", "-")
TRUE_NEGATIVE = "#0072B2"
USERS = 80  # users of the last batch whose memories make the cloud


def fig_memory(
    mean: Sequence[float],
    std: Sequence[float],
    false_negative: Sequence[bool],
    labels: Sequence[str],
    *,
    lang: str = "en",
    height: int = 380,
) -> go.Figure:
    """SRNS: each memory item as a point (mean, std of its score history); false negatives are
    orange ✕ (:data:`~lab_ui.chart_base.FALSE_NEGATIVE`), true negatives blue dots."""
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    fn = np.asarray(false_negative, dtype=bool)
    labels = np.asarray(labels, dtype=object)
    data = [
        dict(
            type="scatter",
            x=mean[mask].tolist(),
            y=std[mask].tolist(),
            mode="markers",
            name=t(key, lang),
            text=labels[mask].tolist(),
            hovertemplate="%{text}<br>%{x:.2f}, %{y:.3f}",
            marker=dict(color=colour, symbol=symbol, size=10, opacity=0.75, line=dict(width=1, color="white")),
        )
        for mask, key, colour, symbol in (
            (~fn, "srns_true_neg", TRUE_NEGATIVE, "circle"),
            (fn, "srns_false_neg", FALSE_NEGATIVE, "x"),
        )
    ]
    spec = {
        "xaxis": {"title": {"text": t("srns_x", lang)}},
        "yaxis": {"title": {"text": t("srns_y", lang)}, "rangemode": "tozero"},
    }
    layout_spec(spec, t("srns_chart", lang), height, "srns-memory", title_font_size=15)
    return figure(data, spec)


def panel(records: list[tuple[int, SRNSInspection]], dataset, *, lang: str) -> Panel:
    means, stds, fns, labels = [], [], [], []
    for user, record in records:
        memory = np.asarray(record.memory)
        means.extend(np.asarray(record.history_mean).tolist())
        stds.extend(np.asarray(record.history_std).tolist())
        fns.extend(dataset.is_false_negative(np.full(memory.size, user), memory).tolist())
        labels.extend(f"{user_name(dataset, user, lang)} · {item_name(dataset, int(j), lang)}" for j in memory)
    last = records[-1][1]
    text = t("srns_explain", lang, n=last.n_snapshots, w=last.warmup_weight)
    return Panel(
        figure=fig_memory(means, stds, fns, labels, lang=lang),
        text=text,
        note=t("srns_wait", lang) if last.n_snapshots < 2 else "",
    )


VIEW = SamplerView(
    name=SRNS.name,
    style=STYLE,
    formula=r"j^* = \arg\max_{j \in \mathcal{M}_u} \; \rho_j + \alpha\, w(e)\, \mathrm{std}_{t}(\rho_j), \quad "
    r"\rho_j = \sigma\big(s(u,j) - s(u,i)\big)",
    texts={"full": "srns_full", "draws": "srns_draws", "cost": "srns_cost", "risk": "srns_risk", "paper": "srns_paper"},
    toy_params={"s1": 4, "s2": 4, "warmup": 3},
    inspect_users=USERS,
    panel=panel,
    variant_param="alpha",
    variants=({"alpha": 0.0}, {"alpha": 5.0}),
)
