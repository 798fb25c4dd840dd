"""The toy world: 6 named users and 12 named films, small enough to show every sampled negative."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset, PositiveSets

__all__ = ["make_toy", "TOY_ITEMS", "TOY_USERS"]

TOY_ITEMS = (
    "Star Voyage",
    "Robot Dawn",
    "Mars Colony",
    "Time Loop",  # 0-3 sci-fi
    "Paris in Spring",
    "Letters Home",
    "Summer Wedding",
    "Moonlit Café",  # 4-7 romance
    "Panda Kung Fu",
    "Ocean Friends",
    "Toy Town",
    "Dragon Kite",  # 8-11 animation
)
TOY_GENRES = ("Sci-fi", "Romance", "Animation")
TOY_USERS = ("Ana", "Ben", "Chen", "Dana", "Eli", "Fang")

# user -> (truly liked, train, valid, test); liked minus train are the false negatives.
_TOY = {
    "Ana": ((0, 1, 2, 3, 9), (0, 1), (2,), (3,)),
    "Ben": ((4, 5, 6, 7, 2), (4, 5), (6,), (7,)),
    "Chen": ((8, 9, 10, 11, 4), (8, 9), (10,), (11,)),
    "Dana": ((0, 2, 3, 8, 10), (0, 8), (3,), (10,)),
    "Eli": ((4, 6, 7, 1, 3), (4, 1), (7,), (3,)),
    "Fang": ((8, 9, 11, 5, 6), (9, 5), (11,), (6,)),
}


def _pairs(column: int) -> tuple[np.ndarray, np.ndarray]:
    users, items = [], []
    for u, name in enumerate(TOY_USERS):
        for item in _TOY[name][column]:
            users.append(u)
            items.append(item)
    return np.array(users, dtype=np.int64), np.array(items, dtype=np.int64)


def make_toy(seed: int = 0) -> Dataset:
    """The toy world (fixed; ``seed`` is accepted for a uniform loader interface and ignored).

    Returns:
        a :class:`Dataset` with 6 users, 12 items, 2 training positives per user, one validation
        and one test positive per user, and ground truth (5 liked films per user).
    """
    genre = np.repeat(np.arange(3, dtype=np.int64), 4)
    return Dataset.from_pairs(
        "toy",
        len(TOY_USERS),
        len(TOY_ITEMS),
        train=_pairs(1),
        valid=_pairs(2),
        test=_pairs(3),
        true_likes=PositiveSets.from_pairs(*_pairs(0), len(TOY_USERS), len(TOY_ITEMS)),
        item_names=TOY_ITEMS,
        user_names=TOY_USERS,
        item_groups=genre,
        info={
            "source": "toy world (embedded)",
            "licence": "MIT (this project)",
            "genres": TOY_GENRES,
            "false_negatives": "exact: liked by the hidden ground truth but not a training positive",
        },
    )
