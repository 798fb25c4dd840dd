"""Validation at scale: chunked ranking equals the one-shot ranking; the evaluated-user sample is a
documented option, fixed per seed and shared by every sampler."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.config import TrainConfig
from negsamp_core.metrics import evaluate
from negsamp_core.model import MatrixFactorization
from negsamp_core.training import Trainer

torch.set_num_threads(1)


def scores_of(dataset, seed=0):
    m = MatrixFactorization(
        dataset.n_users, dataset.n_items, 8, init_std=1.0, generator=torch.Generator().manual_seed(seed)
    )
    return m.score_all


@pytest.mark.parametrize("split", ["valid", "test"])
def test_chunked_ranking_equals_one_shot(synthetic, split, monkeypatch):
    score_all = scores_of(synthetic)
    whole = evaluate(score_all, synthetic, split, ks=(1, 5, 10), batch_users=synthetic.n_users, per_user=True)
    for chunk in (1, 7, 64):
        got = evaluate(score_all, synthetic, split, ks=(1, 5, 10), batch_users=chunk, per_user=True)
        for key, value in whole["per_user"].items():
            assert np.array_equal(got["per_user"][key], value), (chunk, key)
    import negsamp_core.metrics as metrics

    monkeypatch.setattr(metrics, "EVAL_CHUNK_SCORES", 3 * synthetic.n_items)  # the default chunk: 3 users
    auto = evaluate(score_all, synthetic, split, ks=(1, 5, 10), per_user=True)
    assert np.array_equal(auto["per_user"]["ndcg@10"], whole["per_user"]["ndcg@10"])


def test_evaluated_user_subset(synthetic):
    score_all = scores_of(synthetic)
    full = evaluate(score_all, synthetic, "valid", ks=(10,), per_user=True)
    subset = full["per_user"]["users"][::3]
    part = evaluate(score_all, synthetic, "valid", ks=(10,), per_user=True, users=subset)
    assert part["n_users"] == subset.size
    assert np.array_equal(part["per_user"]["ndcg@10"], full["per_user"]["ndcg@10"][::3])
    no_positive = np.flatnonzero(synthetic.valid.counts == 0)
    if no_positive.size:
        assert evaluate(score_all, synthetic, "valid", users=no_positive)["n_users"] == 0


def test_eval_users_option_is_a_fixed_sample_per_seed(synthetic):
    cfg = TrainConfig(dim=8, batch_size=256, epochs=1, eval_users=20)
    a = Trainer(synthetic, "rns", cfg, seed=3)
    b = Trainer(synthetic, "dns", cfg, seed=3)
    c = Trainer(synthetic, "rns", cfg, seed=4)
    assert a.eval_users.size == 20 and np.array_equal(a.eval_users, b.eval_users)
    assert not np.array_equal(a.eval_users, c.eval_users)
    assert (synthetic.valid.counts[a.eval_users] > 0).all()
    record = a.run_epochs(1)[0]
    assert record.valid["n_users"] == 20
    assert Trainer(synthetic, "rns", cfg.replace(eval_users=0), seed=3).eval_users is None
    with pytest.raises(ValueError, match="eval_users"):
        Trainer(synthetic, "rns", cfg.replace(eval_users=-2), seed=3)


def test_automatic_sample_only_beyond_the_budget(synthetic, monkeypatch):
    cfg = TrainConfig(dim=8, batch_size=256, epochs=1)
    assert Trainer(synthetic, "rns", cfg).eval_users is None  # small data: every validation user
    monkeypatch.setattr(Trainer, "AUTO_EVAL_MIN_SCORES", 0)
    monkeypatch.setattr(Trainer, "AUTO_EVAL_SCORES_PER_PAIR", 30 * synthetic.n_items / synthetic.train.nnz)
    sampled = Trainer(synthetic, "rns", cfg).eval_users
    assert sampled is not None and sampled.size == 30
