"""Widgets shared by the pages: training settings, sampler parameters, the legend, and the
renderers of a sampler view's internals panel and code."""

from __future__ import annotations

import streamlit as st

from negsamp_core.samplers import SAMPLERS

from . import state
from .figures import style_of
from .i18n import param_help, param_label, sampler_label, t
from .sampler_views import Panel, SamplerView, view_for

__all__ = ["training_settings", "sampler_params", "legend_html", "internals_panel", "code_expander"]

CHART = {"displaylogo": False}


def training_settings(prefix: str, lang: str) -> None:
    """Epochs and learning rate (live), embedding size, batch, K and top-K (structural)."""
    c1, c2 = st.columns(2)
    c1.slider(t("epochs", lang), 1, 200, help=t("epochs_help", lang), **state.bind(f"{prefix}_epochs"))
    c2.select_slider(t("lr", lang), options=state.LR_OPTIONS, help=t("lr_help", lang), **state.bind(f"{prefix}_lr"))
    c1.select_slider(t("dim", lang), options=state.DIM_OPTIONS, help=t("dim_help", lang),
                     **state.bind(f"{prefix}_dim"))
    c2.select_slider(t("batch", lang), options=state.BATCH_OPTIONS, help=t("batch_help", lang),
                     **state.bind(f"{prefix}_batch"))
    c1.slider(t("k", lang), 1, 20, help=t("k_help", lang), **state.bind(f"{prefix}_k"))
    c2.slider(t("topk", lang), 1, 50, help=t("topk_help", lang), **state.bind(f"{prefix}_topk"))


def sampler_params(prefix: str, name: str, lang: str) -> None:
    """The sampler's own parameters: 🟢 live ones apply at the next tick, 🔴 ones reset the run;
    on/off options are checkboxes, named options (the view's ``choices``) a select box, numbers
    sliders; the default and the paper's value are shown under each."""
    specs = SAMPLERS[name].PARAMS
    if not specs:
        st.caption(t("no_params", lang, sampler=sampler_label(name)))
        return
    columns = st.columns(2) if len(specs) > 2 else [st.container()]
    for index, spec in enumerate(specs):
        with columns[index % len(columns)]:
            default = _param_widget(prefix, name, spec, lang)
            st.caption(t("param_default", lang, default=default) + " · " + t("param_paper", lang, paper=spec.paper))


def _param_widget(prefix: str, name: str, spec, lang: str) -> str:
    """Draw one parameter's widget; return its default as text."""
    bound = state.bind(f"{prefix}_{name}_{spec.name}")
    label = f"{param_label(name, spec.name, lang)} {'🟢' if spec.live else '🔴'}"
    help_text = param_help(name, spec.name, lang, spec.help)
    options = view_for(name).choices.get(spec.name)
    if options:
        st.selectbox(label, tuple(options), format_func=lambda v: t(options[v], lang), help=help_text, **bound)
        return t(options[int(spec.default)], lang)
    if state.is_boolean(spec):
        st.checkbox(label, help=help_text, **bound)
        return t("on" if spec.default else "off", lang)
    if spec.integer:
        kw = dict(min_value=int(spec.low), max_value=int(spec.high), step=max(int(spec.step), 1))
    else:
        kw = dict(min_value=float(spec.low), max_value=float(spec.high), step=float(spec.step))
    if (spec.high - spec.low) / spec.step <= 400:
        st.slider(label, help=help_text, **kw, **bound)
    else:
        st.number_input(label, help=help_text, format=None if spec.integer else "%g", **kw, **bound)
    return f"{spec.default:g}"


def legend_html(samplers, lang: str) -> str:
    """The one-time explanation of colours, line styles and markers."""
    items = []
    for name in samplers:
        s = style_of(name)
        items.append(f'<span style="margin-right:18px;white-space:nowrap"><span style="display:inline-block;'
                     f'width:34px;border-top:4px {s.css_dash} {s.color};vertical-align:middle">'
                     f'</span> <span style="color:{s.color}">{s.glyph}</span> '
                     f'<b>{sampler_label(name)}</b></span>')
    return f'<div style="font-size:1.05rem">{t("legend_intro", lang)} ' + "".join(items) + "</div>"


def internals_panel(panel: Panel | None, *, key: str, empty: str) -> None:
    """Render a view's internals :class:`Panel`: its note, the metric (left) beside the figure, then
    text and caption."""
    if panel is None:
        st.caption(empty)
        return
    if panel.note:
        st.info(panel.note, icon="⏳")
    left, right = st.columns([1, 3]) if panel.metric else (None, st.container())
    if panel.metric:
        left.metric(panel.metric.label, panel.metric.value, help=panel.metric.help or None)
        if panel.metric.progress is not None:
            left.progress(panel.metric.progress)
    if panel.figure is not None:
        right.plotly_chart(panel.figure, key=key, config=CHART)
    if panel.text:
        st.markdown(panel.text)
    if panel.caption:
        st.caption(panel.caption)


def _blocks(blocks) -> None:
    for block in blocks:
        st.markdown(f"`{block.title}`")
        st.code(block.code, language="python")


def code_expander(view: SamplerView, lang: str) -> None:
    """The sampler's source, as Streamlit's hello demo shows its own: the ``_draw`` that runs or,
    where that fast path is hard to read, the readable reference the tests compare it against
    (first tab) beside the fast path (second tab)."""
    blocks = view.code()
    if not blocks:
        return
    reference = [b for b in blocks if b.kind == "reference"]
    with st.expander("📜 " + t("code_title", lang, sampler=view.label), expanded=False):
        if not reference:
            st.caption(t("code_caption", lang, sampler=view.label))
            _blocks(blocks)
            return
        st.caption(t("code_reference_caption", lang, sampler=view.label))
        tab_ref, tab_fast = st.tabs([t("code_reference", lang), t("code_fast", lang)])
        with tab_ref:
            _blocks(reference)
        with tab_fast:
            _blocks([b for b in blocks if b.kind != "reference"])
