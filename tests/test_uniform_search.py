"""The large-data path of the exact uniform draw (per-row vectorised binary search) maps every rank
to the same item as the dense table and as a brute-force reference."""

from __future__ import annotations

import numpy as np

from negsamp_core.data import Dataset
from negsamp_core.samplers import UniformNonPositive


def world(seed):
    rng = np.random.default_rng(seed)
    n_users, n_items = 9, 40
    users, items = [], []
    for u in range(n_users):
        k = [0, 1, 39, 20, 5, 38, 2, 30, 12][u]  # empty row, single item, owns all but one item, ...
        chosen = rng.choice(n_items, size=k, replace=False)
        users += [u] * k
        items += chosen.tolist()
    return Dataset.from_pairs("w", n_users, n_items, train=(users, items))


def test_search_path_equals_table_and_brute_force():
    for seed in range(3):
        ds = world(seed)
        table, search = UniformNonPositive(ds.train, use_table=True), UniformNonPositive(ds.train, use_table=False)
        assert search._table is None and table._table is not None
        for u in range(ds.n_users):
            n = int(table.n_negatives[u])
            ranks = np.arange(n, dtype=np.int64)
            want = np.setdiff1d(np.arange(ds.n_items), ds.train.row(u))  # I \ P_u in increasing order
            assert np.array_equal(table.item_of_rank(np.full(n, u), ranks), want)
            assert np.array_equal(search.item_of_rank(np.full(n, u), ranks), want), (seed, u)
        users = np.repeat(np.arange(ds.n_users), 3)
        rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
        assert np.array_equal(table.sample(users, (2, 3), rng_a), search.sample(users, (2, 3), rng_b))
