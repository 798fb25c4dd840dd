"""The one results summary of a run and of runs over seeds, and the one JSON serialiser.

Used by the CLI's table and JSON and by the app's results table, so both report the same numbers:

* seconds per epoch = mean of :func:`epoch_seconds` (sampling, epoch-end work included, + update +
  diagnostics) over the epochs after the first: the first epoch of every sampler is reported in the
  history but is a warm-up, excluded here. Validation seconds are reported separately.
* cost as a multiple of RNS: a sampler's seconds per epoch over RNS's in the same run (when RNS ran).
* over seeds: mean, standard deviation and a Student-t 95 % interval per metric, and paired
  differences against RNS on the same seeds with their t-intervals.

Records may be :class:`~negsamp_core.training.EpochRecord` objects or their ``to_dict()`` form.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from .diagnostics import Counts

__all__ = [
    "epoch_seconds",
    "epoch_scores",
    "run_summary",
    "summarize_runs",
    "mean_interval",
    "seeds_summary",
    "to_jsonable",
    "t_quantile",
    "INTERVAL",
    "GENERATOR_KEYS",
    "DIAGNOSTICS",
]

INTERVAL = "student-t 95%"
# Optional per-run test results summarised like "test" when present (IRGAN's generator).
GENERATOR_KEYS = ("test_generator", "test_generator_init")
# Per-run diagnostics of run_summary that are also summarised over seeds.
DIAGNOSTICS = (
    "fn_rate",
    "hardness",
    "neg_score",
    "neg_popularity",
    "sec_epoch",
    "valid_sec",
    "sample_share",
    "scores_epoch",
    "x_rns",
)


def _get(record, key: str, default=0.0):
    if isinstance(record, Mapping):
        return record.get(key, default)
    return getattr(record, key, default)


def epoch_seconds(record) -> float:
    """Seconds of one epoch without validation: ``record.epoch_seconds`` where the record has it,
    else ``sample_seconds + train_seconds + diag_seconds`` (the same definition)."""
    value = _get(record, "epoch_seconds", None)
    if value is not None:
        return float(value)
    return float(_get(record, "sample_seconds") + _get(record, "train_seconds") + _get(record, "diag_seconds"))


def epoch_scores(record) -> float:
    """Model scores computed for sampling in one epoch (``n_scores``; a ``g_scores`` sampler statistic,
    IRGAN's generator before it was counted in ``n_scores``, is added)."""
    stats = _get(record, "sampler_stats", {}) or {}
    return float(_get(record, "n_scores", 0) + stats.get("g_scores", 0))


def run_summary(history: Sequence, best_epoch: int | None = None, test: Mapping | None = None) -> dict:
    """One row of a run: epochs, best epoch, test metrics, means of the diagnostics over the epochs,
    seconds per epoch after the warm-up epoch, validation seconds per epoch, sampling share, scores.

    Keys: ``epochs``, ``best_epoch``, ``test`` (a dict, when given), ``fn_rate``, ``hardness``,
    ``neg_score``, ``neg_popularity``, ``sec_epoch``, ``valid_sec``, ``sample_share``, ``scores_epoch``,
    ``loss`` (last epoch), ``valid`` (validation metrics at the best epoch). Empty history: NaN values.
    """
    row = {"epochs": len(history), "best_epoch": best_epoch}
    if test is not None:
        row["test"] = {k: v for k, v in test.items() if k != "n_users"}
    nan = float("nan")
    if not history:
        row.update(
            dict.fromkeys(
                (
                    "fn_rate",
                    "hardness",
                    "neg_score",
                    "neg_popularity",
                    "sec_epoch",
                    "valid_sec",
                    "sample_share",
                    "scores_epoch",
                    "loss",
                ),
                nan,
            ),
            valid={},
        )
        return row
    timed = history[1:] if len(history) > 1 else history  # the first epoch is a warm-up
    seconds = [epoch_seconds(r) for r in timed]

    def mean(key):
        return float(np.mean([_get(r, key, nan) for r in history]))

    best = history[best_epoch - 1] if best_epoch and best_epoch <= len(history) else history[-1]
    row.update(
        fn_rate=mean("fn_rate"),
        hardness=mean("hardness_mean"),
        neg_score=mean("neg_score_mean"),
        neg_popularity=mean("neg_popularity_mean"),
        sec_epoch=float(np.mean(seconds)),
        valid_sec=mean("eval_seconds"),
        sample_share=float(sum(_get(r, "sample_seconds") for r in timed) / max(sum(seconds), 1e-12)),
        scores_epoch=float(np.mean([epoch_scores(r) for r in history])),
        loss=float(_get(history[-1], "loss", nan)),
        valid={k: v for k, v in dict(_get(best, "valid", {})).items() if k != "n_users"},
    )
    return row


def summarize_runs(runs: Mapping[str, Mapping]) -> dict[str, dict]:
    """:func:`run_summary` per sampler (``runs[name]`` has ``history``, ``best_epoch`` and optionally
    ``test``, ``test_generator``, ``test_generator_init``), plus ``x_rns``: seconds per epoch as a
    multiple of RNS's in the same runs (NaN without RNS)."""
    rows = {}
    for name, run in runs.items():
        row = run_summary(run["history"], run.get("best_epoch"), run.get("test"))
        for key in GENERATOR_KEYS:
            if run.get(key) is not None:
                row[key] = {k: v for k, v in run[key].items() if k != "n_users"}
        rows[name] = row
    rns = rows.get("rns", {}).get("sec_epoch", float("nan"))
    for row in rows.values():
        row["x_rns"] = row["sec_epoch"] / rns if rns and np.isfinite(rns) else float("nan")
    return rows


# ---------------------------------------------------------------------------- over seeds
# Two-sided 95 % Student-t quantiles t_{0.975, df} for df = 1..30.
_T975 = (
    12.7062,
    4.3027,
    3.1824,
    2.7764,
    2.5706,
    2.4469,
    2.3646,
    2.3060,
    2.2622,
    2.2281,
    2.2010,
    2.1788,
    2.1604,
    2.1448,
    2.1314,
    2.1199,
    2.1098,
    2.1009,
    2.0930,
    2.0860,
    2.0796,
    2.0739,
    2.0687,
    2.0639,
    2.0595,
    2.0555,
    2.0518,
    2.0484,
    2.0452,
    2.0423,
)


def t_quantile(df: int) -> float:
    """t_{0.975} with ``df`` degrees of freedom (table to 30, Cornish-Fisher expansion above; error < 1e-4)."""
    if df < 1:
        return float("nan")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def mean_interval(values) -> dict:
    """``{"mean", "std", "ci95_low", "ci95_high", "n"}`` of finite values (sample std, Student-t 95 %
    interval of the mean; std and interval are NaN below two values)."""
    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    n = int(x.size)
    mean = float(x.mean()) if n else float("nan")
    std = float(x.std(ddof=1)) if n > 1 else float("nan")
    half = t_quantile(n - 1) * std / math.sqrt(n) if n > 1 else float("nan")
    return {"mean": mean, "std": std, "ci95_low": mean - half, "ci95_high": mean + half, "n": n}


def _metric_intervals(dicts: list[Mapping]) -> dict:
    keys = list(dict.fromkeys(k for d in dicts for k in d if k != "n_users"))
    return {k: mean_interval([d.get(k, float("nan")) for d in dicts]) for k in keys}


def _paired(pairs, metrics) -> dict:
    """Paired differences a − b per metric over seeds: ``{metric: {"mean_diff", "ci95_low", "ci95_high", "n"}}``."""
    out = {}
    for metric in metrics:
        d = mean_interval([a.get(metric, np.nan) - b.get(metric, np.nan) for a, b in pairs])
        out[metric] = {"mean_diff": d["mean"], "ci95_low": d["ci95_low"], "ci95_high": d["ci95_high"], "n": d["n"]}
    return out


def seeds_summary(per_seed: Mapping[str, Mapping[str, Mapping]]) -> dict:
    """Summary over seeds: ``{sampler: {"test": {metric: interval}, "test_generator": ..., (when present)
    "diagnostics": {name: interval}, "vs_rns": {metric: {"mean_diff", "ci95_low", "ci95_high", "n"}},
    "interval": INTERVAL}}``.

    ``per_seed[seed][sampler]`` holds ``test`` (and optionally the generator keys and ``diagnostics``).
    ``vs_rns`` are paired differences sampler − RNS of the test metrics on the seeds both ran (absent for
    RNS itself and when RNS did not run). ``adversarial_gain`` (IRGAN) is the paired difference
    ``test_generator − test_generator_init``: what adversarial training added to the pretrained generator.
    """
    seeds = list(per_seed)
    samplers = list(dict.fromkeys(name for s in seeds for name in per_seed[s]))
    out = {}
    for name in samplers:
        runs = [per_seed[s][name] for s in seeds if name in per_seed[s]]
        entry = {"test": _metric_intervals([r["test"] for r in runs])}
        for key in GENERATOR_KEYS:
            if any(r.get(key) for r in runs):
                entry[key] = _metric_intervals([r[key] for r in runs if r.get(key)])
        if any("diagnostics" in r for r in runs):
            entry["diagnostics"] = _metric_intervals([r.get("diagnostics", {}) for r in runs])
        if name != "rns" and all("rns" in per_seed[s] for s in seeds):
            pairs = [(per_seed[s][name]["test"], per_seed[s]["rns"]["test"]) for s in seeds if name in per_seed[s]]
            entry["vs_rns"] = _paired(pairs, entry["test"])
        if all(r.get("test_generator") and r.get("test_generator_init") for r in runs):
            # what adversarial training added to the pretrained generator, seed by seed
            entry["adversarial_gain"] = _paired(
                [(r["test_generator"], r["test_generator_init"]) for r in runs], entry["test_generator"]
            )
        entry["interval"] = INTERVAL
        out[name] = entry
    return out


# ---------------------------------------------------------------------------- JSON
def to_jsonable(obj):
    """A JSON-ready copy: mappings with str keys, tuples and arrays as lists, numpy scalars as Python
    numbers, non-finite floats as None; anything else unknown as ``str``."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (np.ndarray, Counts)):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    return str(obj)
