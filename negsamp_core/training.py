"""The trainer: BPR matrix factorisation with a pluggable negative sampler, advanced in steps,
time budgets or epochs, emitting one frozen :class:`EpochRecord` per epoch.

It never prints and never imports a UI: the CLI, the app and the tests all consume its records.
Everything measured about the negatives (false negatives, hardness, popularity, histograms, the
label split of SRNS's memory) is computed by :mod:`negsamp_core.diagnostics`; the trainer is the loop.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np
import torch

from .config import RunSeeds, TrainConfig
from .data.dataset import Dataset
from .diagnostics import Counts, EpochDiagnostics, popularity_bin_edges
from .metrics import evaluate
from .model import MatrixFactorization, Scorer, bpr_row_gradients
from .optim import RowSparseOptimizer, make_optimizer, resolve_optimizer
from .samplers import SAMPLERS

__all__ = ["EpochRecord", "Trainer", "DIVERGED_LOSS", "popularity_bin_edges"]


# A batch whose mean BPR loss exceeds this (nats) means the scores have exploded: training
# starts at ln 2 ≈ 0.69 and a learning run stays well below 1.
DIVERGED_LOSS = 20.0


@dataclass(frozen=True)
class EpochRecord:
    """Diagnostics of one completed epoch (all means over the epoch's sampled negatives).

    Attributes:
        epoch: completed epochs (1-based).
        loss: mean BPR loss over the epoch's pairs (nats, without the L2 term).
        valid: validation metrics at ``eval_k`` (``recall@K``, ``ndcg@K``, ``precision@K``).
        fn_rate: share of sampled negatives that the user actually likes (false negatives).
        neg_score_mean, pos_score_mean, uniform_score_mean: model scores s(u, ·) at the time of
            the step, of sampled negatives, positives, and uniform non-positive items.
        hardness_mean: mean σ(s_uj - s_ui), the BPR gradient weight of a negative (0..1).
        neg_popularity_mean, uniform_popularity_mean: mean training popularity c_j.
        neg_score_hist, pos_score_hist, uniform_score_hist: counts over the fixed score bins.
        neg_popularity_hist: counts over :func:`popularity_bin_edges`. The four histograms are
            read-only sequences of non-negative ints (:class:`~negsamp_core.diagnostics.Counts`:
            ``len``, indexing, iteration, ``sum``, ``np.asarray``, equality with an equal
            sequence); stored compactly (~0.2 KB each instead of up to ~2.3 KB as a tuple of ints).
        sample_seconds: everything the sampler did (drawing, ``after_update`` such as IRGAN's
            online generator step, and the epoch-end work in ``on_epoch_end``: SRNS snapshots,
            IRGAN's generator phase).
        train_seconds: recommender update time (forward, backward, optimiser step).
        eval_seconds: validation time (reported apart); diag_seconds: diagnostics bookkeeping.
        elapsed_seconds: cumulative sample + train + eval seconds since the start of the run.
        n_scores: model scores computed for the sampler during the epoch, epoch-end work
            included: the recommender's, counted by its :class:`Scorer`, plus the growth of
            ``sampler.own_scores()`` (models the sampler owns, e.g. IRGAN's generator).
        n_pairs: positive pairs trained in the epoch.
        sampler_stats: sampler-specific means (IRGAN generator loss/reward/entropy, SRNS memory).
    """

    epoch: int
    loss: float
    valid: Mapping
    fn_rate: float
    neg_score_mean: float
    pos_score_mean: float
    uniform_score_mean: float
    hardness_mean: float
    neg_popularity_mean: float
    uniform_popularity_mean: float
    neg_score_hist: Sequence[int]
    pos_score_hist: Sequence[int]
    uniform_score_hist: Sequence[int]
    neg_popularity_hist: Sequence[int]
    sample_seconds: float
    train_seconds: float
    eval_seconds: float
    diag_seconds: float
    elapsed_seconds: float
    n_scores: int
    n_pairs: int
    sampler_stats: Mapping = field(default_factory=dict)

    @property
    def epoch_seconds(self) -> float:
        """THE seconds of an epoch: sample + train + diag (validation is reported apart)."""
        return self.sample_seconds + self.train_seconds + self.diag_seconds

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (mappings as dicts, histograms as lists)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, (tuple, Counts)):
                value = list(value)
            out[f.name] = value
        return out


@dataclass
class _EpochCost:
    """What one epoch cost so far: seconds per phase, counted scores, batches."""

    sample: float = 0.0
    train: float = 0.0
    diag: float = 0.0
    n_scores: int = 0
    n_batches: int = 0


class Trainer:
    """Train one recommender with one negative sampler.

    Args:
        dataset: the :class:`Dataset`.
        sampler: a name from :data:`SAMPLERS` (``"rns"``, ``"pns"``, ``"dns"``, ``"irgan"``, ``"srns"``).
        config: :class:`TrainConfig`.
        sampler_params: the sampler's parameters (see its ``PARAMS``); defaults otherwise.
        seed: run seed; model initialisation, batch order and diagnostics streams depend on it
            only, so trainers with the same seed and different samplers start from the same model
            and see the same batches.
        select_on: which model's validation metric picks the best epoch and drives early stopping:
            ``"recommender"`` (the model being trained, D; default) or ``"generator"`` (a model
            the sampler owns and that is evaluated as a recommender: IRGAN's G, as the IRGAN
            paper does). Either way both models are kept at the selected epoch.
    Raises:
        ValueError: impossible configuration (message says what to change).

    Advance with :meth:`run_steps`, :meth:`run_for` or :meth:`run_epochs`; each returns the
    :class:`EpochRecord` objects completed during the call, also appended to ``history``.
    A non-finite loss, or a batch loss above :data:`DIVERGED_LOSS`, stops the run: ``error`` holds
    the message (naming the learning rate), the recommender is restored to the last completed
    epoch, and ``history`` is kept.

    Sampler-owned models (IRGAN's generator G): a sampler that offers ``generator_state()`` /
    ``load_generator_state(state)`` has G's state saved in every epoch snapshot (so the best
    epoch's snapshot holds D and G, and a divergence restores both); :meth:`generator_metrics`
    evaluates G at the selected epoch (``which="best"``) or right after its initialisation and
    pretraining (``which="init"``, from the sampler's ``initial_generator_state()``).
    """

    SELECT_ON = ("recommender", "generator")
    # Clock of the phase timings (EpochRecord seconds): wall time; benchmarks on a shared machine set
    # ``Trainer.clock = staticmethod(time.process_time)`` to report CPU seconds instead.
    clock = staticmethod(time.perf_counter)

    def __init__(
        self,
        dataset: Dataset,
        sampler: str = "rns",
        config: TrainConfig = TrainConfig(),
        sampler_params: Mapping | None = None,
        seed: int = 0,
        select_on: str = "recommender",
    ):
        if sampler not in SAMPLERS:
            raise ValueError(f"unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}")
        if select_on not in self.SELECT_ON:
            raise ValueError(f"select_on must be one of {', '.join(self.SELECT_ON)}, got {select_on!r}")
        self.select_on = select_on
        config.validate(dataset.n_items)
        self.dataset, self.config, self.seed, self.sampler_name = dataset, config, int(seed), sampler
        seeds = RunSeeds(self.seed)
        self.model = MatrixFactorization(
            dataset.n_users,
            dataset.n_items,
            config.dim,
            item_bias=config.item_bias,
            init_std=config.init_std,
            generator=seeds.torch("init"),
        )
        self.scorer = Scorer(self.model)
        # Row-sparse optimisers (negsamp_core.optim) update the batch's rows only: O(B·d) per step.
        # The dense one ("adam") reads full gradient tables, reused by every step.
        self.optimizer_name = resolve_optimizer(
            config.optimizer, dataset.n_users + dataset.n_items, config.batch_size * (2 + config.n_negatives)
        )
        self.optimizer = make_optimizer(self.optimizer_name, self.model.parameters(), config.lr)
        self._sparse = isinstance(self.optimizer, RowSparseOptimizer)
        self._grads = None
        if not self._sparse:
            for param in self.model.parameters():
                param.grad = torch.zeros_like(param)
            self._grads = {name: param.grad for name, param in self.model.named_parameters()}
        self.sampler = SAMPLERS[sampler](
            dataset,
            config.n_negatives,
            rng=seeds.numpy("sampler"),
            torch_generator=seeds.torch("sampler"),
            **dict(sampler_params or {}),
        )
        self.sampler.eval_k = config.eval_k
        if select_on == "generator" and not self.has_generator:
            raise ValueError(f"select_on='generator' needs a sampler with its own generator (IRGAN), not {sampler!r}")
        self._order_rng = seeds.numpy("order")
        self.diagnostics = EpochDiagnostics(
            dataset,
            self.sampler.uniform,
            self.scorer.peek,
            score_edges=np.linspace(*config.score_range, config.score_bins + 1),
            popularity_edges=popularity_bin_edges(dataset.item_popularity.max()),
            uniform_probe=config.uniform_probe,
            rng=seeds.numpy("diagnostics"),
        )
        self.eval_users = self._evaluated_users()  # None = every user with a validation positive
        self.sampler.eval_users = self.eval_users  # the same users for sampler-side validation (IRGAN's G)
        self.history: list[EpochRecord] = []
        self.epoch, self._cursor, self._order = 0, 0, None
        self.elapsed = 0.0
        self.error: str | None = None
        self.stopped_early = False
        self.best_epoch, self.best_value = 0, -np.inf
        self._best_state = None
        self._good_state = self._snapshot_state()
        self._cost = _EpochCost()

    # Automatic evaluated-user sample (TrainConfig.eval_users = None): every validation user while the
    # full ranking computes at most max(AUTO_EVAL_MIN_SCORES, AUTO_EVAL_SCORES_PER_PAIR · training pairs)
    # scores. Measured (CPU s): that keeps validation below 20 % of an epoch at ML-1M and ML-20M sizes.
    AUTO_EVAL_MIN_SCORES = 1 << 24
    AUTO_EVAL_SCORES_PER_PAIR = 50
    _EVAL_SPAWN_KEY = (0x5CA1E,)  # the sample's own seed stream (same users for every sampler of a seed)

    def _evaluated_users(self) -> np.ndarray | None:
        """Users of the per-epoch validation: None (all of them) or a fixed sorted sample."""
        candidates = np.flatnonzero(self.dataset.valid.counts > 0)
        n = self.config.eval_users
        if n == 0:
            return None
        if n is None:
            budget = max(self.AUTO_EVAL_MIN_SCORES, self.AUTO_EVAL_SCORES_PER_PAIR * self.dataset.train.nnz)
            n = max(1, budget // self.dataset.n_items)
        if candidates.size <= n:
            return None
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=self._EVAL_SPAWN_KEY))
        return np.sort(rng.choice(candidates, size=int(n), replace=False))

    # ------------------------------------------------------------------ status
    @property
    def score_edges(self) -> np.ndarray:
        """float64 (score_bins + 1,): the fixed score histogram edges of every record."""
        return self.diagnostics.score_edges

    @property
    def popularity_edges(self) -> np.ndarray:
        """int64 edges of the records' popularity histograms (:func:`popularity_bin_edges`)."""
        return self.diagnostics.popularity_edges

    @property
    def steps_per_epoch(self) -> int:
        return int(np.ceil(self.dataset.train.nnz / self.config.batch_size))

    @property
    def step_in_epoch(self) -> int:
        return self._cost.n_batches

    @property
    def done(self) -> bool:
        """True when the run reached its epochs, stopped early, or diverged."""
        return self.error is not None or self.stopped_early or self.epoch >= self.config.epochs

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next step (live setting)."""
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a positive number, got {lr}")
        self.config = self.config.replace(lr=float(lr))
        for group in self.optimizer.param_groups:
            group["lr"] = float(lr)

    def set_epochs(self, epochs: int) -> None:
        """Change the number of epochs (live; cannot go below the completed ones)."""
        self.config = self.config.replace(epochs=max(int(epochs), self.epoch, 1))

    def resume(self) -> None:
        """Clear a divergence error (after lowering the learning rate) and continue."""
        self.error = None

    # ------------------------------------------------------------------ advancing
    def run_steps(self, n_steps: int) -> list[EpochRecord]:
        """Run up to ``n_steps`` batches (fewer if the run finishes)."""
        completed = []
        for _ in range(int(n_steps)):
            if self.done:
                break
            record = self._step()
            if record is not None:
                completed.append(record)
        return completed

    def run_for(self, seconds: float, max_steps: int | None = None) -> list[EpochRecord]:
        """Run batches until ``seconds`` of wall time have passed (at least one batch)."""
        completed, start, steps = [], time.perf_counter(), 0
        while not self.done and (steps == 0 or time.perf_counter() - start < seconds):
            if max_steps is not None and steps >= max_steps:
                break
            record = self._step()
            steps += 1
            if record is not None:
                completed.append(record)
        return completed

    def run_epochs(self, n_epochs: int | None = None, callback=None) -> list[EpochRecord]:
        """Run ``n_epochs`` more epochs (default: until done); ``callback(record)`` after each."""
        target = self.config.epochs if n_epochs is None else min(self.epoch + int(n_epochs), self.config.epochs)
        completed = []
        while not self.done and self.epoch < target:
            record = self._step()
            if record is not None:
                completed.append(record)
                if callback is not None:
                    callback(record)
        return completed

    # ------------------------------------------------------------------ one step
    def _counted_scores(self) -> int:
        """Scores computed so far: the recommender's (its Scorer counts) + the sampler's own models."""
        return self.scorer.n_scores + int(self.sampler.own_scores())

    def _step(self) -> EpochRecord | None:
        if self._order is None:
            self._order = self._order_rng.permutation(self.dataset.train.nnz)
        cfg, cost = self.config, self._cost
        idx = self._order[self._cursor : self._cursor + cfg.batch_size]
        users, pos = self.dataset.train_users[idx], self.dataset.train_items[idx]  # (B,), (B,)
        t0 = self.clock()
        counted_before = self._counted_scores()
        try:
            negatives = self.sampler.sample(users, pos, self.scorer)  # (B, K)
        except FloatingPointError as exc:
            return self._diverge(str(exc))
        t1 = self.clock()
        grads = bpr_row_gradients(self.model, users, pos, negatives, cfg.l2)
        loss = grads.loss
        if not np.isfinite(loss):
            return self._diverge("the BPR loss became NaN or infinite")
        if loss > DIVERGED_LOSS:
            return self._diverge(
                f"the BPR loss jumped to {loss:.3g} nats (it starts at ln 2 = 0.69 and a learning run stays below 1)"
            )
        if self._sparse:
            self.optimizer.step_rows(grads.by_parameter(self.model))
        else:
            grads.dense(self.model, out=self._grads)
            self.optimizer.step()
        t2 = self.clock()
        try:
            self.sampler.after_update(users, pos, negatives, self.scorer)
        except FloatingPointError as exc:
            return self._diverge(str(exc))
        t3 = self.clock()
        self.diagnostics.record_batch(
            users, negatives, grads.pos_scores, grads.neg_scores, loss, self.sampler.last, hardness=grads.hardness
        )
        cost.sample += (t1 - t0) + (t3 - t2)
        cost.train += t2 - t1
        cost.diag += self.clock() - t3
        cost.n_scores += self._counted_scores() - counted_before
        cost.n_batches += 1
        self._cursor += idx.size
        if self._cursor >= self.dataset.train.nnz:
            return self._end_epoch()
        return None

    # ------------------------------------------------------------------ epoch end
    def _end_epoch(self) -> EpochRecord:
        cost, cfg = self._cost, self.config
        self.epoch += 1
        self._cursor, self._order = 0, None
        t0 = self.clock()
        counted_before = self._counted_scores()
        self.sampler.on_epoch_end(self.epoch, self.scorer)  # epoch-end work counts in this epoch
        cost.n_scores += self._counted_scores() - counted_before
        sample_extra = self.clock() - t0
        t1 = self.clock()
        valid = evaluate(self.scorer.peek_all, self.dataset, "valid", ks=(cfg.eval_k,), users=self.eval_users)
        eval_seconds = self.clock() - t1
        sample_seconds = cost.sample + sample_extra
        self.elapsed += sample_seconds + cost.train + eval_seconds
        diag = self.diagnostics.finish()
        sampler_stats = {**self.sampler.epoch_stats(), **diag.pop("sampler_stats")}
        record = EpochRecord(
            epoch=self.epoch,
            valid=MappingProxyType(valid),
            **diag,
            sample_seconds=sample_seconds,
            train_seconds=cost.train,
            eval_seconds=eval_seconds,
            diag_seconds=cost.diag,
            elapsed_seconds=self.elapsed,
            n_scores=int(cost.n_scores),
            sampler_stats=MappingProxyType(sampler_stats),
        )
        self.history.append(record)
        self._cost = _EpochCost()
        self._good_state = self._snapshot_state()
        value = self._selection_value(valid)
        if np.isfinite(value) and value > self.best_value:
            self.best_value, self.best_epoch, self._best_state = value, self.epoch, self._good_state
        elif cfg.patience is not None and self.epoch - self.best_epoch >= cfg.patience:
            self.stopped_early = True
        return record

    def _selection_value(self, valid: Mapping) -> float:
        """The validation value that picks the best epoch: D's, or G's with select_on='generator'."""
        key = f"{self.config.select_metric}@{self.config.eval_k}"
        if self.select_on == "generator":
            return float(self.sampler.generator_valid().get(key, float("nan")))
        return float(valid.get(key, float("nan")))

    def _snapshot_state(self) -> dict:
        state = {
            "model": copy.deepcopy(self.model.state_dict()),
            "optimizer": copy.deepcopy(self.optimizer.state_dict()),
        }
        if self.has_generator:  # sampler-owned model (IRGAN's G): kept with D at every snapshot
            state["generator"] = self.sampler.generator_state()
        return state

    def _diverge(self, what: str) -> None:
        lr = self.config.lr
        self.error = (
            f"Training diverged at epoch {self.epoch + 1}, step {self._cost.n_batches + 1}: {what}. "
            f"The learning rate ({lr:g}) is most likely too large: lower it (e.g. to {lr / 10:g}) "
            f"and resume, or reset the run. The history so far is kept and the model is back "
            f"at the end of epoch {self.epoch}."
        )
        self.model.load_state_dict(self._good_state["model"])
        self.optimizer.load_state_dict(self._good_state["optimizer"])
        if "generator" in self._good_state:
            self.sampler.load_generator_state(self._good_state["generator"])
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self._cursor, self._order = 0, None
        self._order_rng = RunSeeds(self.seed).numpy("order")  # replay from a known stream position
        for _ in range(self.epoch):
            self._order_rng.permutation(self.dataset.train.nnz)
        self._cost = _EpochCost()
        self.diagnostics.reset()
        return None

    # ------------------------------------------------------------------ results
    def best_model_scores(self):
        """score_all function of the validation-best model (the current one if none yet)."""
        state = self._best_state or self._snapshot_state()
        model = copy.deepcopy(self.model)
        model.load_state_dict(state["model"])
        model.eval()
        return model.score_all

    def test_metrics(self, ks=None) -> dict:
        """Test metrics of the model at the validation-best epoch (never selected on test)."""
        ks = ks or (self.config.eval_k,)
        return evaluate(self.best_model_scores(), self.dataset, "test", ks=ks)

    # ------------------------------------------------------------------ sampler-owned generator (IRGAN)
    @property
    def has_generator(self) -> bool:
        """True when the sampler owns a model evaluated as a recommender (IRGAN's G)."""
        return callable(getattr(self.sampler, "generator_state", None))

    def generator_metrics(self, which: str = "best", split: str = "test", ks=None) -> dict | None:
        """Metrics of the sampler's generator on ``split`` (None if the sampler has none).

        ``which="best"``: G at the selected epoch (the current G before any epoch completed);
        ``"init"``: G right after its initialisation and pretraining, before adversarial training.
        Selection never looks at test: the selected epoch comes from validation only.
        """
        if not self.has_generator:
            return None
        if which == "best":
            state = (self._best_state or {}).get("generator") or self.sampler.generator_state()
        elif which == "init":
            state = self.sampler.initial_generator_state()
        else:
            raise ValueError(f"which must be 'best' or 'init', got {which!r}")
        ks = ks or (self.config.eval_k,)
        return evaluate(self.sampler.generator_scores(state), self.dataset, split, ks=ks)

    def generator_test_metrics(self, which: str = "best", ks=None) -> dict | None:
        """Test metrics of G at the validation-selected epoch (``"best"``) or after pretraining (``"init"``)."""
        return self.generator_metrics(which, "test", ks)
