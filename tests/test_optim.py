"""Row-sparse optimisers: a step touches the batch's rows only, and equals its dense counterpart
where it should (bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.config import TrainConfig
from negsamp_core.model import MatrixFactorization, bpr_row_gradients
from negsamp_core.optim import LazyAdam, RowAdagrad, RowSGD, coalesce, make_optimizer, sum_rows
from negsamp_core.training import Trainer

torch.set_num_threads(1)


def model(item_bias=False, seed=0, n_users=6, n_items=12, dim=16):
    return MatrixFactorization(
        n_users, n_items, dim, item_bias=item_bias, init_std=0.5, generator=torch.Generator().manual_seed(seed)
    )


def batches(n_steps, every_row=False, seed=0):
    """(users, pos, neg) batches. With every_row, every user of a 4-user, 8-item model and every
    item appear in every batch; otherwise users 3.. and items 8.. are never touched."""
    rng = np.random.default_rng(seed)
    for _ in range(n_steps):
        if every_row:
            users = np.array([0, 1, 2, 3, 0, 2], dtype=np.int64)
            pos = np.array([0, 1, 2, 3, 4, 5], dtype=np.int64)
            neg = rng.integers(0, 8, size=(6, 2))
            neg[0, 1], neg[1, 1] = 6, 7
        else:
            users = rng.integers(0, 3, size=5)
            pos = rng.integers(0, 5, size=5)
            neg = rng.integers(0, 8, size=(5, 2))
        yield users, pos, neg


def test_coalesce_sums_repeated_rows_like_a_dense_scatter():
    rows_a = np.array([5, 1, 5, 7, 1, 1])
    rows_b = np.array([7, 2, 5])
    rng = np.random.default_rng(0)
    parts = [
        (rows_a, rng.standard_normal((6, 3), dtype=np.float32)),
        (rows_b, rng.standard_normal((3, 3), dtype=np.float32)),
    ]
    slot = np.full(10, -1, dtype=np.int64)
    uniq, inverse, bounds = coalesce(parts, slot)
    assert sorted(uniq.tolist()) == [1, 2, 5, 7] and (slot == -1).all()
    assert (uniq[inverse] == np.concatenate([rows_a, rows_b])).all()
    summed = sum_rows(parts, inverse, bounds, uniq.size)
    dense = torch.zeros(10, 3)
    for rows, values in parts:
        dense.index_add_(0, torch.from_numpy(rows), torch.from_numpy(values))
    assert torch.equal(summed, dense[torch.from_numpy(uniq)])  # bit for bit


@pytest.mark.parametrize("name", ["lazy_adam", "adagrad", "sgd"])
@pytest.mark.parametrize("item_bias", [False, True])
def test_untouched_rows_and_their_state_stay_bit_identical(name, item_bias):
    m = model(item_bias)
    if item_bias:
        with torch.no_grad():
            m.item_bias.copy_(torch.linspace(-1, 1, 12))
    opt = make_optimizer(name, m.parameters(), lr=0.05)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    for users, pos, neg in batches(5):
        opt.step_rows(bpr_row_gradients(m, users, pos, neg, 0.01).by_parameter(m))
    after = m.state_dict()
    assert not torch.equal(after["user_emb"][:3], before["user_emb"][:3])  # the touched rows moved
    assert torch.equal(after["user_emb"][3:], before["user_emb"][3:])
    assert torch.equal(after["item_emb"][8:], before["item_emb"][8:])
    if item_bias:
        assert torch.equal(after["item_bias"][8:], before["item_bias"][8:])
    for param in m.parameters():
        for key, value in opt.state[param].items():
            if key != "step":  # moments / accumulators of untouched rows are still exactly zero
                assert (value[3:] == 0).all() if param is m.user_emb else (value[8:] == 0).all(), key


def _train(optimizer_factory, every_row, n_steps=30, item_bias=False):
    m = model(item_bias, n_users=4, n_items=8) if every_row else model(item_bias)
    opt = optimizer_factory(m)
    for users, pos, neg in batches(n_steps, every_row=every_row):
        grads = bpr_row_gradients(m, users, pos, neg, 0.01)
        if isinstance(opt, (LazyAdam, RowSGD, RowAdagrad)):
            opt.step_rows(grads.by_parameter(m))
        else:
            grads.dense(m, out={n: p.grad for n, p in m.named_parameters()})
            opt.step()
    return m


def _dense(cls, **kw):
    def build(m):
        for p in m.parameters():
            p.grad = torch.zeros_like(p)
        return cls(m.parameters(), **kw)

    return build


@pytest.mark.parametrize("item_bias", [False, True])
def test_lazy_adam_is_adam_when_every_row_is_touched_at_every_step(item_bias):
    lazy = _train(lambda m: LazyAdam(m.parameters(), lr=0.05), every_row=True, item_bias=item_bias)
    dense = _train(_dense(torch.optim.Adam, lr=0.05, fused=True), every_row=True, item_bias=item_bias)
    for (name, a), b in zip(lazy.named_parameters(), dense.parameters()):
        assert torch.equal(a, b), name  # bit for bit
    assert not torch.equal(lazy.user_emb, model(n_users=4, n_items=8).user_emb)


def test_lazy_adam_differs_from_adam_on_skipped_rows_only_by_design():
    lazy = _train(lambda m: LazyAdam(m.parameters(), lr=0.05), every_row=False)
    dense = _train(_dense(torch.optim.Adam, lr=0.05, fused=True), every_row=False)
    start = model()
    assert torch.equal(lazy.user_emb[3:], start.user_emb[3:])  # never touched: lazy never moves them
    assert torch.equal(dense.user_emb[3:], start.user_emb[3:])  # dense too (zero gradient, zero moments)
    assert not torch.equal(lazy.item_emb[:8], dense.item_emb[:8])  # skipped now and then: they differ


def test_row_sgd_and_adagrad_equal_their_dense_versions():
    for sparse, dense in [
        (lambda m: RowSGD(m.parameters(), lr=0.1), _dense(torch.optim.SGD, lr=0.1)),
        (lambda m: RowAdagrad(m.parameters(), lr=0.1), _dense(torch.optim.Adagrad, lr=0.1)),
    ]:
        a, b = _train(sparse, every_row=False, item_bias=True), _train(dense, every_row=False, item_bias=True)
        for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
            torch.testing.assert_close(pa, pb, rtol=0, atol=1e-7, msg=name)


def test_row_optimisers_refuse_a_dense_step_and_round_trip_their_state():
    m = model()
    opt = LazyAdam(m.parameters(), lr=0.01)
    with pytest.raises(TypeError, match="step_rows"):
        opt.step()
    users, pos, neg = next(batches(1))
    opt.step_rows(bpr_row_gradients(m, users, pos, neg, 0.0).by_parameter(m))
    saved = opt.state_dict()
    other = LazyAdam(m.parameters(), lr=0.01)
    other.load_state_dict(saved)
    assert torch.equal(other.state[m.user_emb]["exp_avg"], opt.state[m.user_emb]["exp_avg"])
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop", m.parameters(), 0.1)


@pytest.mark.parametrize("name", ["lazy_adam", "adagrad", "sgd"])
def test_trainer_step_only_touches_the_batch(small_world, name):
    trainer = Trainer(small_world, "rns", TrainConfig(dim=8, batch_size=16, epochs=1, optimizer=name, lr=0.05), seed=0)
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.run_steps(1)
    last = trainer.sampler.last
    after = trainer.model.state_dict()
    touched_users = np.unique(last["users"])
    touched_items = np.unique(np.concatenate([last["pos_items"], last["negatives"].ravel()]))
    other_users = np.setdiff1d(np.arange(small_world.n_users), touched_users)
    other_items = np.setdiff1d(np.arange(small_world.n_items), touched_items)
    assert other_users.size and other_items.size
    assert torch.equal(after["user_emb"][other_users], before["user_emb"][other_users])
    assert torch.equal(after["item_emb"][other_items], before["item_emb"][other_items])
    assert not torch.equal(after["user_emb"][touched_users], before["user_emb"][touched_users])


def test_auto_picks_dense_adam_on_small_data_and_lazy_adam_at_scale():
    from negsamp_core.optim import resolve_optimizer

    assert resolve_optimizer("auto", n_rows=943 + 1682, rows_per_step=1024 * 3) == "adam"  # ML-100K
    assert resolve_optimizer("auto", n_rows=138_493 + 26_744, rows_per_step=1024 * 3) == "lazy_adam"  # ML-20M
    assert resolve_optimizer("sgd", n_rows=10, rows_per_step=10**6) == "sgd"  # an explicit choice stays
