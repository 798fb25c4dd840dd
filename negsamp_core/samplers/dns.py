"""DNS: dynamic negative sampling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..model import Scorer
from .base import Inspection, NegativeSampler, ParamSpec

__all__ = ["DNS", "DNSInspection"]


@dataclass(frozen=True)
class DNSInspection(Inspection):
    """DNS's choice for one user, from the user's first row in the last batch.

    Attributes:
        candidates: np.int64 (K, M), the uniform candidates of each negative slot.
        scores: np.float32 (K, M), their scores under the model of that step; None when M = 1
            (nothing is scored).
        chosen: np.int64 (K,), index into M of the kept candidate (the best score; 0 when M = 1).
    """

    candidates: np.ndarray
    scores: np.ndarray | None
    chosen: np.ndarray


class DNS(NegativeSampler):
    """For each of the K negative slots of a pair, draw M candidates uniformly from I \\ P_u,
    score them with the *current* model (no gradient) and keep the highest-scored one.

    Source: Zhang, Chen, Wang, Yu, "Optimizing Top-N Collaborative Filtering via Dynamic
    Negative Item Sampling", SIGIR 2013, Sec. 3 (Algorithm 1). K > 1 means K independent groups
    of M candidates (not the K best of one group), so M = 1 is exactly RNS for every K. All
    B·K·M candidates are scored in one batched no-grad call: B·K·M model scores per batch.

    DNS is IRGAN's special case where the generator is the recommender itself and puts all its
    mass on the best of M uniform candidates. Larger M gives harder negatives and more false
    negatives, the trade-off SRNS addresses.

    The IRGAN authors' DNS baseline used M = 5 and re-chose candidates once per epoch; the
    per-step choice here is the canonical form.
    """

    name = "dns"
    family = "model-based"
    PARAMS = (
        ParamSpec(
            "candidates",
            8,
            1,
            256,
            1,
            "5 (IRGAN's DNS baseline)",
            live=True,
            integer=True,
            help="DNS candidates M: uniform draws scored per negative; the best one is kept. M = 1 is RNS",
        ),
    )

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        k, m = self.n_negatives, self.params["candidates"]
        cand = self.uniform.sample(users, (k, m), self.rng)  # (B, K, M)
        if m == 1:
            self.last["candidates"], self.last["candidate_scores"] = cand, None
            return cand[:, :, 0]
        b = users.size
        scores = scorer.score(torch.from_numpy(users), torch.from_numpy(cand.reshape(b, k * m)))  # (B, K·M)
        scores = scores.view(b, k, m)  # (B, K, M)
        best = scores.argmax(dim=2, keepdim=True).numpy()  # (B, K, 1)
        self.last["candidates"], self.last["candidate_scores"] = cand, scores.numpy()
        flat = best.reshape(-1)  # (B·K,) chosen candidate of each slot
        flat += np.arange(0, b * k * m, m, dtype=flat.dtype)  # offset of each slot's row in cand
        return np.take(cand.reshape(-1), flat).reshape(b, k)  # (B, K)

    def inspect(self, user: int, scorer: Scorer) -> DNSInspection | None:
        """The candidates DNS scored for ``user`` in the last batch; None if the user was not in it."""
        users = self.last.get("users")
        rows = np.flatnonzero(users == user) if users is not None else np.empty(0, dtype=np.int64)
        if rows.size == 0:
            return None
        row = int(rows[0])
        cand, scores = self.last["candidates"][row], self.last["candidate_scores"]  # (K, M), (B, K, M)
        if scores is None:
            return DNSInspection(candidates=cand, scores=None, chosen=np.zeros(cand.shape[0], dtype=np.int64))
        return DNSInspection(candidates=cand, scores=scores[row], chosen=scores[row].argmax(axis=1).astype(np.int64))
