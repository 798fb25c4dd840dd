"""Regressions found by a newcomer driving the app (pure functions, no Streamlit). The label
regressions build the figure the learner sees and read its labels, not the catalogue entry."""

import colorsys
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from lab_ui.chart_base import FALSE_NEGATIVE
from lab_ui.i18n import t
from lab_ui.runs import changed_fields
from lab_ui.sampler_views import view_for
from negsamp_core.config import TrainConfig
from negsamp_core.data import make_toy
from negsamp_core.training import Trainer


def test_regression_reset_notice_names_only_settings_the_learner_changed():
    # Switching the Playground from SRNS to IRGAN listed SRNS s1/history and IRGAN g_dim as "changed".
    old = {"samplers": ("srns",), "srns.s1": 4, "srns.history": 5, "seed": 0}
    new = {"samplers": ("irgan",), "irgan.g_dim": 5, "irgan.g_pretrain_epochs": 0, "seed": 0}
    assert changed_fields(old, new) == ["samplers"]
    # A structural parameter of a sampler that stays is still reported.
    assert changed_fields({"samplers": ("srns",), "srns.s1": 4}, {"samplers": ("srns",), "srns.s1": 8}) == ["srns.s1"]


def _trained(name: str, params: dict | None = None, epochs: int = 3) -> Trainer:
    config = TrainConfig(dim=4, lr=0.05, batch_size=6, epochs=epochs, eval_k=3, score_bins=16)
    trainer = Trainer(make_toy(), name, config, params, seed=0)
    while not trainer.done:
        trainer.run_steps(50)
    return trainer


def _panel(trainer: Trainer, lang: str = "en"):
    users = np.unique(trainer.sampler.last["users"])
    return view_for(trainer.sampler.name).internals(trainer.sampler, trainer.scorer, trainer.dataset, users, lang=lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_regression_pns_chart_is_not_labelled_with_irgans_generator(lang):
    panel = _panel(_trained("pns", epochs=1), lang)
    axis = panel.figure.layout.yaxis.title.text
    assert "p_G" not in axis and "p(j)" in axis
    assert panel.figure.layout.title.text.startswith("PNS")


def _is_orange(hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _, saturation = colorsys.rgb_to_hls(r, g, b)
    return 15 <= hue * 360 <= 45 and saturation > 0.5


@pytest.mark.parametrize("lang, orange", [("en", "orange ✕"), ("zh", "橙色 ✕")])
def test_srns_caption_colour_matches_the_false_negative_marker(lang, orange):
    trainer = _trained("srns", {"s1": 4, "s2": 4, "warmup": 1})
    panel = _panel(trainer, lang)
    assert orange in panel.text
    fn_trace = next(d for d in panel.figure.data if d.name == t("srns_false_neg", lang))
    assert fn_trace.marker.symbol == "x" and fn_trace.marker.color == FALSE_NEGATIVE and _is_orange(FALSE_NEGATIVE)
    true_trace = next(d for d in panel.figure.data if d.name == t("srns_true_neg", lang))
    assert not _is_orange(true_trace.marker.color)


def test_srns_false_negative_flags_come_from_the_dataset_not_the_sampler():
    trainer = _trained("srns", {"s1": 4, "s2": 4, "warmup": 1})
    users = np.unique(trainer.sampler.last["users"])
    panel = _panel(trainer)
    memory = trainer.sampler.memory[users]  # (n, S1)
    expected = int(trainer.dataset.is_false_negative(np.repeat(users, memory.shape[1]), memory.ravel()).sum())
    fn_trace = next(d for d in panel.figure.data if d.name == t("srns_false_neg"))
    assert len(fn_trace.x) == expected


def test_irgan_panel_marks_false_negatives_and_shows_entropy():
    trainer = _trained("irgan", {"g_samples": 4, "g_epochs": 1}, epochs=1)
    user = int(np.unique(trainer.sampler.last["users"])[0])  # the panel shows the first user it is given
    panel = _panel(trainer)
    bars = panel.figure.data[0]
    labelled = [name.startswith("★ ") for name in bars.x]
    assert [c == FALSE_NEGATIVE for c in bars.marker.color] == labelled
    assert panel.metric is not None and 0 <= panel.metric.progress <= 1
    with torch.no_grad():
        probs = trainer.sampler.generator_distribution(np.array([user]))[0].numpy()
    assert bars.y[0] == pytest.approx(probs.max(), rel=1e-5)


def test_regression_importing_lab_ui_sets_nothing_process_wide():
    # lab_ui/__init__ used to call torch.set_num_threads(1) and build an optimiser on import.
    code = (
        "import torch; torch.set_num_threads(3); import lab_ui, lab_ui.shell, lab_ui.figures, lab_ui.player; "
        "assert torch.get_num_threads() == 3, torch.get_num_threads(); "
        "lab_ui.shell.configure_process(); assert torch.get_num_threads() == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
