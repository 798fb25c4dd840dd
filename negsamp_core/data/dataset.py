"""Implicit-feedback datasets: per-user positive sets in CSR form, and the split container.

Every loader (synthetic, toy, MovieLens, CSV) ends by calling :meth:`Dataset.from_pairs`, so the
invariants below hold for every dataset the samplers ever see:

* users and items are contiguous 0-based ids, ``0 <= u < n_users``, ``0 <= i < n_items``;
* a split holds each (user, item) pair at most once (a repeated interaction counts once);
* validation and test never contain a training positive, and test never contains a validation
  positive (an item already known for the user cannot be "predicted" again);
* item popularity counts distinct *training* users only (held-out data never leaks into PNS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = ["PositiveSets", "Dataset", "MIN_EVAL_USERS", "evaluation_warning"]

# Fewer evaluated users than this make validation/test metrics anecdotes (one user: recall = NDCG = 1.0 is luck).
MIN_EVAL_USERS = 20


@dataclass(frozen=True, eq=False)
class PositiveSets:
    """A set of (user, item) pairs stored per user as sorted, unique item lists (CSR).

    Attributes:
        indptr: np.int64 array of shape [n_users + 1]; row ``u`` is ``indices[indptr[u]:indptr[u+1]]``.
        indices: np.int64 array of shape [nnz]; strictly increasing within each row.
        n_items: number of items (exclusive upper bound of ``indices``).

    Because rows are sorted and items are sorted within rows, the flat keys
    ``user * n_items + item`` are globally sorted, which makes membership tests one
    ``np.searchsorted`` call.
    """

    indptr: np.ndarray
    indices: np.ndarray
    n_items: int

    @classmethod
    def from_pairs(cls, users, items, n_users: int, n_items: int) -> "PositiveSets":
        """Build from parallel id arrays; duplicates are dropped.

        Args:
            users, items: integer arrays of shape [n]; ids must lie in [0, n_users) / [0, n_items).
        Raises:
            ValueError: if shapes differ or an id is out of range.
        """
        users = np.asarray(users, dtype=np.int64).ravel()
        items = np.asarray(items, dtype=np.int64).ravel()
        if users.shape != items.shape:
            raise ValueError(f"users and items must have the same length, got {users.size} and {items.size}")
        if users.size and (users.min() < 0 or users.max() >= n_users):
            raise ValueError(f"user ids must lie in [0, {n_users}), got range [{users.min()}, {users.max()}]")
        if items.size and (items.min() < 0 or items.max() >= n_items):
            raise ValueError(f"item ids must lie in [0, {n_items}), got range [{items.min()}, {items.max()}]")
        keys = np.unique(users * np.int64(n_items) + items)  # sorted and deduplicated
        rows = keys // n_items
        indptr = np.zeros(n_users + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_users), out=indptr[1:])
        return cls(indptr=indptr, indices=(keys % n_items).astype(np.int64), n_items=int(n_items))

    @property
    def n_users(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def nnz(self) -> int:
        return int(self.indices.size)

    @cached_property
    def counts(self) -> np.ndarray:
        """np.int64 array of shape [n_users]: number of items per user."""
        return np.diff(self.indptr)

    @cached_property
    def keys(self) -> np.ndarray:
        """np.int64 array of shape [nnz]: sorted flat keys ``user * n_items + item``."""
        return self.rows * np.int64(self.n_items) + self.indices

    @cached_property
    def rows(self) -> np.ndarray:
        """np.int64 array of shape [nnz]: the user of each stored pair."""
        return np.repeat(np.arange(self.n_users, dtype=np.int64), self.counts)

    def row(self, user: int) -> np.ndarray:
        """The sorted items of one user (a view, np.int64)."""
        return self.indices[self.indptr[user] : self.indptr[user + 1]]

    def gather(self, users) -> tuple[np.ndarray, np.ndarray]:
        """All stored items of a batch of users, flattened.

        Args:
            users: int array (B,) (repeats allowed).
        Returns:
            (row, item): np.int64 arrays of equal length; ``row`` indexes into ``users``.
        """
        users = np.asarray(users, dtype=np.int64)
        counts = self.counts[users]
        row = np.repeat(np.arange(users.size, dtype=np.int64), counts)
        first = np.cumsum(counts) - counts
        offset = np.arange(row.size, dtype=np.int64) - first[row] + self.indptr[users][row]
        return row, self.indices[offset]

    def contains(self, users, items) -> np.ndarray:
        """Vectorised membership: bool array, same shape as the broadcast of ``users`` and ``items``."""
        users, items = np.broadcast_arrays(np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64))
        if self.nnz == 0:
            return np.zeros(users.shape, dtype=bool)
        q = (users * np.int64(self.n_items) + items).ravel()
        pos = np.searchsorted(self.keys, q)
        pos = np.minimum(pos, self.nnz - 1)
        return (self.keys[pos] == q).reshape(users.shape)

    def difference(self, other: "PositiveSets") -> "PositiveSets":
        """Pairs of ``self`` that are not in ``other`` (same n_users / n_items)."""
        keep = ~other.contains(self.rows, self.indices)
        return PositiveSets.from_pairs(self.rows[keep], self.indices[keep], self.n_users, self.n_items)

    def union(self, other: "PositiveSets") -> "PositiveSets":
        return PositiveSets.from_pairs(
            np.concatenate([self.rows, other.rows]),
            np.concatenate([self.indices, other.indices]),
            self.n_users,
            self.n_items,
        )


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train / validation / test positives plus everything the samplers and diagnostics need.

    Attributes:
        name: short identifier, e.g. ``"synthetic"`` or ``"ml-100k"``.
        n_users, n_items: sizes of the contiguous id spaces.
        train, valid, test: :class:`PositiveSets` (disjoint, see module docstring).
        item_popularity: np.int64 array [n_items], distinct training users per item (c_j).
        item_names, user_names: readable names (tuple of str) or None.
        true_likes: hidden ground truth on synthetic worlds (every item each user truly likes),
            or None on real data.
        item_groups: optional np.int64 array [n_items] (e.g. the synthetic genre of each item).
        user_groups: optional np.int64 array [n_users] (the synthetic world's taste group of each
            user when it has two: 0 = majority, 1 = minority), else None.
        info: free-form provenance (source, licence, split, threshold, ...).
    """

    name: str
    n_users: int
    n_items: int
    train: PositiveSets
    valid: PositiveSets
    test: PositiveSets
    item_popularity: np.ndarray
    item_names: tuple | None = None
    user_names: tuple | None = None
    true_likes: PositiveSets | None = None
    item_groups: np.ndarray | None = None
    user_groups: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @classmethod
    def from_pairs(
        cls,
        name: str,
        n_users: int,
        n_items: int,
        train: tuple,
        valid: tuple = ((), ()),
        test: tuple = ((), ()),
        **kwargs,
    ) -> "Dataset":
        """Build a dataset from (users, items) array pairs, enforcing the module invariants.

        Raises:
            ValueError: ids out of range, or no training positive at all.
        """
        if n_users < 1 or n_items < 2:
            raise ValueError(f"a dataset needs at least 1 user and 2 items, got {n_users} users and {n_items} items")
        tr = PositiveSets.from_pairs(*train, n_users, n_items)
        if tr.nnz == 0:
            raise ValueError("the training split has no positive pair: nothing to learn from")
        va = PositiveSets.from_pairs(*valid, n_users, n_items).difference(tr)
        te = PositiveSets.from_pairs(*test, n_users, n_items).difference(tr.union(va))
        popularity = np.bincount(tr.indices, minlength=n_items).astype(np.int64)
        return cls(
            name=name,
            n_users=int(n_users),
            n_items=int(n_items),
            train=tr,
            valid=va,
            test=te,
            item_popularity=popularity,
            **kwargs,
        )

    # ------------------------------------------------------------------ derived views
    @cached_property
    def train_users(self) -> np.ndarray:
        """np.int64 [n_train]: user of each training positive pair (CSR order)."""
        return self.train.rows

    @cached_property
    def train_items(self) -> np.ndarray:
        """np.int64 [n_train]: item of each training positive pair (CSR order)."""
        return self.train.indices

    @cached_property
    def held_out(self) -> PositiveSets:
        """Validation and test positives together."""
        return self.valid.union(self.test)

    @property
    def false_negative_definition(self) -> str:
        """``"exact"`` (synthetic ground truth) or ``"held-out"`` (validation/test positives)."""
        return "exact" if self.true_likes is not None else "held-out"

    def is_false_negative(self, users, items) -> np.ndarray:
        """bool array: is item j one the user actually likes although it is not a training positive?

        On a synthetic world this is exact (hidden ground truth). On real data it is the best
        available proxy: j is one of the user's validation or test positives.
        """
        truth = self.true_likes if self.true_likes is not None else self.held_out
        return truth.contains(users, items)

    @property
    def n_valid_users(self) -> int:
        """Users with at least one validation positive (those the validation metrics average over)."""
        return int(np.count_nonzero(self.valid.counts))

    @property
    def n_test_users(self) -> int:
        """Users with at least one test positive (those the test metrics average over)."""
        return int(np.count_nonzero(self.test.counts))

    @property
    def sparsity(self) -> float:
        """Fraction of the user-item matrix that is *not* a known positive (all splits)."""
        n = self.train.nnz + self.valid.nnz + self.test.nnz
        return 1.0 - n / float(self.n_users * self.n_items)

    def summary(self) -> dict:
        """The fields the CLI's JSON and the app's Data page report."""
        return {
            "name": self.name,
            "n_users": self.n_users,
            "n_items": self.n_items,
            "n_train": self.train.nnz,
            "n_valid": self.valid.nnz,
            "n_test": self.test.nnz,
            "n_valid_users": self.n_valid_users,
            "n_test_users": self.n_test_users,
            "sparsity": round(self.sparsity, 6),
            "false_negative_definition": self.false_negative_definition,
        }

    def item_label(self, item: int) -> str:
        """Readable name of an item, or ``"item <id>"``."""
        if self.item_names is not None:
            return str(self.item_names[item])
        return f"item {item}"

    def user_label(self, user: int) -> str:
        if self.user_names is not None:
            return str(self.user_names[user])
        return f"user {user}"


def evaluation_warning(dataset, minimum: int = MIN_EVAL_USERS) -> str | None:
    """A sentence when validation or test metrics average over fewer than ``minimum`` users, else None.

    ``dataset``: a :class:`Dataset` or its :meth:`Dataset.summary` dict.
    """
    if isinstance(dataset, dict):
        n_valid, n_test = dataset["n_valid_users"], dataset["n_test_users"]
    else:
        n_valid, n_test = dataset.n_valid_users, dataset.n_test_users
    if min(n_valid, n_test) >= minimum:
        return None
    return (
        f"only {n_valid} validation and {n_test} test user(s) have a held-out positive (fewer than {minimum}): "
        f"the metrics average over so few users that they say little (one user can give recall = NDCG = 1.0). "
        f"Use more data or lower the minimum number of positives a user needs to get held-out items."
    )
