"""PositiveSets / Dataset invariants and the per-user split, against slow references."""

from __future__ import annotations

import numpy as np
import pytest

from negsamp_core.data import Dataset, PositiveSets, split_per_user


def pair_set(ps: PositiveSets) -> set[tuple[int, int]]:
    return set(zip(ps.rows.tolist(), ps.indices.tolist()))


def random_pairs(seed: int, n_users: int = 15, n_items: int = 25, n: int = 200):
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_users, n), rng.integers(0, n_items, n), n_users, n_items


# ----------------------------------------------------------------------------- PositiveSets
def test_from_pairs_sorts_and_deduplicates():
    ps = PositiveSets.from_pairs([2, 0, 2, 2, 0, 3], [5, 1, 1, 5, 1, 0], n_users=5, n_items=6)
    assert ps.nnz == 4
    assert ps.indptr.tolist() == [0, 1, 1, 3, 4, 4]
    assert ps.indices.tolist() == [1, 1, 5, 0]
    assert ps.counts.tolist() == [1, 0, 2, 1, 0]
    assert ps.row(2).tolist() == [1, 5] and ps.row(1).tolist() == []
    assert ps.indptr.dtype == np.int64 and ps.indices.dtype == np.int64
    assert ps.n_users == 5 and ps.n_items == 6


@pytest.mark.parametrize("seed", range(4))
def test_csr_layout_matches_reference(seed):
    users, items, n_users, n_items = random_pairs(seed)
    ps = PositiveSets.from_pairs(users, items, n_users, n_items)
    reference = set(zip(users.tolist(), items.tolist()))
    assert pair_set(ps) == reference and ps.nnz == len(reference)
    for u in range(n_users):
        assert ps.row(u).tolist() == sorted(i for v, i in reference if v == u)
    assert np.all(np.diff(ps.keys) > 0)  # globally sorted, unique keys


@pytest.mark.parametrize("seed", range(4))
def test_contains_and_gather_match_slow_references(seed):
    users, items, n_users, n_items = random_pairs(seed)
    ps = PositiveSets.from_pairs(users, items, n_users, n_items)
    reference = set(zip(users.tolist(), items.tolist()))
    grid_u, grid_i = np.meshgrid(np.arange(n_users), np.arange(n_items), indexing="ij")
    got = ps.contains(grid_u, grid_i)
    assert got.shape == (n_users, n_items)
    want = np.array([[(u, i) in reference for i in range(n_items)] for u in range(n_users)])
    np.testing.assert_array_equal(got, want)
    # broadcasting (B, 1) x (B, K)
    q_users = np.array([0, 3, 3])
    q_items = np.array([[0, 1], [2, 3], [24, 0]])
    np.testing.assert_array_equal(
        ps.contains(q_users[:, None], q_items), [[(u, i) in reference for i in row] for u, row in zip(q_users, q_items)]
    )
    # gather with repeats and users without positives
    batch = np.array([4, 0, 4, 14, 7], dtype=np.int64)
    rows, got_items = ps.gather(batch)
    want_rows, want_items = [], []
    for r, u in enumerate(batch):
        for i in sorted(i for v, i in reference if v == u):
            want_rows.append(r)
            want_items.append(i)
    assert rows.tolist() == want_rows and got_items.tolist() == want_items


def test_contains_on_empty_set():
    ps = PositiveSets.from_pairs([], [], 3, 4)
    assert ps.nnz == 0
    assert not ps.contains(np.array([0, 1]), np.array([0, 3])).any()


def test_difference_and_union():
    a = PositiveSets.from_pairs([0, 0, 1, 2], [1, 2, 1, 0], 3, 4)
    b = PositiveSets.from_pairs([0, 2, 2], [2, 0, 3], 3, 4)
    assert pair_set(a.difference(b)) == {(0, 1), (1, 1)}
    assert pair_set(a.union(b)) == {(0, 1), (0, 2), (1, 1), (2, 0), (2, 3)}


@pytest.mark.parametrize("users, items", [([0, 5], [0, 1]), ([0, -1], [0, 1]), ([0, 1], [0, 4]), ([0], [0, 1])])
def test_bad_ids_are_rejected(users, items):
    with pytest.raises(ValueError):
        PositiveSets.from_pairs(users, items, 5, 4)


# ----------------------------------------------------------------------------- Dataset
def test_dataset_splits_are_disjoint_and_deduplicated():
    train = ([0, 0, 0, 1, 1], [1, 1, 2, 3, 3])
    valid = ([0, 0, 1, 1, 1], [2, 3, 3, 4, 4])  # (0, 2) and (1, 3) are training pairs
    test = ([0, 0, 1, 2], [3, 4, 4, 0])  # (0, 3) and (1, 4) are validation pairs
    d = Dataset.from_pairs("d", 3, 5, train=train, valid=valid, test=test)
    assert pair_set(d.train) == {(0, 1), (0, 2), (1, 3)}
    assert pair_set(d.valid) == {(0, 3), (1, 4)}
    assert pair_set(d.test) == {(0, 4), (2, 0)}
    assert d.item_popularity.tolist() == [0, 1, 1, 1, 0]
    assert d.train_users.tolist() == [0, 0, 1] and d.train_items.tolist() == [1, 2, 3]
    assert pair_set(d.held_out) == pair_set(d.valid) | pair_set(d.test)
    assert d.false_negative_definition == "held-out"
    assert d.is_false_negative(0, 3) and not d.is_false_negative(0, 1)
    assert d.summary()["n_train"] == 3


@pytest.mark.parametrize("seed", range(3))
def test_dataset_invariants_on_random_data(seed):
    rng = np.random.default_rng(seed)
    n_users, n_items = 20, 30
    parts = [(rng.integers(0, n_users, 150), rng.integers(0, n_items, 150)) for _ in range(3)]
    d = Dataset.from_pairs("r", n_users, n_items, *parts)
    tr, va, te = pair_set(d.train), pair_set(d.valid), pair_set(d.test)
    assert not tr & va and not tr & te and not va & te
    assert va == set(zip(*map(np.ndarray.tolist, parts[1]))) - tr
    assert te == set(zip(*map(np.ndarray.tolist, parts[2]))) - tr - va
    # popularity: distinct training users per item
    want = np.zeros(n_items, dtype=np.int64)
    for _, i in tr:
        want[i] += 1
    np.testing.assert_array_equal(d.item_popularity, want)
    assert d.item_popularity.dtype == np.int64


def test_popularity_counts_distinct_training_users_only():
    d = Dataset.from_pairs("p", 3, 4, train=([0, 0, 0, 1], [2, 2, 2, 2]), valid=([2, 2], [2, 3]))
    assert d.item_popularity.tolist() == [0, 0, 2, 0]  # user 0 thrice counts once; valid ignored


def test_dataset_rejects_empty_or_tiny_input():
    with pytest.raises(ValueError, match="no positive"):
        Dataset.from_pairs("e", 2, 3, train=([], []))
    with pytest.raises(ValueError):
        Dataset.from_pairs("e", 2, 1, train=([0], [0]))
    with pytest.raises(ValueError):
        Dataset.from_pairs("e", 0, 3, train=([], []))


# ----------------------------------------------------------------------------- split_per_user
def observed_pairs(seed: int):
    rng = np.random.default_rng(seed)
    mask = rng.random((30, 40)) < 0.2
    mask[0] = False
    mask[0, 7] = True  # a user with a single pair
    mask[1] = False
    mask[1, [3, 9]] = True  # two pairs
    return np.nonzero(mask)


@pytest.mark.parametrize("fractions, min_train", [((0.2, 0.2), 1), ((0.3, 0.4), 1), ((0.3, 0.4), 3)])
@pytest.mark.parametrize("seed", range(2))
def test_split_per_user_partition_and_min_train(seed, fractions, min_train):
    users, items = observed_pairs(seed)
    f1, f2 = fractions
    parts = split_per_user(users, items, fractions, np.random.default_rng(seed), min_train=min_train)
    assert len(parts) == 3
    all_pairs = [p for u, i in parts for p in zip(u.tolist(), i.tolist())]
    assert sorted(all_pairs) == sorted(zip(users.tolist(), items.tolist()))  # a partition
    train_users = set(parts[0][0].tolist())
    assert train_users == set(users.tolist())  # every user keeps >= 1 training pair
    assert [p for p in all_pairs if p[0] == 0] == [(0, 7)] and (0, 7) in set(zip(*map(np.ndarray.tolist, parts[0])))
    for u in np.unique(users):  # sizes: floor(n * f) per held-out part, capped to keep training data
        n = int((users == u).sum())
        n_valid = int((parts[1][0] == u).sum())
        n_test = int((parts[2][0] == u).sum())
        want_valid = min(int(np.floor(n * f1)), max(n - min_train, 0))
        want_test = min(int(np.floor(n * f2)), max(n - want_valid - min_train, 0))
        assert (n_valid, n_test) == (want_valid, want_test)
        assert n - n_valid - n_test >= min(n, min_train)
    for u, i in parts:
        assert u.dtype == np.int64 and i.dtype == np.int64


def test_split_per_user_is_deterministic_by_seed():
    users, items = observed_pairs(9)
    a = split_per_user(users, items, (0.1, 0.1), np.random.default_rng(4))
    b = split_per_user(users, items, (0.1, 0.1), np.random.default_rng(4))
    c = split_per_user(users, items, (0.1, 0.1), np.random.default_rng(5))
    for (ua, ia), (ub, ib) in zip(a, b):
        assert np.array_equal(ua, ub) and np.array_equal(ia, ib)
    assert any(not np.array_equal(ia, ic) for (_, ia), (_, ic) in zip(a, c))


def test_split_per_user_rejects_bad_fractions():
    with pytest.raises(ValueError):
        split_per_user([0], [0], (0.5, 0.5), np.random.default_rng(0))
    with pytest.raises(ValueError):
        split_per_user([0], [0], (-0.1,), np.random.default_rng(0))


def test_min_positives_ten_is_todays_split_and_lower_values_hold_out_small_users():
    rng = np.random.default_rng(5)
    users = np.repeat(np.arange(40), rng.integers(1, 30, size=40))
    items = np.concatenate([rng.choice(100, size=(users == u).sum(), replace=False) for u in range(40)])
    today = split_per_user(users, items, (0.1, 0.1), np.random.default_rng(1))
    ten = split_per_user(users, items, (0.1, 0.1), np.random.default_rng(1), min_positives=10)
    for a, b in zip(today, ten):
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    three = split_per_user(users, items, (0.1, 0.1), np.random.default_rng(1), min_positives=3)
    counts = np.bincount(users, minlength=40)
    held = np.bincount(three[1][0], minlength=40) + np.bincount(three[2][0], minlength=40)
    assert np.all(held[counts < 3] == 0) and np.all(held[(counts >= 3) & (counts < 10)] == 2)
    with pytest.raises(ValueError, match=">= 1"):
        split_per_user(users, items, (0.1, 0.1), np.random.default_rng(1), min_positives=0)


def test_summary_counts_evaluated_users_and_warns_when_few():
    from negsamp_core.data import MIN_EVAL_USERS, evaluation_warning, make_synthetic, make_toy

    toy = make_toy()
    assert toy.summary()["n_valid_users"] == 6 and toy.summary()["n_test_users"] == 6
    assert "6 validation and 6 test" in evaluation_warning(toy) and evaluation_warning(toy.summary())
    world = make_synthetic(seed=0)
    assert min(world.n_valid_users, world.n_test_users) >= MIN_EVAL_USERS and evaluation_warning(world) is None
