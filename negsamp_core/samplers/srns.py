"""SRNS: Simplify and Robustify Negative Sampling."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch

from ..model import Scorer
from .base import Inspection, NegativeSampler, ParamSpec

__all__ = ["SRNS", "SRNSInspection"]


@dataclass(frozen=True)
class SRNSInspection(Inspection):
    """One user's SRNS memory.

    Attributes:
        memory: np.int64 (S1,), the items in the user's memory M_u.
        score: np.float32 (S1,), their current scores s(u, j).
        history_mean, history_std: np.float32 (S1,), mean and population std of s_t(u, j) over the
            stored epoch-end snapshots (the current score and 0 before the first snapshot).
        n_snapshots: snapshots stored (the variance term needs at least 2).
        warmup_weight: w(e) = min(1, e / W) after e completed epochs.
    """

    memory: np.ndarray
    score: np.ndarray
    history_mean: np.ndarray
    history_std: np.ndarray
    n_snapshots: int
    warmup_weight: float


def _first_occurrence(rows: np.ndarray) -> np.ndarray:
    """bool (n, m): True where an entry is the first of its value within its row."""
    order = np.argsort(rows, axis=1, kind="stable")
    srt = np.take_along_axis(rows, order, axis=1)
    first_sorted = np.ones_like(srt, dtype=bool)
    first_sorted[:, 1:] = srt[:, 1:] != srt[:, :-1]
    first = np.empty_like(first_sorted)
    np.put_along_axis(first, order, first_sorted, axis=1)
    return first


class SRNS(NegativeSampler):
    """Hard negatives from a per-user memory, preferring items whose score *fluctuates*.

    Source: Ding, Quan, Yao, Li, Jin, "Simplify and Robustify Negative Sampling for Implicit
    Collaborative Filtering", NeurIPS 2020, Sec. 3 (variance-based sampling, Eq. 5; memory
    update, Sec. 3.3) and its released code. Observation (Sec. 3.1): false negatives get high
    scores that stay stable across training; hard true negatives get high scores that fluctuate.

    * Memory M_u: S1 distinct non-positive items per user (uniform at start).
    * Choice for a pair (u, i): for j in M_u, ρ_j = σ(s(u,j) - s(u,i)) under the current model and
      sd_j = population std of ρ_j over the last T epoch-end snapshots (0 while fewer than 2);
      keep the K items with the largest ρ_j + α·w(e)·sd_j, with warm-up w(e) = min(1, e / W) after
      e completed epochs (W = 0 means w = 1). K <= S1 is required.
    * Memory update (each step, once per distinct user of the batch): M_u plus S2 fresh uniform
      non-positives; S1 distinct items are redrawn without replacement with probability
      ∝ softmax(s(u, ·)/τ) (Gumbel-top-S1; duplicates get probability 0).

    Cost (model scores, counted by the :class:`Scorer`): B·(S1 + 1) per batch for ρ, plus
    (S1 + S2) per distinct user of the batch for the memory update, plus T·B·(S1 + 1) with
    embedding snapshots; U·I per epoch for a score-table snapshot.

    ``last`` holds the batch's ``memory`` (B, S1), ``rho`` (B, S1), ``sd`` (B, S1) and ``choice``
    (B, K); :mod:`negsamp_core.diagnostics` splits ρ and sd into false and true negatives there
    (the sampler itself never reads labels).

    Storage: each of the T snapshots is the full U×I score table while T·U·I <= 50 million floats
    (ML-100K: 8 M), else a copy of the embedding tables (T·(U + I)·d floats) from which any
    (u, j) score history is recomputed exactly on demand, so memory stays small at any scale.
    Released settings: ML-1M S1 = 8, S2 = 64, α = 5, W = 50, τ = 10; ML-100K false-negative
    study S1 = S2 = 20, α = 10, W = 50, τ = 1. Defaults here (S1 = 4, S2 = 32, α = 5, W = 5, τ = 10)
    were chosen on ML-100K validation and fit a 30-epoch classroom run.
    """

    name = "srns"
    family = "model-based"
    TABLE_LIMIT = 50_000_000  # floats (200 MB) of snapshot score tables before switching to embeddings
    PARAMS = (
        ParamSpec(
            "s1",
            4,
            1,
            200,
            1,
            "8 (ML-1M) / 20 (ML-100K)",
            live=False,
            integer=True,
            help="memory size S1: candidate negatives kept per user",
        ),
        ParamSpec(
            "s2",
            32,
            0,
            1000,
            1,
            "64 (ML-1M) / 20 (ML-100K)",
            live=True,
            integer=True,
            help="fresh uniform candidates S2 mixed into the memory at each update",
        ),
        ParamSpec(
            "alpha",
            5.0,
            0.0,
            50.0,
            0.5,
            "5 (ML-1M) / 10 (ML-100K)",
            live=True,
            help="weight α of the score standard deviation (0 = pure hardness)",
        ),
        ParamSpec(
            "warmup",
            5,
            0,
            200,
            1,
            "50 epochs",
            live=True,
            integer=True,
            help="warm-up W in epochs: the variance term grows as min(1, epoch / W)",
        ),
        ParamSpec(
            "tau",
            10.0,
            0.01,
            100.0,
            0.1,
            "10 (ML-1M) / 1 (ML-100K)",
            live=True,
            help="temperature τ of the memory update softmax: small τ keeps the hardest items",
        ),
        ParamSpec(
            "history",
            5,
            2,
            50,
            1,
            "5 (released code)",
            live=False,
            integer=True,
            help="T: epoch-end snapshots used for the standard deviation",
        ),
    )

    def _setup(self) -> None:
        self._check_memory_fits()  # the initial memory cannot be drawn otherwise
        n_users, n_items, history = self.dataset.n_users, self.dataset.n_items, self.params["history"]
        self.epoch = 0  # completed epochs
        self.snapshots: deque = deque(maxlen=history)
        # Small data: keep each snapshot as the full U×I score table (one gather per lookup);
        # large data: keep the embedding tables and recompute the scores on demand.
        self._tables = n_users * n_items * history <= self.TABLE_LIMIT
        self.memory = self._initial_memory()  # (U, S1) int64

    def _validate(self) -> None:
        s1 = self.params["s1"]
        if self.n_negatives > s1:
            raise ValueError(f"SRNS picks K = {self.n_negatives} negatives from a memory of S1 = {s1}: choose S1 >= K")
        self._check_memory_fits()

    def _check_memory_fits(self) -> None:
        """Raise ValueError unless every user with positives has at least S1 non-positive items."""
        s1 = self.params["s1"]
        active = self.dataset.train.counts > 0
        if active.any():
            fewest = int(self.uniform.n_negatives[active].min())
            if s1 > fewest:
                user = int(np.flatnonzero(active & (self.uniform.n_negatives == fewest))[0])
                raise ValueError(
                    f"SRNS memory S1 = {s1} needs S1 distinct non-positive items per user, "
                    f"but user {user} has only {fewest}: choose S1 <= {fewest}"
                )

    def _initial_memory(self) -> np.ndarray:
        s1, n_neg = self.params["s1"], self.uniform.n_negatives
        ranks = np.empty((self.dataset.n_users, s1), dtype=np.int64)
        for u in range(self.dataset.n_users):
            ranks[u] = self.rng.choice(n_neg[u], size=s1, replace=False)
        users = np.arange(self.dataset.n_users, dtype=np.int64)[:, None]
        return self.uniform.item_of_rank(users, ranks)

    def warmup_weight(self) -> float:
        """w(e) = min(1, e / W) after e completed epochs."""
        w = self.params["warmup"]
        return 1.0 if w == 0 else min(1.0, self.epoch / w)

    def _snapshot_scores(self, users: torch.Tensor, items: torch.Tensor, score=Scorer.peek_snapshot) -> torch.Tensor:
        """Scores s_t(u, j) under each stored snapshot: float32 (T, B, C) for items (B, C).

        Score tables are looked up (their scores were counted when the snapshot was taken);
        embedding snapshots are rescored with ``score`` (``scorer.score_snapshot`` counts them,
        the default :meth:`Scorer.peek_snapshot` is for inspection only).
        """
        if self._tables:
            flat = (users.unsqueeze(1) * self.dataset.n_items + items).reshape(-1)  # (B·C,)
            return torch.stack([t.index_select(0, flat) for t in self.snapshots]).view(-1, *items.shape)
        return torch.stack([score(snap, users, items) for snap in self.snapshots])

    def variance_term(self, users: np.ndarray, items: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        """sd_j: population std of ρ_j = σ(s_t(u,j) - s_t(u,i)) over the snapshots: float32 (B, C).

        Args:
            users: np.int64 (B,); items: np.int64 (B, C); pos_items: np.int64 (B,).
            scorer: the recommender's :class:`Scorer` (counts recomputed snapshot scores).
        Zeros while fewer than 2 snapshots exist.
        """
        if len(self.snapshots) < 2:
            return np.zeros(items.shape, dtype=np.float32)
        tu = torch.from_numpy(users)
        s_items = self._snapshot_scores(tu, torch.from_numpy(items), scorer.score_snapshot)  # (T, B, C)
        s_pos = self._snapshot_scores(tu, torch.from_numpy(pos_items)[:, None], scorer.score_snapshot)  # (T, B, 1)
        margin = np.clip((s_pos - s_items).numpy(), -60.0, 60.0)  # no overflow; σ is 0 or 1 there anyway
        rho = 1.0 / (1.0 + np.exp(margin))  # (T, B, C) σ(s_j - s_i)
        return rho.std(axis=0)  # population std; numpy is ~10x faster than torch.std here

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        k = self.n_negatives
        mem = self.memory[users]  # (B, S1)
        t_users = torch.from_numpy(users)
        s_mem = scorer.score(t_users, torch.from_numpy(mem))  # (B, S1)
        s_pos = scorer.score(t_users, torch.from_numpy(pos_items)[:, None])  # (B, 1)
        rho = torch.sigmoid(s_mem - s_pos).numpy()  # (B, S1)
        sd = self.variance_term(users, mem, pos_items, scorer)  # (B, S1)
        weight = self.params["alpha"] * self.warmup_weight()
        choice = np.argsort(-(rho + weight * sd), axis=1, kind="stable")[:, :k]  # (B, K)
        negatives = np.take_along_axis(mem, choice, axis=1)
        self.last.update(memory=mem, rho=rho, sd=sd, choice=choice)
        self._update_memory(users, scorer)
        return negatives

    def _update_memory(self, users: np.ndarray, scorer: Scorer) -> None:
        uniq = np.unique(users)
        cand = np.concatenate([self.memory[uniq], self.uniform.sample(uniq, self.params["s2"], self.rng)], axis=1)
        s = scorer.score(torch.from_numpy(uniq), torch.from_numpy(cand)).numpy().astype(np.float64)
        keys = s / self.params["tau"] - np.log(-np.log(self.rng.random(cand.shape)))  # + Gumbel(0, 1)
        keys[~_first_occurrence(cand)] = -np.inf
        top = np.argpartition(-keys, self.params["s1"] - 1, axis=1)[:, : self.params["s1"]]
        self.memory[uniq] = np.take_along_axis(cand, top, axis=1)

    def on_epoch_end(self, epoch: int, scorer: Scorer) -> None:
        """Store the epoch-end snapshot: the U×I score table (U·I counted scores) or a copy of
        the embeddings (no score; later recomputations are counted where they happen)."""
        self.epoch = epoch
        if self._tables:
            users = torch.arange(self.dataset.n_users)
            self.snapshots.append(scorer.score_all(users).reshape(-1))  # (U·I,), U·I counted scores
        else:
            self.snapshots.append(scorer.snapshot())

    def inspect(self, user: int, scorer: Scorer) -> SRNSInspection:
        """Memory of one user: items, current score and score-history mean/std (read-only)."""
        users = np.array([user], dtype=np.int64)
        mem = self.memory[users]  # (1, S1)
        current = scorer.peek_all(torch.from_numpy(users))[0].numpy()[mem[0]]
        if len(self.snapshots) >= 1:
            hist = self._snapshot_scores(torch.from_numpy(users), torch.from_numpy(mem))[:, 0, :].numpy()
            mean, std = hist.mean(0), hist.std(0)
        else:
            mean, std = current.copy(), np.zeros(mem.shape[1], dtype=np.float32)
        return SRNSInspection(
            memory=mem[0],
            score=current,
            history_mean=mean,
            history_std=std,
            n_snapshots=len(self.snapshots),
            warmup_weight=self.warmup_weight(),
        )
