"""Cost accounting: the Scorer counts its own work, epoch-end work counts in its epoch, and a
sampler's own models are added through ``own_scores`` (issue 7, item 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from negsamp_core.config import TrainConfig
from negsamp_core.model import Scorer
from negsamp_core.samplers import RNS, SAMPLERS, SRNS
from negsamp_core.training import Trainer

CONFIG = TrainConfig(dim=8, batch_size=64, epochs=2, n_negatives=2)
PARAMS = {
    "dns": {"candidates": 4},
    "irgan": {"g_samples": 8, "g_epochs": 1},
    "srns": {"s1": 3, "s2": 4, "warmup": 1, "history": 3},
}


def trainer_for(dataset, name, epochs=2, **params):
    return Trainer(
        dataset, name, CONFIG.replace(epochs=epochs), sampler_params={**PARAMS.get(name, {}), **params}, seed=0
    )


@pytest.fixture
def observed(monkeypatch):
    """Independently observed scores: the size of every result the Scorer's counted methods return."""
    seen = {"scores": 0}
    for method in ("score", "score_all", "score_snapshot"):
        original = getattr(Scorer, method)

        def wrapped(self, *args, _original=original):
            out = _original(self, *args)
            seen["scores"] += out.numel()
            return out

        monkeypatch.setattr(Scorer, method, wrapped)
    return seen


def test_srns_epoch_counts_its_snapshot(small_world):
    """Regression: the U×I epoch-end snapshot used to be counted after the epoch's record was made
    (63 % of SRNS's scores on ML-100K were missing)."""
    trainer = trainer_for(small_world, "srns", epochs=1)
    trainer.run_epochs()
    u_i = small_world.n_users * small_world.n_items
    s1 = trainer.sampler.params["s1"]
    assert trainer.history[0].n_scores >= u_i + small_world.train.nnz * (s1 + 1)
    assert trainer.history[0].n_scores == trainer.scorer.n_scores


@pytest.mark.parametrize("name", ["rns", "pns"])
def test_rns_and_pns_compute_no_score(small_world, name):
    trainer = trainer_for(small_world, name)
    trainer.run_epochs()
    assert [r.n_scores for r in trainer.history] == [0, 0]
    assert trainer.scorer.n_scores == 0


def test_dns_counts_b_k_m_per_batch(small_world):
    trainer = trainer_for(small_world, "dns", candidates=5)
    trainer.run_epochs()
    k, m = CONFIG.n_negatives, 5
    assert [r.n_scores for r in trainer.history] == [small_world.train.nnz * k * m] * 2


@pytest.mark.parametrize("case", sorted(SAMPLERS) + ["srns-embeddings"])
def test_epoch_counts_add_up_to_what_was_computed(small_world, case, observed, monkeypatch):
    name = case.split("-")[0]
    if case == "srns-embeddings":  # SRNS's large-data path: embedding snapshots, rescored on demand
        monkeypatch.setattr(SRNS, "TABLE_LIMIT", 0)
    trainer = trainer_for(small_world, name, epochs=3)
    trainer.run_epochs()
    total = sum(r.n_scores for r in trainer.history)
    assert total == trainer.scorer.n_scores + trainer.sampler.own_scores()
    assert trainer.scorer.n_scores == observed["scores"]  # nothing counted that was not computed, and back
    if name in ("dns", "srns", "irgan"):
        assert all(r.n_scores > 0 for r in trainer.history)


def test_recomputed_snapshot_scores_are_counted(small_world):
    """With embedding snapshots SRNS rescores its memory under each of the T snapshots: counted."""
    counts = {}
    for limit in (SRNS.TABLE_LIMIT, 0):
        saved, SRNS.TABLE_LIMIT = SRNS.TABLE_LIMIT, limit
        try:
            trainer = trainer_for(small_world, "srns", epochs=3)
            trainer.run_epochs()
        finally:
            SRNS.TABLE_LIMIT = saved
        counts[limit > 0] = [r.n_scores for r in trainer.history]
    u_i, nnz, s1 = small_world.n_users * small_world.n_items, small_world.train.nnz, 3
    # epochs 1-2: tables add U·I at each epoch end, embeddings nothing; epoch 3 (2 snapshots):
    # embeddings add T·B·(S1 + 1) per batch, i.e. 2·nnz·(S1 + 1), and tables U·I
    assert counts[True][0] - counts[False][0] == u_i
    assert counts[True][1] - counts[False][1] == u_i
    assert counts[True][2] - counts[False][2] == u_i - 2 * nnz * (s1 + 1)


def test_a_sampler_cannot_write_the_count(small_world, make_scorer):
    _, scorer = make_scorer(small_world)
    with pytest.raises(AttributeError):
        scorer.n_scores += 1
    with pytest.raises(AttributeError):
        scorer.n_scores = 0
    scorer.score(torch.tensor([0, 1]), torch.tensor([[0, 1, 2], [3, 4, 5]]))
    scorer.peek_all(torch.tensor([0, 1]))  # inspection: not counted
    scorer.peek_snapshot(scorer.snapshot(), torch.tensor([0]), torch.tensor([[1, 2]]))
    assert scorer.n_scores == 6
    scorer.score_snapshot(scorer.snapshot(), torch.tensor([0]), torch.tensor([[1, 2]]))
    assert scorer.n_scores == 8


class OwnModelRNS(RNS):
    """RNS that pretends to own a model: 7 own scores per batch and 100 at each epoch end."""

    name = "own-model-rns"

    def _setup(self):
        self.own = 0

    def _draw(self, users, pos_items, scorer):
        self.own += 7
        return super()._draw(users, pos_items, scorer)

    def on_epoch_end(self, epoch, scorer):
        self.own += 100

    def own_scores(self):
        return self.own


def test_own_scores_growth_is_added_in_its_epoch(small_world, monkeypatch):
    monkeypatch.setitem(SAMPLERS, OwnModelRNS.name, OwnModelRNS)
    trainer = trainer_for(small_world, OwnModelRNS.name)
    trainer.run_epochs()
    per_epoch = 7 * trainer.steps_per_epoch + 100
    assert [r.n_scores for r in trainer.history] == [per_epoch, per_epoch]


def test_epoch_seconds_is_sample_train_and_diagnostics(small_world):
    trainer = trainer_for(small_world, "srns")
    trainer.run_epochs()
    for r in trainer.history:
        assert r.epoch_seconds == pytest.approx(r.sample_seconds + r.train_seconds + r.diag_seconds)
        assert r.epoch_seconds > 0 and math.isfinite(r.eval_seconds)
        assert r.sample_seconds > 0 and r.diag_seconds > 0


def test_epoch_end_time_is_sampler_time(small_world, monkeypatch):
    """Slow epoch-end work shows up in sample_seconds of the same epoch."""
    import time

    slow = type(
        "SlowEndRNS", (RNS,), {"name": "slow-end-rns", "on_epoch_end": lambda self, epoch, scorer: time.sleep(0.05)}
    )
    monkeypatch.setitem(SAMPLERS, slow.name, slow)
    trainer = trainer_for(small_world, slow.name)
    trainer.run_epochs()
    assert all(r.sample_seconds >= 0.05 for r in trainer.history)
    assert np.all(np.diff([r.elapsed_seconds for r in trainer.history]) >= 0.05)
