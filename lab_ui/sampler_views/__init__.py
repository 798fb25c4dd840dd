"""One view per sampler, mirroring :mod:`negsamp_core.samplers`: everything the app shows about it.

Each file here (``rns.py`` ... ``srns.py``) sits beside the core file of the same name and holds
the sampler's chart style, formula, texts (English and 简体中文, registered with :mod:`lab_ui.i18n`),
its internals panel and the source lines to show. :func:`view_for` serves any name in
``negsamp_core.samplers.SAMPLERS``: a sampler added with the two-step recipe (one core file, one
registry line) gets the default view (a style from the default palette, its docstring as the
description, no internals chart) and renders on every page; a view file here adds the rest.

Add a view: write ``<name>.py`` with a module-level ``VIEW = SamplerView(...)`` (copy ``rns.py``)
and add it to :data:`VIEWS` below.
"""

from __future__ import annotations

import zlib

from negsamp_core.samplers import SAMPLERS

from ..chart_base import DEFAULT_STYLES
from . import dns, irgan, pns, rns, srns
from .base import Metric, Panel, SamplerView, SourceBlock, default_view

VIEWS: dict[str, SamplerView] = {v.name: v for v in (rns.VIEW, pns.VIEW, dns.VIEW, irgan.VIEW, srns.VIEW)}

__all__ = ["VIEWS", "view_for", "SamplerView", "Panel", "Metric", "SourceBlock"]


def view_for(name: str) -> SamplerView:
    """The view of sampler ``name``: its own, or the default view (never raises for an unknown name).

    Registered samplers without a view take :data:`~lab_ui.chart_base.DEFAULT_STYLES` in registry
    order, so up to six of them look different from each other and from the five built-in ones.
    """
    view = VIEWS.get(name)
    if view is not None:
        return view
    unviewed = [n for n in SAMPLERS if n not in VIEWS]
    index = unviewed.index(name) if name in unviewed else zlib.crc32(name.encode())
    return default_view(name, DEFAULT_STYLES[index % len(DEFAULT_STYLES)])
