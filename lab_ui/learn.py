"""The Learn page's pieces that are not page layout: its links into the lessons and its one live
illustration, a real effect computed from a lesson's run (DNS's hardness and false negatives rise
with the number of candidates M: ``negsamp_core.lessons`` lesson ``dns-candidates``). No Streamlit here.
"""

from __future__ import annotations

from typing import Mapping

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from negsamp_core.lessons import LESSONS

from .chart_base import FALSE_NEGATIVE, layout
from .i18n import _m, register, t
from .lesson_view import focus_sampler

__all__ = ["DEMO_LESSON", "DIRECTION_LESSONS", "lessons_for_sampler", "fig_lesson_demo"]

DEMO_LESSON = "dns-candidates"
# The article's three directions, each taught by one lesson (ids of negsamp_core.lessons.LESSONS).
DIRECTION_LESSONS = {"quality": "three-directions", "bias": "false-negatives", "efficiency": "cost"}

MESSAGES = {
    "learn_lesson_link": _m("Lesson: {title}", "课程：{title}"),
    "learn_lessons": _m("Test each claim yourself", "亲手检验每个论断"),
    "learn_lessons_intro": _m(
        "Every claim above is a lesson: predict what will happen, press Play, and read a "
        "verdict computed from your own run.",
        "上面的每个论断都是一节课：先预测会发生什么，按下播放，再阅读根据你自己这次训练算出的结论。",
    ),
    "learn_demo": _m(
        "A real effect, from a run: more candidates, harder negatives, more false negatives",
        "来自一次真实训练的效果：候选越多，负例越难，伪负例也越多",
    ),
    "learn_demo_caption": _m(
        "DNS keeps the best of M uniform candidates. Trained on the synthetic world (seed {seed}, "
        "{epochs} epochs) with M = 1, 8 and 32; M = 1 is exactly RNS. Both bars are means over "
        "all sampled negatives of the run.",
        "DNS 从 M 个均匀候选中保留得分最高的一个。在合成世界上训练（种子 {seed}，{epochs} 轮），"
        "M 取 1、8、32；M = 1 时就是 RNS。两组柱形都是整个训练中全部负例的均值。",
    ),
    "learn_demo_hardness": _m("Hardness (gradient weight, 0..1)", "难度（梯度权重，0..1）"),
    "learn_demo_fn": _m("False-negative rate (exact)", "伪负例率（精确）"),
    "learn_demo_x": _m("candidates M", "候选数 M"),
    "learn_demo_title": _m(
        "DNS with M candidates: what it gains and what it risks", "DNS 取 M 个候选：得到了什么，又冒了什么风险"
    ),
}
register("lab_ui.learn", MESSAGES)


def lessons_for_sampler(sampler: str) -> list[str]:
    """The ids of the lessons about ``sampler`` for its Learn card: the lessons that focus on it, else
    the general lessons (no focus sampler) in which it runs as an arm (RNS, the baseline of several)."""
    focused = [lid for lid, lesson in LESSONS.items() if focus_sampler(lesson) == sampler]
    return focused or [
        lid
        for lid, lesson in LESSONS.items()
        if focus_sampler(lesson) is None and any(arm.sampler == sampler for arm in lesson.arms)
    ]


def fig_lesson_demo(result: Mapping, *, lang: str = "en", height: int = 360) -> go.Figure:
    """Two bar panels from the dns-candidates lesson's figures: hardness and false-negative rate per M."""
    figures = result["figures"]
    ms = list(figures["hardness"])
    labels = [m.replace("M=", "M = ") for m in ms]
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(t("learn_demo_hardness", lang), t("learn_demo_fn", lang)),
    )
    hard = [figures["hardness"][m] for m in ms]
    fn = [figures["fn_rate"][m] for m in ms]
    fig.add_trace(
        go.Bar(
            x=labels,
            y=hard,
            marker=dict(color=["#BBBBBB", "#56B4E9", "#0072B2"]),
            showlegend=False,
            text=[f"{h:.2f}" for h in hard],
            textposition="outside",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=fn,
            marker=dict(color=FALSE_NEGATIVE, pattern=dict(shape=["", "/", "x"])),
            showlegend=False,
            text=[f"{100 * f:.1f} %" for f in fn],
            textposition="outside",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(range=[0, max(hard) * 1.3], row=1, col=1)
    fig.update_yaxes(range=[0, max(fn) * 1.3], tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title_text=t("learn_demo_x", lang), type="category")
    fig.update_annotations(font_size=15)
    return layout(fig, t("learn_demo_title", lang), height, "learn-demo", margin=dict(l=60, r=20, t=90, b=60))
