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

from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
import torch

from .data.dataset import Dataset
from .samplers.base import UniformNonPositive

__all__ = ["EpochDiagnostics", "Counts", "popularity_bin_edges", "memory_label_stats"]


class Counts(Sequence):
    """The counts of one histogram, stored compactly: a read-only sequence of non-negative ints.

    Every :class:`~negsamp_core.training.EpochRecord` holds four 64-bin histograms, and every session
    of a class keeps every record of its five samplers. As tuples of Python ints a histogram took
    0.6 KB (small counts) to 2.3 KB (counts above 256, one int object each); here it is the raw bytes
    of the smallest unsigned integer type that holds its largest count (uint8 to uint64), about
    0.2 KB for 64 bins of counts below 65,536.

    It behaves as the tuple it replaces: ``len``, indexing (ints; slices give a ``Counts``),
    iteration (ints), ``sum``, ``np.asarray`` (an int64 array: arithmetic never wraps around),
    equality with any sequence of the same ints (a tuple, a list, another ``Counts``), hashing,
    pickling and ``copy``. ``list(counts)`` / :meth:`tolist` give plain ints (``EpochRecord.to_dict``).
    """

    __slots__ = ("_data", "_code")
    _CODES = ("B", "H", "I", "Q")  # uint8, uint16, uint32, uint64 (numpy type codes)

    def __init__(self, counts=()):
        values = np.asarray(counts)
        if values.ndim != 1:
            raise ValueError(f"counts must be one-dimensional, got shape {values.shape}")
        if values.size and not np.issubdtype(values.dtype, np.integer):
            if not np.all(values == np.floor(values)):
                raise ValueError("counts must be whole numbers")
        if values.size and values.min() < 0:
            raise ValueError("counts must be non-negative")
        top = int(values.max()) if values.size else 0
        code = next(c for c in self._CODES if top <= np.iinfo(np.dtype(c)).max)
        object.__setattr__(self, "_code", code)
        object.__setattr__(self, "_data", values.astype(np.dtype(code), copy=False).tobytes())

    def __setattr__(self, name, value):
        raise AttributeError("Counts is read-only")

    def _stored(self) -> np.ndarray:
        return np.frombuffer(self._data, dtype=np.dtype(self._code))  # read-only view of immutable bytes

    def _array(self) -> np.ndarray:
        values = self._stored().astype(np.int64)
        values.flags.writeable = False
        return values

    def __array__(self, dtype=None, copy=None):
        values = self._array()
        if dtype is not None and np.dtype(dtype) != values.dtype:
            return values.astype(dtype)
        return values.copy() if copy else values

    def __len__(self) -> int:
        return len(self._data) // np.dtype(self._code).itemsize

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Counts(self._stored()[index])
        return int(self._stored()[index])

    def __iter__(self) -> Iterator[int]:
        return iter(self._stored().tolist())

    def __reversed__(self) -> Iterator[int]:
        return reversed(self._stored().tolist())

    def __contains__(self, value) -> bool:
        return value in self._stored().tolist()

    def tolist(self) -> list[int]:
        return self._stored().tolist()

    def __eq__(self, other) -> bool:
        if isinstance(other, Counts):
            return self.tolist() == other.tolist()
        if isinstance(other, (str, bytes, Mapping)) or not isinstance(other, (Sequence, np.ndarray)):
            return NotImplemented
        return len(other) == len(self) and self.tolist() == [x for x in other]

    def __hash__(self) -> int:
        return hash(tuple(self.tolist()))

    def __reduce__(self):
        return (Counts, (self.tolist(),))

    def __repr__(self) -> str:
        return f"Counts({self.tolist()})"


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

    Cost: the figures are exact (every negative of the epoch counts), but everything that does
    not depend on the model of the step (false-negative lookups, popularity, histograms, sums) is
    computed in one vectorised pass per :attr:`FLUSH_ROWS` negatives instead of once per batch;
    per batch only the loss, the hardness handed in by the trainer (already computed for the
    gradient) and the uniform probe's scores (they need the model of that step) are taken. The
    probe's uniforms are drawn :attr:`PROBE_BLOCK` at a time from its own stream, which yields
    the same numbers as one draw per batch. On ML-100K this is 3-4x cheaper than per-batch work.
    """

    _SUMS = ("loss", "fn", "neg_score", "pos_score", "uniform_score", "hardness", "neg_pop", "uniform_pop")
    FLUSH_ROWS = 65_536  # buffered negatives before a vectorised pass
    PROBE_BLOCK = 16_384  # probe uniforms drawn at once

    def __init__(
        self,
        dataset: Dataset,
        uniform: UniformNonPositive,
        score: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        *,
        score_edges: np.ndarray,
        popularity_edges: np.ndarray,
        uniform_probe: int,
        rng: np.random.Generator,
    ):
        self.dataset, self.uniform, self.score = dataset, uniform, score
        self.score_edges, self.popularity_edges = score_edges, popularity_edges
        self.uniform_probe, self.rng = int(uniform_probe), rng
        self._pop_bin = np.searchsorted(popularity_edges, dataset.item_popularity, side="right") - 1  # (I,)
        self._probe_draws, self._probe_at = np.empty(0), 0
        self.reset()

    def reset(self) -> None:
        """Forget the current epoch's sums (the probe's random stream goes on)."""
        self.sums = dict.fromkeys(self._SUMS, 0.0)
        self.n_pairs = self.n_neg = self.n_uniform = 0
        n_bins = self.score_edges.size - 1
        self.hists = {k: np.zeros(n_bins, dtype=np.int64) for k in ("neg", "pos", "uniform")}
        self.pop_hist = np.zeros(self.popularity_edges.size - 1, dtype=np.int64)
        self._memory: dict[str, tuple[float, int]] = {}
        self._pending: list[tuple] = []  # (users, negatives, pos_s, neg_s, probe items, probe scores)
        self._pending_rows = 0

    def record_batch(
        self,
        users: np.ndarray,
        negatives: np.ndarray,
        pos_s,
        neg_s,
        loss: float,
        last: Mapping | None = None,
        *,
        hardness: np.ndarray | None = None,
    ) -> None:
        """Add one trained batch.

        Args:
            users: np.int64 (B,); negatives: np.int64 (B, K) as returned by the sampler.
            pos_s: float32 (B,), neg_s: float32 (B, K): the model's scores at the step (numpy
                arrays or tensors).
            loss: mean BPR loss of the batch (nats).
            last: the sampler's ``last`` dict of this batch (memory label statistics, if any).
            hardness: σ(s_uj - s_ui) (B, K) if the caller has it already (the trainer does);
                computed here otherwise.
        """
        pos_s = pos_s.numpy() if isinstance(pos_s, torch.Tensor) else np.asarray(pos_s)
        neg_s = neg_s.numpy() if isinstance(neg_s, torch.Tensor) else np.asarray(neg_s)
        if hardness is None:
            hardness = torch.sigmoid(torch.from_numpy(neg_s - pos_s[:, None])).numpy()
        b, k = negatives.shape
        self.n_pairs += b
        self.n_neg += b * k
        self.sums["loss"] += loss * b
        self.sums["hardness"] += float(hardness.sum())
        probe_items, probe_scores = self._uniform_probe(users)
        self._pending.append((users, negatives, pos_s, neg_s, probe_items, probe_scores))
        self._pending_rows += b * k
        if last and "memory" in last:
            for key, value in memory_label_stats(self.dataset, last).items():
                total, count = self._memory.get(key, (0.0, 0))
                self._memory[key] = (total + value, count + 1)
        if self._pending_rows >= self.FLUSH_ROWS:
            self._flush()

    def _uniform_probe(self, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uniform non-positive items of the batch's first ``uniform_probe`` users and their
        scores under the model of this step (the same draws as ``uniform.sample(probe, 1, rng)``)."""
        probe = users[: self.uniform_probe]  # (P,)
        if self._probe_at + probe.size > self._probe_draws.size:
            rest = self._probe_draws[self._probe_at :]
            self._probe_draws = np.concatenate([rest, self.rng.random(max(self.PROBE_BLOCK, probe.size))])
            self._probe_at = 0
        r = self._probe_draws[self._probe_at : self._probe_at + probe.size]
        self._probe_at += probe.size
        n_neg = self.uniform.n_negatives[probe]
        ranks = np.minimum((r * n_neg).astype(np.int64), n_neg - 1)
        items = self.uniform.item_of_rank(probe, ranks)  # (P,)
        with torch.no_grad():
            scores = self.score(torch.from_numpy(probe), torch.from_numpy(items))
        return items, (scores.numpy() if isinstance(scores, torch.Tensor) else np.asarray(scores))

    def _flush(self) -> None:
        """One vectorised pass over the buffered batches."""
        if not self._pending:
            return
        users, negatives, pos_s, neg_s, probe_items, probe_scores = (
            np.concatenate(parts) if len(parts) > 1 else parts[0] for parts in zip(*self._pending)
        )
        self._pending, self._pending_rows = [], 0
        ds, sums = self.dataset, self.sums
        sums["fn"] += float(ds.is_false_negative(users[:, None], negatives).sum())
        sums["neg_score"] += float(neg_s.sum(dtype=np.float64))
        sums["pos_score"] += float(pos_s.sum(dtype=np.float64))
        sums["neg_pop"] += float(ds.item_popularity[negatives].sum())
        self.pop_hist += np.bincount(self._pop_bin[negatives].ravel(), minlength=self.pop_hist.size)[
            : self.pop_hist.size
        ]
        self.hists["neg"] += self._score_hist(neg_s)
        self.hists["pos"] += self._score_hist(pos_s)
        self.n_uniform += probe_items.size
        sums["uniform_score"] += float(probe_scores.sum(dtype=np.float64))
        sums["uniform_pop"] += float(ds.item_popularity[probe_items].sum())
        self.hists["uniform"] += self._score_hist(probe_scores)

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
        self._flush()
        out = {
            "loss": self._mean("loss", self.n_pairs),
            "fn_rate": self._mean("fn", self.n_neg),
            "neg_score_mean": self._mean("neg_score", self.n_neg),
            "pos_score_mean": self._mean("pos_score", self.n_pairs),
            "uniform_score_mean": self._mean("uniform_score", self.n_uniform),
            "hardness_mean": self._mean("hardness", self.n_neg),
            "neg_popularity_mean": self._mean("neg_pop", self.n_neg),
            "uniform_popularity_mean": self._mean("uniform_pop", self.n_uniform),
            "neg_score_hist": Counts(self.hists["neg"]),
            "pos_score_hist": Counts(self.hists["pos"]),
            "uniform_score_hist": Counts(self.hists["uniform"]),
            "neg_popularity_hist": Counts(self.pop_hist),
            "n_pairs": self.n_pairs,
            "sampler_stats": {k: total / max(count, 1) for k, (total, count) in self._memory.items()},
        }
        self.reset()
        return out
