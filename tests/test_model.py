"""Matrix factorisation and BPR: the hand-written gradient against autograd (PyTorch as oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.model import MatrixFactorization, Scorer, bpr_gradients, bpr_loss, bpr_objective


def make_model(item_bias: bool, seed: int = 0) -> MatrixFactorization:
    gen = torch.Generator().manual_seed(seed)
    model = MatrixFactorization(7, 11, 4, item_bias=item_bias, init_std=0.7, generator=gen)
    if item_bias:
        with torch.no_grad():
            model.item_bias.copy_(torch.randn(11, generator=gen))
    return model


def batch(k: int):
    """Repeated users, a positive reused as another row's negative, repeated negatives."""
    users = torch.tensor([0, 3, 3, 5, 0, 6], dtype=torch.int64)
    pos = torch.tensor([1, 2, 2, 4, 9, 1], dtype=torch.int64)
    gen = torch.Generator().manual_seed(k)
    neg = torch.randint(0, 11, (6, k), generator=gen)
    neg[0, 0] = 2  # item 2 is a positive of user 3 elsewhere in the batch
    neg[3, -1] = neg[4, 0]  # the same negative in two rows
    return users, pos, neg


@pytest.mark.parametrize("item_bias", [False, True])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_bpr_gradients_equal_autograd(item_bias, k, l2):
    model = make_model(item_bias)
    users, pos, neg = batch(k)
    model.zero_grad()
    objective = bpr_objective(model, users, pos, neg, l2)
    objective.backward()
    loss, pos_s, neg_s, grads = bpr_gradients(model, users, pos, neg, l2)
    names = {name for name, _ in model.named_parameters()}
    assert set(grads) == names
    assert ("item_bias" in names) == item_bias
    for name, param in model.named_parameters():
        assert grads[name].shape == param.shape
        torch.testing.assert_close(grads[name], param.grad, rtol=1e-5, atol=1e-6, msg=name)
    with torch.no_grad():
        torch.testing.assert_close(pos_s, model.score(users, pos))
        torch.testing.assert_close(neg_s, model.score(users, neg))
        assert loss == pytest.approx(float(bpr_loss(model.score(users, pos), model.score(users, neg))), rel=1e-6)


def test_bpr_gradients_are_not_trivially_zero():
    model = make_model(True)
    users, pos, neg = batch(3)
    _, _, _, grads = bpr_gradients(model, users, pos, neg, 0.0)
    assert all(g.abs().sum() > 0 for g in grads.values())
    # rows never touched by the batch get exactly zero gradient
    untouched_users = sorted(set(range(7)) - set(users.tolist()))
    assert grads["user_emb"][untouched_users].abs().sum() == 0


def test_bpr_loss_is_minus_log_sigmoid():
    rng = np.random.default_rng(0)
    pos = rng.normal(size=5) * 3
    neg = rng.normal(size=(5, 4)) * 3
    naive = -np.log(1 / (1 + np.exp(-(pos[:, None] - neg)))).mean()
    got = bpr_loss(torch.tensor(pos), torch.tensor(neg))
    assert float(got) == pytest.approx(naive, rel=1e-10)
    # hand value: s_ui - s_uj = 0 gives ln 2
    assert float(bpr_loss(torch.zeros(3), torch.zeros(3, 2))) == pytest.approx(np.log(2))


def test_bpr_loss_is_stable_for_large_margins():
    pos = torch.tensor([0.0, 100.0], dtype=torch.float32)
    neg = torch.tensor([[100.0], [0.0]], dtype=torch.float32)
    loss = bpr_loss(pos, neg)  # terms: softplus(100) = 100, softplus(-100) ~ 0
    assert torch.isfinite(loss)
    assert float(loss) == pytest.approx(50.0, rel=1e-6)


def test_scorer_equals_model_score_and_counts():
    model = make_model(True)
    scorer = Scorer(model)
    users = torch.tensor([0, 2, 2, 6])
    items = torch.tensor([[1, 2, 3], [4, 4, 0], [10, 9, 8], [5, 6, 7]])
    with torch.no_grad():
        torch.testing.assert_close(scorer.score(users, items), model.score(users, items))
        torch.testing.assert_close(scorer.score_all(users), model.score_all(users))
        torch.testing.assert_close(model.score_all(users).gather(1, items), model.score(users, items))
    assert scorer.n_scores == 12 + 4 * 11
    scorer.peek_all(users)
    assert scorer.n_scores == 12 + 4 * 11  # peeking is not counted
    p, q, b = scorer.snapshot()
    with torch.no_grad():
        model.item_emb.add_(1.0)
    assert not torch.equal(q, model.item_emb)  # the snapshot is a copy


def test_model_initialisation_is_seeded_and_validated():
    a = MatrixFactorization(5, 6, 3, generator=torch.Generator().manual_seed(1))
    b = MatrixFactorization(5, 6, 3, generator=torch.Generator().manual_seed(1))
    c = MatrixFactorization(5, 6, 3, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a.user_emb, b.user_emb) and torch.equal(a.item_emb, b.item_emb)
    assert not torch.equal(a.user_emb, c.user_emb)
    assert "item_bias" not in dict(a.named_parameters())
    assert not a.item_bias.any()
    with pytest.raises(ValueError):
        MatrixFactorization(5, 6, 0)
