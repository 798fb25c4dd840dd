"""Full-ranking evaluation: Recall@K, NDCG@K and Precision@K with binary gains.

Protocol (samplers.md, "Evaluation"): every item is ranked except the items already known for the
user before the evaluated split (validation excludes training positives; test excludes training
and validation positives). Metrics are computed per user and averaged over the users with at least
one positive in the evaluated split.

* Precision@K = hits / K
* Recall@K = hits / |R_u|
* NDCG@K = Σ_{rank r < K, hit} 1/log2(r + 2)  /  Σ_{r < min(K, |R_u|)} 1/log2(r + 2)
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

from .data.dataset import Dataset, PositiveSets

__all__ = ["metrics_from_hits", "evaluate", "popularity_scores", "EVAL_CHUNK_SCORES"]


def metrics_from_hits(hits: np.ndarray, n_relevant: np.ndarray, ks: Sequence[int]) -> dict[str, np.ndarray]:
    """Per-user metrics from a hit matrix.

    Args:
        hits: bool array (n_users, K_max): ``hits[u, r]`` is True when the item ranked r
            (0-based) is relevant for user u.
        n_relevant: int array (n_users,) >= 1: number of relevant items per user.
        ks: cut-offs, each <= K_max.
    Returns:
        dict ``{"recall@k", "ndcg@k", "precision@k"}`` of float64 arrays (n_users,).
    """
    hits = np.asarray(hits, dtype=np.float64)
    n_relevant = np.asarray(n_relevant, dtype=np.int64)
    discount = 1.0 / np.log2(np.arange(hits.shape[1]) + 2.0)  # (K_max,)
    ideal_cum = np.cumsum(discount)
    out = {}
    for k in ks:
        h = hits[:, :k]
        n_hit = h.sum(1)
        dcg = h @ discount[:k]
        idcg = ideal_cum[np.minimum(k, n_relevant) - 1]
        out[f"recall@{k}"] = n_hit / n_relevant
        out[f"ndcg@{k}"] = dcg / idcg
        out[f"precision@{k}"] = n_hit / k
    return out


EVAL_CHUNK_SCORES = 1 << 22  # scores held at once by :func:`evaluate` (16 MB of float32)


def evaluate(
    score_all: Callable[[torch.Tensor], torch.Tensor],
    dataset: Dataset,
    split: str = "valid",
    ks: Sequence[int] = (10,),
    batch_users: int | None = None,
    per_user: bool = False,
    users: np.ndarray | None = None,
) -> dict:
    """Rank all items for every user with a positive in ``split`` and average the metrics.

    Memory is bounded whatever the size: users are ranked in chunks of ``batch_users`` rows of
    ``n_items`` scores (default: as many as fit in :data:`EVAL_CHUNK_SCORES` scores, e.g. all
    943 users of ML-100K at once, 155 users of a 27k-item catalogue); each chunk keeps its top
    K only. Chunking does not change any value.

    Args:
        score_all: function from int64 users (B,) to float scores (B, n_items), e.g.
            ``Scorer.peek_all`` or ``model.score_all`` under ``torch.no_grad()``.
        dataset: the :class:`Dataset`.
        split: ``"valid"`` or ``"test"``.
        ks: cut-offs K (each <= n_items - 1).
        batch_users: users ranked per chunk (None: from :data:`EVAL_CHUNK_SCORES`).
        per_user: also return the per-user arrays under ``"per_user"`` with ``"users"``.
        users: evaluate only these users (an evaluated-user sample; those without a positive in
            ``split`` are skipped). None: every user with a positive.
    Returns:
        dict of float means, e.g. ``{"recall@10": 0.12, "ndcg@10": ..., "precision@10": ..., "n_users": 380}``
        (``n_users``: users evaluated).
    Raises:
        ValueError: unknown split, or a K larger than the number of items.
    """
    if split not in ("valid", "test"):
        raise ValueError(f"split must be 'valid' or 'test', got {split!r}")
    ks = sorted({int(k) for k in ks})
    if ks[0] < 1 or ks[-1] > dataset.n_items:
        raise ValueError(f"cut-offs K must lie in [1, {dataset.n_items}], got {ks}")
    truth: PositiveSets = getattr(dataset, split)
    known = dataset.train if split == "valid" else dataset.train.union(dataset.valid)
    if users is None:
        users = np.flatnonzero(truth.counts > 0)
    else:
        users = np.asarray(users, dtype=np.int64)
        users = users[truth.counts[users] > 0]
    if users.size == 0:
        return {"n_users": 0, **{f"{m}@{k}": float("nan") for k in ks for m in ("recall", "ndcg", "precision")}}
    if batch_users is None:
        batch_users = max(1, EVAL_CHUNK_SCORES // dataset.n_items)
    k_max = ks[-1]
    hits = np.zeros((users.size, k_max), dtype=bool)
    with torch.no_grad():
        for start in range(0, users.size, batch_users):
            batch = users[start : start + batch_users]
            scores = score_all(torch.from_numpy(batch)).float().clone()  # (B, I)
            rows, cols = known.gather(batch)
            scores[torch.from_numpy(rows), torch.from_numpy(cols)] = -torch.inf
            top = torch.topk(scores, k_max, dim=1).indices.numpy()  # (B, K_max)
            hits[start : start + batch.size] = truth.contains(batch[:, None], top)
    values = metrics_from_hits(hits, truth.counts[users], ks)
    result = {name: float(v.mean()) for name, v in values.items()}
    result["n_users"] = int(users.size)
    if per_user:
        result["per_user"] = {"users": users, **values}
    return result


def popularity_scores(dataset: Dataset) -> Callable[[torch.Tensor], torch.Tensor]:
    """The non-personalised baseline: every user gets items ranked by training popularity."""
    pop = torch.from_numpy(dataset.item_popularity.astype(np.float32))

    def score_all(users: torch.Tensor) -> torch.Tensor:
        return pop.expand(users.shape[0], -1)

    return score_all
