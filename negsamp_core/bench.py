"""Benchmark: sampler throughput, training epoch time, and peak memory (``python -m negsamp_core bench``).

Figures are reported, never asserted: speed targets belong here, not in timed tests.

* negatives per second: ``sampler.sample`` on batches of 1024 pairs (K = 1) against a fixed
  MF model of dimension 64, at ML-100K size (real u1 data when available) and at ML-1M size
  (6,040 users x 3,706 items x 1,000,209 interactions, synthetic with a Zipf popularity);
* seconds per training epoch on ML-100K u1 (batch 1024, dimension 64, K = 1): sampling plus
  update, validation excluded, mean of the timed epochs after one warm-up epoch;
* peak resident memory of the process (MB).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .config import RunSeeds, TrainConfig
from .data import Dataset, load_dataset
from .data.movielens import DatasetNotFound
from .model import MatrixFactorization, Scorer
from .results import run_summary
from .samplers import SAMPLERS
from .training import Trainer

__all__ = ["run_bench", "interactions_like", "run_scale_bench", "stand_in", "SCALES"]

BENCH_SAMPLER_PARAMS = {"dns": {"candidates": 32}}
TARGETS = "RNS >= 2e6 negatives/s at ML-1M size; RNS epoch < 0.06 s; DNS(M=32) <= 2x, SRNS <= 3x, IRGAN <= 4x RNS"


def interactions_like(n_users: int, n_items: int, n_pairs: int, seed: int = 0, name: str = "synthetic") -> Dataset:
    """A random dataset of a given size with Zipf(1) item popularity (all pairs in train,
    10% of each user's pairs as validation). Used as a size stand-in (ML-1M, or ML-100K when
    the real files are absent)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_items + 1)
    weights /= weights.sum()
    users = rng.integers(0, n_users, size=int(n_pairs * 1.1))
    items = rng.choice(n_items, size=users.size, p=weights)
    keys = np.unique(users.astype(np.int64) * n_items + items)[:n_pairs]
    rng.shuffle(keys)
    cut = int(keys.size * 0.9)
    tr, va = keys[:cut], keys[cut:]
    return Dataset.from_pairs(
        name, n_users, n_items, train=(tr // n_items, tr % n_items), valid=(va // n_items, va % n_items)
    )


def _negatives_per_second(dataset: Dataset, name: str, repeats: int, batch: int = 1024, seconds: float = 1.0) -> float:
    seeds = RunSeeds(0)
    model = MatrixFactorization(dataset.n_users, dataset.n_items, 64, generator=seeds.torch("init"))
    scorer = Scorer(model)
    sampler = SAMPLERS[name](
        dataset,
        1,
        rng=seeds.numpy("sampler"),
        torch_generator=seeds.torch("sampler"),
        **BENCH_SAMPLER_PARAMS.get(name, {}),
    )
    order = seeds.numpy("order").permutation(dataset.train.nnz)
    users, items = dataset.train_users[order], dataset.train_items[order]
    n_batches = max(1, users.size // batch)
    sampler.sample(users[:batch], items[:batch], scorer)  # warm-up (builds IRGAN's table)
    if name == "srns":  # make the variance term active, as after two epochs
        sampler.on_epoch_end(1, scorer)
        sampler.on_epoch_end(2, scorer)
    best = 0.0
    for _ in range(repeats):
        drawn, start, b = 0, time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            lo = (b % n_batches) * batch
            drawn += sampler.sample(users[lo : lo + batch], items[lo : lo + batch], scorer).size
            b += 1
        best = max(best, drawn / (time.perf_counter() - start))
    return best


def _epoch_seconds(dataset: Dataset, name: str, epochs: int = 3) -> tuple[float, float]:
    cfg = TrainConfig(dim=64, lr=0.002, batch_size=1024, epochs=epochs + 1)
    trainer = Trainer(dataset, name, cfg, BENCH_SAMPLER_PARAMS.get(name, {}), seed=0)
    trainer.run_epochs()
    row = run_summary(trainer.history)  # the one definition: epochs after the first, validation apart
    return row["sec_epoch"], row["sample_share"]


def _live_loop() -> dict:
    """The app's live loop beside the CLI (``lab_ui.live_bench``), imported lazily and only when the
    app is installed next to the core; ``NEGSAMP_BENCH_LIVE_LOOP=0`` skips it."""
    import importlib.util
    import os

    if os.environ.get("NEGSAMP_BENCH_LIVE_LOOP", "1") == "0" or importlib.util.find_spec("lab_ui") is None:
        return {}
    print("benchmarking the app's live loop (Compare, all samplers) ...", file=sys.stderr, flush=True)
    from lab_ui.live_bench import measure_live_loop

    live = measure_live_loop()
    print(
        f"live loop: app {live['app_epochs_per_second']:.2f} epochs/s vs CLI {live['cli_epochs_per_second']:.2f} "
        f"({live['ratio']:.0%}); {live['outside_training_share']:.0%} of a tick outside training"
    )
    return {"live_loop": live}


def run_bench(out: Path | None = Path("bench.json"), data_dir=None, repeats: int = 3) -> dict:
    """Run the benchmark, print a table, write JSON to ``out``; returns the results dict."""
    try:
        ml100k = load_dataset("ml-100k", data_dir=data_dir, split="u1")
        source = "ML-100K u1 (real, rating >= 4)"
    except DatasetNotFound:
        ml100k = interactions_like(943, 1682, 44140, name="ml-100k-size")
        source = "synthetic stand-in of ML-100K u1 size (real files not found)"
    ml1m = interactions_like(6040, 3706, 1_000_209, name="ml-1m-size")
    results = {
        "negatives_per_second": {},
        "epoch_seconds": {},
        "sampling_share": {},
        "settings": {
            "batch": 1024,
            "dim": 64,
            "K": 1,
            "dns_candidates": 32,
            "torch_threads": torch.get_num_threads(),
            "ml-100k": source,
            "ml-1m": "synthetic, 6040 x 3706, 1,000,209 pairs",
        },
        "targets": TARGETS,
    }
    for name in SAMPLERS:
        print(f"benchmarking {name.upper()} ...", file=sys.stderr, flush=True)
        results["negatives_per_second"][name] = {
            "ml-100k": _negatives_per_second(ml100k, name, repeats),
            "ml-1m": _negatives_per_second(ml1m, name, repeats),
        }
        seconds, share = _epoch_seconds(ml100k, name)
        results["epoch_seconds"][name] = seconds
        results["sampling_share"][name] = share
    results.update(_live_loop())
    results["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    rns = results["epoch_seconds"]["rns"]
    table = pd.DataFrame(
        {
            name.upper(): {
                "neg/s ML-100K": results["negatives_per_second"][name]["ml-100k"],
                "neg/s ML-1M": results["negatives_per_second"][name]["ml-1m"],
                "epoch s (ML-100K u1)": results["epoch_seconds"][name],
                "x RNS": results["epoch_seconds"][name] / rns,
                "sampling share": results["sampling_share"][name],
            }
            for name in SAMPLERS
        }
    ).T
    with pd.option_context("display.float_format", "{:,.3f}".format, "display.width", 160):
        print(table.to_string())
    print(f"peak memory: {results['peak_memory_mb']:.0f} MB; torch threads: {torch.get_num_threads()}; {source}")
    print(f"targets: {TARGETS}")
    if out is not None:
        Path(out).write_text(json.dumps(results, indent=1))
        print(f"written to {out}")
    return results


# ---------------------------------------------------------------------------- at scale (issue 10)
# Synthetic stand-ins: (users, items, distinct pairs before the 90/10 train/validation split).
SCALES = {
    "ml-100k": (943, 1682, 100_000),
    "ml-1m": (6040, 3706, 1_000_209),
    "ml-20m": (138_000, 27_000, 16_100_000),
}  # ML-20M: 14.5 M training pairs
CATALOGUE_SIZES = (1_000, 10_000, 100_000, 1_000_000)
CATALOGUE_USERS = 1_000


def stand_in(n_users: int, n_items: int, n_pairs: int, seed: int = 0, name: str = "stand-in") -> Dataset:
    """A dataset of exactly ``n_pairs`` distinct (user, item) pairs (if the grid allows), uniform
    users and Zipf(1) items by inverse-CDF draws, topped up until enough pairs survive the
    deduplication; 90 % train, 10 % validation."""
    rng = np.random.default_rng(seed)
    n_pairs = min(int(n_pairs), n_users * n_items)
    cdf = np.cumsum(1.0 / np.arange(1, n_items + 1))
    cdf /= cdf[-1]
    keys = np.empty(0, dtype=np.int64)
    while keys.size < n_pairs:
        need = int((n_pairs - keys.size) * 1.3) + 1024
        users = rng.integers(0, n_users, size=need, dtype=np.int64)
        items = np.minimum(np.searchsorted(cdf, rng.random(need)), n_items - 1)
        keys = np.unique(np.concatenate([keys, users * n_items + items]))
    keys = rng.permutation(keys)[:n_pairs]
    cut = int(keys.size * 0.9)
    tr, va = keys[:cut], keys[cut:]
    return Dataset.from_pairs(
        name, n_users, n_items, train=(tr // n_items, tr % n_items), valid=(va // n_items, va % n_items)
    )


def _scale_child(size: str, name: str, epochs: int) -> dict:
    """One sampler's epoch(s) at a size, in its own process (so its peak RSS is its own)."""
    torch.set_num_threads(1)
    Trainer.clock = staticmethod(time.process_time)  # CPU seconds: the machine may be shared
    dataset = stand_in(*SCALES[size], name=f"{size}-size")
    cfg = TrainConfig(dim=64, lr=0.002, batch_size=1024, epochs=epochs)
    trainer = Trainer(dataset, name, cfg, BENCH_SAMPLER_PARAMS.get(name, {}), seed=0)
    trainer.run_epochs()
    r = trainer.history[-1]  # after a warm-up epoch where there is one
    return {
        "n_pairs": int(dataset.train.nnz + dataset.valid.nnz),
        "n_train": int(dataset.train.nnz),
        "epoch_seconds": r.epoch_seconds,
        "sample_seconds": r.sample_seconds,
        "update_seconds": r.train_seconds,
        "diag_seconds": r.diag_seconds,
        "valid_seconds": r.eval_seconds,
        "valid_users": int(r.valid.get("n_users", 0)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def _catalogue_child(name: str, n_items: int, batches: int = 10) -> dict:
    """Milliseconds per batch of 1024 draws for 1,000 users (50 pairs each) and peak RSS."""
    torch.set_num_threads(1)
    dataset = stand_in(CATALOGUE_USERS, n_items, 50 * CATALOGUE_USERS, name=f"catalogue-{n_items}")
    seeds = RunSeeds(0)
    scorer = Scorer(MatrixFactorization(dataset.n_users, n_items, 64, generator=seeds.torch("init")))
    sampler = SAMPLERS[name](
        dataset,
        1,
        rng=seeds.numpy("sampler"),
        torch_generator=seeds.torch("sampler"),
        **BENCH_SAMPLER_PARAMS.get(name, {}),
    )
    if name == "srns":
        sampler.on_epoch_end(1, scorer)
        sampler.on_epoch_end(2, scorer)
    order = seeds.numpy("order").permutation(dataset.train.nnz)
    users, items = dataset.train_users[order], dataset.train_items[order]
    n_batches = users.size // 1024
    # a whole epoch's draws (IRGAN builds its distribution once per epoch: amortised over them)
    start = time.process_time()
    for b in range(n_batches):
        sampler.sample(users[b * 1024 : (b + 1) * 1024], items[b * 1024 : (b + 1) * 1024], scorer)
    ms = 1e3 * (time.process_time() - start) / n_batches
    return {"ms": ms, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def _in_child(fn, *args):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def run_scale_bench(
    sizes=("ml-100k",), samplers=None, catalogue: bool = False, out: Path | None = None, catalogue_sizes=CATALOGUE_SIZES
) -> dict:
    """``bench --scale``: per size, seconds per epoch split into sampling / update / diagnostics /
    validation and the peak RSS, per sampler (each in its own process); with ``catalogue`` the
    sampling cost per batch of 1024 against the catalogue size (1k -> 1M items, 1,000 users).

    JSON: ``{"scale": {size: {"n_pairs", "n_train", sampler: {"epoch_seconds", "sample_seconds",
    "update_seconds", "diag_seconds", "valid_seconds", "peak_rss_mb"}}}, "catalogue": {sampler:
    {n_items: ms}}, "catalogue_peak_rss_mb": {sampler: {n_items: MB}}}``. Seconds and milliseconds
    are CPU time of the (one-thread) process, so a busy shared machine does not inflate them; on
    ML-100K and ML-1M the second of two epochs, on ML-20M the first and only.
    """
    samplers = list(samplers or SAMPLERS)
    results = {
        "scale": {},
        "settings": {
            "batch": 1024,
            "dim": 64,
            "K": 1,
            "optimizer": TrainConfig().optimizer,
            "dns_candidates": 32,
            "sizes": {k: SCALES[k] for k in sizes},
            "clock": "CPU seconds (time.process_time), one torch thread",
        },
    }
    for size in sizes:
        entry = results["scale"].setdefault(size, {})
        for name in samplers:
            print(f"{size}: {name.upper()} ...", file=sys.stderr, flush=True)
            row = _in_child(_scale_child, size, name, 1 if size == "ml-20m" else 2)
            entry["n_pairs"], entry["n_train"] = row.pop("n_pairs"), row.pop("n_train")
            entry[name] = row
    if catalogue:
        results["catalogue"], results["catalogue_peak_rss_mb"] = {}, {}
        for name in samplers:
            for n_items in catalogue_sizes:
                print(f"catalogue {n_items}: {name.upper()} ...", file=sys.stderr, flush=True)
                row = _in_child(_catalogue_child, name, n_items)
                results["catalogue"].setdefault(name, {})[str(n_items)] = row["ms"]
                results["catalogue_peak_rss_mb"].setdefault(name, {})[str(n_items)] = row["peak_rss_mb"]
    for size, entry in results["scale"].items():
        table = pd.DataFrame({k.upper(): v for k, v in entry.items() if isinstance(v, dict)}).T
        with pd.option_context("display.float_format", "{:,.3f}".format, "display.width", 160):
            print(f"{size} stand-in: {entry['n_pairs']:,} pairs ({entry['n_train']:,} train)\n{table.to_string()}")
    if catalogue:
        print("sampling ms per batch of 1024 vs catalogue size:\n" + pd.DataFrame(results["catalogue"]).T.to_string())
    if out is not None:
        Path(out).write_text(json.dumps(results, indent=1))
        print(f"written to {out}")
    return results
