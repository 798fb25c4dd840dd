"""Fixtures shared by the AppTest files: ``from app_support import no_user_data, warm_up  # noqa: F401``
makes both autouse fixtures apply to the importing module."""

from __future__ import annotations

import pytest

from negsamp_core.data import make_toy
from negsamp_core.training import Trainer


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    """Import-time costs (torch's optimiser machinery, plotly) once, outside any AppTest timeout."""
    Trainer(make_toy(), "rns")
    import plotly.graph_objects  # noqa: F401


@pytest.fixture(autouse=True)
def no_user_data(monkeypatch, tmp_path):
    """No user's data folder or download cache leaks into a test."""
    monkeypatch.delenv("NEGSAMP_DATA_DIR", raising=False)
    monkeypatch.setenv("NEGSAMP_CACHE_DIR", str(tmp_path / "cache"))


def play(at, prefix: str = "cmp", ticks: int = 4, until=None):
    """Press the page's Play and let ``ticks`` reruns happen (fewer once ``until()`` is true); returns ``at``."""
    at.button(key=f"{prefix}_play").click().run()
    for _ in range(ticks):
        if until is not None and until():
            break
        at.run()
    return at
