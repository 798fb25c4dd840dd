"""Chart basics shared by the page figures (:mod:`lab_ui.figures`) and the sampler views
(:mod:`lab_ui.sampler_views`): colours, the per-sampler :class:`Style`, fonts and the common layout.

It sits *below* both (it imports neither), so a view can build its internals figure with the same
layout while the page figures ask the views for each sampler's style: no import circle.

Figures are assembled as plain dicts and become a ``go.Figure`` once, at the end (:func:`figure`):
the traces as ``{"type": "scatter", ...}`` dicts, a subplot grid's axes and titles from
:func:`grid` (the domains ``make_subplots`` computes, without its machinery), the common layout from
:func:`layout_spec`, a centre note from :func:`note_spec`. Plotly's graph-object machinery
(``make_subplots``, ``update_layout``, ``add_traces``, property validation) cost ~10x the figure's
own work on every live redraw; the specs are validated by plotly in the tests
(``tests/test_figures_spec.py`` rebuilds every builder's output with validation on) instead of on
every redraw. :func:`layout` and :func:`centre_note` still work on a ``go.Figure`` for callers that
build one with graph objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

__all__ = [
    "Style",
    "figure",
    "grid",
    "layout_spec",
    "note_spec",
    "merge",
    "axes",
    "cell",
    "GREY",
    "LIGHT",
    "FALSE_NEGATIVE",
    "FONT",
    "layout",
    "DEFAULT_STYLES",
    "variant_style",
    "shade",
    "CHART_CONFIG",
    "TICK_FONT",
    "ZOOM_KEEPER_JS",
]

GREY = "#555555"
LIGHT = "#BBBBBB"
FALSE_NEGATIVE = "#D55E00"  # Okabe-Ito vermillion ("orange" in the captions): false negatives on every chart
FONT = dict(size=15)
TICK_FONT = dict(size=14)  # ticks and legends: readable on a projector (>= 13 px)
# Every chart's modebar: no Plotly logo, and a PNG export at twice the size (slides, handouts).
CHART_CONFIG = {
    "displaylogo": False,
    "displayModeBar": True,
    "toImageButtonOptions": {"format": "png", "filename": "negative-sampling-lab", "scale": 2},
}

_DASH_CSS = {
    "solid": "solid",
    "dash": "dashed",
    "dot": "dotted",
    "dashdot": "dashed",
    "longdash": "dashed",
    "longdashdot": "dashed",
}
_GLYPHS = {
    "circle": "●",
    "square": "■",
    "diamond": "◆",
    "triangle-up": "▲",
    "x": "✕",
    "star": "★",
    "cross": "✚",
    "triangle-down": "▼",
    "pentagon": "⬟",
    "hexagon": "⬢",
}


@dataclass(frozen=True)
class Style:
    """How one sampler looks on every chart: colour, line dash, marker and bar hatch pattern.

    ``dash`` and ``symbol`` are Plotly names; ``pattern`` a Plotly bar ``pattern.shape`` ("" = none).
    Colour and dash together keep lines apart on a projector and for colour-blind readers.
    """

    color: str
    dash: str = "solid"
    symbol: str = "circle"
    pattern: str = ""

    @property
    def css_dash(self) -> str:
        """The CSS border style closest to ``dash`` (for the HTML legend)."""
        return _DASH_CSS.get(self.dash, "solid")

    @property
    def glyph(self) -> str:
        """A text character that looks like ``symbol`` (for the HTML legend and badges)."""
        return _GLYPHS.get(self.symbol, "●")


# Styles handed out, in order, to registered samplers that have no view of their own. Colours are
# Okabe-Ito's remaining sky blue and black, then Paul Tol's muted set; none equals a view's colour,
# and dash / marker / hatch differ from the five built-in samplers' too.
DEFAULT_STYLES = (
    Style("#56B4E9", "longdashdot", "star", "\\"),
    Style("#000000", "longdashdot", "cross", "|"),
    Style("#882255", "longdashdot", "triangle-down", "+"),
    Style("#44AA99", "longdashdot", "pentagon", "\\"),
    Style("#999933", "longdashdot", "hexagon", "|"),
    Style("#332288", "longdashdot", "star", "+"),
)


_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down", "pentagon")
_PATTERNS = ("", "/", "\\", "x", ".", "-", "|", "+")
_SHADES = (0.55, 1.35, 0.35, 1.6, 0.75)  # variant 1 darker, 2 lighter, 3 darkest, 4 lightest, ...


def merge(base: dict, extra: dict) -> dict:
    """``extra`` merged into ``base`` in place, as ``update_layout`` does: nested dicts merge, other
    values replace, ``None`` removes the key. Returns ``base``."""
    for key, value in extra.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = _fresh(value)
    return base


def _fresh(value):
    """A copy of nested dicts (so a module constant such as FONT is never shared with a figure)."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items() if v is not None}
    return value


def _axes(spec: dict, prefix: str) -> list[dict]:
    """The layout's axis dicts whose name is ``prefix`` or ``prefix`` + a number (xaxis, xaxis2, ...)."""
    return [v for k, v in spec.items() if k == prefix or (k.startswith(prefix) and k[len(prefix) :].isdigit())]


def figure(data: list, layout_dict: dict) -> go.Figure:
    """The ``go.Figure`` of a spec built as dicts, constructed once. Plotly's per-property validation
    is skipped here (it tripled a live redraw's cost); tests validate every builder's spec."""
    try:
        return go.Figure({"data": data, "layout": layout_dict}, _validate=False)
    except TypeError:  # a plotly without the private flag: validate
        return go.Figure({"data": data, "layout": layout_dict})


def grid(
    cols: int,
    *,
    horizontal_spacing: float | None = None,
    column_widths=None,
    titles=None,
    shared_yaxes: bool = False,
    secondary_y: bool = False,
    title_font: dict | None = None,
) -> dict:
    """A one-row subplot grid as layout entries: ``xaxis``/``yaxis`` .. ``xaxisN``/``yaxisN`` with the
    domains and anchors ``plotly.subplots.make_subplots(rows=1, cols=cols, ...)`` gives (the same
    float arithmetic), shared y axes matching ``y`` without tick labels, one secondary y axis
    (``yaxis2``, overlaying, right) when ``secondary_y`` (then ``cols`` must be 1), and the subplot
    titles as paper annotations (font size 16 unless ``title_font``). Traces of column ``c`` take
    :func:`cell` ``(c)``."""
    if secondary_y and cols != 1:
        raise ValueError("a secondary y axis needs a single column")
    if horizontal_spacing is None:
        horizontal_spacing = (0.4 if secondary_y else 0.2) / cols
    max_width = 0.94 if secondary_y else 1.0
    if column_widths is None:
        widths = [(max_width - horizontal_spacing * (cols - 1)) / cols] * cols
    else:
        total = float(sum(column_widths))
        widths = [(max_width - horizontal_spacing * (cols - 1)) * (w / total) for w in column_widths]
    spec: dict = {}
    domains = []
    for c in range(cols):
        start = sum(widths[:c]) + c * horizontal_spacing
        x_domain = [start, start + widths[c]]
        y_domain = [0.0, 1.0]
        domains.append((x_domain, y_domain))
        n = "" if c == 0 else str(c + 1)
        spec[f"xaxis{n}"] = {"anchor": f"y{n}", "domain": [max(0.0, x_domain[0]), min(1.0, x_domain[1])]}
        spec[f"yaxis{n}"] = {"anchor": f"x{n}", "domain": [max(0.0, y_domain[0]), min(1.0, y_domain[1])]}
        if shared_yaxes and c > 0:
            spec[f"yaxis{n}"].update(matches="y", showticklabels=False)
    if secondary_y:
        spec["yaxis2"] = {"anchor": "x", "overlaying": "y", "side": "right"}
    annotations = []
    for (x_domain, y_domain), text in zip(domains, titles or ()):
        if text:
            annotations.append(
                {
                    "y": y_domain[1],
                    "xref": "paper",
                    "x": sum(x_domain) / 2.0,
                    "yref": "paper",
                    "text": text,
                    "showarrow": False,
                    "font": dict(title_font or {"size": 16}),
                    "xanchor": "center",
                    "yanchor": "bottom",
                }
            )
    if annotations:
        spec["annotations"] = annotations
    return spec


def cell(col: int = 1, secondary: bool = False) -> dict:
    """The ``xaxis``/``yaxis`` references of a trace in column ``col`` of a :func:`grid` (1-based)."""
    n = "" if col == 1 else str(col)
    return {"xaxis": f"x{n}", "yaxis": "y2" if secondary else f"y{n}"}


def axes(spec: dict, x: dict | None = None, y: dict | None = None) -> dict:
    """Merge ``x`` into every x axis and ``y`` into every y axis of a layout dict (``update_xaxes`` /
    ``update_yaxes`` without a selector). Returns ``spec``."""
    for prefix, update in (("xaxis", x), ("yaxis", y)):
        if update:
            for axis in _axes(spec, prefix):
                merge(axis, update)
    return spec


def note_spec(spec: dict, text: str) -> dict:
    """:func:`centre_note` on a layout dict: the grey note in the middle, every axis hidden."""
    spec.setdefault("annotations", []).append(_note(text))
    return axes(spec, {"visible": False}, {"visible": False})


def _note(text: str) -> dict:
    """The centre note's annotation (:func:`note_spec`, :func:`centre_note`)."""
    return {
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "font": {"size": 16, "color": GREY},
    }


def centre_note(fig: go.Figure, text: str) -> None:
    """A grey note in the middle of a chart that has nothing to show yet (empty run, no verdict), and
    no axes: an empty chart's default ranges (e.g. "−100 % … 400 %" on a percent axis) mean nothing."""
    fig.add_annotation(_note(text))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)


def shade(color: str, factor: float) -> str:
    """``color`` (#RRGGBB) darkened (factor < 1: towards black) or lightened (> 1: towards white)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    if factor <= 1:
        rgb = [round(c * factor) for c in rgb]
    else:
        rgb = [round(c + (255 - c) * min(factor - 1, 0.9)) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in rgb)


def variant_style(base: Style, index: int) -> Style:
    """The style of the ``index``-th arm of one sampler: 0 is the sampler's own; later variants keep
    its hue family (darker / lighter) and take another dash, marker and hatch, so two variants of
    one sampler stay apart in colour *and* line."""
    if index <= 0:
        return base
    step = index - 1
    dashes = [d for d in _DASHES if d != base.dash]
    symbols = [m for m in _SYMBOLS if m != base.symbol]
    patterns = [p for p in _PATTERNS if p != base.pattern]
    return Style(
        shade(base.color, _SHADES[step % len(_SHADES)]),
        dashes[step % len(dashes)],
        symbols[step % len(symbols)],
        patterns[step % len(patterns)],
    )


def layout(
    fig: go.Figure,
    title: str,
    height: int,
    uirevision: str,
    *,
    title_font_size: int = 17,
    margin: dict | None = None,
    **kw,
) -> go.Figure:
    """The common layout: left-aligned title, fixed height, legend at the bottom of the figure (under the
    x title), ticks and legend at 14 px, ``uirevision`` kept (a constant per chart, so a user's zoom
    survives the redraws while training runs). On a ``go.Figure``; :func:`layout_spec` is the same on a
    layout dict."""
    fig.update_layout(**_common(title, height, uirevision, title_font_size, margin, kw))
    fig.update_xaxes(tickfont=TICK_FONT)
    fig.update_yaxes(tickfont=TICK_FONT)
    return fig


def _common(title, height, uirevision, title_font_size, margin, kw) -> dict:
    margin = dict(margin or dict(l=60, r=20, t=70, b=50))
    if kw.get("showlegend", True):
        margin["b"] = max(margin.get("b", 50), 95)  # x ticks, the x title, then the legend: no overlap
    return dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=title_font_size)),
        height=height,
        margin=margin,
        font=dict(FONT),
        uirevision=uirevision,
        legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", x=0, font=dict(TICK_FONT)),
        **kw,
    )


def layout_spec(
    spec: dict,
    title: str,
    height: int,
    uirevision: str,
    *,
    title_font_size: int = 17,
    margin: dict | None = None,
    **kw,
) -> dict:
    """:func:`layout` on a layout dict (merged into ``spec``, which is returned): the common title,
    height, margin, fonts, legend and ``uirevision``, and the 14 px tick font on every axis."""
    merge(spec, _common(title, height, uirevision, title_font_size, margin, kw))
    return axes(spec, {"tickfont": dict(TICK_FONT)}, {"tickfont": dict(TICK_FONT)})


# Streamlit 1.67 remounts a Plotly chart whenever its figure changes: the element's id hashes the
# figure's JSON (``compute_and_register_element_id(..., plotly_spec=...)`` in
# ``streamlit/elements/plotly_chart.py``) and the frontend renders the chart with that id as its React
# key (``c(ag, {element: e, ...o}, e.id)`` in ``static/js/index.*.js``), so every live refresh builds a
# new graph div and ``uirevision`` (which works inside one div's ``Plotly.react``) has nothing to keep.
# This script keeps the user's zoom in the page instead: it records each chart's axis ranges set by the
# user (``plotly_relayout``), keyed by the chart's Streamlit key and its ``uirevision``, and re-applies
# them to the remounted chart. A double-click (Plotly's reset to the figure's own ranges) forgets them.
ZOOM_KEEPER_JS = """
<script>
(() => {
  if (window.__nslZoom) return;
  const store = (window.__nslZoom = {});
  const AXIS = /^([xyz]axis\\d*)\\.(range(\\[[01]\\])?|autorange)$/;
  const chartKey = (gd) => {
    const box = gd.closest('[data-testid="stElementContainer"], .stElementContainer, .element-container');
    const cls = box && Array.from(box.classList).find((c) => c.startsWith("st-key-"));
    return cls ? cls.slice(7) : null;
  };
  const AXIS_NAME = /^[xyz]axis\\d*$/;
  const rev = (gd) => String((gd.layout || {}).uirevision ?? "");
  const hook = (gd) => {
    const key = chartKey(gd);
    gd.__nslHooked = true;
    if (!key || typeof gd.on !== "function") return;
    // the figure's own ranges: a relayout back to them is Plotly's reset (double-click), not a zoom
    const own = {};
    for (const [ax, v] of Object.entries(gd.layout || {})) if (AXIS_NAME.test(ax) && v && v.range) own[ax] = v.range.slice();
    const same = (a, b) => a && b && Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9;
    gd.on("plotly_relayout", (ev) => {
      if (gd.__nslApplying) return;
      let z = store[key];
      if (!z || z.rev !== rev(gd)) z = store[key] = { rev: rev(gd), axes: {} };
      for (const [k, v] of Object.entries(ev || {})) {
        const m = AXIS.exec(k);
        if (!m) continue;
        const ax = m[1];
        const r = (gd.layout[ax] || {}).range;
        if ((m[2] === "autorange" && v) || same(r, own[ax])) delete z.axes[ax];
        else if (m[2] !== "autorange" && r) z.axes[ax] = [r[0], r[1]];
      }
    });
    const z = store[key];
    if (z && z.rev === rev(gd) && Object.keys(z.axes).length && window.Plotly) {
      const update = {};
      for (const [ax, r] of Object.entries(z.axes)) update[ax + ".range"] = r;
      gd.__nslApplying = true;
      Promise.resolve(window.Plotly.relayout(gd, update)).finally(() => { gd.__nslApplying = false; });
    }
  };
  const scan = () => document.querySelectorAll(".js-plotly-plot").forEach((gd) => {
    if (!gd.__nslHooked && gd._fullLayout) hook(gd);
  });
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  setInterval(scan, 250);
})();
</script>
"""
