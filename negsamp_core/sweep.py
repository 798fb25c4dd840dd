"""Sweeps: a grid of samplers × settings × seeds, run locally in worker processes or as Ray tasks.

``python -m negsamp_core sweep --config grid.toml [--seeds 5] [--workers N] [--ray ADDRESS|auto|local]``

A grid file (TOML, read with :mod:`tomllib`)::

    dataset = "synthetic"      # any dataset of ``compare`` with its options (data_dir, csv, split, threshold, ...)
    epochs = 10
    seeds = [0, 1]             # or a count: seeds = 5 (= 0..4); --seeds overrides
    protocol = "default"       # or "irgan" (ML-100K u1)
    lr = 0.002                 # any TrainConfig field (dim, lr, l2, batch_size, patience, optimizer, ...)
    [dataset_options]          # further loader options, e.g. the synthetic world's n_users, n_items, density
    [samplers.rns]
    [samplers.dns]
    candidates = [4, 8]        # a list = values to sweep; a scalar = fixed

Every **cell** (sampler, one setting of its parameters, seed) trains one recommender with the
dataset kind's preset (:func:`negsamp_core.config.preset`, the grid's fields override it) and the
sampler's preset defaults, keeps the validation-best epoch and reports its test metrics. Cells are
independent and deterministic (one torch thread each), so results do not depend on the number of
workers nor on the backend.

Results go to ``--out`` (default ``sweep.json``) after **each** cell, written atomically; running the
same command again skips the cells already there (an interrupted sweep resumes where it stopped;
``--fresh`` starts over). The JSON holds ``"grid"``, ``"cells": [{"sampler", "params", "seed",
"best_epoch", "valid", "test", "seconds"}]`` and ``"summary"``: per sampler the setting chosen on
**validation only** (the mean over seeds of ``select_metric@eval_k`` at the best epoch), every
setting's validation mean, and the chosen setting's test metrics over seeds with Student-t 95 %
intervals and paired differences against RNS (:func:`negsamp_core.results.seeds_summary`).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import sys
import time
import tomllib
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import fields
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import torch
from tqdm.auto import tqdm

from .config import TrainConfig, preset, sampler_defaults
from .results import mean_interval, seeds_summary, to_jsonable
from .samplers import SAMPLERS

__all__ = ["load_grid", "expand_cells", "run_cell", "run_sweep", "summarize", "cell_key", "DATASET_OPTIONS"]

# Dataset options a grid may give (passed to negsamp_core.data.load_dataset).
DATASET_OPTIONS = ("data_dir", "csv", "split", "threshold", "download", "min_positives_to_split")
_TRAIN_FIELDS = {f.name for f in fields(TrainConfig)}
_GRID_KEYS = {"dataset", "protocol", "seeds", "samplers", "dataset_options"} | set(DATASET_OPTIONS) | _TRAIN_FIELDS


def load_grid(path: str | Path | None = None, text: str | None = None) -> dict:
    """Read and check a grid (TOML file or text): the normalised grid dict.

    Raises:
        ValueError: unknown keys, samplers or parameters, bad seeds, an empty grid.
    """
    raw = tomllib.loads(text) if text is not None else tomllib.loads(Path(path).read_text())
    unknown = sorted(set(raw) - _GRID_KEYS)
    if unknown:
        raise ValueError(
            f"unknown grid key(s) {unknown}; a grid has dataset, protocol, seeds, [samplers.<name>], "
            f"dataset options {', '.join(DATASET_OPTIONS)} and TrainConfig fields"
        )
    samplers = raw.get("samplers") or {}
    if not samplers:
        raise ValueError("the grid names no sampler: add a table such as [samplers.rns]")
    for name, params in samplers.items():
        if name not in SAMPLERS:
            raise ValueError(f"unknown sampler {name!r} in the grid; choose from {', '.join(SAMPLERS)}")
        known = {p.name for p in SAMPLERS[name].PARAMS}
        bad = sorted(set(params) - known)
        if bad:
            raise ValueError(f"{name.upper()} has no parameter(s) {bad}; known: {sorted(known)}")
        for key, value in params.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"{name}.{key}: an empty list sweeps nothing")
    seeds = raw.get("seeds", [0])
    grid = {
        "dataset": raw.get("dataset", "synthetic"),
        "protocol": raw.get("protocol", "default"),
        "seeds": _seed_list(seeds),
        "dataset_options": {**raw.get("dataset_options", {}), **{k: raw[k] for k in DATASET_OPTIONS if k in raw}},
        "train": {k: raw[k] for k in _TRAIN_FIELDS if k in raw},
        "samplers": {name: dict(params) for name, params in samplers.items()},
    }
    train_config(grid)  # validates the TrainConfig fields
    return grid


def _seed_list(seeds) -> list[int]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds}: a count of seeds must be >= 1")
        return list(range(seeds))
    if (
        not isinstance(seeds, list)
        or not seeds
        or not all(isinstance(s, int) for s in seeds)
        or len(set(seeds)) != len(seeds)
    ):
        raise ValueError(f"seeds must be a count or a list of distinct integers, got {seeds!r}")
    return list(seeds)


def with_seeds(grid: Mapping, seeds) -> dict:
    """The grid with its seeds replaced (``--seeds``: a count or a list)."""
    return {**grid, "seeds": _seed_list(seeds)}


def train_config(grid: Mapping) -> TrainConfig:
    """The preset of the grid's dataset kind and protocol with the grid's TrainConfig fields."""
    kind = grid["dataset"] if grid["dataset"] in ("synthetic", "toy", "ml-100k", "ml-latest-small", "csv") else "csv"
    train = dict(grid["train"])
    if "score_range" in train:
        train["score_range"] = tuple(train["score_range"])
    cfg = preset(kind, grid["protocol"]).replace(**train)
    cfg.validate()
    return cfg


def settings(params: Mapping) -> list[dict]:
    """Every setting of one sampler: the cartesian product of its list-valued parameters."""
    keys = sorted(params)
    values = [params[k] if isinstance(params[k], list) else [params[k]] for k in keys]
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)]


def expand_cells(grid: Mapping) -> list[dict]:
    """All cells ``{"sampler", "params", "seed"}`` in a fixed order (sampler, setting, seed)."""
    return [
        {"sampler": name, "params": setting, "seed": seed}
        for name, params in grid["samplers"].items()
        for setting in settings(params)
        for seed in grid["seeds"]
    ]


def cell_key(cell: Mapping) -> str:
    """A stable identity of a cell (what resuming matches on)."""
    return json.dumps({"sampler": cell["sampler"], "params": cell["params"], "seed": cell["seed"]}, sort_keys=True)


_DATASETS: dict = {}  # per-process cache: (dataset options, seed) -> Dataset


def _dataset(grid: Mapping, seed: int):
    from .data import load_dataset

    options = dict(grid["dataset_options"])
    key = (grid["dataset"], json.dumps(options, sort_keys=True, default=str), seed)
    if key not in _DATASETS:
        if grid["protocol"] == "irgan" and (grid["dataset"] != "ml-100k" or options.get("split", "u1") != "u1"):
            raise ValueError("protocol 'irgan' needs dataset ml-100k with the u1 split")
        _DATASETS.clear()  # one dataset at a time per worker
        _DATASETS[key] = load_dataset(grid["dataset"], seed=seed, **options)
    return _DATASETS[key]


def run_cell(grid: Mapping, cell: Mapping) -> dict:
    """Train one cell and return its JSON-ready result (deterministic: one torch thread)."""
    from .training import Trainer

    torch.set_num_threads(1)
    start = time.perf_counter()
    cfg = train_config(grid)
    dataset = _dataset(grid, cell["seed"])
    name = cell["sampler"]
    params = {
        **sampler_defaults(
            grid["dataset"] if grid["dataset"] in ("synthetic", "toy", "ml-100k") else "csv", grid["protocol"]
        ).get(name, {}),
        **cell["params"],
    }
    select_on = (
        "generator" if grid["protocol"] == "irgan" and hasattr(SAMPLERS[name], "generator_state") else "recommender"
    )
    trainer = Trainer(dataset, name, cfg, params, seed=cell["seed"], select_on=select_on)
    trainer.run_epochs()
    best = trainer.best_epoch
    valid = dict(trainer.history[best - 1].valid) if best else {}
    ks = (
        (3, 5, 10)
        if grid["protocol"] == "irgan"
        else tuple(sorted({cfg.eval_k, 5, 10} & set(range(1, dataset.n_items))))
    )
    test = dict(trainer.test_metrics(ks=ks)) if trainer.history else {}
    out = {
        "sampler": name,
        "params": dict(cell["params"]),
        "seed": int(cell["seed"]),
        "best_epoch": int(best),
        "epochs": int(trainer.epoch),
        "valid": valid,
        "test": test,
        "error": trainer.error,
        "seconds": time.perf_counter() - start,
    }
    if select_on == "generator":
        out["valid_generator"] = dict(trainer.sampler.generator_valid())
    return to_jsonable(out)


def _init_worker() -> None:
    torch.set_num_threads(1)


def summarize(grid: Mapping, cells: Iterable[Mapping]) -> dict:
    """Per sampler: the validation-selected setting, every setting's validation mean, and the
    selected setting's test over seeds (:func:`seeds_summary`: intervals, paired vs RNS)."""
    cfg = train_config(grid)
    metric = f"{cfg.select_metric}@{cfg.eval_k}"
    by_key = {cell_key(c): c for c in cells}
    out, per_seed = {}, {}
    for name, params in grid["samplers"].items():
        rows = []
        for setting in settings(params):
            done = [by_key.get(cell_key({"sampler": name, "params": setting, "seed": s})) for s in grid["seeds"]]
            done = [c for c in done if c is not None]
            values = [c["valid"].get(metric) for c in done]
            values = [v for v in values if v is not None]
            rows.append({"params": setting, "valid": mean_interval(values), "n_seeds": len(done)})
        complete = [r for r in rows if r["n_seeds"] == len(grid["seeds"]) and np.isfinite(r["valid"]["mean"])]
        if not complete:
            out[name] = {"selected": None, "settings": rows, "selected_on": f"valid {metric}"}
            continue
        chosen = max(complete, key=lambda r: r["valid"]["mean"])  # ties: the first setting in grid order
        for seed in grid["seeds"]:
            cell = by_key[cell_key({"sampler": name, "params": chosen["params"], "seed": seed})]
            per_seed.setdefault(seed, {})[name] = {"test": cell["test"]}
        out[name] = {"selected": chosen["params"], "selected_on": f"valid {metric}", "settings": rows}
    for name, entry in seeds_summary(per_seed).items() if per_seed else ():
        out[name].update(entry)
    return out


def _write(path: Path, grid: Mapping, cells: list, done: bool) -> None:
    order = {cell_key(c): i for i, c in enumerate(expand_cells(grid))}
    cells = sorted(cells, key=lambda c: order.get(cell_key(c), len(order)))
    payload = to_jsonable(
        {"grid": grid, "complete": done, "n_cells": len(order), "cells": cells, "summary": summarize(grid, cells)}
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1))
    os.replace(tmp, path)  # atomic: an interruption never leaves a half-written file


def _resume(path: Path, grid: Mapping) -> list:
    if not path.exists():
        return []
    try:
        old = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return []
    same = {k: v for k, v in old.get("grid", {}).items() if k not in ("seeds", "samplers")} == {
        k: v for k, v in to_jsonable(grid).items() if k not in ("seeds", "samplers")
    }
    if not same:
        raise ValueError(
            f"{path} holds a sweep of another dataset or training setting: give another --out "
            f"or --fresh to overwrite it"
        )
    wanted = {cell_key(c) for c in expand_cells(grid)}
    return [c for c in old.get("cells", []) if cell_key(c) in wanted and not c.get("error")]


def run_sweep(
    grid: Mapping,
    out: str | Path = "sweep.json",
    workers: int = 1,
    ray_address: str | None = None,
    fresh: bool = False,
    quiet: bool = False,
    stop_after: int | None = None,
) -> dict:
    """Run the grid's missing cells and return the results dict (also written to ``out``).

    Args:
        workers: local worker processes (1 = in this process); with ``ray_address`` the number of
            Ray tasks in flight.
        ray_address: None (local processes), ``"auto"`` / an address of a running Ray cluster, or
            ``"local"`` (start a local Ray with ``workers`` CPUs).
        fresh: ignore the cells already in ``out``.
        stop_after: stop after this many new cells (tests use it to simulate an interruption).
    """
    out = Path(out)
    cells = [] if fresh else _resume(out, grid)
    have = {cell_key(c) for c in cells}
    todo = [c for c in expand_cells(grid) if cell_key(c) not in have]
    if stop_after is not None:
        todo = todo[:stop_after]
    bar = tqdm(
        total=len(have) + len(todo) if stop_after is None else len(expand_cells(grid)),
        initial=len(have),
        desc="sweep",
        unit="cell",
        disable=quiet,
        file=sys.stderr,
    )
    _write(out, grid, cells, done=False)

    def finished(result):
        cells.append(result)
        _write(out, grid, cells, done=False)
        bar.update(1)
        bar.set_postfix_str(f"{result['sampler']} seed {result['seed']}")

    if ray_address is not None:
        _run_ray(grid, todo, workers, ray_address, finished)
    elif workers <= 1 or len(todo) <= 1:
        for cell in todo:
            finished(run_cell(grid, cell))
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx, initializer=_init_worker) as pool:
            pending = {pool.submit(run_cell, grid, cell) for cell in todo}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    finished(future.result())
    bar.close()
    complete = len(cells) == len(expand_cells(grid))
    _write(out, grid, cells, done=complete)
    return json.loads(out.read_text())


def _run_ray(grid, todo, workers, address, finished) -> None:
    try:
        import ray
    except ImportError:
        raise ValueError("--ray needs Ray: pip install -r requirements-ray.txt") from None
    started = False
    if not ray.is_initialized():
        if address == "local":
            ray.init(num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
        started = True
    try:
        remote = ray.remote(num_cpus=1)(run_cell)
        grid_ref = ray.put(dict(grid))
        pending = [remote.remote(grid_ref, cell) for cell in todo]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                finished(ray.get(ref))
    finally:
        if started:
            ray.shutdown()


def _num(value) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:.4f}"


def run_sweep_command(args) -> int:
    """The ``sweep`` subcommand (see :func:`negsamp_core.cli.build_parser`)."""
    grid = load_grid(args.config)
    if args.seeds is not None:
        from .cli import parse_seeds

        grid = with_seeds(grid, parse_seeds(args.seeds, None))
    results = run_sweep(
        grid, out=args.out, workers=args.workers, ray_address=args.ray, fresh=args.fresh, quiet=args.quiet
    )
    for name, entry in results["summary"].items():
        if entry.get("selected") is None:
            print(f"{name.upper():6s} incomplete", file=sys.stdout)
            continue
        test = entry.get("test", {})
        shown = ", ".join(
            f"{k} {_num(v['mean'])} [{_num(v['ci95_low'])}, {_num(v['ci95_high'])}]"
            for k, v in test.items()
            if k.startswith(("ndcg", "precision"))
        )
        print(f"{name.upper():6s} selected {entry['selected'] or '(defaults)'} on {entry['selected_on']}: test {shown}")
    print(f"{len(results['cells'])}/{results['n_cells']} cells; results written to {args.out}")
    return 0
