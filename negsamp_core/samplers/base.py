"""The sampler protocol and the exact uniform non-positive draw every sampler builds on.

Contract (tested for every sampler in ``tests/test_sampler_contract.py``):

* ``sample(users, pos_items, scorer)`` takes np.int64 arrays of shape (B,) and returns np.int64
  negatives of shape (B, K) with ids in [0, n_items);
* a returned negative is never a *training* positive of that row's user;
* all randomness comes from the generators handed to the constructor, so the same seed, data
  and settings give identical negatives;
* a user with no non-positive item is rejected at construction with a ``ValueError``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from ..data.dataset import Dataset, PositiveSets
from ..model import Scorer

__all__ = ["UniformNonPositive", "NegativeSampler", "ParamSpec"]


class UniformNonPositive:
    """Exact, rejection-free uniform draws from I \\ P_u for many users at once.

    For user u with sorted positives p_0 < p_1 < ..., the r-th non-positive item (0-based) is
    ``r + #{k : p_k - k <= r}``. The adjusted values ``p_k - k`` are non-decreasing within a row,
    so offsetting each row by ``u * (n_items + 1)`` makes one globally sorted int64 array and the
    count is a single ``np.searchsorted``: O(B log nnz), no retry loop, so users who own almost
    every item cost the same as everybody else.

    When U·I is at most ``TABLE_LIMIT`` (ML-100K: 1.6 M) a dense int32 table of each user's
    non-positives in increasing order replaces the search by one gather (about 4x faster); the
    two paths return identical items.

    Args:
        positives: the training :class:`PositiveSets`.
    Raises:
        ValueError: if a user who has training positives owns every item.
    """

    TABLE_LIMIT = 16_000_000  # entries (64 MB of int32)

    def __init__(self, positives: PositiveSets, use_table: bool | None = None):
        self.positives = positives
        n_items = positives.n_items
        counts = positives.counts
        self.n_negatives = (n_items - counts).astype(np.int64)  # (U,) size of I \ P_u
        full = np.flatnonzero((self.n_negatives == 0) & (counts > 0))
        if full.size:
            raise ValueError(
                f"user {int(full[0])} has interacted with all {n_items} items, so it has no negative item "
                f"({full.size} such user(s)); remove these users or add items"
            )
        within = np.arange(positives.nnz, dtype=np.int64) - np.repeat(positives.indptr[:-1], counts)
        self._stride = np.int64(n_items + 1)
        self._keys = positives.rows * self._stride + (positives.indices - within)  # (nnz,) sorted
        if use_table is None:
            use_table = positives.n_users * n_items <= self.TABLE_LIMIT
        self._table = self._build_table() if use_table else None

    def _build_table(self) -> np.ndarray:
        """(U, I) int32: row u lists I \\ P_u in increasing order (the rest is padding)."""
        pos = self.positives
        mask = np.ones((pos.n_users, pos.n_items), dtype=bool)
        mask[pos.rows, pos.indices] = False
        rows, cols = np.nonzero(mask)  # row-major: each row's non-positives in increasing order
        rank = np.arange(rows.size) - np.repeat(np.cumsum(self.n_negatives) - self.n_negatives, self.n_negatives)
        table = np.zeros((pos.n_users, pos.n_items), dtype=np.int32)
        table[rows, rank] = cols
        return table

    def item_of_rank(self, users: np.ndarray, ranks: np.ndarray) -> np.ndarray:
        """Map ranks among each user's non-positives to item ids (same shape as ``ranks``)."""
        users = np.broadcast_to(users, ranks.shape)
        if self._table is not None:
            return self._table[users, ranks].astype(np.int64)
        below = np.searchsorted(self._keys, users * self._stride + ranks, side="right")
        return ranks + (below - self.positives.indptr[users])

    def sample(self, users: np.ndarray, size: int | tuple, rng: np.random.Generator) -> np.ndarray:
        """Uniform non-positive items.

        Args:
            users: np.int64 (B,).
            size: trailing shape per user, e.g. ``K`` or ``(K, M)``.
            rng: numpy Generator.
        Returns:
            np.int64 array (B, *size).
        """
        size = (size,) if np.isscalar(size) else tuple(size)
        users = np.asarray(users, dtype=np.int64).reshape((-1,) + (1,) * len(size))
        n_neg = self.n_negatives[users]
        ranks = (rng.random((users.shape[0],) + size) * n_neg).astype(np.int64)  # floor, < n_neg
        np.minimum(ranks, n_neg - 1, out=ranks)  # guards the (measure-zero) rounding to n_neg
        return self.item_of_rank(users, ranks)


@dataclass(frozen=True)
class ParamSpec:
    """Describes one sampler parameter for the CLI and the app (range, default, paper value)."""

    name: str
    default: float
    low: float
    high: float
    step: float
    paper: str  # the value used by the paper / released code, as text
    live: bool  # can change while training (applies at the next step)
    integer: bool = False
    help: str = ""


class NegativeSampler(abc.ABC):
    """Base class: stores the dataset and generators, validates K, keeps per-epoch statistics.

    Subclasses implement :meth:`_draw` and may override :meth:`on_epoch_end`,
    :meth:`inspect` and :meth:`epoch_stats`.

    Args:
        dataset: the :class:`Dataset`; only its training split is used for exclusion.
        n_negatives: K, negatives per positive pair (>= 1).
        rng: numpy Generator, the sampler's only source of randomness (with ``torch_generator``).
        torch_generator: torch.Generator for samplers that own a model (IRGAN).
    Raises:
        ValueError: K < 1, or a user owns every item.
    """

    name: ClassVar[str] = "base"
    family: ClassVar[str] = "heuristic"  # or "model-based"
    PARAMS: ClassVar[tuple[ParamSpec, ...]] = ()
    eval_k: int = 10  # cut-off of sampler-side evaluations (IRGAN's generator); the Trainer sets it

    def __init__(self, dataset: Dataset, n_negatives: int = 1, *, rng: np.random.Generator,
                 torch_generator: torch.Generator | None = None, **params):
        if int(n_negatives) < 1:
            raise ValueError(f"the number of negatives per positive K must be >= 1, got {n_negatives}")
        self.dataset = dataset
        self.n_negatives = int(n_negatives)
        self.rng = rng
        self.torch_generator = torch_generator
        self.uniform = UniformNonPositive(dataset.train)
        self.params: dict = {}
        known = {p.name for p in self.PARAMS}
        unknown = set(params) - known
        if unknown:
            raise ValueError(f"{self.name.upper()} has no parameter(s) {sorted(unknown)}; known: {sorted(known)}")
        self.set_params(**{p.name: params.get(p.name, p.default) for p in self.PARAMS})
        self.last: dict = {}  # internals of the last batch, for the step view
        self._stats: dict = {}

    # -------------------------------------------------------------- parameters
    def set_params(self, **params) -> None:
        """Validate and set parameters (the live ones apply from the next batch).

        Raises:
            ValueError: a value outside its documented range.
        """
        specs = {p.name: p for p in self.PARAMS}
        for key, value in params.items():
            spec = specs.get(key)
            if spec is None:
                raise ValueError(f"{self.name.upper()} has no parameter {key!r}")
            value = float(value)
            if not np.isfinite(value) or value < spec.low or value > spec.high:
                raise ValueError(f"{self.name.upper()} {key} must lie in [{spec.low}, {spec.high}], got {value}")
            self.params[key] = int(round(value)) if spec.integer else value
        self._validate()

    def _validate(self) -> None:
        """Check parameter combinations against the data; raise ValueError with advice."""

    # -------------------------------------------------------------- protocol
    def sample(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        """Negatives for a batch of training pairs.

        Args:
            users: np.int64 (B,), the users of the batch.
            pos_items: np.int64 (B,), their positive items.
            scorer: read-only :class:`Scorer` of the recommender being trained.
        Returns:
            np.int64 (B, K), never a training positive of the row's user.
        """
        users = np.asarray(users, dtype=np.int64)
        pos_items = np.asarray(pos_items, dtype=np.int64)
        negatives = self._draw(users, pos_items, scorer)
        self.last["users"], self.last["pos_items"], self.last["negatives"] = users, pos_items, negatives
        return negatives

    @abc.abstractmethod
    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        """The sampler's own rule: np.int64 (B, K) negatives for the batch."""

    def after_update(self, users: np.ndarray, pos_items: np.ndarray, negatives: np.ndarray,
                     scorer: Scorer) -> None:
        """Hook called after the recommender's update on this batch (IRGAN trains G here)."""

    def on_epoch_end(self, epoch: int, scorer: Scorer) -> None:
        """Hook called after each completed epoch (1-based ``epoch``)."""

    def epoch_stats(self) -> dict:
        """Sampler-specific statistics accumulated since the last call, then reset."""
        stats = self._mean_stats()
        self._stats = {}
        return stats

    def _accumulate(self, **values: float) -> None:
        for key, value in values.items():
            total, count = self._stats.get(key, (0.0, 0))
            self._stats[key] = (total + float(value), count + 1)

    def _mean_stats(self) -> dict:
        return {k: total / max(count, 1) for k, (total, count) in self._stats.items()}

    def inspect(self, user: int, scorer: Scorer) -> dict:
        """Read-only internals for one user (no randomness consumed, no state changed)."""
        return {}
