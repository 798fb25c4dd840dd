"""Diagnostics of a training run: the one layer that reads labels.

Samplers compute negatives and nothing else; what a learner measures about those negatives is
computed here, once per batch, from the batch, the recommender's scores and the dataset's labels
(``Dataset.is_false_negative``: exact on the synthetic world, held-out positives on real data):

* false-negative rate, hardness σ(s_uj - s_ui), scores of negatives / positives / uniform items,
  popularity of negatives and of uniform items, and their histograms over fixed bins;
* for samplers that expose a memory in ``sampler.last`` (SRNS: ``memory``, ``rho``, ``sd``), the
  memory's false-negative share and the mean ρ and sd of false and of true negatives.

:class:`EpochDiagnostics` sums these batch by batch; :meth:`EpochDiagnostics.finish` returns the
epoch's means (the fields of :class:`negsamp_core.training.EpochRecord`) and starts a new epoch.
The uniform probe draws from its own random stream (the run's ``"diagnostics"`` stream), so it
never changes what the sampler or the batch order see.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import torch

from .data.dataset import Dataset
from .samplers.base import UniformNonPositive

__all__ = ["EpochDiagnostics", "popularity_bin_edges", "memory_label_stats"]


def popularity_bin_edges(max_count: int) -> np.ndarray:
    """Fixed popularity histogram edges 0, 1, 2, 4, 8, ... covering ``max_count`` (np.int64).

    Bin b holds counts c with ``edges[b] <= c < edges[b+1]``; the same edges serve every sampler.
    """
    top = int(np.ceil(np.log2(max(int(max_count), 1) + 1)))
    return np.r_[0, 2 ** np.arange(top + 1)].astype(np.int64)


def memory_label_stats(dataset: Dataset, last: Mapping) -> dict[str, float]:
    """Label statistics of a sampler's per-user memory in one batch (empty if it has none).

    Args:
        dataset: gives the labels (``is_false_negative``).
        last: ``sampler.last`` of the batch; used when it holds ``memory`` (B, S1) int64 items
            with their ``rho`` (B, S1) = σ(s_uj - s_ui) and ``sd`` (B, S1) score std (SRNS).
    Returns:
        ``memory_fn_share`` (share of memory items that are false negatives), ``rho_mean``,
        ``sd_mean``, and ``sd_false_neg``/``rho_false_neg`` (only if the batch's memory holds a
        false negative) and ``sd_true_neg``/``rho_true_neg`` (only if it holds a true one): the
        means over the batch's memory entries, as floats.
    """
    if not {"memory", "rho", "sd"} <= set(last):
        return {}
    mem, rho, sd = last["memory"], last["rho"], last["sd"]
    fn = dataset.is_false_negative(last["users"][:, None], mem)  # (B, S1)
    stats = {"memory_fn_share": fn.mean(), "rho_mean": rho.mean(), "sd_mean": sd.mean()}
    if fn.any():
        stats.update(sd_false_neg=sd[fn].mean(), rho_false_neg=rho[fn].mean())
    if (~fn).any():
        stats.update(sd_true_neg=sd[~fn].mean(), rho_true_neg=rho[~fn].mean())
    return {key: float(value) for key, value in stats.items()}


class EpochDiagnostics:
    """Running sums of one epoch's diagnostics (plain numpy, no UI).

    Args:
        dataset: the run's :class:`Dataset` (labels and item popularity).
        uniform: the exact uniform non-positive draw of the run (``sampler.uniform``).
        score: uncounted scoring function of the recommender, ``(users (P,), items (P,)) ->``
            float32 tensor (P,) (the model's ``score``; diagnostics are not the sampler's cost).
        score_edges: float64 (n_bins + 1,) fixed score histogram edges shared by all samplers;
            scores outside go to the end bins.
        popularity_edges: int64 edges of the popularity histogram (:func:`popularity_bin_edges`).
        uniform_probe: rows per batch whose uniform-item score and popularity are recorded.
        rng: numpy Generator of the uniform probe; it persists across epochs.
    """

    _SUMS = ("loss", "fn", "neg_score", "pos_score", "uniform_score", "hardness", "neg_pop", "uniform_pop")

    def __init__(self, dataset: Dataset, uniform: UniformNonPositive,
                 score: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *, score_edges: np.ndarray,
                 popularity_edges: np.ndarray, uniform_probe: int, rng: np.random.Generator):
        self.dataset, self.uniform, self.score = dataset, uniform, score
        self.score_edges, self.popularity_edges = score_edges, popularity_edges
        self.uniform_probe, self.rng = int(uniform_probe), rng
        self.reset()

    def reset(self) -> None:
        """Forget the current epoch's sums (the probe's random stream goes on)."""
        self.sums = dict.fromkeys(self._SUMS, 0.0)
        self.n_pairs = self.n_neg = self.n_uniform = 0
        n_bins = self.score_edges.size - 1
        self.hists = {k: np.zeros(n_bins, dtype=np.int64) for k in ("neg", "pos", "uniform")}
        self.pop_hist = np.zeros(self.popularity_edges.size - 1, dtype=np.int64)
        self._memory: dict[str, tuple[float, int]] = {}

    def record_batch(self, users: np.ndarray, negatives: np.ndarray, pos_s: torch.Tensor, neg_s: torch.Tensor,
                     loss: float, last: Mapping | None = None) -> None:
        """Add one trained batch.

        Args:
            users: np.int64 (B,); negatives: np.int64 (B, K) as returned by the sampler.
            pos_s: float32 tensor (B,), neg_s: float32 tensor (B, K): the model's scores at the step.
            loss: mean BPR loss of the batch (nats).
            last: the sampler's ``last`` dict of this batch (memory label statistics, if any).
        """
        ds, sums = self.dataset, self.sums
        b, k = negatives.shape
        self.n_pairs += b
        self.n_neg += b * k
        sums["loss"] += loss * b
        sums["fn"] += float(ds.is_false_negative(users[:, None], negatives).sum())
        sums["neg_score"] += float(neg_s.sum())
        sums["pos_score"] += float(pos_s.sum())
        sums["hardness"] += float(torch.sigmoid(neg_s - pos_s[:, None]).sum())
        pops = ds.item_popularity[negatives]  # (B, K)
        sums["neg_pop"] += float(pops.sum())
        self.pop_hist += np.bincount(np.searchsorted(self.popularity_edges, pops.ravel(), side="right") - 1,
                                     minlength=self.pop_hist.size)[: self.pop_hist.size]
        self.hists["neg"] += self._score_hist(neg_s.numpy())
        self.hists["pos"] += self._score_hist(pos_s.numpy())
        self._record_uniform_probe(users)
        for key, value in memory_label_stats(ds, last or {}).items():
            total, count = self._memory.get(key, (0.0, 0))
            self._memory[key] = (total + value, count + 1)

    def _record_uniform_probe(self, users: np.ndarray) -> None:
        probe = users[: self.uniform_probe]  # (P,)
        uniform = self.uniform.sample(probe, 1, self.rng)[:, 0]  # (P,)
        with torch.no_grad():
            u_s = self.score(torch.from_numpy(probe), torch.from_numpy(uniform)).numpy()
        self.n_uniform += probe.size
        self.sums["uniform_score"] += float(u_s.sum())
        self.sums["uniform_pop"] += float(self.dataset.item_popularity[uniform].sum())
        self.hists["uniform"] += self._score_hist(u_s)

    def _score_hist(self, scores: np.ndarray) -> np.ndarray:
        edges = self.score_edges
        idx = np.clip(np.searchsorted(edges, scores.ravel(), side="right") - 1, 0, edges.size - 2)
        return np.bincount(idx, minlength=edges.size - 1)

    def _mean(self, key: str, count: int) -> float:
        return self.sums[key] / count if count else float("nan")

    def finish(self) -> dict:
        """The epoch's means and histograms (``EpochRecord`` field names), then :meth:`reset`.

        ``sampler_stats`` holds the memory label statistics (means over the batches that had
        them); the trainer merges them into the record's ``sampler_stats``.
        """
        out = {
            "loss": self._mean("loss", self.n_pairs), "fn_rate": self._mean("fn", self.n_neg),
            "neg_score_mean": self._mean("neg_score", self.n_neg),
            "pos_score_mean": self._mean("pos_score", self.n_pairs),
            "uniform_score_mean": self._mean("uniform_score", self.n_uniform),
            "hardness_mean": self._mean("hardness", self.n_neg),
            "neg_popularity_mean": self._mean("neg_pop", self.n_neg),
            "uniform_popularity_mean": self._mean("uniform_pop", self.n_uniform),
            "neg_score_hist": tuple(int(x) for x in self.hists["neg"]),
            "pos_score_hist": tuple(int(x) for x in self.hists["pos"]),
            "uniform_score_hist": tuple(int(x) for x in self.hists["uniform"]),
            "neg_popularity_hist": tuple(int(x) for x in self.pop_hist),
            "n_pairs": self.n_pairs,
            "sampler_stats": {k: total / max(count, 1) for k, (total, count) in self._memory.items()},
        }
        self.reset()
        return out
