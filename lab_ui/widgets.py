"""Setting widgets shared by the training pages (training settings, sampler parameters, legend)."""

from __future__ import annotations

import streamlit as st

from negsamp_core.samplers import SAMPLERS

from . import state
from .figures import STYLE
from .i18n import param_help, param_label, sampler_label, t

__all__ = ["training_settings", "sampler_params", "legend_html"]

_DASH_CSS = {"solid": "solid", "dash": "dashed", "dot": "dotted", "dashdot": "dashed", "longdash": "dashed"}
_SYMBOLS = {"circle": "●", "square": "■", "diamond": "◆", "triangle-up": "▲", "x": "✕"}


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
    the default and the paper's value are shown under each."""
    specs = SAMPLERS[name].PARAMS
    if not specs:
        st.caption(t("no_params", lang))
        return
    columns = st.columns(2) if len(specs) > 2 else [st.container()]
    for index, spec in enumerate(specs):
        key = f"{prefix}_{name}_{spec.name}"
        label = f"{param_label(name, spec.name, lang)} {'🟢' if spec.live else '🔴'}"
        help_text = param_help(name, spec.name, lang, spec.help)
        span = (spec.high - spec.low) / spec.step
        if spec.integer:
            kw = dict(min_value=int(spec.low), max_value=int(spec.high), step=max(int(spec.step), 1))
        else:
            kw = dict(min_value=float(spec.low), max_value=float(spec.high), step=float(spec.step))
        with columns[index % len(columns)]:
            if span <= 400:
                st.slider(label, help=help_text, **kw, **state.bind(key))
            else:
                st.number_input(label, help=help_text, format=None if spec.integer else "%g", **kw,
                                **state.bind(key))
            st.caption(t("param_default", lang, default=f"{spec.default:g}") + " · "
                       + t("param_paper", lang, paper=spec.paper))


def legend_html(samplers, lang: str) -> str:
    """The one-time explanation of colours, line styles and markers."""
    items = []
    for name in samplers:
        s = STYLE[name]
        items.append(f'<span style="margin-right:18px;white-space:nowrap"><span style="display:inline-block;'
                     f'width:34px;border-top:4px {_DASH_CSS[s["dash"]]} {s["color"]};vertical-align:middle">'
                     f'</span> <span style="color:{s["color"]}">{_SYMBOLS[s["symbol"]]}</span> '
                     f'<b>{sampler_label(name)}</b></span>')
    return f'<div style="font-size:1.05rem">{t("legend_intro", lang)} ' + "".join(items) + "</div>"
