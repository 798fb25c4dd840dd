"""A live training run for the app: a :class:`~negsamp_core.compare.Comparison` advanced in
time-budgeted chunks, plus what decides when it must be rebuilt. No Streamlit here.

* :class:`RunSpec` is everything chosen on a page; :meth:`RunSpec.identity` is its structural part
  (dataset, seed, arms, embedding size, batch, K, top-K, non-live sampler parameters): a
  change there needs a new run. Arms are plain samplers (the page's settings of that sampler) or
  variants (:class:`~negsamp_core.arms.Arm`: the page's settings with some parameters overridden,
  e.g. ``Arm("DNS M=1", "dns", {"candidates": 1})``), all keyed by label. The rest (learning rate, epochs, live sampler parameters) is
  applied to the running trainers by :meth:`LiveRun.apply_live` at the next tick.
* :meth:`LiveRun.advance` runs whole batches round-robin over the unfinished trainers until a step
  count or a time budget is reached (no UI call in the middle), so a tick stays ~100-200 ms.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from negsamp_core.arms import Arm
from negsamp_core.compare import Comparison
from negsamp_core.config import TrainConfig, preset
from negsamp_core.data.dataset import Dataset
from negsamp_core.results import summarize_runs, to_jsonable
from negsamp_core.samplers import SAMPLERS

from .i18n import sampler_label

__all__ = [
    "RunSpec",
    "LiveRun",
    "train_defaults",
    "param_defaults",
    "history_frame",
    "history_json",
    "history_csv",
    "run_tests",
    "results_frame",
    "TICK_BUDGET_S",
]

TICK_BUDGET_S = 0.2  # seconds of training per tick


def train_defaults(dataset_kind: str) -> dict:
    """The page settings of a dataset kind's preset (:func:`negsamp_core.config.preset`)."""
    c = preset(dataset_kind)
    return {"epochs": c.epochs, "lr": c.lr, "dim": c.dim, "batch": c.batch_size, "k": c.n_negatives, "topk": c.eval_k}


def param_defaults(sampler: str) -> dict:
    return {p.name: p.default for p in SAMPLERS[sampler].PARAMS}


@dataclass(frozen=True)
class RunSpec:
    """Everything a page chose for a run.

    Attributes:
        dataset_key: identity of the dataset (see :func:`lab_ui.datasets.dataset_key`).
        samplers: the arms in display order: sampler names (the page's settings of that sampler)
            and/or :class:`~negsamp_core.arms.Arm` variants (the page's settings under their own).
        config: the shared :class:`TrainConfig`.
        params: ``{sampler: {param: value}}`` (every parameter of every sampler an arm uses).
        seed: the run seed.
    """

    dataset_key: tuple
    samplers: tuple
    config: TrainConfig
    params: Mapping = field(default_factory=dict)
    seed: int = 0

    def arms(self) -> list[Arm]:
        """The arms, in order (a sampler name is the arm labelled by its name)."""
        return [Arm.of(a) for a in self.samplers]

    def used_samplers(self) -> list[str]:
        """The samplers the arms use, each once, in order."""
        return list(dict.fromkeys(a.sampler for a in self.arms()))

    def arm_params(self, arm: Arm) -> dict:
        """An arm's parameters: the page's settings of its sampler, then the arm's own."""
        return {**dict(self.params.get(arm.sampler, {})), **dict(arm.params)}

    def identity(self) -> dict:
        """The structural settings: a change here needs a new run."""
        c = self.config
        arms = tuple(a.sampler if a.plain else a.key() for a in self.arms())
        ident = {
            "dataset": self.dataset_key,
            "seed": self.seed,
            "samplers": arms,
            "dim": c.dim,
            "batch_size": c.batch_size,
            "n_negatives": c.n_negatives,
            "eval_k": c.eval_k,
        }
        for name in self.used_samplers():
            for spec in SAMPLERS[name].PARAMS:
                if not spec.live:
                    ident[f"{name}.{spec.name}"] = self.params.get(name, {}).get(spec.name, spec.default)
        return ident

    def live(self, label: str) -> dict:
        """The live parameters of the arm labelled ``label`` (a plain sampler's label is its name)."""
        arm = next((a for a in self.arms() if a.label == label), None) or Arm.of(label)
        params = self.arm_params(arm)
        return {p.name: params.get(p.name, p.default) for p in SAMPLERS[arm.sampler].PARAMS if p.live}


def changed_fields(old: Mapping, new: Mapping) -> list[str]:
    """Keys whose values differ between two identities (in the new one's order).

    Parameters of samplers that were added or removed are not listed: "the samplers changed"
    already says it (the learner never touched those settings).
    """
    kept = {a if isinstance(a, str) else a[1] for a in old.get("samplers", ())} & {
        a if isinstance(a, str) else a[1] for a in new.get("samplers", ())
    }

    def relevant(key: str) -> bool:
        return "." not in key or key.split(".", 1)[0] in kept

    return [k for k in new if relevant(k) and old.get(k) != new[k]] + [k for k in old if relevant(k) and k not in new]


class LiveRun:
    """One comparison (one or more arms) that a page plays, pauses, steps and resets.

    Raises:
        ValueError: impossible settings (from the trainers), message says what to change.
    """

    def __init__(self, dataset: Dataset, spec: RunSpec):
        self.dataset, self.spec = dataset, spec
        self.comparison = Comparison(
            dataset,
            spec.arms(),
            spec.config,
            {n: dict(spec.params.get(n, {})) for n in spec.used_samplers()},
            spec.seed,
        )
        self.identity = spec.identity()
        self.created = time.time()
        self.first_epoch_wall: float | None = None  # wall seconds from the first advance to the first epoch
        self._first_advance: float | None = None
        self.ticks = 0

    @property
    def trainers(self):
        return self.comparison.trainers

    @property
    def histories(self) -> dict:
        return self.comparison.histories

    @property
    def arms(self) -> dict[str, Arm]:
        """``{label: Arm}`` in display order."""
        return self.comparison.arms

    def sampler_of(self, label: str) -> str:
        return self.comparison.arms[label].sampler

    @property
    def done(self) -> bool:
        return self.comparison.done

    @property
    def started(self) -> bool:
        return any(t.epoch or t.step_in_epoch for t in self.trainers.values())

    def apply_live(self, spec: RunSpec) -> list[str]:
        """Apply learning rate, epochs and live sampler parameters; return error messages."""
        errors = []
        for name, trainer in self.trainers.items():
            if trainer.config.lr != spec.config.lr:
                try:
                    trainer.set_lr(spec.config.lr)
                except ValueError as exc:
                    errors.append(str(exc))
            if trainer.config.epochs != spec.config.epochs:
                trainer.set_epochs(spec.config.epochs)
            wanted = spec.live(name)
            diff = {k: v for k, v in wanted.items() if trainer.sampler.params.get(k) != v}
            if diff:
                try:
                    trainer.sampler.set_params(**diff)
                except ValueError as exc:
                    errors.append(f"{sampler_label(name)}: {exc}")
        self.spec = spec
        return errors

    def advance(self, max_steps: int, budget_s: float = TICK_BUDGET_S) -> None:
        """Round-robin whole batches over unfinished trainers until ``max_steps`` batches each or
        ``budget_s`` seconds have passed (at least one batch): :meth:`Comparison.run_for`."""
        if self._first_advance is None:
            self._first_advance = time.perf_counter()
        self.comparison.run_for(budget_s, max_steps=max_steps)
        self.ticks += 1
        if self.first_epoch_wall is None and all(t.history for t in self.trainers.values()):
            self.first_epoch_wall = time.perf_counter() - self._first_advance

    def step(self) -> None:
        """One batch for every unfinished trainer."""
        self.advance(1, budget_s=float("inf"))


# ---------------------------------------------------------------------------- export
_SCALARS = (
    "epoch",
    "loss",
    "fn_rate",
    "neg_score_mean",
    "pos_score_mean",
    "uniform_score_mean",
    "hardness_mean",
    "neg_popularity_mean",
    "uniform_popularity_mean",
    "sample_seconds",
    "train_seconds",
    "eval_seconds",
    "elapsed_seconds",
    "n_scores",
    "n_pairs",
)


def history_frame(histories: Mapping[str, list], tests: Mapping[str, tuple] | None = None) -> pd.DataFrame:
    """One row per (arm, epoch): scalar diagnostics, validation metrics, sampler statistics.

    ``tests`` = ``{label: (best_epoch, {metric: value})}`` adds ``best_epoch`` (True on the
    validation-best epoch) and ``test_<metric>`` columns, filled on that epoch's row.
    """
    rows = []
    for name, records in histories.items():
        best, test = (tests or {}).get(name, (None, {}))
        for r in records:
            row = {"sampler": sampler_label(name)}
            row.update({k: getattr(r, k) for k in _SCALARS})
            row.update({f"valid_{k}": v for k, v in r.valid.items() if k != "n_users"})
            if tests is not None:
                row["best_epoch"] = r.epoch == best
                row.update(
                    {f"test_{k}": (v if r.epoch == best else None) for k, v in (test or {}).items() if k != "n_users"}
                )
            row.update({f"stat_{k}": v for k, v in r.sampler_stats.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def run_tests(run: "LiveRun") -> dict[str, tuple]:
    """``{label: (best_epoch, test metrics at it)}`` of a finished run's arms (for the CSV)."""
    return {label: (t.best_epoch, t.test_metrics()) for label, t in run.trainers.items() if t.history}


def history_json(run: LiveRun) -> str:
    """The run's full record: settings, dataset summary, shared bin edges and every epoch."""
    any_trainer = next(iter(run.trainers.values()))
    payload = {
        "app": "Negative Sampling Lab",
        "dataset": run.dataset.summary(),
        "seed": run.spec.seed,
        "config": run.spec.config.to_dict(),
        "samplers": {n: dict(t.sampler.params) for n, t in run.trainers.items()},
        "arms": [{"label": a.label, "sampler": a.sampler, "params": dict(a.params)} for a in run.arms.values()],
        "score_edges": any_trainer.score_edges.tolist(),
        "popularity_edges": any_trainer.popularity_edges.tolist(),
        "histories": {n: [r.to_dict() for r in h] for n, h in run.histories.items()},
    }
    return json.dumps(to_jsonable(payload), indent=1)


def history_csv(histories: Mapping[str, list], tests: Mapping[str, tuple] | None = None) -> str:
    """The history as CSV (with the test metrics at the validation-best epoch when ``tests`` is given)."""
    buf = io.StringIO()
    history_frame(histories, tests).to_csv(buf, index=False)
    return buf.getvalue()


def results_frame(run: LiveRun, columns: Mapping[str, str], test: bool = True) -> pd.DataFrame:
    """The results table: one row per sampler (column names given translated by the caller), from
    :func:`negsamp_core.results.run_summary` (the CLI's numbers).

    ``columns`` maps the internal names (sampler, epochs, loss, best_epoch, valid_ndcg, valid_recall,
    test_ndcg, test_recall, fn_rate, hardness, neg_pop, sec_epoch, sample_share, scores_epoch) to labels;
    ``valid_sec`` (validation seconds per epoch) and ``x_rns`` (seconds per epoch as a multiple of RNS's)
    are added when ``columns`` names them. Seconds per epoch exclude validation and the warm-up epoch;
    fn rate, hardness and popularity are means over the epochs. Test metrics (at the validation-best
    epoch) are computed only when ``test`` is True.
    """
    k = run.spec.config.eval_k
    rows = []
    summaries = summarize_runs(
        {
            name: {"history": t.history, "best_epoch": t.best_epoch, "test": t.test_metrics() if test else None}
            for name, t in run.trainers.items()
            if t.history
        }
    )
    for name, s in summaries.items():
        h = run.trainers[name].history
        row = {
            "sampler": sampler_label(name),
            "epochs": s["epochs"],
            "loss": s["loss"],
            "best_epoch": s["best_epoch"],
            "valid_ndcg": max(r.valid.get(f"ndcg@{k}", np.nan) for r in h),
            "valid_recall": max(r.valid.get(f"recall@{k}", np.nan) for r in h),
        }
        if test:
            row["test_ndcg"], row["test_recall"] = s["test"].get(f"ndcg@{k}"), s["test"].get(f"recall@{k}")
        row.update(
            fn_rate=s["fn_rate"],
            hardness=s["hardness"],
            neg_pop=s["neg_popularity"],
            sec_epoch=s["sec_epoch"],
            sample_share=s["sample_share"],
            scores_epoch=s["scores_epoch"],
        )
        row.update({key: s[key] for key in ("valid_sec", "x_rns") if key in columns})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.rename(columns={c: columns.get(c, c) for c in frame.columns})
