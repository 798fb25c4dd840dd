"""The view of :class:`negsamp_core.samplers.irgan.IRGAN`: a generator G's softmax, trained against D."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from negsamp_core.samplers import irgan as core
from negsamp_core.samplers.irgan import IRGAN, IRGANInspection

from ..chart_base import FALSE_NEGATIVE, GREY, Style, cell, figure, grid, layout_spec, merge
from ..i18n import _m, item_name, register, t, user_name
from .base import Metric, Panel, SamplerView, SourceBlock, _source

MESSAGES = {
    "param_irgan_temperature": _m("τ: temperature", "τ：温度"),
    "param_irgan_is_lambda": _m("λ: importance mix", "λ：重要性采样混合比例"),
    "param_irgan_g_lr": _m("Generator learning rate", "生成器学习率"),
    "param_irgan_g_samples": _m("Generator samples per user", "生成器每用户采样数"),
    "param_irgan_g_epochs": _m("Generator passes per epoch", "每轮生成器训练遍数"),
    "param_irgan_g_l2": _m("Generator L2", "生成器 L2 正则"),
    "param_irgan_g_dim": _m("Generator embedding size", "生成器嵌入维度"),
    "param_irgan_g_pretrain_epochs": _m("Generator pretraining epochs", "生成器预训练轮数"),
    "help_irgan_temperature": _m(
        "Temperature of the generator's softmax: small τ = sharper, harder negatives.",
        "生成器 softmax 的温度：τ 越小分布越尖锐，负例越难。",
    ),
    "help_irgan_is_lambda": _m(
        "Share of the generator's training samples drawn from the user's positives (importance sampling).",
        "生成器训练样本中从用户正例抽取的比例（重要性采样）。",
    ),
    "help_irgan_g_lr": _m("Learning rate of the generator (Adam).", "生成器的学习率（Adam）。"),
    "help_irgan_g_samples": _m(
        "Items drawn per user in each generator (REINFORCE) pass.",
        "每次生成器（REINFORCE）训练中每个用户抽取的物品数。",
    ),
    "help_irgan_g_epochs": _m(
        "Generator passes over the users after each recommender epoch (0 = frozen G).",
        "推荐模型每训练一轮后，生成器遍历用户的次数（0 = 生成器不更新）。",
    ),
    "help_irgan_g_l2": _m("L2 regularisation of the generator.", "生成器的 L2 正则化系数。"),
    "help_irgan_g_dim": _m("Embedding size of the generator G.", "生成器 G 的嵌入维度。"),
    "help_irgan_g_pretrain_epochs": _m(
        "BPR pretraining of G before the adversarial game (0 = untrained G, which samples almost uniformly).",
        "对抗训练前用 BPR 预训练 G 的轮数（0 = 未训练的 G，几乎均匀采样）。",
    ),
    "irgan_chart": _m(
        "IRGAN generator: {user}'s {n} most likely negatives<br><sup>bars: p_G(j | u), orange ★ = "
        "false negative; dotted line: the discriminator D's reward (right axis)</sup>",
        "IRGAN 生成器：{user} 最可能被抽中的 {n} 个负例<br><sup>柱：p_G(j | u)，橙色 ★ = 伪负例；"
        "虚线：判别器 D 的奖励（右轴）</sup>",
    ),
    "irgan_entropy": _m("Entropy of G", "G 的熵"),
    "irgan_entropy_help": _m(
        "Uniform sampling would have entropy {max:.2f} nats. Close to it: G still samples "
        "almost uniformly (like RNS). Far below: G concentrates on a few items.",
        "均匀采样的熵为 {max:.2f} 奈特。接近该值说明 G 仍几乎均匀采样（像 RNS）；远低于它说明 G 集中在少数物品上。",
    ),
    "irgan_reward_y": _m("discriminator D's reward 2(σ(s_D) − 0.5)", "判别器 D 的奖励 2(σ(s_D) − 0.5)"),
    "irgan_prob_y": _m("probability p_G", "概率 p_G"),
    "irgan_draws": _m(
        "A second model, the generator G, proposes negatives from its softmax; G is trained "
        "(REINFORCE) to propose items the discriminator D (the recommender being trained) scores high: "
        "negatives that fool the discriminator.",
        "第二个模型——生成器 G——按其 softmax 提出负例；G 通过 REINFORCE 训练，去提出判别器 D"
        "（即正在训练的推荐模型）打分高的物品，也就是能骗过判别器的负例。",
    ),
    "irgan_cost": _m(
        "A second model to train, and a score for every item per user.",
        "需要额外训练一个模型，并为每位用户给所有物品打分。",
    ),
    "irgan_risk": _m(
        "Adversarial training is unstable; an untrained G samples almost uniformly; G also learns to "
        "propose items users like.",
        "对抗训练不稳定；未训练的 G 几乎均匀采样；G 也会学着提出用户喜欢的物品。",
    ),
    "irgan_paper": _m(
        "Wang et al., IRGAN: A Minimax Game for Unifying Generative and Discriminative Information "
        "Retrieval Models, SIGIR 2017.",
        "Wang 等，IRGAN: A Minimax Game for Unifying Generative and Discriminative Information Retrieval "
        "Models，SIGIR 2017。",
    ),
    "dns_special_case": _m(
        "**DNS is IRGAN's special case.** Take IRGAN, make the generator the recommender itself "
        "(G = D) and put all of its probability on the best of M uniform candidates (a softmax at "
        "temperature τ → 0 over M items): that is DNS. No second model, no adversarial game: the "
        "point of the source article. Compare's ready-made IRGAN race includes this form, IRGAN (G = D), "
        "which draws exactly DNS's negatives.",
        "**DNS 是 IRGAN 的特例。** 把 IRGAN 的生成器换成推荐模型本身（G = D），并把全部概率放在 M "
        "个均匀候选中"
        "得分最高的那个上（即在 M 个物品上温度 τ → 0 的 softmax）：这就是 DNS。没有第二个模型，"
        "也没有对抗博弈——这正是原文的要点。对比页中现成的 IRGAN 变体比较包含这种形式 IRGAN (G = D)，"
        "它抽到的负例与 DNS 完全相同。",
    ),
    "param_irgan_g_init": _m("G's start", "G 的初始化"),
    "param_irgan_g_init_std": _m("G's initial std", "G 的初始标准差"),
    "param_irgan_g_pretrain_patience": _m("Pretraining patience", "预训练耐心轮数"),
    "param_irgan_g_pretrain_lr": _m("Pretraining learning rate", "预训练学习率"),
    "param_irgan_g_pretrain_l2": _m("Pretraining L2", "预训练 L2 正则"),
    "param_irgan_g_pretrain_batch": _m("Pretraining batch size", "预训练批大小"),
    "param_irgan_g_pretrain_candidates": _m("Pretraining DNS candidates M", "预训练 DNS 候选数 M"),
    "help_irgan_g_init": _m(
        "How G starts: untrained (near-uniform, like RNS), pretrained with BPR on uniform "
        "negatives, or pretrained with DNS negatives (the released code starts from a "
        "DNS-pretrained G).",
        "G 的起点：未训练（接近均匀，类似 RNS）、用均匀负例做 BPR 预训练，或用 DNS 负例预训练"
        "（原论文代码从 DNS 预训练的 G 开始）。",
    ),
    "help_irgan_g_init_std": _m(
        "Standard deviation of G's random initial embeddings (before any pretraining).",
        "G 随机初始嵌入的标准差（在任何预训练之前）。",
    ),
    "help_irgan_g_pretrain_patience": _m(
        "Stop G's pretraining after this many epochs without validation improvement (the best epoch is kept).",
        "验证集连续这么多轮没有提升时停止 G 的预训练（保留最佳轮次）。",
    ),
    "help_irgan_g_pretrain_lr": _m("Learning rate (Adam) of G's pretraining.", "G 预训练的学习率（Adam）。"),
    "help_irgan_g_pretrain_l2": _m("L2 weight of G's pretraining.", "G 预训练的 L2 正则权重。"),
    "help_irgan_g_pretrain_batch": _m("Positive pairs per step of G's pretraining.", "G 预训练每步的正例对数。"),
    "help_irgan_g_pretrain_candidates": _m(
        "DNS candidates per negative when G is pretrained with DNS.", "用 DNS 预训练 G 时每个负例的候选数。"
    ),
    "irgan_g_init_uniform": _m("untrained (near-uniform)", "未训练（接近均匀）"),
    "irgan_g_init_bpr": _m("BPR-pretrained", "BPR 预训练"),
    "irgan_g_init_dns": _m("DNS-pretrained (released code)", "DNS 预训练（原论文代码）"),
    "param_irgan_baseline": _m("Baseline: subtract each user's mean reward", "基线：减去每位用户的平均奖励"),
    "param_irgan_online": _m("Online: alternate D and G every step", "在线：每一步交替训练 D 与 G"),
    "help_irgan_baseline": _m(
        "A REINFORCE baseline: same expected gradient for G, less variance. Off in the released code.",
        "REINFORCE 基线：G 的期望梯度不变、方差更小。原论文代码中未使用。",
    ),
    "help_irgan_online": _m(
        "On: a fresh p_G for every batch and one G step after each D step. Off (released "
        "code): G is trained once per epoch and D draws from a frozen table.",
        "开启：每个批次使用新的 p_G，每次 D 更新后 G 更新一步。关闭（原论文代码）：G 每轮训练一次，"
        "D 从固定的表中抽样。",
    ),
    "irgan_full": _m("IRGAN · GAN-based Negative Sampling", "IRGAN · 基于GAN的负采样"),
    "paper_irgan_temperature": _m("0.2 (released code)", "0.2（原论文代码）"),
    "paper_irgan_is_lambda": _m("0.2 (released code)", "0.2（原论文代码）"),
    "paper_irgan_g_lr": _m("0.001 with SGD", "0.001（SGD）"),
    "paper_irgan_g_samples": _m("2·|P_u| per user", "每位用户 2·|P_u| 个"),
    "paper_irgan_g_epochs": _m("50 G epochs per round", "每个回合训练 G 50 轮"),
    "paper_irgan_g_l2": _m("0.1 (released, on batch sums)", "0.1（原论文代码，按批次求和）"),
    "paper_irgan_baseline": _m("off (none in the released code)", "关（原论文代码中没有）"),
    "paper_irgan_online": _m("off (alternating epochs, released code)", "关（按轮交替，原论文代码）"),
    "paper_irgan_g_dim": _m("5 (released code)", "5（原论文代码）"),
    "paper_irgan_g_init": _m("DNS-pretrained G (released code)", "DNS 预训练的 G（原论文代码）"),
    "paper_irgan_g_init_std": _m("DNS-pretrained checkpoint", "DNS 预训练的检查点"),
    "paper_irgan_g_pretrain_epochs": _m("DNS-pretrained checkpoint", "DNS 预训练的检查点"),
    "paper_irgan_g_pretrain_candidates": _m("5 (IRGAN's DNS)", "5（IRGAN 的 DNS）"),
    "param_irgan_g_equals_d": _m("G = D: generator = discriminator", "G = D：生成器 = 判别器"),
    "param_irgan_gd_candidates": _m("M: candidates (G = D)", "M：候选数（G = D）"),
    "param_irgan_gd_temperature": _m("τ_D: temperature (G = D)", "τ_D：温度（G = D）"),
    "help_irgan_g_equals_d": _m(
        "No second model: the discriminator D scores M uniform candidates and one is drawn from the softmax of "
        "its scores at τ_D. With τ_D = 0 it keeps the best one: exactly DNS, draw for draw.",
        "不再有第二个模型：判别器 D 给 M 个均匀采样的候选打分，再按其得分在温度 τ_D 下的 softmax 抽取一个。"
        "τ_D = 0 时保留得分最高的那个：与 DNS 逐次完全相同。",
    ),
    "help_irgan_gd_candidates": _m(
        "G = D only: uniform candidates scored by the discriminator per negative (DNS's M).",
        "仅用于 G = D：每个负例由判别器打分的均匀候选数（即 DNS 的 M）。",
    ),
    "help_irgan_gd_temperature": _m(
        "G = D only: temperature of the softmax over the discriminator's scores of the M candidates "
        "(0 = the best one, DNS; larger = a softened DNS).",
        "仅用于 G = D：在判别器对 M 个候选打分上的 softmax 温度（0 = 取得分最高者，即 DNS；越大越接近均匀，是“软化”的 DNS）。",
    ),
    "paper_irgan_g_equals_d": _m("the article: DNS is IRGAN with G = D", "原文：DNS 就是 G = D 时的 IRGAN"),
    "paper_irgan_gd_candidates": _m("5 (IRGAN's DNS baseline)", "5（IRGAN 的 DNS 基线）"),
    "paper_irgan_gd_temperature": _m("0 = the best one (DNS)", "0 = 取得分最高者（DNS）"),
    "irgan_gd_chart": _m(
        "IRGAN with G = D: {user}'s {n} most likely negatives<br><sup>bars: probability that the discriminator's "
        "pick among M uniform candidates is j, orange ★ = false negative; dotted line: D's reward (right axis)</sup>",
        "G = D 的 IRGAN：{user} 最可能被抽中的 {n} 个负例<br><sup>柱：判别器从 M 个均匀候选中选中 j 的概率，橙色 ★ = "
        "伪负例；虚线：判别器 D 的奖励（右轴）</sup>",
    ),
    "irgan_gd_help": _m(
        "G = D: no generator is trained; the discriminator picks among M uniform candidates (τ_D = 0: the best, as "
        "DNS). Uniform sampling would have entropy {max:.2f} nats.",
        "G = D：不训练生成器；判别器在 M 个均匀候选中挑选（τ_D = 0 时取得分最高者，与 DNS 相同）。均匀采样的熵为 "
        "{max:.2f} 奈特。",
    ),
    "irgan_gd_prob_y": _m("probability of the draw", "被抽中的概率"),
}
register(__name__, MESSAGES)

STYLE = Style("#CC79A7", "dashdot", "triangle-up", "x")
TOP = 15  # bars shown


def fig_generator(
    labels: Sequence[str],
    probabilities: Sequence[float],
    rewards: Sequence[float],
    false_negative: Sequence[bool],
    *,
    user: str,
    lang: str = "en",
    height: int = 360,
    g_equals_d: bool = False,
) -> go.Figure:
    """IRGAN: the generator's most likely negatives for one user (bars; ★ and orange: false negatives)
    and D's reward of each (line, right axis). ``g_equals_d``: the G = D draw's probabilities."""
    prob_y = t("irgan_gd_prob_y" if g_equals_d else "irgan_prob_y", lang)
    spec = grid(1, secondary_y=True)
    names = [("★ " if fn else "") + lab for lab, fn in zip(labels, false_negative)]
    data = [
        dict(
            type="bar",
            x=names,
            y=list(probabilities),
            name=prob_y,
            marker=dict(color=[FALSE_NEGATIVE if fn else STYLE.color for fn in false_negative]),
            **cell(1),
        ),
        dict(
            type="scatter",
            x=list(names),
            y=list(rewards),
            name=t("irgan_reward_y", lang),
            mode="markers+lines",
            line=dict(color=GREY, dash="dot"),
            marker=dict(symbol="diamond", size=9),
            **cell(1, secondary=True),
        ),
    ]
    merge(spec["xaxis"], {"type": "category", "tickangle": -30})
    merge(spec["yaxis"], {"title": {"text": prob_y}, "rangemode": "tozero"})
    merge(spec["yaxis2"], {"title": {"text": t("irgan_reward_y", lang)}, "range": [-1, 1], "dtick": 0.5})
    layout_spec(
        spec,
        t("irgan_gd_chart" if g_equals_d else "irgan_chart", lang, n=len(labels), user=user),
        height,
        "irgan-g",
        title_font_size=15,
        margin=dict(l=70, r=70, t=80, b=50),
        showlegend=False,
    )  # the axis titles name both traces
    return figure(data, spec)


def panel(records: list[tuple[int, IRGANInspection]], dataset, *, lang: str) -> Panel:
    user, record = records[0]
    probs, reward = np.asarray(record.probabilities), np.asarray(record.reward)
    best = np.argsort(-probs, kind="stable")[:TOP]
    fn = dataset.is_false_negative(np.full(best.size, user), best)
    fig = fig_generator(
        [item_name(dataset, int(j), lang) for j in best],
        probs[best].tolist(),
        reward[best].tolist(),
        fn.tolist(),
        user=user_name(dataset, user, lang),
        lang=lang,
        g_equals_d=record.g_equals_d,
    )
    entropy, top = float(record.entropy), float(record.max_entropy)
    metric = Metric(t("irgan_entropy", lang), f"{entropy:.2f} / {top:.2f}", progress=min(1.0, entropy / max(top, 1e-9)))
    caption = t("irgan_gd_help" if record.g_equals_d else "irgan_entropy_help", lang, max=top)
    return Panel(figure=fig, metric=metric, caption=caption)


def sources(cls: type) -> list[SourceBlock]:
    """D's draws search one flattened CDF table of all users; the readable reference is G's
    distribution (which the tests compare the draws against) and the plain inverse-CDF draw."""
    if hasattr(cls, "_reference_draw"):
        reference = [SourceBlock(f"{cls.__name__}._reference_draw", _source(cls._reference_draw), "reference")]
    else:
        reference = [
            SourceBlock(f"{cls.__name__}.generator_distribution", _source(cls.generator_distribution), "reference"),
            SourceBlock("masked_cdf", _source(core.masked_cdf), "reference"),
            SourceBlock("inverse_cdf_sample", _source(core.inverse_cdf_sample), "reference"),
        ]
    return reference + [SourceBlock(f"{cls.__name__}._draw", _source(cls._draw), "fast")]


VIEW = SamplerView(
    name=IRGAN.name,
    style=STYLE,
    formula=r"p_G(j \mid u) = \frac{\exp\big(s_G(u,j)/\tau\big)}{\sum_{j' \notin \mathcal{P}_u} "
    r"\exp\big(s_G(u,j')/\tau\big)}",
    texts={
        "full": "irgan_full",
        "draws": "irgan_draws",
        "cost": "irgan_cost",
        "risk": "irgan_risk",
        "paper": "irgan_paper",
        "note": "dns_special_case",
    },
    toy_params={"g_samples": 8, "g_epochs": 2, "temperature": 0.5},
    choices={"g_init": {0: "irgan_g_init_uniform", 1: "irgan_g_init_bpr", 2: "irgan_g_init_dns"}},
    panel=panel,
    sources=sources,
    variant_param="g_epochs",
    # a frozen G, a learning G and G = D (exactly DNS; add DNS to the samplers to see the curves coincide)
    variants=({"g_epochs": 0}, {"g_epochs": 2}, {"g_equals_d": True}),
)
