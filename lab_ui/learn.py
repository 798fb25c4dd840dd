"""The Learn page's live illustration: every sampler trains on the toy world for a few epochs
and we count, per (user, item), how often it drew the item as a negative. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negsamp_core.config import TrainConfig
from negsamp_core.data import Dataset, make_toy
from negsamp_core.samplers import SAMPLERS
from negsamp_core.training import Trainer

from .sampler_views import view_for

__all__ = ["ToyDraws", "toy_draws", "TOY_CONFIG"]

TOY_CONFIG = TrainConfig(dim=8, lr=0.05, batch_size=4, n_negatives=2, epochs=20, eval_k=3)


@dataclass(frozen=True)
class ToyDraws:
    """Counts of draws on the toy world.

    Attributes:
        dataset: the toy :class:`Dataset`.
        counts: ``{sampler: np.int64 array (n_users, n_items)}``, times item j was drawn for user u.
        epochs: epochs each sampler trained.
    """

    dataset: Dataset
    counts: dict
    epochs: int

    def liked_hidden(self, user: int) -> np.ndarray:
        """bool (n_items,): liked by the ground truth but not a training positive (false negatives)."""
        items = np.arange(self.dataset.n_items)
        return self.dataset.is_false_negative(np.full(items.size, user), items) & ~self.positive(user)

    def positive(self, user: int) -> np.ndarray:
        mask = np.zeros(self.dataset.n_items, dtype=bool)
        mask[self.dataset.train.row(user)] = True
        return mask

    def fn_share(self, sampler: str, user: int) -> float:
        c = self.counts[sampler][user]
        return float(c[self.liked_hidden(user)].sum() / max(c.sum(), 1))


def toy_draws(seed: int = 0, epochs: int = TOY_CONFIG.epochs, samplers=None) -> ToyDraws:
    """Train each sampler (default: every registered one) on the toy world from the same seed,
    with its view's small toy settings, counting every negative it draws."""
    dataset = make_toy(seed)
    config = TOY_CONFIG.replace(epochs=epochs)
    counts = {}
    for name in (tuple(SAMPLERS) if samplers is None else samplers):
        trainer = Trainer(dataset, name, config, dict(view_for(name).toy_params) or None, seed=seed)
        c = np.zeros((dataset.n_users, dataset.n_items), dtype=np.int64)
        while not trainer.done:
            trainer.run_steps(1)
            last = trainer.sampler.last
            if "negatives" in last:
                users = np.repeat(last["users"], last["negatives"].shape[1])
                np.add.at(c, (users, last["negatives"].ravel()), 1)
        counts[name] = c
    return ToyDraws(dataset, counts, epochs)
