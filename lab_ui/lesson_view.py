"""What the Lessons page shows of a lesson: its arms' styles, its charts (from the arms' histories
and, once finished, the verdict's figures), the "tinker" link into Compare and the snapshot export.
No Streamlit here: tests build every figure and the snapshot directly.

A lesson's arms may use one sampler several times (``DNS M=1 / 8 / 32``): each arm gets its own
colour, dash and marker (the sampler's own style for its first arm). Figures are built with the
page figures of :mod:`lab_ui.figures` keyed by arm label, then restyled per arm.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from negsamp_core.lessons import LESSONS, Lesson, LessonSession
from negsamp_core.samplers import SAMPLERS

from . import figures
from .chart_base import DEFAULT_STYLES, FALSE_NEGATIVE, GREY, Style, centre_note, layout
from .i18n import _m, register, sampler_label, t

__all__ = [
    "ChartSpec",
    "CHARTS",
    "arm_styles",
    "lesson_figures",
    "restyle",
    "tinker_params",
    "progress",
    "snapshot_html",
    "focus_sampler",
    "coinciding",
]

MESSAGES = {
    "lv_chart_g_entropy": _m(
        "IRGAN's generator: entropy of its distribution over items<br><sup>share of the "
        "uniform distribution's entropy (1 = uniform; lower = sharper)</sup>",
        "IRGAN 生成器：其物品分布的熵<br><sup>相对均匀分布熵的比例（1 = 均匀；越低越集中）</sup>",
    ),
    "lv_g_entropy_y": _m("entropy / uniform", "熵 / 均匀分布熵"),
    "lv_chart_group_fn": _m(
        "False-negative rate by user group<br><sup>majority and minority taste groups, "
        "exact from the world's ground truth</sup>",
        "按用户群体的伪负例率<br><sup>多数与少数口味群体，由世界的真实偏好精确计算</sup>",
    ),
    "lv_group_major": _m("majority group", "多数群体"),
    "lv_group_minor": _m("minority group", "少数群体"),
    "lv_chart_premise": _m(
        "SRNS's premise: does a hard true negative fluctuate more than a false negative?<br>"
        "<sup>share of matched pairs where the true negative's std of ρ is larger (50 % = no "
        "signal), with 95 % intervals</sup>",
        "SRNS 的前提：强负例是否比伪负例波动更大？<br><sup>匹配对中强负例 ρ 的标准差更大的比例"
        "（50% = 没有信号），含 95% 区间</sup>",
    ),
    "lv_premise_mean": _m("matched on mean score", "按平均得分匹配"),
    "lv_premise_pop": _m("matched on mean score and popularity", "按平均得分和流行度匹配"),
    "lv_premise_y": _m("P(std true negative > std false negative)", "P（强负例标准差 > 伪负例标准差）"),
    "lv_no_signal": _m("no signal", "没有信号"),
    "lv_chart_catalogue": _m(
        "Sampling one epoch as the catalogue grows<br><sup>CPU seconds against a fixed random model (log scales)</sup>",
        "物品库增大时采样一轮的耗时<br><sup>固定随机模型下的 CPU 秒数（对数坐标）</sup>",
    ),
    "lv_catalogue_x": _m("items in the catalogue", "物品库中的物品数"),
    "lv_catalogue_y": _m("seconds per epoch of sampling", "每轮采样秒数"),
    "lv_after_verdict": _m("This chart is drawn when the run has finished.", "本图在训练结束后绘制。"),
    "lv_snapshot_title": _m("Lesson snapshot: {title}", "课程快照：{title}"),
    "lv_snapshot_settings": _m("Settings", "设置"),
    "lv_snapshot_verdict": _m("Verdict", "结论"),
    "lv_snapshot_why": _m("Why", "原因"),
    "lv_snapshot_charts": _m("Charts", "图表"),
    "lv_snapshot_made": _m(
        "Made with Negative Sampling Lab from one run: seed {seed}, {epochs} epochs, trained for {seconds} s.",
        "由负采样实验室根据一次训练生成：种子 {seed}，{epochs} 轮，训练 {seconds} 秒。",
    ),
    "lv_holds": _m("holds", "成立"),
    "lv_fails": _m("does not hold", "不成立"),
    "lv_arms": _m("Arms", "对比组"),
    "lv_world": _m("World", "世界"),
    "lv_world_default": _m("the default synthetic world", "默认合成世界"),
    # the Lessons page (pages/lessons.py)
    "lp_title": _m("Lessons: the article's claims, tested live", "课程：现场检验文章的论断"),
    "lp_intro": _m(
        "Each lesson turns one claim of the source article into a small experiment: predict what will "
        "happen, press Play, then read a verdict computed from this very run. If the run contradicts "
        "the claim, the verdict says so, with the numbers.",
        "每节课把原文的一个论断变成一个小实验：先预测会发生什么，按下播放，再阅读根据这次训练计算出的结论。"
        "如果训练结果与论断相反，结论会如实说明，并给出数字。",
    ),
    "lp_unknown": _m(
        "There is no lesson called “{lesson}”. Pick one of these:", "没有名为“{lesson}”的课程。请从下列课程中选择："
    ),
    "lp_open": _m("Open this lesson", "打开本课"),
    "lp_back": _m("All lessons", "全部课程"),
    "lp_question": _m("Your prediction", "你的预测"),
    "lp_predict_caption": _m(
        "Pick an answer before you press Play, or skip: the verdict gives the run's answer "
        "either way. The answer is locked once the lesson runs.",
        "请在按下播放前选择一个答案，也可以跳过：无论如何，结论都会给出这次训练的答案。课程开始运行后答案将被锁定。",
    ),
    "lp_tinker": _m("Tinker with these samplers in Compare", "在“对比”页中自由调整这些采样器"),
    "lp_tinker_caption": _m(
        "Compare opens with the same samplers, seed and epochs and every control; it races "
        "one arm per sampler on the sidebar's dataset.",
        "“对比”页会以相同的采样器、种子和轮数打开，并提供全部控件；它对每个采样器只训练一组，使用侧边栏中的数据集。",
    ),
    "lp_settings": _m(
        "Locked settings: {arms} · {epochs} epochs · seed {seed} · {world}",
        "固定设置：{arms} · {epochs} 轮 · 种子 {seed} · {world}",
    ),
    "lp_measuring": _m(
        "Measuring how sampling time grows with the catalogue ({done}/{total} sizes)…",
        "正在测量采样耗时如何随物品库增长（{done}/{total} 个规模）……",
    ),
    "lp_verdict": _m("Verdict, computed from this run", "结论（根据这次训练计算）"),
    "lp_right": _m("Your prediction, “{choice}”, is what this run shows.", "你的预测“{choice}”与这次训练的结果一致。"),
    "lp_wrong": _m(
        "Your prediction was “{choice}”; this run shows “{answer}”.",
        "你的预测是“{choice}”；这次训练的结果是“{answer}”。",
    ),
    "lp_skipped": _m(
        "You skipped the prediction. This run's answer: “{answer}”.", "你跳过了预测。这次训练的答案：“{answer}”。"
    ),
    "lp_right_label": _m("Right", "预测正确"),
    "lp_wrong_label": _m("Not this time", "预测不符"),
    "lp_all_hold": _m("Every part of the claim holds in this run.", "在这次训练中，论断的每一部分都成立。"),
    "lp_some_fail": _m(
        "Not every part of the claim holds in this run: the sentences marked “does not hold” say "
        "where the run contradicts it.",
        "在这次训练中，论断并非每一部分都成立：标为“不成立”的句子说明了训练结果在哪里与之相反。",
    ),
    "lp_reads": _m("The verdict reads this chart", "结论依据的就是这张图"),
    "lp_why": _m("Why", "原因"),
    "lp_more": _m("More charts from this run", "这次训练的其他图表"),
    "lp_live": _m("Live charts", "实时图表"),
    "lp_snapshot": _m("Download the lesson snapshot (HTML, works offline)", "下载课程快照（HTML，可离线打开）"),
    "lp_time": _m(
        "Play → verdict: {seconds} s in this browser session (training {train} s).",
        "从播放到结论：本次浏览器会话中用时 {seconds} 秒（训练 {train} 秒）。",
    ),
    "lp_error": _m("The lesson cannot give a verdict: {error}", "本课无法给出结论：{error}"),
    "lp_build_error": _m("The lesson could not be set up: {error}", "无法建立本课：{error}"),
    "lp_status_new": _m("ready: predict, then press Play", "就绪：先预测，再按播放"),
    "lp_status_playing": _m("training", "训练中"),
    "lp_status_done": _m("finished", "已完成"),
    "lv_coincide": _m(
        "{a} and {b} coincide: their curves lie on top of each other.", "{a} 与 {b} 完全重合：两条曲线叠在一起。"
    ),
}
register("lab_ui.lesson_view", MESSAGES)

_EXTRA_DASHES = ("dash", "dot", "dashdot", "longdash")
_EXTRA_SYMBOLS = ("diamond", "triangle-up", "square", "x")


@dataclass(frozen=True)
class ChartSpec:
    """One chart of a lesson: ``name`` (also its Streamlit key suffix); ``verdict``: the chart the
    verdict reads (highlighted at the reveal); ``final``: needs the finished run's figures."""

    name: str
    verdict: bool = False
    final: bool = False


# Which charts each lesson shows, the verdict's first. Ids of negsamp_core.lessons.LESSONS.
CHARTS: dict[str, tuple[ChartSpec, ...]] = {
    "three-directions": (ChartSpec("fn", True), ChartSpec("hardness"), ChartSpec("cost")),
    "pns-popularity": (ChartSpec("group_fn", True), ChartSpec("popularity"), ChartSpec("hardness")),
    "dns-candidates": (ChartSpec("hardness", True), ChartSpec("fn")),
    "irgan-game": (ChartSpec("g_entropy", True), ChartSpec("hardness"), ChartSpec("cost")),
    "false-negatives": (ChartSpec("fn", True), ChartSpec("hardness")),
    "srns-variance": (ChartSpec("premise", True, final=True), ChartSpec("fn")),
    "cost": (ChartSpec("cost", True), ChartSpec("catalogue", final=True)),
}
DEFAULT_CHARTS = (ChartSpec("fn", True), ChartSpec("hardness"))


def focus_sampler(lesson: Lesson) -> str | None:
    """The sampler a lesson is about, read from its title ("DNS: ..."), or None (a general lesson)."""
    head = lesson.title["en"].split(":", 1)[0].strip().lower()
    return head if head in SAMPLERS and ":" in lesson.title["en"] else None


def arm_styles(lesson: Lesson) -> dict[str, Style]:
    """One style per arm: the sampler's own for its first arm, then other colours, dashes, markers."""
    out, seen, extra = {}, {}, 0
    for arm in lesson.arms:
        base = figures.style_of(arm.sampler)
        n = seen.get(arm.sampler, 0)
        seen[arm.sampler] = n + 1
        if n == 0:
            out[arm.label] = base
        else:
            colour = DEFAULT_STYLES[extra % len(DEFAULT_STYLES)].color
            extra += 1
            out[arm.label] = Style(colour, _EXTRA_DASHES[(n - 1) % 4], _EXTRA_SYMBOLS[(n - 1) % 4], base.pattern or "/")
    return out


def restyle(fig: go.Figure, styles: Mapping[str, Style]) -> go.Figure:
    """Give the traces of a figure built with arm labels as sampler names each arm's style and label."""
    upper = {sampler_label(label): label for label in styles}
    for trace in fig.data:
        group = getattr(trace, "legendgroup", None)
        if group in styles:
            s = styles[group]
            trace.name = group if trace.name == sampler_label(group) else trace.name
            if trace.type == "scatter":
                trace.line.color, trace.line.dash = s.color, s.dash
                trace.marker.color, trace.marker.symbol = s.color, s.symbol
            elif trace.type in ("bar", "histogram"):
                trace.marker.color = s.color
        elif trace.type == "bar" and trace.x is not None and all(x in upper for x in trace.x):
            labels = [upper[x] for x in trace.x]
            trace.x = labels
            if isinstance(trace.marker.color, (list, tuple)):
                trace.marker.color = [styles[lb].color for lb in labels]
    for annotation in fig.layout.annotations:
        if annotation.text in upper:
            annotation.text = upper[annotation.text]
    return fig


def coinciding(histories: Mapping[str, Sequence]) -> list[tuple[str, str]]:
    """Pairs of arms whose records are identical so far (loss and false-negative rate, every epoch)."""
    labels, out = [lb for lb, h in histories.items() if h], []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            ha, hb = histories[a], histories[b]
            if len(ha) == len(hb) and all(x.loss == y.loss and x.fn_rate == y.fn_rate for x, y in zip(ha, hb)):
                out.append((a, b))
    return out


def _fig_g_entropy(histories: Mapping[str, Sequence], lesson: Lesson, styles, epochs: int, lang: str) -> go.Figure:
    fig = go.Figure()
    for arm in lesson.arms:
        records = histories.get(arm.label, [])
        ys = [r.sampler_stats.get("g_own_entropy_ratio", np.nan) for r in records]
        if any(np.isfinite(y) for y in ys):
            s = styles[arm.label]
            fig.add_trace(
                go.Scatter(
                    x=[r.epoch for r in records],
                    y=ys,
                    name=arm.label,
                    mode="lines+markers",
                    line=dict(color=s.color, dash=s.dash, width=3),
                    marker=dict(symbol=s.symbol, size=8, color=s.color),
                )
            )
    fig.update_xaxes(title_text=t("x_epoch", lang), range=[0.5, epochs + 0.5])
    fig.update_yaxes(title_text=t("lv_g_entropy_y", lang), range=[0, 1.05])
    return layout(
        fig, t("lv_chart_g_entropy", lang), 360, "g-entropy", title_font_size=16, margin=dict(l=60, r=20, t=80, b=50)
    )


def _fig_group_fn(probes: Mapping, lesson: Lesson, styles, lang: str) -> go.Figure:
    groups = (t("lv_group_major", lang), t("lv_group_minor", lang))
    fig = go.Figure()
    for arm in lesson.arms:
        counts = probes.get("group_fn", {}).get(arm.label, {0: [0, 0], 1: [0, 0]})
        rates = [counts[g][0] / counts[g][1] if counts[g][1] else 0.0 for g in (0, 1)]
        s = styles[arm.label]
        fig.add_trace(
            go.Bar(
                x=list(groups),
                y=rates,
                name=arm.label,
                marker=dict(color=s.color, pattern=dict(shape=s.pattern)),
                text=[f"{100 * r:.1f} %" for r in rates],
                textposition="outside",
            )
        )
    top = max((max(tr.y) for tr in fig.data), default=0.05)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=t("chart_fn_y", lang), tickformat=".0%", range=[0, max(0.05, top * 1.25)])
    return layout(
        fig, t("lv_chart_group_fn", lang), 360, "group-fn", title_font_size=16, margin=dict(l=60, r=20, t=80, b=50)
    )


def _fig_premise(result: Mapping | None, lang: str) -> go.Figure:
    fig = go.Figure()
    premise = (result or {}).get("figures", {}).get("premise")
    if premise:
        names = (t("lv_premise_mean", lang), t("lv_premise_pop", lang))
        ps = [premise.get("p"), premise.get("p_popularity")]
        cis = [premise.get("p_ci95") or [None, None], premise.get("p_popularity_ci95") or [None, None]]
        ps = [p if p is not None else float("nan") for p in ps]
        err_hi = [(c[1] - p) if c[1] is not None else 0 for p, c in zip(ps, cis)]
        err_lo = [(p - c[0]) if c[0] is not None else 0 for p, c in zip(ps, cis)]
        fig.add_trace(
            go.Bar(
                x=list(names),
                y=ps,
                marker=dict(color=["#0072B2", "#E69F00"]),
                showlegend=False,
                error_y=dict(type="data", array=err_hi, arrayminus=err_lo, color=GREY, thickness=2),
                text=[f"{100 * p:.1f} %" for p in ps],
                textposition="inside",
            )
        )
        fig.add_hline(
            y=0.5,
            line=dict(color=FALSE_NEGATIVE, dash="dash", width=2),
            annotation_text=t("lv_no_signal", lang),
            annotation_position="top right",
        )
    else:
        centre_note(fig, t("lv_after_verdict", lang))
    fig.update_yaxes(title_text=t("lv_premise_y", lang), tickformat=".0%", range=[0, 1])
    return layout(
        fig, t("lv_chart_premise", lang), 380, "premise", title_font_size=16, margin=dict(l=70, r=20, t=90, b=50)
    )


def _fig_catalogue(result: Mapping | None, lesson: Lesson, styles, lang: str) -> go.Figure:
    fig = go.Figure()
    cat = (result or {}).get("figures", {}).get("catalogue_seconds")
    if cat:
        for arm in lesson.arms:
            series = cat.get(arm.label) or {}
            sizes = sorted(series, key=lambda n: int(n))
            s = styles[arm.label]
            fig.add_trace(
                go.Scatter(
                    x=[int(n) for n in sizes],
                    y=[series[n] for n in sizes],
                    name=arm.label,
                    mode="lines+markers",
                    line=dict(color=s.color, dash=s.dash, width=3),
                    marker=dict(symbol=s.symbol, size=9, color=s.color),
                )
            )
        fig.update_xaxes(type="log", title_text=t("lv_catalogue_x", lang))
        fig.update_yaxes(type="log", title_text=t("lv_catalogue_y", lang))
    else:
        centre_note(fig, t("lv_after_verdict", lang))
    return layout(
        fig, t("lv_chart_catalogue", lang), 380, "catalogue", title_font_size=16, margin=dict(l=70, r=20, t=90, b=50)
    )


def lesson_figures(
    session: LessonSession, lang: str = "en", result: Mapping | None = None
) -> list[tuple[ChartSpec, go.Figure]]:
    """The lesson's charts in order (the verdict's first), from the arms' histories so far and,
    for ``final`` charts, the finished run's ``result`` (a placeholder note before)."""
    lesson = session.lesson
    styles = arm_styles(lesson)
    histories = {label: trainer.history for label, trainer in session.trainers.items()}
    epochs = session.config.epochs
    builders: dict[str, Callable[[], go.Figure]] = {
        "fn": lambda: figures.fig_fn_rate(
            histories, session.dataset.false_negative_definition, epochs=epochs, lang=lang
        ),
        "hardness": lambda: figures.fig_hardness(histories, epochs=epochs, lang=lang),
        "cost": lambda: figures.fig_cost(histories, lang=lang),
        "popularity": lambda: figures.fig_popularity(
            histories, next(iter(session.trainers.values())).popularity_edges, epochs=epochs, lang=lang
        ),
        "g_entropy": lambda: _fig_g_entropy(histories, lesson, styles, epochs, lang),
        "group_fn": lambda: _fig_group_fn(session.probes, lesson, styles, lang),
        "premise": lambda: _fig_premise(result, lang),
        "catalogue": lambda: _fig_catalogue(result, lesson, styles, lang),
    }
    return [(spec, restyle(builders[spec.name](), styles)) for spec in CHARTS.get(lesson.id, DEFAULT_CHARTS)]


def tinker_params(lesson: Lesson, seed: int) -> dict:
    """Query parameters of Compare that rerun the lesson's samplers with its seed, epochs and settings
    (an arm's settings when its sampler has one arm; Compare races one arm per sampler)."""
    samplers = list(dict.fromkeys(arm.sampler for arm in lesson.arms))
    out = {"samplers": ",".join(samplers), "seed": str(int(seed)), "epochs": str(lesson.epochs)}
    for name in samplers:
        arms = [a for a in lesson.arms if a.sampler == name]
        params = lesson.params(arms[-1])
        for spec in SAMPLERS[name].PARAMS:
            value = params.get(spec.name, spec.default)
            if value != spec.default:
                out[f"{name}.{spec.name}"] = ("1" if value else "0") if isinstance(value, bool) else f"{value:g}"
    return out


def progress(session: LessonSession) -> list[tuple[str, int, int, Style]]:
    """(arm label, epochs done, epochs planned, style) per arm."""
    styles = arm_styles(session.lesson)
    return [(label, trainer.epoch, trainer.config.epochs, styles[label]) for label, trainer in session.trainers.items()]


def snapshot_html(session: LessonSession, result: Mapping, lang: str = "en", prediction: str | None = None) -> str:
    """One self-contained HTML file: the lesson's title, settings, verdict (each check marked), why,
    and every chart with plotly.js embedded (works offline)."""
    lesson = session.lesson
    figs = lesson_figures(session, lang, result)
    charts = []
    for index, (_, fig) in enumerate(figs):
        charts.append(
            fig.to_html(
                full_html=False, include_plotlyjs=index == 0, config={"displaylogo": False}, default_width="100%"
            )
        )
    esc = html.escape
    checks = "".join(
        f"<li><b>{esc(t('lv_holds' if c['holds'] else 'lv_fails', lang))}</b>: {esc(c['text'])}</li>"
        for c in result["checks"]
    )
    arms = ", ".join(
        f"{a.label} ({sampler_label(a.sampler)} {json.dumps(dict(lesson.params(a)), ensure_ascii=False)})"
        for a in lesson.arms
    )
    world = json.dumps(dict(session.world), ensure_ascii=False) if session.world else t("lv_world_default", lang)
    title = t("lv_snapshot_title", lang, title=result["title"])
    guess = f"<p>{esc(prediction)}</p>" if prediction else ""
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1rem;font-size:17px;line-height:1.5}} li{{margin:.3rem 0}} h1{{font-size:28px}}</style></head>
<body><h1>{esc(title)}</h1><p><i>{esc(lesson.claim.get(lang) or lesson.claim["en"])}</i></p>
<p><b>{esc(lesson.question.get(lang) or lesson.question["en"])}</b></p>{guess}
<h2>{esc(t("lv_snapshot_settings", lang))}</h2>
<ul><li>{esc(t("lv_arms", lang))}: {esc(arms)}</li><li>{esc(t("lv_world", lang))}: {esc(world)}</li>
<li>{esc(t("lv_snapshot_made", lang, seed=result["seed"], epochs=result["epochs"], seconds=result["seconds"]))}</li>
</ul><h2>{esc(t("lv_snapshot_verdict", lang))}</h2><ul>{checks}</ul>
<h2>{esc(t("lv_snapshot_why", lang))}</h2><p>{esc(result["why"])}</p>
<h2>{esc(t("lv_snapshot_charts", lang))}</h2>{"".join(charts)}
</body></html>"""


def lesson_ids() -> tuple[str, ...]:
    return tuple(LESSONS)
