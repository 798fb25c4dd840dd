"""Per-user random hold-out splits."""

from __future__ import annotations

import numpy as np

__all__ = ["split_per_user"]


def split_per_user(
    users, items, fractions, rng: np.random.Generator, min_train: int = 1, min_positives: int | None = None
):
    """Split (user, item) pairs per user at random into consecutive parts.

    Each user's pairs are shuffled with ``rng`` and cut by ``fractions`` (rounded down, so small
    histories stay in the first part). The first part (training) always keeps at least
    ``min_train`` pairs of every user who has that many, so no user loses all training data.

    Who gets held-out pairs: with ``min_positives=None`` a user with n pairs gets ``floor(n * f)``
    in each part (with f = 0.1: users with at least 10 pairs). With ``min_positives=m`` users with
    fewer than m pairs keep all of them in training and users with at least m get
    ``max(1, floor(n * f))`` per part with f > 0 (so m = 10 with f = 0.1 is the same split as None).

    Args:
        users, items: integer arrays of shape [n] (duplicates should already be removed).
        fractions: held-out fractions after the first part, e.g. ``(0.1, 0.1)`` for
            train / valid / test = 80 / 10 / 10.
        rng: numpy Generator; the only source of randomness.
    Returns:
        list of ``(users, items)`` np.int64 array pairs, ``len(fractions) + 1`` of them.
    Raises:
        ValueError: if fractions are negative or sum to 1 or more, or ``min_positives < 1``.
    """
    fractions = [float(f) for f in fractions]
    if any(f < 0 for f in fractions) or sum(fractions) >= 1.0:
        raise ValueError(f"held-out fractions must be >= 0 and sum to less than 1, got {fractions}")
    if min_positives is not None and int(min_positives) < 1:
        raise ValueError(f"the minimum number of positives to hold some out must be >= 1, got {min_positives}")
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    # Shuffle globally, then stable-sort by user: a uniform random order within each user.
    perm = rng.permutation(users.size)
    perm = perm[np.argsort(users[perm], kind="stable")]
    u, it = users[perm], items[perm]
    starts = np.r_[0, np.flatnonzero(np.diff(u)) + 1]
    counts = np.diff(np.r_[starts, u.size])
    rank = np.arange(u.size) - np.repeat(starts, counts)  # position within the user's shuffled list
    n_user = np.repeat(counts, counts)
    # Held-out parts are taken from the end of each user's list.
    held = np.zeros(u.size, dtype=np.int64)  # 0 = train, k = k-th held-out part
    upper = n_user.copy()
    for k, f in enumerate(fractions, start=1):
        size = np.floor(n_user * f).astype(np.int64)
        if min_positives is not None:
            size = np.where(n_user >= min_positives, np.maximum(size, 1 if f > 0 else 0), 0)
        size = np.minimum(size, np.maximum(upper - min_train, 0))
        lower = upper - size
        held[(rank >= lower) & (rank < upper)] = k
        upper = lower
    return [(u[held == k], it[held == k]) for k in range(len(fractions) + 1)]
