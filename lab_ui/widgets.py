"""Widgets shared by the pages: training settings, sampler parameters, the legend, and the
renderers of a sampler view's internals panel and code."""

from __future__ import annotations

import streamlit as st

from negsamp_core.arms import Arm, encode_arms
from negsamp_core.samplers import SAMPLERS

from . import state
from .chart_base import CHART_CONFIG, ZOOM_KEEPER_JS
from .figures import style_of
from .i18n import arm_label, param_help, param_label, param_paper, sampler_label, t
from .sampler_views import VIEWS, Panel, SamplerView, view_for

__all__ = [
    "training_settings",
    "sampler_params",
    "legend_html",
    "internals_panel",
    "code_expander",
    "variants_editor",
    "CHART",
    "keep_zoom",
]

CHART = CHART_CONFIG  # every chart: the modebar with Plotly's PNG export, no logo


def keep_zoom() -> None:
    """Keep a user's zoom on the live charts across their refreshes (Streamlit remounts a chart whose
    figure changed; see :data:`lab_ui.chart_base.ZOOM_KEEPER_JS`). Call it once per page run, outside
    the refreshing fragment; it takes no space on the page."""
    with st.container(key="ns_zoom_keeper"):
        st.html("<style>.st-key-ns_zoom_keeper{display:none}</style>" + ZOOM_KEEPER_JS, unsafe_allow_javascript=True)


def _marked(key: str, live: bool, lang: str) -> str:
    """A setting's label with a word saying whether it applies live or resets the run (no emoji-only meaning)."""
    return f"{t(key, lang)} · {t('mark_live' if live else 'mark_reset', lang)}"


def training_settings(prefix: str, lang: str) -> None:
    """Epochs and learning rate (live), embedding size, batch, K and top-K (structural)."""
    c1, c2 = st.columns(2)
    c1.slider(_marked("epochs", True, lang), 1, 200, help=t("epochs_help", lang), **state.bind(f"{prefix}_epochs"))
    c2.select_slider(
        _marked("lr", True, lang), options=state.LR_OPTIONS, help=t("lr_help", lang), **state.bind(f"{prefix}_lr")
    )
    c1.select_slider(
        _marked("dim", False, lang), options=state.DIM_OPTIONS, help=t("dim_help", lang), **state.bind(f"{prefix}_dim")
    )
    c2.select_slider(
        _marked("batch", False, lang),
        options=state.BATCH_OPTIONS,
        help=t("batch_help", lang),
        **state.bind(f"{prefix}_batch"),
    )
    c1.slider(_marked("k", False, lang), 1, 20, help=t("k_help", lang), **state.bind(f"{prefix}_k"))
    c2.slider(_marked("topk", False, lang), 1, 50, help=t("topk_help", lang), **state.bind(f"{prefix}_topk"))


def sampler_params(prefix: str, name: str, lang: str) -> None:
    """The sampler's own parameters: "live" ones apply at the next tick, "resets" ones reset the run;
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
            st.caption(
                t("param_default", lang, default=default)
                + " · "
                + t("param_paper", lang, paper=param_paper(name, spec, lang))
            )


def _param_widget(prefix: str, name: str, spec, lang: str, bound: dict | None = None, mark: bool = True) -> str:
    """Draw one parameter's widget (bound to the page's setting, or to ``bound``); return its default as text."""
    bound = bound or state.bind(f"{prefix}_{name}_{spec.name}")
    label = param_label(name, spec.name, lang) + (
        f" · {t('mark_live' if spec.live else 'mark_reset', lang)}" if mark else ""
    )
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


def legend_html(samplers, lang: str, styles=None) -> str:
    """The one-time explanation of colours, line styles and markers (one entry per arm)."""
    items = []
    for name in samplers:
        s = style_of(name, styles)
        items.append(
            f'<span style="margin-right:18px;white-space:nowrap"><span style="display:inline-block;'
            f'width:34px;border-top:4px {s.css_dash} {s.color};vertical-align:middle">'
            f'</span> <span style="color:{s.color}">{s.glyph}</span> '
            f"<b>{sampler_label(name)}</b></span>"
        )
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


def _variant_value(prefix: str, name: str, spec, lang: str):
    """The value widget of the variant editor, initialised from the page's setting; returns its value."""
    key = f"{prefix}_variant_value_{name}_{spec.name}"
    current = state.get(f"{prefix}_{name}_{spec.name}", spec.default)
    options = view_for(name).choices.get(spec.name)
    label = param_label(name, spec.name, lang)
    if options:
        return st.selectbox(
            label,
            tuple(options),
            index=list(options).index(int(current)) if int(current) in options else 0,
            format_func=lambda v: t(options[v], lang),
            key=key,
        )
    if state.is_boolean(spec):
        return st.checkbox(label, value=bool(current), key=key)
    if spec.integer:
        return st.number_input(
            label,
            min_value=int(spec.low),
            max_value=int(spec.high),
            value=int(current),
            step=max(int(spec.step), 1),
            key=key,
        )
    return st.number_input(
        label,
        min_value=float(spec.low),
        max_value=float(spec.high),
        value=float(current),
        step=float(spec.step),
        format="%g",
        key=key,
    )


def _race(prefix: str, text: str) -> None:
    """A ready-made race (a callback: it runs before the sampler multiselect is drawn): these
    variants, next to the samplers that have no settings (the uniform baseline)."""
    state.set_value(f"{prefix}_samplers", [n for n in SAMPLERS if not SAMPLERS[n].PARAMS])
    state.set_value(f"{prefix}_arms", text)


def variants_editor(prefix: str, lang: str) -> list[Arm]:
    """Compare's variants: ready-made races from the views, an editor to add a variant (sampler,
    parameter, value), the current variants with a remove button each. Returns the variant arms
    (changes are written to the page's ``<prefix>_arms`` setting, which the URL carries)."""
    key = f"{prefix}_arms"
    try:
        arms = state.variant_arms(state.get(key, ""))
    except ValueError as exc:
        st.warning(t("variant_bad", lang, error=exc))
        arms = []

    def write(new: list[Arm]) -> None:
        state.set_value(key, encode_arms(new))
        st.rerun()

    tunable = [n for n in SAMPLERS if SAMPLERS[n].PARAMS]
    with st.expander("🧪 " + t("variants_title", lang), expanded=False):
        st.caption(t("variants_caption", lang))
        races = [
            (n, [Arm(arm_label(n, v), n, dict(v)) for v in VIEWS[n].variants])
            for n in tunable
            if n in VIEWS and VIEWS[n].variants
        ]
        if races:
            cols = st.columns(len(races))
            for col, (name, race) in zip(cols, races):
                col.button(
                    t("variant_race", lang, labels=" · ".join(a.label for a in race)),
                    key=f"{prefix}_race_{name}",
                    help=t("variant_race_help", lang),
                    width="stretch",
                    on_click=_race,
                    args=(prefix, encode_arms(race)),
                )
        c1, c2, c3, c4 = st.columns([2, 3, 3, 2], vertical_alignment="bottom")
        name = c1.selectbox(
            t("variant_sampler", lang), tunable, format_func=sampler_label, key=f"{prefix}_variant_sampler"
        )
        specs = {p.name: p for p in SAMPLERS[name].PARAMS}
        main = view_for(name).main_param
        order = [main] + [p for p in specs if p != main]
        param = c2.selectbox(
            t("variant_param", lang),
            order,
            format_func=lambda p: param_label(name, p, lang),
            key=f"{prefix}_variant_param_{name}",
        )
        with c3:
            value = _variant_value(prefix, name, specs[param], lang)
        if c4.button(
            t("variant_add", lang), key=f"{prefix}_variant_add", icon=":material/add:", type="primary", width="stretch"
        ):
            params = {param: specs[param].convert(value, owner=name)}
            arm = Arm(arm_label(name, params), name, params)
            if any(a.label == arm.label for a in arms):
                st.warning(t("variant_exists", lang, label=arm.label))
            else:
                write(arms + [arm])
        if not arms:
            st.caption(t("variants_none", lang))
        per_row = 4
        for start in range(0, len(arms), per_row):
            cols = st.columns(per_row)
            for col, (index, arm) in zip(cols, list(enumerate(arms))[start : start + per_row]):
                if col.button(
                    t("variant_remove", lang, label=arm.label),
                    key=f"{prefix}_variant_remove_{index}",
                    icon=":material/close:",
                    width="stretch",
                ):
                    write(arms[:index] + arms[index + 1 :])
        if len(arms) > 1 and st.button(
            t("variant_clear", lang), key=f"{prefix}_variant_clear", icon=":material/delete_sweep:"
        ):
            write([])
    return arms
