"""One contract suite for every registered sampler (``negsamp_core.samplers.SAMPLERS``).

A newly registered sampler is picked up automatically: it must return int64 (B, K) negatives in
[0, n_items), never a training positive of the row's user, be reproducible by seed, reject a
user who owns every item, and always return the single non-positive of a user who owns all but
one item. The hooks (``after_update``, ``on_epoch_end``) are exercised, and samplers are used
again after several epoch ends, so that SRNS's variance term and IRGAN's trained generator are
active.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from negsamp_core.data import Dataset
from negsamp_core.samplers import SAMPLERS, Inspection, NegativeSampler, ParamSpec

NAMES = sorted(SAMPLERS)


def _variants() -> list:
    """Every registered sampler with small parameters, plus alternative schedules of known ones."""
    cases = [pytest.param(name, None, id=name) for name in NAMES]
    if "irgan" in SAMPLERS and "online" in {p.name for p in SAMPLERS["irgan"].PARAMS}:
        cases.append(pytest.param("irgan", {"online": 1, "g_samples": 8}, id="irgan-online"))
    return cases


VARIANTS = _variants()


def check_negatives(dataset: Dataset, users: np.ndarray, negatives: np.ndarray, k: int) -> None:
    """The contract on one output: shape, dtype, range, and no training positive of the row's user."""
    assert isinstance(negatives, np.ndarray)
    assert negatives.shape == (users.size, k)
    assert negatives.dtype == np.int64
    assert negatives.min() >= 0 and negatives.max() < dataset.n_items
    hit = dataset.train.contains(users[:, None], negatives)
    assert not hit.any(), f"training positives returned: {list(zip(*np.nonzero(hit)))[:5]}"
    # the same check against a slow, obvious reference
    for row, u in enumerate(users):
        assert not set(negatives[row].tolist()) & set(dataset.train.row(u).tolist())


def run_scenario(name, dataset, make_sampler, make_scorer, *, k=2, seed=0, epochs=3, steps=2, batch=32, params=None):
    """Sample / after_update / perturb the model, then on_epoch_end, for a few epochs; then sample
    again. Returns the list of (users, negatives) of every call (each already checked)."""
    model, scorer = make_scorer(dataset)
    sampler = make_sampler(name, dataset, k=k, seed=seed, params=params)
    batch_rng = np.random.default_rng(12345)  # the batches do not depend on the sampler seed
    noise = torch.Generator().manual_seed(99)
    outputs = []
    for epoch in range(1, epochs + 1):
        for _ in range(steps):
            idx = batch_rng.integers(0, dataset.train.nnz, size=batch)
            users, pos = dataset.train_users[idx], dataset.train_items[idx]
            negatives = sampler.sample(users, pos, scorer)
            check_negatives(dataset, users, negatives, k)
            outputs.append((users, negatives.copy()))
            sampler.after_update(users, pos, negatives, scorer)
            with torch.no_grad():  # the recommender moves, so snapshots differ between epochs
                model.user_emb.add_(torch.randn(model.user_emb.shape, generator=noise) * 0.3)
                model.item_emb.add_(torch.randn(model.item_emb.shape, generator=noise) * 0.3)
        sampler.on_epoch_end(epoch, scorer)
    idx = batch_rng.integers(0, dataset.train.nnz, size=batch)
    users, pos = dataset.train_users[idx], dataset.train_items[idx]
    negatives = sampler.sample(users, pos, scorer)
    check_negatives(dataset, users, negatives, k)
    outputs.append((users, negatives.copy()))
    return outputs, sampler


@pytest.mark.parametrize("name, params", VARIANTS)
def test_shape_dtype_range_and_no_positive_across_hooks(name, params, small_world, make_sampler, make_scorer):
    outputs, sampler = run_scenario(name, small_world, make_sampler, make_scorer, k=2, params=params)
    assert len(outputs) == 7
    assert sampler.last["negatives"] is not None and np.array_equal(sampler.last["negatives"], outputs[-1][1])
    if name == "srns":  # after 3 epoch ends with a moving model the variance term is active
        assert float(np.max(sampler.last["sd"])) > 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("k", [1, 3])
def test_k_sizes_on_toy(name, k, toy, make_sampler, make_scorer):
    params = None
    if name == "srns":
        params = {"s1": 3, "s2": 4, "warmup": 1}
    run_scenario(name, toy, make_sampler, make_scorer, k=k, epochs=2, batch=12, params=params)


@pytest.mark.parametrize("name, params", VARIANTS)
def test_never_a_positive_on_random_datasets(name, params, make_sampler, make_scorer, make_random_dataset):
    """Random sizes and densities, users without positives, users owning all items but two."""
    for seed in range(6):
        dataset = make_random_dataset(seed)
        run_scenario(
            name, dataset, make_sampler, make_scorer, k=2, seed=seed, epochs=2, steps=1, batch=64, params=params
        )


@pytest.mark.parametrize("name, params", VARIANTS)
def test_same_seed_identical_different_seed_different(name, params, small_world, make_sampler, make_scorer):
    first, _ = run_scenario(name, small_world, make_sampler, make_scorer, seed=5, params=params)
    again, _ = run_scenario(name, small_world, make_sampler, make_scorer, seed=5, params=params)
    other, _ = run_scenario(name, small_world, make_sampler, make_scorer, seed=6, params=params)
    for (u1, n1), (u2, n2) in zip(first, again):
        assert np.array_equal(u1, u2)
        assert np.array_equal(n1, n2)
    all_first = np.concatenate([n for _, n in first])
    all_other = np.concatenate([n for _, n in other])
    assert not np.array_equal(all_first, all_other)
    assert (all_first != all_other).mean() > 0.2


@pytest.mark.parametrize("name", NAMES)
def test_user_owning_every_item_is_rejected_at_construction(name, make_sampler):
    n_items = 6
    users = [0, 1, 2] + [3] * n_items
    items = [0, 1, 2] + list(range(n_items))
    dataset = Dataset.from_pairs("full-user", 4, n_items, train=(users, items))
    with pytest.raises(ValueError) as info:
        make_sampler(name, dataset, k=1, params={})
    message = str(info.value)
    assert "user" in message.lower() and "3" in message


@pytest.mark.parametrize("name, variant", VARIANTS)
@pytest.mark.parametrize("popular", [True, False], ids=["free-item-popular", "free-item-unseen"])
def test_user_owning_all_but_one_item_always_gets_it(name, variant, popular, make_sampler, make_scorer):
    n_items, free = 12, 5
    owned = [i for i in range(n_items) if i != free]
    users = [2] * len(owned) + [0, 1]
    items = owned + ([free, 0] if popular else [0, 1])
    dataset = Dataset.from_pairs("all-but-one", 3, n_items, train=(users, items))
    k = 1 if name == "srns" else 2
    params = {"s1": 1, "s2": 4} if name == "srns" else variant
    model, scorer = make_scorer(dataset)
    sampler = make_sampler(name, dataset, k=k, params=params)
    batch_users = np.full(2000, 2, dtype=np.int64)
    batch_pos = np.resize(np.array(owned, dtype=np.int64), 2000)
    for epoch in (1, 2):
        negatives = sampler.sample(batch_users, batch_pos, scorer)
        check_negatives(dataset, batch_users, negatives, k)
        assert (negatives == free).all()
        sampler.after_update(batch_users, batch_pos, negatives, scorer)
        with torch.no_grad():
            model.item_emb.mul_(-2.0)
        sampler.on_epoch_end(epoch, scorer)
    assert (sampler.sample(batch_users, batch_pos, scorer) == free).all()


@pytest.mark.parametrize("name, params", VARIANTS)
def test_disjoint_users_in_one_batch_keep_their_own_constraints(name, params, make_sampler, make_scorer):
    n_items = 10
    users = [0] * 5 + [1] * 5
    items = list(range(5)) + list(range(5, 10))
    dataset = Dataset.from_pairs("disjoint", 2, n_items, train=(users, items))
    model, scorer = make_scorer(dataset)
    sampler = make_sampler(name, dataset, k=2, params=params)
    batch_users = np.tile(np.array([0, 1], dtype=np.int64), 200)
    batch_pos = np.where(batch_users == 0, 1, 7).astype(np.int64)
    for epoch in (1, 2, 3):
        negatives = sampler.sample(batch_users, batch_pos, scorer)
        check_negatives(dataset, batch_users, negatives, 2)
        assert (negatives[batch_users == 0] >= 5).all()  # user 0 owns 0..4
        assert (negatives[batch_users == 1] < 5).all()  # user 1 owns 5..9
        sampler.after_update(batch_users, batch_pos, negatives, scorer)
        with torch.no_grad():
            model.user_emb.mul_(-1.5)
        sampler.on_epoch_end(epoch, scorer)


@pytest.mark.parametrize("name, params", VARIANTS)
def test_repeated_users_in_a_batch(name, params, small_world, make_sampler, make_scorer):
    _, scorer = make_scorer(small_world)
    sampler = make_sampler(name, small_world, k=2, params=params)
    heavy = int(np.argmax(small_world.train.counts))
    row = small_world.train.row(heavy)
    users = np.r_[np.full(60, heavy), small_world.train_users[:20], np.full(20, heavy)].astype(np.int64)
    pos = np.r_[np.resize(row, 60), small_world.train_items[:20], np.resize(row, 20)].astype(np.int64)
    for epoch in (1, 2, 3):
        negatives = sampler.sample(users, pos, scorer)
        check_negatives(small_world, users, negatives, 2)
        sampler.after_update(users, pos, negatives, scorer)
        sampler.on_epoch_end(epoch, scorer)
    assert len(np.unique(negatives[users == heavy])) > 1 or name in ("srns",)


@pytest.mark.parametrize("name, variant", VARIANTS)
def test_hooks_work_on_a_dataset_with_fewer_than_ten_items(name, variant, make_sampler, make_scorer):
    """Regression: nothing in a sampler may assume a minimum catalogue size (e.g. a fixed top-10
    evaluation inside a hook); 5 items, with validation positives, must just work."""
    dataset = Dataset.from_pairs(
        "five-items", 3, 5, train=([0, 0, 1, 2], [0, 1, 2, 3]), valid=([0, 1], [2, 4]), test=([2], [4])
    )
    params = {"s1": 2, "s2": 2} if name == "srns" else variant
    _, scorer = make_scorer(dataset)
    sampler = make_sampler(name, dataset, k=1, params=params)
    users, pos = dataset.train_users, dataset.train_items
    for epoch in (1, 2):
        negatives = sampler.sample(users, pos, scorer)
        check_negatives(dataset, users, negatives, 1)
        sampler.after_update(users, pos, negatives, scorer)
        sampler.on_epoch_end(epoch, scorer)
        sampler.epoch_stats()
    check_negatives(dataset, users, sampler.sample(users, pos, scorer), 1)


def check_inspection(info, name: str) -> None:
    """``inspect`` gives None or a frozen :class:`Inspection` dataclass without label fields."""
    if info is None:
        return
    if name == "irgan" and isinstance(info, dict):  # IRGAN's typed record comes with its own branch
        return
    assert isinstance(info, Inspection) and dataclasses.is_dataclass(info)
    assert type(info).__dataclass_params__.frozen
    assert not any("false" in f.name for f in dataclasses.fields(info)), "labels belong to the diagnostics"
    for f in dataclasses.fields(info):
        value = getattr(info, f.name)
        if isinstance(value, np.ndarray):
            assert not value.flags.writeable, f"{f.name} can be written through the record"


@pytest.mark.parametrize("name, params", VARIANTS)
def test_samplers_never_read_false_negative_labels(name, params, small_world, make_sampler, make_scorer, monkeypatch):
    """Labels are the diagnostics' business: sampling, hooks, stats and inspection work without them."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a sampler read the false-negative labels")

    monkeypatch.setattr(type(small_world), "is_false_negative", forbidden)
    _, sampler = run_scenario(name, small_world, make_sampler, make_scorer, params=params)
    sampler.epoch_stats()
    _, scorer = make_scorer(small_world)
    sampler.inspect(int(sampler.last["users"][0]), scorer)


@pytest.mark.parametrize("name", NAMES)
def test_inspect_is_read_only(name, small_world, make_sampler, make_scorer):
    """``inspect`` consumes no randomness, changes no state and computes no counted score."""
    outputs = []
    for look in (False, True):
        _, scorer = make_scorer(small_world)
        sampler = make_sampler(name, small_world, k=2)
        users, pos = small_world.train_users[:40], small_world.train_items[:40]
        first = sampler.sample(users, pos, scorer)
        sampler.on_epoch_end(1, scorer)
        if look:
            before = scorer.n_scores
            for user in (0, 5, int(users[3])):
                info = sampler.inspect(user, scorer)
                check_inspection(info, name)
                if info is not None and hasattr(info, "probabilities"):
                    probs = np.asarray(info.probabilities, dtype=float)
                    assert np.isfinite(probs).all() and abs(probs.sum() - 1) < 1e-5
                    assert (probs[small_world.train.row(user)] == 0).all()
            assert scorer.n_scores == before
        outputs.append((first, sampler.sample(users, pos, scorer)))
    for a, b in zip(outputs[0], outputs[1]):
        assert np.array_equal(a, b)


def test_srns_impossible_memory_size_is_rejected(make_sampler):
    # user 0 owns 7 of 10 items: only 3 non-positives, so S1 = 4 is impossible
    users = [0] * 7 + [1]
    items = list(range(7)) + [0]
    dataset = Dataset.from_pairs("tight", 2, 10, train=(users, items))
    make_sampler("srns", dataset, k=1, params={"s1": 3})  # the largest possible S1 is fine
    with pytest.raises(ValueError) as info:
        make_sampler("srns", dataset, k=1, params={"s1": 4})
    message = str(info.value)
    assert "S1" in message and "3" in message and "user 0" in message
    with pytest.raises(ValueError, match="S1"):  # K larger than the memory
        make_sampler("srns", dataset, k=3, params={"s1": 2})


@pytest.mark.parametrize("name", NAMES)
def test_registry_name_and_defaults_build_a_working_sampler(name, small_world, make_sampler, make_scorer):
    """What the CLI and the app rely on: the registry key is the sampler's name, and building it
    with no parameter gives exactly the documented defaults (each accepted by its own range check)."""
    cls = SAMPLERS[name]
    sampler = make_sampler(name, small_world, k=1, params={})
    assert sampler.name == name and cls.family in ("heuristic", "model-based")
    assert sampler.params == {spec.name: spec.convert(spec.default) for spec in cls.PARAMS}
    _, scorer = make_scorer(small_world)
    check_negatives(
        small_world,
        small_world.train_users[:50],
        sampler.sample(small_world.train_users[:50], small_world.train_items[:50], scorer),
        1,
    )


@pytest.mark.parametrize("name", NAMES)
def test_live_parameters_work_at_both_ends_of_their_range_and_not_beyond(name, small_world, make_sampler, make_scorer):
    """Every live parameter: its low and high end are accepted by ``set_params`` and sample valid
    negatives; a step beyond either end is rejected and changes nothing."""
    _, scorer = make_scorer(small_world)
    sampler = make_sampler(name, small_world, k=1)
    users, pos = small_world.train_users[:50], small_world.train_items[:50]
    for spec in (p for p in SAMPLERS[name].PARAMS if p.live):
        start = dict(sampler.params)
        for end in (spec.low, spec.high):
            sampler.set_params(**{spec.name: end})
            assert sampler.params[spec.name] == spec.convert(end)
            check_negatives(small_world, users, sampler.sample(users, pos, scorer), 1)
        for beyond in (spec.low - max(spec.step, 1e-3), spec.high + max(spec.step, 1e-3)):
            before = dict(sampler.params)
            with pytest.raises(ValueError, match=spec.name):
                sampler.set_params(**{spec.name: beyond})
            assert sampler.params == before
        sampler.set_params(**start)


# ----------------------------------------------------------------------------- construction protocol
class _Recorder(NegativeSampler):
    """A throwaway sampler that records the order of the base protocol's calls."""

    name = "recorder"
    PARAMS = (
        ParamSpec("width", 2, 1, 5, 1, "-", live=True, integer=True),
        ParamSpec("flag", False, 0, 1, 1, "-", live=True, boolean=True),
        ParamSpec("size", 3, 1, 9, 1, "-", live=False, integer=True),
    )

    def _setup(self):
        assert hasattr(self, "uniform") and set(self.params) == {"width", "flag", "size"}
        self.calls = ["setup"]

    def _validate(self):
        self.calls.append("validate")  # the subclass state exists already
        if self.params["width"] > self.params["size"]:
            raise ValueError("width must not exceed size")

    def _params_changed(self, changed):
        self.calls.append(("changed", changed))

    def _draw(self, users, pos_items, scorer):
        return self.uniform.sample(users, self.n_negatives, self.rng)


def test_construction_reads_top_to_bottom_and_set_params_reports_changes(small_world):
    sampler = _Recorder(small_world, 1, rng=np.random.default_rng(0))
    assert sampler.calls == ["setup", "validate"]
    assert sampler.params == {"width": 2, "flag": False, "size": 3}
    assert type(sampler.params["width"]) is int and type(sampler.params["flag"]) is bool
    sampler.set_params(width=3.0, flag=1)
    assert sampler.calls[-2:] == ["validate", ("changed", frozenset({"width", "flag"}))]
    assert sampler.params["flag"] is True and sampler.params["width"] == 3
    n_calls = len(sampler.calls)
    sampler.set_params(width=3, size=3)  # nothing changed: validated, no change reported
    assert sampler.calls[n_calls:] == ["validate"]


def test_set_params_rejects_bad_values_and_changes_nothing(small_world):
    sampler = _Recorder(small_world, 1, rng=np.random.default_rng(0))
    before = dict(sampler.params)
    for bad, match in [
        ({"width": 9}, "lie in"),
        ({"flag": 0.5}, "0 or 1"),
        ({"nope": 1}, "no parameter"),
        ({"size": 4}, "fixed when the sampler is built"),
        ({"width": "x"}, "number"),
    ]:
        with pytest.raises(ValueError, match=match):
            sampler.set_params(**bad)
        assert sampler.params == before
    with pytest.raises(ValueError, match="exceed"):  # rejected by _validate: rolled back
        _Recorder(small_world, 1, rng=np.random.default_rng(0), width=4)
    sampler.set_params(width=1)
    with pytest.raises(ValueError, match="exceed"):
        sampler.set_params(width=5)
    assert sampler.params["width"] == 1
    with pytest.raises(ValueError, match="range"):
        ParamSpec("bad", 0, 0, 2, 1, "-", live=True, boolean=True)
