"""The diagnostics layer: labels are read here, never by a sampler."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.config import TrainConfig
from negsamp_core.data import Dataset
from negsamp_core.diagnostics import EpochDiagnostics, memory_label_stats, popularity_bin_edges
from negsamp_core.samplers import UniformNonPositive
from negsamp_core.training import Trainer

LABEL_KEYS = {"memory_fn_share", "rho_mean", "sd_mean", "sd_false_neg", "rho_false_neg", "sd_true_neg", "rho_true_neg"}


def labelled_world() -> Dataset:
    """User 0 owns item 0 and truly likes items 1 and 2 (false negatives if drawn); user 1 owns 5."""
    return Dataset.from_pairs("labelled", 2, 6, train=([0, 1], [0, 5]), valid=([0], [1]), test=([0], [2]))


def test_memory_label_stats_hand_computed():
    ds = labelled_world()
    last = {
        "users": np.array([0, 1]),
        "memory": np.array([[1, 3, 2], [0, 2, 4]]),
        "rho": np.array([[0.9, 0.2, 0.7], [0.1, 0.3, 0.5]], dtype=np.float32),
        "sd": np.array([[0.0, 0.4, 0.1], [0.2, 0.2, 0.2]], dtype=np.float32),
    }
    stats = memory_label_stats(ds, last)
    assert set(stats) == LABEL_KEYS
    assert stats["memory_fn_share"] == pytest.approx(2 / 6)  # items 1, 2 of user 0
    assert stats["rho_false_neg"] == pytest.approx(0.8) and stats["sd_false_neg"] == pytest.approx(0.05)
    assert stats["rho_true_neg"] == pytest.approx((0.2 + 0.1 + 0.3 + 0.5) / 4)
    assert stats["sd_true_neg"] == pytest.approx((0.4 + 0.6) / 4)
    assert stats["rho_mean"] == pytest.approx(2.7 / 6)
    no_fn = {**last, "users": np.array([1, 1]), "memory": np.array([[0, 1, 2], [0, 3, 4]])}
    assert set(memory_label_stats(ds, no_fn)) == LABEL_KEYS - {"sd_false_neg", "rho_false_neg"}
    assert memory_label_stats(ds, {"users": last["users"], "negatives": last["memory"]}) == {}


def test_epoch_diagnostics_means_histograms_and_reset():
    ds = labelled_world()
    model_scores = torch.tensor([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]])
    diag = EpochDiagnostics(
        ds,
        UniformNonPositive(ds.train),
        lambda u, i: model_scores[u, i],
        score_edges=np.linspace(-1.0, 6.0, 8),
        popularity_edges=popularity_bin_edges(1),
        uniform_probe=1,
        rng=np.random.default_rng(0),
    )
    users, negatives = np.array([0, 1]), np.array([[1, 3], [4, 2]])
    pos_s, neg_s = torch.tensor([0.0, 0.0]), torch.tensor([[1.0, 3.0], [1.0, 3.0]])
    diag.record_batch(users, negatives, pos_s, neg_s, loss=0.5)
    out = diag.finish()
    assert out["fn_rate"] == 0.25 and out["n_pairs"] == 2 and out["loss"] == 0.5
    assert out["neg_score_mean"] == 2.0 and out["pos_score_mean"] == 0.0
    assert out["hardness_mean"] == pytest.approx(float(torch.sigmoid(torch.tensor([1.0, 3.0])).mean()))
    assert sum(out["neg_score_hist"]) == 4 and out["neg_score_hist"][2] == 2 and out["neg_score_hist"][4] == 2
    assert sum(out["uniform_score_hist"]) == 1 and sum(out["neg_popularity_hist"]) == 4
    assert out["sampler_stats"] == {}
    empty = diag.finish()  # finish resets
    assert empty["n_pairs"] == 0 and np.isnan(empty["fn_rate"]) and sum(empty["neg_score_hist"]) == 0


def test_srns_stats_come_from_the_diagnostics_not_the_sampler(small_world):
    trainer = Trainer(
        small_world,
        "srns",
        TrainConfig(dim=8, batch_size=64, epochs=2),
        sampler_params={"s1": 3, "s2": 4, "warmup": 1},
        seed=0,
    )
    trainer.run_epochs()
    for record in trainer.history:
        assert LABEL_KEYS <= set(record.sampler_stats)
        assert 0.0 <= record.sampler_stats["memory_fn_share"] <= 1.0
    assert trainer.sampler.epoch_stats() == {}  # the sampler itself keeps no label statistic
