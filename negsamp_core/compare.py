"""Several arms trained side by side on equal terms (same data, seed, initial model, batches).

An arm is a sampler with its settings and a label (:class:`~negsamp_core.arms.Arm`), so one
sampler can race itself: DNS with M = 1, 8 and 32 as three arms.
"""

from __future__ import annotations

import time
from typing import Mapping

from .arms import Arm, as_arms
from .config import TrainConfig
from .data.dataset import Dataset
from .training import EpochRecord, Trainer

__all__ = ["Comparison"]


class Comparison:
    """One :class:`Trainer` per arm, all built from the same seed and configuration.

    Trainers with the same seed start from identical model parameters, see identical batch orders
    and draw from identical sampler streams (see :class:`~negsamp_core.config.RunSeeds`), so only
    the sampler and its settings differ: DNS with M = 1 reproduces RNS draw for draw.

    Args:
        dataset: the :class:`Dataset`.
        samplers: arms: sampler names (``("rns", "pns", "dns", "irgan", "srns")``, each labelled by
            its name) and/or :class:`~negsamp_core.arms.Arm` objects (``Arm("DNS M=8", "dns",
            {"candidates": 8})``). Histories and trainers are keyed by the arms' labels.
        config: shared :class:`TrainConfig`.
        sampler_params: ``{sampler name: {param: value}}``: shared settings of a sampler, under
            each arm's own ``params``.
        seed: the run seed.
    Raises:
        ValueError: no arm, unknown sampler, two different arms with one label, or an invalid
            setting (from the trainers).
    """

    def __init__(
        self,
        dataset: Dataset,
        samplers,
        config: TrainConfig = TrainConfig(),
        sampler_params: Mapping | None = None,
        seed: int = 0,
    ):
        arms = as_arms(samplers)
        if not arms:
            raise ValueError("choose at least one sampler to compare")
        params = dict(sampler_params or {})
        self.dataset, self.config, self.seed = dataset, config, int(seed)
        self.arms: dict[str, Arm] = {arm.label: arm for arm in arms}
        self.trainers: dict[str, Trainer] = {
            arm.label: Trainer(
                dataset, arm.sampler, config, {**dict(params.get(arm.sampler) or {}), **dict(arm.params)}, seed
            )
            for arm in arms
        }

    @property
    def done(self) -> bool:
        return all(t.done for t in self.trainers.values())

    @property
    def histories(self) -> dict[str, list[EpochRecord]]:
        return {name: t.history for name, t in self.trainers.items()}

    def run_steps(self, n_steps: int) -> dict[str, list[EpochRecord]]:
        """Advance every unfinished trainer by ``n_steps`` batches (lockstep in steps); keyed by arm label."""
        return {name: t.run_steps(n_steps) for name, t in self.trainers.items() if not t.done}

    def run_for(
        self, seconds: float, max_steps: int | None = None, steps_per_slice: int = 1
    ) -> dict[str, list[EpochRecord]]:
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
            trainer.run_epochs(
                n_epochs, callback=None if callback is None else (lambda record, name=name: callback(name, record))
            )
