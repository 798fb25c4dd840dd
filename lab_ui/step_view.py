"""The Playground's step view as pure functions of the last batch (no Streamlit): which users it
had, and for one of them every (positive, sampled negative) pair with its scores, BPR gradient
weight, popularity and whether the negative is a false negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negsamp_core.data import Dataset

__all__ = ["StepRow", "step_users", "step_rows", "MAX_USERS"]

MAX_USERS = 300  # users of the last batch offered in the picker


@dataclass(frozen=True)
class StepRow:
    """One sampled negative of the last step.

    Attributes:
        positive, negative: item ids; ``score_pos``/``score_neg``: s(u, i), s(u, j) under the current model.
        gradient: σ(s(u, j) − s(u, i)), the weight of this negative in the BPR gradient (0..1).
        popularity: training users of the negative; ``false_negative``: ``dataset.is_false_negative(u, j)``.
    """

    positive: int
    negative: int
    score_pos: float
    score_neg: float
    gradient: float
    popularity: int
    false_negative: bool


def step_users(last: dict) -> np.ndarray:
    """The distinct users of the last batch (np.int64, sorted, at most MAX_USERS); empty before any step."""
    if "negatives" not in last:
        return np.empty(0, dtype=np.int64)
    return np.unique(last["users"])[:MAX_USERS]


def step_rows(last: dict, user: int, scores: np.ndarray, dataset: Dataset) -> list[StepRow]:
    """Every negative drawn for ``user`` in the last batch, in batch order.

    Args:
        last: the sampler's ``last`` dict (``users`` (B,), ``pos_items`` (B,), ``negatives`` (B, K)).
        user: a user of that batch.
        scores: np.float32 (I,), the user's current scores s(u, ·) (an uncounted peek).
        dataset: for popularity and the false-negative flag.
    """
    rows = np.flatnonzero(last["users"] == user)
    out = []
    for r in rows:
        i = int(last["pos_items"][r])
        for j in np.asarray(last["negatives"][r]).tolist():
            margin = float(scores[j]) - float(scores[i])
            out.append(
                StepRow(
                    positive=i,
                    negative=int(j),
                    score_pos=float(scores[i]),
                    score_neg=float(scores[j]),
                    gradient=float(1 / (1 + np.exp(-margin))),
                    popularity=int(dataset.item_popularity[j]),
                    false_negative=bool(dataset.is_false_negative(user, int(j))),
                )
            )
    return out
