"""The view of :class:`negsamp_core.samplers.rns.RNS`: uniform over the user's non-positives."""

from __future__ import annotations

from negsamp_core.samplers.rns import RNS, RNSInspection

from ..chart_base import Style
from ..i18n import _m, register, t
from .base import Panel, SamplerView

MESSAGES = {
    "rns_internals": _m(
        "RNS has no internals: each of the {n} items this user has not interacted with has "
        "probability 1/{n} = {p:.4f}.",
        "RNS 没有内部状态：该用户未交互过的 {n} 个物品，每个被抽中的概率都是 1/{n} = {p:.4f}。",
    ),
    "rns_draws": _m(
        "Every item the user has not interacted with, with equal probability.", "用户未交互过的每个物品，概率相同。"
    ),
    "rns_cost": _m("One random number per negative; no model score.", "每个负例一个随机数；不需要模型打分。"),
    "rns_risk": _m(
        "Most random items are easy: as the model improves their gradient vanishes and learning slows.",
        "大多数随机物品都很简单：模型变好后，它们的梯度消失，学习变慢。",
    ),
    "rns_paper": _m(
        "Rendle et al., BPR: Bayesian Personalized Ranking from Implicit Feedback, UAI 2009.",
        "Rendle 等，BPR: Bayesian Personalized Ranking from Implicit Feedback，UAI 2009。",
    ),
    "rns_full": _m("RNS · Random Negative Sampling", "RNS · 随机负采样"),
}
register(__name__, MESSAGES)


def panel(records: list[tuple[int, RNSInspection]], dataset, *, lang: str) -> Panel:
    n = int(records[0][1].n_non_positives)
    return Panel(text=t("rns_internals", lang, n=n, p=1 / max(n, 1)))


VIEW = SamplerView(
    name=RNS.name,
    style=Style("#0072B2", "solid", "circle", ""),
    formula=r"j \sim \mathrm{Uniform}\big(\mathcal{I} \setminus \mathcal{P}_u\big)",
    texts={"full": "rns_full", "draws": "rns_draws", "cost": "rns_cost", "risk": "rns_risk", "paper": "rns_paper"},
    panel=panel,
)
