"""Several samplers trained side by side on equal terms (same data, seed, initial model, batches)."""

from __future__ import annotations

import time
from typing import Mapping

from .config import TrainConfig
from .data.dataset import Dataset
from .training import EpochRecord, Trainer

__all__ = ["Comparison"]


class Comparison:
    """One :class:`Trainer` per sampler, all built from the same seed and configuration.

    Trainers with the same seed start from identical model parameters and see identical batch
    orders (see :class:`~negsamp_core.config.RunSeeds`), so only the sampler differs.

    Args:
        dataset: the :class:`Dataset`.
        samplers: sampler names, e.g. ``("rns", "pns", "dns", "irgan", "srns")``.
        config: shared :class:`TrainConfig`.
        sampler_params: ``{name: {param: value}}`` for samplers that have parameters.
        seed: the run seed.
    Raises:
        ValueError: empty or unknown sampler list, or an invalid setting (from the trainers).
    """

    def __init__(self, dataset: Dataset, samplers, config: TrainConfig = TrainConfig(),
                 sampler_params: Mapping | None = None, seed: int = 0):
        samplers = list(dict.fromkeys(samplers))
        if not samplers:
            raise ValueError("choose at least one sampler to compare")
        params = dict(sampler_params or {})
        self.dataset, self.config, self.seed = dataset, config, int(seed)
        self.trainers: dict[str, Trainer] = {
            name: Trainer(dataset, name, config, params.get(name), seed) for name in samplers
        }

    @property
    def done(self) -> bool:
        return all(t.done for t in self.trainers.values())

    @property
    def histories(self) -> dict[str, list[EpochRecord]]:
        return {name: t.history for name, t in self.trainers.items()}

    def run_steps(self, n_steps: int) -> dict[str, list[EpochRecord]]:
        """Advance every unfinished trainer by ``n_steps`` batches (lockstep in steps)."""
        return {name: t.run_steps(n_steps) for name, t in self.trainers.items() if not t.done}

    def run_for(self, seconds: float, max_steps: int | None = None,
                steps_per_slice: int = 1) -> dict[str, list[EpochRecord]]:
        """Round-robin slices of ``steps_per_slice`` batches per trainer until ``seconds`` pass
        or every unfinished trainer has run ``max_steps`` batches (at least one slice).

        Trainers stay within one slice of each other in steps, so epochs complete together and
        a slow sampler slows the whole comparison instead of falling behind.
        """
        completed: dict[str, list[EpochRecord]] = {name: [] for name in self.trainers}
        start, steps = time.perf_counter(), 0
        while not self.done and (max_steps is None or steps < max_steps):
            for name, trainer in self.trainers.items():
                if not trainer.done:
                    completed[name].extend(trainer.run_steps(steps_per_slice))
            steps += steps_per_slice
            if time.perf_counter() - start >= seconds:
                break
        return completed

    def run_epochs(self, n_epochs: int | None = None, callback=None) -> None:
        """Run each trainer for ``n_epochs`` (default: to the end), one after the other."""
        for name, trainer in self.trainers.items():
            trainer.run_epochs(n_epochs, callback=None if callback is None else
                               (lambda record, name=name: callback(name, record)))
