"""The trainer: equal terms across samplers, records, advancing and pausing, divergence, early
stopping, model selection, and the textbook picture on the synthetic world."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest
import torch

from negsamp_core.compare import Comparison
from negsamp_core.config import PRESETS, TrainConfig
from negsamp_core.data import SyntheticConfig, make_synthetic
from negsamp_core.data.toy import TOY_ITEMS, TOY_USERS
from negsamp_core.metrics import evaluate, popularity_scores
from negsamp_core.samplers import SAMPLERS
from negsamp_core.training import EpochRecord, Trainer

NAMES = sorted(SAMPLERS)
SMALL = TrainConfig(dim=8, batch_size=64, epochs=30)


def small_trainer(dataset, name="rns", config=SMALL, seed=0, params=None):
    if params is None and name == "irgan":
        params = {"g_samples": 8, "g_epochs": 1}
    return Trainer(dataset, name, config, sampler_params=params, seed=seed)


def state(trainer) -> dict:
    return {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def all_finite(values) -> bool:
    return all(math.isfinite(float(v)) for v in values)


# ----------------------------------------------------------------------------- equal terms
def test_same_seed_same_initial_model_and_batches_whatever_the_sampler(small_world):
    trainers = {name: small_trainer(small_world, name, seed=7) for name in NAMES}
    reference = state(trainers["rns"])
    for name, trainer in trainers.items():
        assert states_equal(state(trainer), reference), name
    batches = {name: [] for name in NAMES}
    for _ in range(3):
        for name, trainer in trainers.items():
            trainer.run_steps(1)
            batches[name].append((trainer.sampler.last["users"].copy(), trainer.sampler.last["pos_items"].copy()))
    for name in NAMES:
        for (u, i), (u_ref, i_ref) in zip(batches[name], batches["rns"]):
            assert np.array_equal(u, u_ref) and np.array_equal(i, i_ref), name
    assert batches["rns"][0][0].size == SMALL.batch_size
    other = small_trainer(small_world, "rns", seed=8)
    assert not states_equal(state(other), reference)


def test_comparison_trainers_start_equal_and_move_in_lockstep(small_world):
    comparison = Comparison(small_world, ["rns", "dns", "rns"], SMALL, seed=3)
    assert list(comparison.trainers) == ["rns", "dns"]
    s_rns, s_dns = state(comparison.trainers["rns"]), state(comparison.trainers["dns"])
    assert states_equal(s_rns, s_dns)
    comparison.run_steps(4)
    assert {t.step_in_epoch for t in comparison.trainers.values()} == {4}
    with pytest.raises(ValueError):
        Comparison(small_world, [], SMALL)
    with pytest.raises(ValueError, match="unknown sampler"):
        Comparison(small_world, ["rns", "nope"], SMALL)


# ----------------------------------------------------------------------------- records
@pytest.mark.parametrize("name", NAMES)
def test_one_finite_record_per_epoch(name, small_world):
    trainer = small_trainer(small_world, name, config=SMALL.replace(batch_size=128, n_negatives=2))
    seen = []
    records = trainer.run_epochs(2, callback=seen.append)
    assert records == seen == trainer.history
    assert [r.epoch for r in trainer.history] == [1, 2]
    nnz, k = small_world.train.nnz, 2
    for r in trainer.history:
        assert isinstance(r, EpochRecord)
        for f in fields(r):
            value = getattr(r, f.name)
            if isinstance(value, (int, float)):
                assert math.isfinite(value), f.name
        assert all_finite(r.valid.values()), r.valid
        assert all_finite(r.sampler_stats.values()), r.sampler_stats
        assert r.n_pairs == nnz
        assert sum(r.pos_score_hist) == nnz
        assert sum(r.neg_score_hist) == nnz * k
        assert sum(r.neg_popularity_hist) == nnz * k
        assert sum(r.uniform_score_hist) == nnz  # probe rows: min(B, 256) per batch = every row here
        assert 0.0 <= r.fn_rate <= 1.0 and 0.0 < r.hardness_mean < 1.0
        assert r.loss > 0
        assert len(r.neg_score_hist) == SMALL.score_bins
        if name in ("rns", "pns"):
            assert r.n_scores == 0
        if name == "dns":
            assert r.n_scores == nnz * k * trainer.sampler.params["candidates"]
        r.to_dict()
    assert trainer.history[1].elapsed_seconds >= trainer.history[0].elapsed_seconds
    # the same run again gives the same records (timings aside)
    again = small_trainer(small_world, name, config=SMALL.replace(batch_size=128, n_negatives=2))
    again.run_epochs(2)
    for a, b in zip(trainer.history, again.history):
        assert (a.loss, a.fn_rate, a.neg_score_mean, a.neg_score_hist) == (
            b.loss,
            b.fn_rate,
            b.neg_score_mean,
            b.neg_score_hist,
        )
        assert dict(a.valid) == dict(b.valid)
    assert states_equal(state(trainer), state(again))


def test_item_bias_is_learned(small_world):
    trainer = small_trainer(small_world, config=SMALL.replace(item_bias=True))
    assert "item_bias" in dict(trainer.model.named_parameters())
    trainer.run_epochs(1)
    assert trainer.model.item_bias.abs().sum() > 0
    assert math.isfinite(trainer.history[0].loss)
    with pytest.raises(ValueError):
        trainer.set_lr(0.0)


# ----------------------------------------------------------------------------- advancing
def test_run_steps_run_for_run_epochs_and_pause_resume(small_world):
    straight = small_trainer(small_world, "dns", seed=4)
    straight.run_epochs(3)
    spe = straight.steps_per_epoch
    assert spe == math.ceil(small_world.train.nnz / SMALL.batch_size) and spe > 6

    paused = small_trainer(small_world, "dns", seed=4)
    assert paused.run_steps(5) == [] and paused.step_in_epoch == 5
    assert paused.run_for(0.0) == [] and paused.step_in_epoch == 6  # always at least one step
    assert paused.run_for(60.0, max_steps=2) == [] and paused.step_in_epoch == 8
    done = paused.run_steps(spe - 8)  # finishes epoch 1 exactly
    assert len(done) == 1 and done[0].epoch == 1 and paused.step_in_epoch == 0
    assert paused.run_steps(spe + 3)[0].epoch == 2
    assert paused.step_in_epoch == 3
    assert [r.epoch for r in paused.run_epochs(1)] == [3]
    assert len(paused.history) == 3
    for a, b in zip(straight.history, paused.history):
        assert a.loss == b.loss and dict(a.valid) == dict(b.valid) and a.fn_rate == b.fn_rate
    assert states_equal(state(straight), state(paused))


def test_run_stops_at_its_epochs_and_can_be_extended(toy):
    trainer = small_trainer(toy, config=SMALL.replace(epochs=2, batch_size=4, eval_k=3))
    trainer.run_epochs()
    assert trainer.done and len(trainer.history) == 2
    assert trainer.run_steps(5) == [] and trainer.run_epochs() == [] and len(trainer.history) == 2
    trainer.set_epochs(3)
    assert not trainer.done
    trainer.run_epochs()
    assert [r.epoch for r in trainer.history] == [1, 2, 3]
    trainer.set_epochs(1)  # cannot go below the completed epochs
    assert trainer.config.epochs == 3


def test_huge_learning_rate_stops_with_a_clear_error_and_keeps_history(small_world):
    trainer = small_trainer(small_world, config=SMALL.replace(optimizer="sgd", lr=0.05))
    trainer.run_epochs(2)
    kept = list(trainer.history)
    trainer.set_lr(1e6)
    trainer.run_epochs()
    assert trainer.error is not None
    assert "learning rate" in trainer.error
    assert trainer.done and trainer.run_steps(3) == []
    assert trainer.history[:2] == kept
    for p in trainer.model.parameters():
        assert torch.isfinite(p).all()
    # lower the rate and resume: the run continues from the restored model
    n = len(trainer.history)
    trainer.set_lr(0.05)
    trainer.resume()
    trainer.run_epochs(1)
    assert trainer.error is None and len(trainer.history) == n + 1
    assert math.isfinite(trainer.history[-1].loss)


def test_huge_learning_rate_from_the_start(small_world):
    trainer = small_trainer(small_world, config=SMALL.replace(optimizer="sgd", lr=1e6, epochs=10))
    trainer.run_epochs()
    assert trainer.error is not None and "learning rate" in trainer.error
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())


def test_impossible_settings_are_rejected(toy):
    with pytest.raises(ValueError, match="12"):
        Trainer(toy, "rns", TrainConfig(eval_k=12))
    with pytest.raises(ValueError):
        Trainer(toy, "rns", TrainConfig(eval_k=40))
    Trainer(toy, "rns", TrainConfig(eval_k=11))  # the largest allowed
    with pytest.raises(ValueError, match="unknown sampler"):
        Trainer(toy, "xyz", TrainConfig(eval_k=3))
    with pytest.raises(ValueError):
        Trainer(toy, "rns", TrainConfig(eval_k=3, lr=-1.0))
    with pytest.raises(ValueError):
        Trainer(toy, "pns", TrainConfig(eval_k=3), sampler_params={"alpha": 5.0})
    with pytest.raises(ValueError):
        Trainer(toy, "dns", TrainConfig(eval_k=3), sampler_params={"no_such": 1})


# ----------------------------------------------------------------------------- model selection
@pytest.mark.parametrize("patience, seed", [(1, 0), (2, 1), (3, 2)])
def test_patience_stops_early(toy, patience, seed):
    config = TrainConfig(epochs=60, patience=patience, eval_k=3, batch_size=4, dim=8)
    trainer = Trainer(toy, "rns", config, seed=seed)
    trainer.run_epochs()
    assert trainer.stopped_early and trainer.done
    values = [r.valid["ndcg@3"] for r in trainer.history]
    # replay the rule: stop at the first epoch without improvement that is `patience` past the best
    best, best_epoch, stop = -np.inf, 0, None
    for epoch, value in enumerate(values, start=1):
        if value > best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            stop = epoch
            break
    assert stop == len(values) < 60
    assert trainer.best_epoch == best_epoch and trainer.best_value == best


def test_test_metrics_come_from_the_validation_best_epoch(synthetic):
    # explicit settings (not a preset) in which PNS overfits: validation peaks early (epoch 4)
    config = TrainConfig(dim=32, lr=0.02, init_std=0.1, epochs=10)
    trainer = Trainer(synthetic, "pns", config, seed=0)
    trainer.run_epochs()
    values = [r.valid["ndcg@10"] for r in trainer.history]
    best = int(np.argmax(values)) + 1
    assert trainer.best_epoch == best
    assert best <= 7, "precondition: validation peaks well before the last epoch in this setting"
    replay = Trainer(synthetic, "pns", config, seed=0)
    replay.run_epochs(best)
    with torch.no_grad():
        want = evaluate(replay.model.score_all, synthetic, "test", ks=(10,))
        final = evaluate(trainer.model.score_all, synthetic, "test", ks=(10,))
    got = trainer.test_metrics()
    assert got == want
    assert got != final


# ----------------------------------------------------------------------------- the synthetic world
@pytest.fixture(scope="module")
def textbook(synthetic):
    """RNS, DNS and PNS for 15 epochs each on the default world, classroom config, same seed."""
    config = PRESETS["classroom"].replace(epochs=15)
    runs = {}
    for name in ("rns", "dns", "pns"):
        trainer = Trainer(synthetic, name, config, seed=0)
        trainer.run_epochs()
        runs[name] = trainer
    return runs


def mean_field(trainer, field: str) -> float:
    return float(np.mean([getattr(r, field) for r in trainer.history]))


def test_rns_beats_popularity_on_the_synthetic_world(textbook, synthetic):
    rns = textbook["rns"].test_metrics()["ndcg@10"]
    pop = evaluate(popularity_scores(synthetic), synthetic, "test", ks=(10,))["ndcg@10"]
    assert rns > pop + 0.05


def test_dns_negatives_are_harder_than_rns_negatives(textbook):
    assert mean_field(textbook["dns"], "neg_score_mean") > mean_field(textbook["rns"], "neg_score_mean") + 0.2
    assert mean_field(textbook["dns"], "hardness_mean") > mean_field(textbook["rns"], "hardness_mean")


def test_dns_picks_more_false_negatives_than_rns(textbook):
    assert mean_field(textbook["dns"], "fn_rate") > 1.5 * mean_field(textbook["rns"], "fn_rate")


def test_pns_negatives_are_more_popular_than_rns_negatives(textbook):
    assert mean_field(textbook["pns"], "neg_popularity_mean") > 2 * mean_field(textbook["rns"], "neg_popularity_mean")
    # RNS's negatives are as popular as uniformly drawn items (same expectation)
    rns = textbook["rns"]
    assert mean_field(rns, "neg_popularity_mean") == pytest.approx(mean_field(rns, "uniform_popularity_mean"), rel=0.15)


def test_synthetic_world_is_deterministic_by_seed():
    config = SyntheticConfig(n_users=80, n_items=150)
    a, b, c = make_synthetic(config, seed=5), make_synthetic(config, seed=5), make_synthetic(config, seed=6)
    for split in ("train", "valid", "test", "true_likes"):
        assert np.array_equal(getattr(a, split).indptr, getattr(b, split).indptr)
        assert np.array_equal(getattr(a, split).indices, getattr(b, split).indices)
    assert np.array_equal(a.item_groups, b.item_groups) and a.item_names == b.item_names
    assert not np.array_equal(a.true_likes.keys, c.true_likes.keys)
    default_a, default_b = make_synthetic(seed=0), make_synthetic(seed=0)
    assert np.array_equal(default_a.train.keys, default_b.train.keys)


def test_synthetic_world_invariants(synthetic):
    d = synthetic
    assert (d.train.counts >= 1).all()  # every user keeps an observed, training item
    assert (d.true_likes.counts >= 3).all()
    observed = d.train.union(d.valid).union(d.test)
    assert d.true_likes.contains(observed.rows, observed.indices).all()  # observed pairs are liked
    assert d.false_negative_definition == "exact"
    assert d.true_likes.nnz > observed.nnz  # hidden likes exist: false negatives are possible
    with pytest.raises(ValueError, match="n_users"):
        make_synthetic(SyntheticConfig(n_users=1))


def test_toy_world_invariants(toy):
    assert [toy.user_label(u) for u in range(toy.n_users)] == list(TOY_USERS)  # every id has its name
    assert [toy.item_label(j) for j in range(toy.n_items)] == list(TOY_ITEMS)
    assert (toy.train.counts == 2).all() and (toy.valid.counts == 1).all() and (toy.test.counts == 1).all()
    every = toy.train.union(toy.valid).union(toy.test)
    assert toy.true_likes.contains(every.rows, every.indices).all()
    assert (toy.true_likes.counts == 5).all()
    assert toy.train.row(0).tolist() == [0, 1]
    # Ana truly likes Ocean Friends (9) without having it in train: an exact false negative
    assert toy.is_false_negative(0, 9) and not toy.is_false_negative(0, 4)


def test_regression_adam_lr_10_explodes_finitely_and_is_reported():
    """Found by a newcomer: Adam with lr 10 sent the loss to ~6e4 without ever producing a NaN,
    and no message appeared. A finite but exploded loss must stop the run like a NaN does."""
    from negsamp_core.data import make_synthetic
    from negsamp_core.training import DIVERGED_LOSS

    dataset = make_synthetic(n_users=60, n_items=120, seed=3)
    trainer = Trainer(dataset, "rns", TrainConfig(lr=10.0, epochs=20, batch_size=64), seed=0)
    trainer.run_epochs()
    assert trainer.error is not None and "learning rate" in trainer.error
    assert all(r.loss <= DIVERGED_LOSS for r in trainer.history)
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
