"""The README's two-step recipe, end to end: a sampler written in one file and added to the registry
(nothing else edited: no view, no catalogue entry, no page) renders on every page in both languages,
can be chosen and trained in Compare and the Playground, shows its code, and runs from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")
from app_support import play  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from lab_ui.chart_base import DEFAULT_STYLES  # noqa: E402
from lab_ui.i18n import t  # noqa: E402
from negsamp_core.data import make_toy  # noqa: E402
from negsamp_core.samplers import SAMPLERS, NegativeSampler, ParamSpec  # noqa: E402
from negsamp_core.training import Trainer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = {"learn": None, "playground": "pages/playground.py", "compare": "pages/compare.py", "data": "pages/data.py"}
TIMEOUT = 60


# ----------------------------------------------------------------- the one file a contributor writes
class LongTail(NegativeSampler):
    """Long-tail sampling: of M uniform non-positive candidates keep the least popular one.

    A made-up sampler for this test only (no paper): it pushes the model away from niche items.
    """

    name = "longtail"
    family = "heuristic"
    PARAMS = (
        ParamSpec(
            "candidates",
            2,
            1,
            8,
            1,
            "none (made up)",
            live=True,
            integer=True,
            help="uniform candidates per negative; the least popular is kept",
        ),
        ParamSpec(
            "popular",
            0,
            0,
            1,
            1,
            "none (made up)",
            live=True,
            boolean=True,
            help="keep the most popular candidate instead",
        ),
    )

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer) -> np.ndarray:
        cand = self.uniform.sample(users, (self.n_negatives, self.params["candidates"]), self.rng)  # (B, K, M)
        popularity = self.dataset.item_popularity[cand]  # (B, K, M)
        pick = popularity.argmax(axis=2) if self.params["popular"] else popularity.argmin(axis=2)  # (B, K)
        return np.take_along_axis(cand, pick[:, :, None], axis=2)[:, :, 0]


# ----------------------------------------------------------------- the one registry line
@pytest.fixture(autouse=True)
def registered(monkeypatch, tmp_path):
    monkeypatch.setitem(SAMPLERS, LongTail.name, LongTail)
    monkeypatch.delenv("NEGSAMP_DATA_DIR", raising=False)
    monkeypatch.setenv("NEGSAMP_CACHE_DIR", str(tmp_path / "cache"))
    Trainer(make_toy(), "rns")  # import-time costs outside the AppTest timeout


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = str(value)
    if PAGES[page]:
        at.switch_page(PAGES[page])
    return at.run()


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def charts(at: AppTest) -> dict:
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def test_the_new_sampler_keeps_the_basic_contract():
    dataset = make_toy()
    sampler = LongTail(dataset, 3, rng=np.random.default_rng(0), popular=True)
    users = np.repeat(np.arange(dataset.n_users), 4)
    negatives = sampler.sample(users, np.zeros_like(users), None)
    assert negatives.shape == (users.size, 3) and negatives.dtype == np.int64
    assert not dataset.train.contains(users[:, None], negatives).any()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_the_new_sampler(page, lang):
    at = open_page(page, dataset="toy", lang=lang)
    assert_ok(at)
    if page == "learn":
        card = "\n".join(m.value for m in at.markdown)
        assert "LONGTAIL" in card and "least popular" in card  # its docstring stands in for "what it draws"
        assert any(getattr(c, "key", None) == "card_longtail" for c in at.get("flex_container"))  # its own card
    if page == "compare":
        assert "LONGTAIL" in at.multiselect(key="w_cmp_samplers").options
        assert "longtail" in at.multiselect(key="w_cmp_samplers").value  # default: every registered sampler
    if page == "playground":
        assert "LONGTAIL" in at.radio(key="w_pg_sampler").options


def test_compare_trains_it_beside_a_built_in_sampler():
    at = open_page("compare", dataset="toy", samplers="rns,longtail", epochs=2)
    play(at, ticks=5)
    assert_ok(at)
    run = at.session_state["cmp_run"]
    assert run.done and len(run.histories["longtail"]) == 2
    conv = charts(at)["cmp_chart_convergence"]
    line = next(d for d in conv["data"] if d["name"] == "LONGTAIL")
    assert line["line"]["color"] == DEFAULT_STYLES[0].color and line["line"]["dash"] == DEFAULT_STYLES[0].dash
    assert list(at.dataframe[0].value[t("col_sampler")]) == ["RNS", "LONGTAIL"]


def test_playground_plays_it_with_a_checkbox_for_the_on_off_option_and_shows_its_code():
    at = open_page("playground", dataset="toy", sampler="longtail", lang="zh", epochs=3)
    assert_ok(at)
    box = at.checkbox(key="w_pg_longtail_popular")
    assert box.value is False
    box.check().run()
    at.slider(key="w_pg_longtail_candidates").set_value(4).run()
    assert at.slider(key="w_pg_longtail_candidates").value == 4
    at.button(key="pg_play").click().run()
    for _ in range(4):
        at.run()
    assert_ok(at)
    run = at.session_state["pg_run"]
    assert run.done and len(run.histories["longtail"]) == 3 and not at.session_state["pg_playing"]
    assert run.trainers["longtail"].sampler.params == {"candidates": 4, "popular": True}
    assert len(at.dataframe) == 1  # the step table of the last batch
    assert any(t("internals_none", "zh", sampler="LONGTAIL") in c.value for c in at.caption)
    code = [c.value for c in at.code]
    assert any("def _draw" in c and "least popular" not in c and "take_along_axis" in c for c in code)


def test_the_cli_runs_it(tmp_path, capsys):
    from negsamp_core import cli

    out = tmp_path / "longtail.json"
    status = cli.main(
        [
            "compare",
            "--dataset",
            "toy",
            "--samplers",
            "longtail",
            "--epochs",
            "2",
            "--quiet",
            "--longtail-candidates",
            "3",
            "--out",
            str(out),
        ]
    )
    assert status in (0, None)
    assert "longtail" in out.read_text(encoding="utf-8").lower()
