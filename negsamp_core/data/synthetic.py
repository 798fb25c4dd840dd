"""The synthetic world: users and items with hidden tastes, so false negatives are known exactly.

Generative story (all draws from one ``np.random.Generator`` seeded by ``seed``):

1. Items: each belongs to one of ``n_genres`` genres and gets a popularity weight
   π_i ∝ rank^(-popularity_skew) (a Zipf long tail, ranks shuffled).
2. Users: a taste mixture θ_u ~ Dirichlet(0.3) over genres (most users love one or two genres).
   With ``minority_share`` = m > 0 the users form two groups of unequal size: the first
   (1 - m)·U users (the majority) weight the first half of the genres 20x more than the second
   half, the last m·U users (the minority) the other way round. Item popularity is still drawn
   independently of genre, but *training* popularity (what PNS counts) then follows the
   majority's tastes, because the majority observes more.
3. Liking (the hidden truth): affinity a_ui = log θ_u[g_i] + 0.5·z_i + 0.3·log(I·π_i) + ε_ui with item
   quality z_i ~ N(0, 1) and noise ε ~ N(0, 0.5²); user u likes i when a_ui is in the top
   ``density`` share of all pairs (and every user likes at least 3 items).
4. Exposure: a liked pair is *observed* with probability min(1, c·π_i^exposure_bias), with c set
   by bisection so that the share of liked pairs observed is ``observation_rate`` (popular items
   are seen more often). Every user keeps at least one observed item.
5. Observed pairs are split per user into train / validation / test.

Every liked item that is not a training positive is a false negative when drawn as a negative.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .dataset import Dataset, PositiveSets
from .split import split_per_user

__all__ = ["SyntheticConfig", "make_synthetic", "GENRES"]

GENRES = (
    "Action",
    "Comedy",
    "Drama",
    "Sci-fi",
    "Romance",
    "Horror",
    "Documentary",
    "Animation",
    "Thriller",
    "Western",
    "Musical",
    "Mystery",
    "Fantasy",
    "Crime",
    "War",
    "Family",
)


@dataclass(frozen=True)
class SyntheticConfig:
    """Knobs of the synthetic world (all validated by :meth:`validate`).

    Attributes:
        n_users: number of users (10..20000).
        n_items: number of items (20..20000).
        n_genres: taste clusters (1..16).
        density: share of all (user, item) pairs that are truly liked (0.005..0.5).
        popularity_skew: Zipf exponent of item popularity (0 = flat, 1 = classic long tail).
        observation_rate: share of liked pairs that are observed (0.02..1); lower means more
            false negatives hidden among the unobserved items.
        exposure_bias: how strongly popularity drives which liked items are observed (0 = not).
        minority_share: share of users in a second taste group (0 = one population; 0.2 = a
            20 % minority whose favourite genres are the majority's least favourite). Needs at
            least 2 genres.
        valid_fraction, test_fraction: per-user held-out shares of the observed pairs.
    """

    n_users: int = 400
    n_items: int = 1000
    n_genres: int = 8
    density: float = 0.05
    popularity_skew: float = 1.0
    observation_rate: float = 0.3
    exposure_bias: float = 1.0
    valid_fraction: float = 0.1
    test_fraction: float = 0.1
    minority_share: float = 0.0

    def validate(self) -> None:
        """Raise ValueError naming the first knob out of range and its allowed range."""
        checks = [
            ("n_users", 10, 20000),
            ("n_items", 20, 20000),
            ("n_genres", 1, len(GENRES)),
            ("density", 0.005, 0.5),
            ("popularity_skew", 0.0, 3.0),
            ("observation_rate", 0.02, 1.0),
            ("exposure_bias", 0.0, 3.0),
            ("valid_fraction", 0.0, 0.4),
            ("test_fraction", 0.0, 0.4),
            ("minority_share", 0.0, 0.5),
        ]
        for key, low, high in checks:
            value = getattr(self, key)
            if not (low <= value <= high):
                raise ValueError(f"synthetic world: {key} must lie in [{low}, {high}], got {value}")
        if self.valid_fraction + self.test_fraction >= 0.8:
            raise ValueError("synthetic world: valid_fraction + test_fraction must stay below 0.8")
        if self.minority_share > 0 and self.n_genres < 2:
            raise ValueError("synthetic world: two user groups (minority_share > 0) need n_genres >= 2")


def _observation_scale(pi_liked: np.ndarray, target: float) -> float:
    """c such that mean(min(1, c·π)) over liked pairs equals ``target`` (bisection)."""
    lo, hi = 0.0, target / max(pi_liked.min(), 1e-300)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.minimum(1.0, mid * pi_liked).mean() < target:
            lo = mid
        else:
            hi = mid
    return hi


def _user_groups(n_users: int, minority_share: float) -> np.ndarray:
    """np.int64 (U,): 0 for the first round((1 - m)·U) users (majority), 1 for the rest (minority)."""
    group = np.zeros(n_users, dtype=np.int64)
    n_minority = int(round(minority_share * n_users))
    if n_minority:
        group[n_users - n_minority :] = 1
    return group


def make_synthetic(
    config: SyntheticConfig | None = None, seed: int = 0, *, min_positives_to_split: int | None = None, **overrides
) -> Dataset:
    """Build the synthetic world (deterministic in ``seed``; ~20 ms at the default size).

    Args:
        config: a :class:`SyntheticConfig` (default sizes if None); ``overrides`` replace fields.
        seed: integer seed of the world.
        min_positives_to_split: users with fewer observed positives get no held-out pairs (None:
            ``floor(n * fraction)`` per part, see :func:`split_per_user`).
    Returns:
        a :class:`Dataset` with ``true_likes`` (exact false negatives), ``item_groups`` (genre ids),
        readable item names such as ``"Sci-fi 12"``, and ``info["config"]``.
    Raises:
        ValueError: a knob out of range.
    """
    cfg = SyntheticConfig(**{**asdict(config or SyntheticConfig()), **overrides})
    cfg.validate()
    rng = np.random.default_rng(seed)
    n_u, n_i = cfg.n_users, cfg.n_items
    genre = rng.integers(0, cfg.n_genres, size=n_i)  # (I,)
    rank = rng.permutation(n_i) + 1
    pi = rank.astype(np.float64) ** -cfg.popularity_skew
    pi /= pi.sum()  # (I,) popularity
    theta = rng.dirichlet(np.full(cfg.n_genres, 0.3), size=n_u)  # (U, G)
    group = _user_groups(n_u, cfg.minority_share)  # (U,) 0 = majority, 1 = minority
    if cfg.minority_share > 0:
        half = np.arange(cfg.n_genres) >= cfg.n_genres // 2  # (G,) second half of the genres
        weight = np.where(half[None, :] == (group[:, None] == 1), 1.0, 0.05)  # (U, G)
        theta = theta * weight
        theta /= theta.sum(axis=1, keepdims=True)
    quality = rng.normal(size=n_i)
    affinity = (
        np.log(theta[:, genre] + 1e-12)
        + 0.5 * quality
        + 0.3 * np.log(n_i * pi)
        + rng.normal(scale=0.5, size=(n_u, n_i))
    )  # (U, I)
    cut = np.quantile(affinity, 1.0 - cfg.density)
    liked = affinity >= cut
    top3 = np.argpartition(-affinity, 2, axis=1)[:, :3]
    liked[np.arange(n_u)[:, None], top3] = True
    lu, li = np.nonzero(liked)
    exposure = pi[li] ** cfg.exposure_bias
    p_obs = np.minimum(1.0, _observation_scale(exposure, cfg.observation_rate) * exposure)
    observed = rng.random(li.size) < p_obs
    # every user keeps at least one observed item: their most exposed liked item
    best = np.full(n_u, -1)
    order = np.lexsort((-exposure, lu))
    first = np.r_[True, lu[order][1:] != lu[order][:-1]]
    best[lu[order][first]] = order[first]
    observed[best[best >= 0]] = True
    train, valid, test = split_per_user(
        lu[observed], li[observed], (cfg.valid_fraction, cfg.test_fraction), rng, min_positives=min_positives_to_split
    )
    names = tuple(f"{GENRES[g]} {k}" for k, g in enumerate(genre))
    return Dataset.from_pairs(
        "synthetic",
        n_u,
        n_i,
        train=train,
        valid=valid,
        test=test,
        true_likes=PositiveSets.from_pairs(lu, li, n_u, n_i),
        item_groups=genre.astype(np.int64),
        user_groups=group if cfg.minority_share > 0 else None,
        item_names=names,
        info={
            "source": "synthetic world (embedded, generated on the fly)",
            "licence": "MIT (this project)",
            "config": asdict(cfg),
            "seed": int(seed),
            "genres": GENRES[: cfg.n_genres],
            "false_negatives": "exact: liked by the hidden ground truth but not a training positive",
        },
    )
