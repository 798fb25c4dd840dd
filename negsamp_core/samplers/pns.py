"""PNS: popularity-biased negative sampling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Scorer
from .base import Inspection, NegativeSampler, ParamSpec

__all__ = ["PNS", "PNSInspection", "popularity_weights"]


@dataclass(frozen=True)
class PNSInspection(Inspection):
    """One user's PNS distribution.

    Attributes:
        probabilities: np.float64 (I,), p(j) ∝ c_j^α over I \\ P_u: zero on the user's training
            positives, sums to 1 (uniform over the non-positives when their weight is zero).
        alpha: the exponent α in use.
    """

    probabilities: np.ndarray
    alpha: float


def popularity_weights(counts: np.ndarray, alpha: float) -> np.ndarray:
    """Unnormalised weights w_j = c_j^α (np.float64, shape of ``counts``).

    ``0^α`` is 0 for α > 0 (an item no training user touched is outside the support) and
    ``0^0 = 1``, so α = 0 gives equal weights: exactly RNS.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if alpha == 0:
        return np.ones_like(counts)
    return np.power(counts, alpha)


class PNS(NegativeSampler):
    """j ~ p(j) ∝ c_j^α restricted to I \\ P_u (c_j = distinct training users of item j).

    Sources: the unigram^(3/4) noise distribution of word2vec (Mikolov et al., "Distributed
    Representations of Words and Phrases", NIPS 2013, Sec. 2.2), popularity sampling in NNCF
    (Chen et al., KDD 2017) and AOBPR (Rendle & Freudenthaler, WSDM 2014).

    Rules:
        * items with c_j = 0 get weight 0 when α > 0 (never drawn) and 1 when α = 0;
        * when a user's non-positives carry no weight (all their remaining items have c_j = 0),
          that user falls back to uniform over I \\ P_u: never a NaN, never a positive;
        * the distribution is fixed from the training counts before training; it does not adapt.

    Drawing is exact inverse-CDF sampling of the user's renormalised distribution: with r
    uniform on [0, W - W(P_u)), the number of positives lying before the drawn item is found by
    a vectorised binary search in the user's sorted positives, their mass is added back and the
    global cumulative weights are searched once. Rows whose float rounding lands on a positive
    (probability ~1e-16) are redrawn by the exact per-row reference :meth:`_reference_draw`.
    """

    name = "pns"
    family = "heuristic"
    PARAMS = (
        ParamSpec(
            "alpha",
            0.75,
            0.0,
            2.0,
            0.05,
            "0.75 (word2vec)",
            live=True,
            help="popularity exponent α: 0 = uniform (RNS), 1 = proportional to popularity",
        ),
    )

    def _setup(self) -> None:
        self._build()

    def _params_changed(self, changed: frozenset[str]) -> None:
        if "alpha" in changed:
            self._build()

    def _build(self) -> None:
        """Weights, global CDF and per-positive search keys for the current α (fixed before training)."""
        train = self.dataset.train
        w = popularity_weights(self.dataset.item_popularity, self.params["alpha"])  # (I,)
        self.weights = w
        self.cdf = np.cumsum(w)  # (I,) inclusive cumulative weight
        excl = self.cdf - w  # mass strictly before each item
        pw = w[train.indices]  # (nnz,) weight of each positive
        cum_pw = np.cumsum(pw)
        row_start = np.repeat(np.r_[0.0, cum_pw][train.indptr[:-1]], train.counts)
        before = cum_pw - pw - row_start  # positive mass of the user before this positive
        self._gap = excl[train.indices] - before  # non-positive mass before each positive (nnz,)
        self._pos_before = before  # (nnz,)
        pos_mass = np.bincount(train.rows, weights=pw, minlength=train.n_users)  # (U,)
        self._free_mass = self.cdf[-1] - pos_mass  # (U,) weight of I \ P_u

    def probabilities(self, user: int) -> np.ndarray:
        """The user's sampling distribution over all items: np.float64 (I,), zero on positives."""
        p = self.weights.copy()
        p[self.dataset.train.row(user)] = 0.0
        total = p.sum()
        if total <= 0:  # fallback rule: uniform over the non-positives
            p = np.ones_like(p)
            p[self.dataset.train.row(user)] = 0.0
            total = p.sum()
        return p / total

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        k = self.n_negatives
        train = self.dataset.train
        u = np.repeat(users, k)  # (B·K,)
        free = self._free_mass[u]
        r = self.rng.random(u.size) * free  # position in the user's renormalised mass
        lo, hi = train.indptr[u].copy(), train.indptr[u + 1].copy()
        while True:  # vectorised binary search: count positives whose preceding free mass <= r
            active = lo < hi
            if not active.any():
                break
            mid = (lo + hi) // 2
            go_right = active & (self._gap[np.minimum(mid, max(train.nnz - 1, 0))] <= r)
            lo = np.where(go_right, mid + 1, lo)
            hi = np.where(active & ~go_right, mid, hi)
        n_before = lo - train.indptr[u]  # positives before the drawn item
        added = np.where(
            n_before > 0,
            self._pos_before[np.maximum(lo - 1, 0)] + self.weights[train.indices[np.maximum(lo - 1, 0)]],
            0.0,
        )
        items = np.searchsorted(self.cdf, r + added, side="right")
        items = np.minimum(items, train.n_items - 1)
        bad = (free <= 0) | train.contains(u, items) | (self.weights[items] <= 0)
        for row in np.flatnonzero(bad):  # zero-mass fallback and rare rounding cases
            items[row] = self._reference_draw(int(u[row]))
        return items.reshape(-1, k)

    def _reference_draw(self, user: int) -> int:
        """Slow, obviously correct draw from :meth:`probabilities` (also the test oracle)."""
        p = self.probabilities(user)
        return int(np.searchsorted(np.cumsum(p), self.rng.random() * p.sum(), side="right").clip(0, p.size - 1))

    def inspect(self, user: int, scorer: Scorer) -> PNSInspection:
        """The user's sampling distribution (read-only, no score computed)."""
        return PNSInspection(probabilities=self.probabilities(user), alpha=float(self.params["alpha"]))
