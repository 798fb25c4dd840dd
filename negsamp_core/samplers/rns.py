"""RNS: uniform random negative sampling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Scorer
from .base import Inspection, NegativeSampler

__all__ = ["RNS", "RNSInspection"]


@dataclass(frozen=True)
class RNSInspection(Inspection):
    """What RNS knows about one user: the size |I \\ P_u| of the uniform support
    (each non-positive has probability 1 / n_non_positives)."""

    n_non_positives: int


class RNS(NegativeSampler):
    """j ~ Uniform(I \\ P_u), K independent draws per positive pair.

    Source: BPR's LearnBPR (Rendle et al., UAI 2009, Sec. 4.3, Fig. 4) draws (u, i) from the
    observed pairs and j uniformly among the user's non-positive items. Exact and rejection-free
    (see :class:`UniformNonPositive`); computes no model score. Cost O(B·K·log nnz).
    """

    name = "rns"
    family = "heuristic"

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        return self.uniform.sample(users, self.n_negatives, self.rng)  # (B, K)

    def inspect(self, user: int, scorer: Scorer) -> RNSInspection:
        """The user's support size (read-only, no score computed)."""
        return RNSInspection(n_non_positives=int(self.uniform.n_negatives[user]))
