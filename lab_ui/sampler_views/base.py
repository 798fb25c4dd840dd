"""What a sampler view is, and the default view that serves any registered sampler without one.

A :class:`SamplerView` holds everything the app shows about one sampler: its chart style, its
formula, the catalogue keys of its texts, its internals panel and the source lines to show. The
sampler's *facts* (family, parameters, docstring, code) stay in the core class; the view reads them.
No Streamlit here: a panel is a pure function from inspection records and the dataset to a
:class:`Panel`, which the Playground renders.
"""

from __future__ import annotations

import inspect as _inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import plotly.graph_objects as go

from negsamp_core.samplers import SAMPLERS

from ..chart_base import Style
from ..i18n import sampler_label, t

__all__ = [
    "SamplerView",
    "Panel",
    "Metric",
    "SourceBlock",
    "draw_source",
    "default_view",
    "plain_inspect",
    "TEXT_ROLES",
]

TEXT_ROLES = ("full", "draws", "cost", "risk", "paper", "note")  # what a Learn card can say about a sampler


@dataclass(frozen=True)
class Metric:
    """One number beside the internals figure (e.g. IRGAN's entropy), with a 0..1 bar when ``progress``."""

    label: str
    value: str
    help: str = ""
    progress: float | None = None


@dataclass(frozen=True)
class Panel:
    """The internals of one sampler for one user, ready to render: note, metric, figure, text, caption."""

    note: str = ""  # shown first, as a notice (e.g. "the history needs two epochs" above an empty chart)
    figure: go.Figure | None = None
    text: str = ""  # markdown (shown instead of a figure, or under it)
    caption: str = ""
    metric: Metric | None = None


@dataclass(frozen=True)
class SourceBlock:
    """Lines of source to show a learner.

    ``kind``: "draw" (the ``_draw`` that runs), "reference" (the readable reference implementation
    the tests compare the fast path against) or "fast" (the fast path that runs, shown beside it).
    """

    title: str
    code: str
    kind: str = "draw"


def _source(obj) -> str:
    return textwrap.dedent(_inspect.getsource(obj))


def draw_source(cls: type) -> list[SourceBlock]:
    """The default: the sampler's own ``_draw`` as it runs."""
    return [SourceBlock(f"{cls.__name__}._draw", _source(cls._draw))]


def plain_inspect(sampler, user: int, scorer) -> Any:
    """The sampler's own inspection record (``None`` or an empty record: nothing to show)."""
    return sampler.inspect(user, scorer) or None


@dataclass(frozen=True)
class SamplerView:
    """Everything the app shows about the sampler registered as ``name``.

    Attributes:
        name: the registry name (``negsamp_core.samplers.SAMPLERS`` key).
        style: colour, dash, marker and hatch on every chart.
        formula: LaTeX of the sampling rule (None: the Learn card shows ``description``).
        texts: ``{role: catalogue key}`` for the roles of :data:`TEXT_ROLES` (registered by the view).
        description: untranslated fallback for "draws" (the default view takes the docstring).
        toy_params: small settings for the Learn page's six-user toy world.
        choices: ``{param: {value: catalogue key}}`` for integer parameters that pick one of a few
            named options (a select box instead of a slider).
        inspect_users: how many users of the last batch the internals panel reads (SRNS: a cloud).
        inspect: ``(sampler, user, scorer) -> record | None``: the sampler's typed record.
        panel: ``(records, dataset, *, lang) -> Panel`` with ``records = [(user, record), ...]``;
            None: no internals chart. False negatives come from ``dataset.is_false_negative``.
        sources: ``(cls) -> [SourceBlock]``, the code the Playground shows.
        variant_param: the parameter a variant of this sampler usually changes (DNS's M, SRNS's α);
            None: its first parameter.
        variants: ready-made variant races, each ``{param: value}`` (Compare offers them as one button).
    """

    name: str
    style: Style
    formula: str | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    toy_params: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    inspect_users: int = 1
    inspect: Callable[..., Any] = plain_inspect
    panel: Callable[..., Panel | None] | None = None
    sources: Callable[[type], list[SourceBlock]] = draw_source
    variant_param: str | None = None
    variants: tuple = ()

    @property
    def cls(self) -> type | None:
        return SAMPLERS.get(self.name)

    @property
    def label(self) -> str:
        return sampler_label(self.name)

    @property
    def family(self) -> str:
        """ "heuristic" or "model-based", read from the core class (one source for the fact)."""
        return getattr(self.cls, "family", "heuristic")

    def text(self, role: str, lang: str) -> str | None:
        """The translated text of ``role`` ("draws", "cost", ...), the description for "draws", else None."""
        key = self.texts.get(role)
        if key:
            return t(key, lang)
        return (self.description or None) if role == "draws" else None

    @property
    def main_param(self) -> str | None:
        """:attr:`variant_param`, else the sampler's first parameter (None: it has none)."""
        specs = getattr(self.cls, "PARAMS", ())
        names = [p.name for p in specs]
        if self.variant_param in names:
            return self.variant_param
        return names[0] if names else None

    def full_name(self, lang: str) -> str:
        """The sampler's full name as the source article gives it, e.g. "DNS · 动态采样" (its label
        when the view has none)."""
        return self.text("full", lang) or self.label

    def code(self) -> list[SourceBlock]:
        cls = self.cls
        return self.sources(cls) if cls is not None else []

    def internals(self, sampler, scorer, dataset, users: Sequence[int], *, lang: str) -> Panel | None:
        """Inspect the first :attr:`inspect_users` of ``users`` and build the panel (None: nothing to show)."""
        if self.panel is None:
            return None
        records = [
            (int(u), r)
            for u in list(users)[: self.inspect_users]
            if (r := self.inspect(sampler, int(u), scorer)) is not None
        ]
        return self.panel(records, dataset, lang=lang) if records else None


def _docstring_summary(cls: type | None) -> str:
    """The first paragraph of the class docstring, on one line."""
    doc = _inspect.getdoc(cls) if cls is not None else None
    if not doc:
        return ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def default_view(name: str, style: Style) -> SamplerView:
    """The view of a registered sampler without its own view file: ``style`` (from the default
    palette), the docstring's first paragraph as its description, no formula, no internals chart."""
    return SamplerView(name=name, style=style, description=_docstring_summary(SAMPLERS.get(name)))
