"""Presentation mode (``?present=1`` on Lessons, Compare and the Playground), for a projector.

No sidebar and no settings (the pages skip them when :func:`on`), big type (chart text >= 16 px,
chart titles >= 28 px: :func:`big`), one chart at a time with Previous / Next (:func:`deck`), and
the player bar always in view (:func:`bar`, sticky). The page's CSS also trims Streamlit's top
padding so the first chart is above the fold at 1280 x 720.
"""

from __future__ import annotations

from typing import Callable, Sequence

import plotly.graph_objects as go
import streamlit as st

from .i18n import _m, register, t
from .player import controls as player_controls
from .runs import LiveRun

__all__ = ["on", "style", "big", "bar", "deck", "controls", "CHART_HEIGHT", "FONT_PX", "TITLE_PX"]

FONT_PX, TITLE_PX, CHART_HEIGHT = 18, 28, 410
MESSAGES = {
    "present_prev": _m("Previous", "上一张"),
    "present_next": _m("Next", "下一张"),
    "present_position": _m("Chart {i} of {n}", "第 {i} / {n} 张图"),
}
register("lab_ui.present", MESSAGES)

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding-top: 0.6rem !important; padding-bottom: 3rem;
  max-width: 100% !important; padding-left: 2rem; padding-right: 2rem; }
h1 { font-size: 2.1rem !important; padding: 0.2rem 0 0.3rem 0 !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stWidgetLabel"] p, .stRadio label p { font-size: 1.15rem; }
[data-testid="stLayoutWrapper"]:has(> .st-key-present_bar), .st-key-present_bar {
  position: sticky; top: 0; z-index: 999; background: white; }
.st-key-present_bar { border-bottom: 1px solid #ddd; padding: 0.25rem 0 0.4rem 0; }
/* the status row on one line at 1280 px (five arms wrapped over the bar's divider) */
.ns-counter { font-size: 0.92rem !important; padding: 2px 6px !important; margin-right: 4px !important; }
.ns-status { margin-right: 8px !important; }
</style>
"""


def on() -> bool:
    """Is this page in presentation mode (``?present=1``)?"""
    return str(st.query_params.get("present", "")).lower() in ("1", "true", "yes")


def style() -> None:
    """The presentation CSS (no sidebar, no header, little padding, sticky player bar)."""
    st.html(_CSS)


def big(fig: go.Figure, height: int = CHART_HEIGHT) -> go.Figure:
    """A copy of ``fig`` for a projector: every text >= 16 px, the title 28 px, a fixed height."""
    out = go.Figure(fig)
    # On a projector the title keeps its first line and the "two curves coincide" note (≡), not the
    # explanatory subtitle (the caption says how to read the chart): at 28 px, three or four title
    # lines pushed the note onto the y axis's top tick and squeezed the plot.
    lines = (out.layout.title.text or "").split("<br>")
    kept = [lines[0], *(line for line in lines[1:] if "≡" in line)]
    dropped = len(lines) - len(kept)
    top = max(110, int(out.layout.margin.t or 0) + 30 - 20 * dropped) + 40 * (len(kept) - 1)
    out.update_layout(
        font=dict(size=FONT_PX),
        title=dict(text="<br>".join(kept), font_size=TITLE_PX, yref="container", y=1, yanchor="top", pad=dict(t=34)),
        legend_font_size=FONT_PX,
        height=height,
        margin=dict(l=80, r=30, t=top, b=70),
        hoverlabel_font_size=FONT_PX,
    )
    out.update_xaxes(tickfont_size=FONT_PX - 1, title_font_size=FONT_PX)
    out.update_yaxes(tickfont_size=FONT_PX - 1, title_font_size=FONT_PX)
    out.update_annotations(font_size=FONT_PX + 1)
    out.update_traces(textfont_size=FONT_PX - 1, selector=dict(type="bar"))
    return out


def bar():
    """The sticky container of the player bar (``with present.bar(): ...``)."""
    return st.container(key="present_bar")


def _move(key: str, delta: int, n: int) -> None:
    st.session_state[key] = (int(st.session_state.get(key, 0)) + delta) % max(n, 1)


def deck(prefix: str, items: Sequence[tuple[str, Callable[[], None]]], lang: str) -> int:
    """One of ``items`` (title, draw) at a time with Previous / Next; returns the index shown."""
    key = f"{prefix}_deck"
    n = len(items)
    index = min(int(st.session_state.get(key, 0)), n - 1) if n else 0
    left, mid, right = st.columns([1.2, 3, 1.2], vertical_alignment="center")
    left.button(
        t("present_prev", lang),
        key=f"{prefix}_deck_prev",
        icon=":material/chevron_left:",
        on_click=_move,
        args=(key, -1, n),
        disabled=n < 2,
        width="stretch",
    )
    right.button(
        t("present_next", lang),
        key=f"{prefix}_deck_next",
        icon=":material/chevron_right:",
        icon_position="right",
        on_click=_move,
        args=(key, 1, n),
        disabled=n < 2,
        width="stretch",
        type="primary",
    )
    if n:
        mid.markdown(f"**{t('present_position', lang, i=index + 1, n=n)}** · {items[index][0]}")
        items[index][1]()
    return index


# ---------------------------------------------------------------------------- Compare / Playground player
def controls(prefix: str, run: LiveRun | None, lang: str) -> None:
    """The player row without settings (no speed slider), in the sticky bar: Play, Pause, Step, Reset.
    It is :func:`lab_ui.player.controls` itself (same buttons, keys and callbacks: the fair queue
    and the run lock apply in presentation mode too)."""
    with bar():
        player_controls(prefix, run, lang, speed=False)
