"""Behavioural tests of IRGAN: the switches change what they claim to, G learns and is evaluated.

Each test can fail: switching ``baseline`` or ``online`` off, training G on the lowest user ids,
dropping G's state from the snapshot or miscounting G's scores makes one of them fail.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.config import TrainConfig
from negsamp_core.data import make_synthetic
from negsamp_core.metrics import evaluate
from negsamp_core.model import MatrixFactorization, Scorer
from negsamp_core.samplers import IRGAN
from negsamp_core.samplers.irgan import IRGANInspection
from negsamp_core.training import Trainer

torch.set_num_threads(1)

# A setting where G learns on the small planted world (untrained G): soft τ for D's negatives,
# a reward baseline, a fast generator.
LEARNING = {"baseline": True, "temperature": 2.0, "g_l2": 1e-3, "g_lr": 0.05, "g_epochs": 3, "g_samples": 16}


@pytest.fixture(scope="module")
def world():
    return make_synthetic(n_users=120, n_items=150, density=0.3, observation_rate=0.6, seed=4)


@pytest.fixture(scope="module")
def wide_world():
    """Many users (600), so a batch holds more distinct users than one online G step takes (256)."""
    return make_synthetic(n_users=600, n_items=80, seed=5)


def sampler_for(dataset, seed=0, **params):
    return IRGAN(
        dataset, 1, rng=np.random.default_rng(seed), torch_generator=torch.Generator().manual_seed(seed), **params
    )


def scorer_for(dataset, seed=1):
    model = MatrixFactorization(
        dataset.n_users, dataset.n_items, 8, init_std=0.5, generator=torch.Generator().manual_seed(seed)
    )
    return Scorer(model)


def g_params(sampler):
    return [p.detach().clone() for p in sampler.generator.parameters()]


# ----------------------------------------------------------------------------- baseline
def test_baseline_advantages_have_zero_mean_per_user(world):
    reward = torch.rand(7, 16) * 2 - 1
    with_b = sampler_for(world, baseline=True)._advantage(reward)
    assert torch.allclose(with_b.mean(1), torch.zeros(7), atol=1e-6)
    assert torch.allclose(with_b, reward - reward.mean(1, keepdim=True))
    assert torch.equal(sampler_for(world, baseline=False)._advantage(reward), reward)


def test_switching_the_baseline_off_changes_the_generator_update(world):
    scorer = scorer_for(world)
    users = np.flatnonzero(world.train.counts > 0)[:50]
    after = []
    for baseline in (True, False):
        sampler = sampler_for(world, baseline=baseline)
        sampler._generator_step(users, scorer)
        after.append(g_params(sampler))
    assert any(not torch.allclose(a, b) for a, b in zip(*after))


# ----------------------------------------------------------------------------- online
def test_online_mode_changes_the_generator_after_each_step(world):
    scorer = scorer_for(world)
    sampler = sampler_for(world, online=True)
    for step in range(3):
        idx = np.arange(step * 40, step * 40 + 40)
        users, pos = world.train_users[idx], world.train_items[idx]
        negatives = sampler.sample(users, pos, scorer)
        before = g_params(sampler)
        sampler.after_update(users, pos, negatives, scorer)
        assert any(not torch.equal(a, b) for a, b in zip(before, g_params(sampler))), f"step {step}"
    off = sampler_for(world, online=False)
    negatives = off.sample(users, pos, scorer)
    before = g_params(off)
    off.after_update(users, pos, negatives, scorer)
    assert all(torch.equal(a, b) for a, b in zip(before, g_params(off)))


def test_online_mode_updates_users_from_the_whole_id_range(wide_world):
    scorer = scorer_for(wide_world)
    sampler = sampler_for(wide_world, online=True)
    users = np.flatnonzero(wide_world.train.counts > 0)  # ~600 distinct users, more than one step takes
    pos = wide_world.train.indices[wide_world.train.indptr[users]]
    assert users.size > 2 * 256
    negatives = sampler.sample(users, pos, scorer)
    before = sampler.generator.user_emb.detach().clone()
    sampler.after_update(users, pos, negatives, scorer)
    changed = np.flatnonzero((sampler.generator.user_emb.detach() != before).any(1).numpy())
    assert changed.size == 256
    assert changed.max() > np.sort(users)[255] and changed.min() < np.sort(users)[-256]  # not the lowest ids


# ----------------------------------------------------------------------------- G learns, G is evaluated
def test_generator_entropy_falls_and_its_validation_rises_with_a_learning_setting(world):
    cfg = TrainConfig(dim=16, batch_size=128, epochs=8, lr=0.02)
    trainer = Trainer(world, "irgan", cfg, LEARNING, seed=0)
    init = trainer.generator_metrics("init", "valid")["ndcg@10"]
    trainer.run_epochs()
    own = [r.sampler_stats["g_own_entropy_ratio"] for r in trainer.history]
    neg = [r.sampler_stats["g_entropy_ratio"] for r in trainer.history]
    assert own[0] > 0.99 and own[-1] < own[0] - 0.05  # G's own policy sharpens
    assert neg[-1] < neg[0]  # and so does D's negative distribution
    assert max(r.sampler_stats["g_valid_ndcg@10"] for r in trainer.history) > init + 0.02


def test_generator_selection_snapshot_and_test_metrics(world):
    cfg = TrainConfig(dim=16, batch_size=128, epochs=5, lr=0.02)
    trainer = Trainer(world, "irgan", cfg, LEARNING, seed=1, select_on="generator")
    trainer.run_epochs()
    g_valid = [r.sampler_stats["g_valid_ndcg@10"] for r in trainer.history]
    assert trainer.best_epoch == int(np.argmax(g_valid)) + 1  # epoch chosen on G's validation
    best = trainer.generator_test_metrics("best", ks=(5, 10))
    init = trainer.generator_test_metrics("init", ks=(5, 10))
    assert set(best) == set(init) == set(trainer.test_metrics(ks=(5, 10)))
    assert all(np.isfinite(v) for v in (*best.values(), *init.values()))
    # the snapshot holds G at the selected epoch: its validation equals the one recorded then
    state = trainer._best_state["generator"]
    again = evaluate(trainer.sampler.generator_scores(state), world, "valid", ks=(10,))["ndcg@10"]
    assert again == pytest.approx(g_valid[trainer.best_epoch - 1], abs=1e-9)
    with pytest.raises(ValueError, match="generator"):
        Trainer(world, "rns", cfg, seed=0, select_on="generator")
    assert Trainer(world, "rns", cfg, seed=0).generator_test_metrics() is None


def test_pretraining_keeps_the_validation_best_epoch(world):
    sampler = sampler_for(
        world,
        g_init="bpr",
        g_dim=8,
        g_init_std=0.01,
        g_pretrain_epochs=12,
        g_pretrain_patience=12,
        g_pretrain_lr=0.05,
        g_pretrain_batch=128,
    )
    report = sampler.pretrain_report
    values = [h["ndcg@10"] for h in report["history"]]
    assert report["epochs"] == 12 and report["best_epoch"] == int(np.argmax(values)) + 1
    assert report["best_epoch"] < 12  # the run went past its best epoch, and the best one was kept
    init = evaluate(sampler.generator_scores(sampler.initial_generator_state()), world, "valid", ks=(10,))
    assert init["ndcg@10"] == pytest.approx(max(values), abs=1e-9) and max(values) > 0.1
    dns = sampler_for(world, g_init="dns", g_dim=8, g_init_std=0.01, g_pretrain_epochs=2)
    assert dns.g_init == "dns" and dns.pretrain_report["epochs"] == 2 and dns.own_scores() == 0
    with pytest.raises(ValueError, match="g_init"):
        sampler_for(world, g_init="gan")


def test_own_scores_count_table_phase_and_validation_exactly(world):
    scorer = scorer_for(world)
    sampler = sampler_for(world, g_epochs=2, g_samples=8)
    users, pos = world.train_users[:30], world.train_items[:30]
    sampler.sample(users, pos, scorer)  # builds the table: every user × every item
    table = world.n_users * world.n_items
    assert sampler.own_scores() == table
    d_before = scorer.n_scores
    sampler.on_epoch_end(1, scorer)
    n_active = int((world.train.counts > 0).sum())
    n_valid = int((world.valid.counts > 0).sum())
    phase, valid = 2 * n_active * world.n_items, n_valid * world.n_items
    assert sampler.own_scores() == table + phase + valid
    assert scorer.n_scores - d_before == 2 * n_active * 8  # D's rewards, counted by D's Scorer
    sampler.inspect(0, scorer)  # inspection is not counted
    assert sampler.own_scores() == table + phase + valid and scorer.n_scores - d_before == 2 * n_active * 8


def test_inspection_is_a_typed_record_of_d_negative_distribution(world):
    scorer = scorer_for(world)
    sampler = sampler_for(world, temperature=0.5)
    info = sampler.inspect(3, scorer)
    assert isinstance(info, IRGANInspection)
    assert info.probabilities.sum() == pytest.approx(1.0) and (info.probabilities[world.train.row(3)] == 0).all()
    assert 0 < info.entropy <= info.max_entropy + 1e-9 and info.reward.shape == (world.n_items,)
