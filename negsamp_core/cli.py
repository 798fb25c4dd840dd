"""Command line: ``python -m negsamp_core compare ...`` and ``python -m negsamp_core bench ...``.

Argument parsing uses the standard library's argparse; progress bars use tqdm; tables use pandas.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from .config import PRESETS, TrainConfig
from .data import DATASETS, CSVFormatError, DatasetNotFound, DownloadError, load_dataset
from .samplers import SAMPLERS
from .training import Trainer

__all__ = ["main", "build_parser", "PROTOCOL_SAMPLER_DEFAULTS"]

# Tuned sampler settings for ML-100K under IRGAN's protocol (see README, "Quality bar").
PROTOCOL_SAMPLER_DEFAULTS = {
    "irgan": {
        "irgan": {"baseline": 1, "temperature": 1.0, "g_lr": 0.001},
    },
}
IRGAN_KS = (3, 5, 10)


def _param_flag(sampler: str, param: str) -> str:
    return f"--{sampler}-{param.replace('_', '-')}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m negsamp_core",
                                     description="Negative Sampling Lab: compare negative samplers for BPR-MF.")
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser("compare", help="train several samplers on equal terms and report metrics",
                         formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    data = cmp.add_argument_group("data")
    data.add_argument("--dataset", choices=DATASETS, default="synthetic")
    data.add_argument("--data-dir", type=Path, default=None,
                      help="folder holding ml-100k/ and/or ml-latest-small/ (else $NEGSAMP_DATA_DIR, then the cache)")
    data.add_argument("--download", action="store_true", help="download MovieLens from GroupLens if not found")
    data.add_argument("--csv", type=Path, default=None, help="CSV file of user,item[,rating][,timestamp]")
    data.add_argument("--split", choices=("u1", "random"), default=None,
                      help="ML-100K split (default u1; ml-latest-small and CSV are always per-user random)")
    data.add_argument("--threshold", type=float, default=4.0, help="minimum rating of a positive (real data)")
    run = cmp.add_argument_group("run")
    run.add_argument("--protocol", choices=("default", "irgan"), default="default",
                     help="irgan: ML-100K u1, test P@3/5/10 and NDCG@3/5/10 at the validation-best epoch")
    run.add_argument("--samplers", default=",".join(SAMPLERS), help="comma-separated subset of " + ",".join(SAMPLERS))
    run.add_argument("--epochs", type=int, default=None, help="maximum epochs (preset default)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--k", type=int, default=None, help="cut-off K of validation metrics and model selection")
    run.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    model = cmp.add_argument_group("model (defaults from the preset of the dataset/protocol)")
    for name, typ in (("dim", int), ("lr", float), ("l2", float), ("batch_size", int), ("negatives", int),
                      ("patience", int)):
        model.add_argument("--" + name.replace("_", "-"), type=typ, default=None)
    model.add_argument("--optimizer", choices=("adam", "sgd"), default=None)
    for sname, cls in SAMPLERS.items():
        if not cls.PARAMS:
            continue
        group = cmp.add_argument_group(f"{sname.upper()} ({cls.__doc__.strip().splitlines()[0][:60]}...)")
        for p in cls.PARAMS:
            group.add_argument(_param_flag(sname, p.name), dest=f"{sname}__{p.name}", default=None,
                               type=int if p.integer else float,
                               help=f"{p.help} (default {p.default:g}; paper: {p.paper})")
    bench = sub.add_parser("bench", help="measure sampler throughput, epoch time and peak memory")
    bench.add_argument("--out", type=Path, default=Path("bench.json"))
    bench.add_argument("--data-dir", type=Path, default=None, help="folder holding ml-100k/ (else a synthetic stand-in)")
    bench.add_argument("--repeats", type=int, default=3, help="timed repetitions (best is reported)")
    bench.add_argument("--threads", type=int, default=None, help="torch threads (default 1, as in the app)")
    return parser


def _preset(args) -> TrainConfig:
    if args.protocol == "irgan" or args.dataset in ("ml-100k", "ml-latest-small", "csv"):
        return PRESETS["irgan-protocol"]
    if args.dataset == "toy":
        return PRESETS["classroom"].replace(batch_size=4, epochs=20, dim=8, eval_k=3)
    return PRESETS["classroom"]


def _config(args) -> TrainConfig:
    cfg = _preset(args)
    changes = {"dim": args.dim, "lr": args.lr, "l2": args.l2, "batch_size": args.batch_size,
               "n_negatives": args.negatives, "patience": args.patience, "optimizer": args.optimizer,
               "epochs": args.epochs, "eval_k": args.k}
    return cfg.replace(**{k: v for k, v in changes.items() if v is not None})


def _sampler_params(args, samplers) -> dict:
    base = PROTOCOL_SAMPLER_DEFAULTS.get(args.protocol, {})
    params = {}
    for name in samplers:
        chosen = dict(base.get(name, {}))
        for p in SAMPLERS[name].PARAMS:
            value = getattr(args, f"{name}__{p.name}")
            if value is not None:
                chosen[p.name] = value
        params[name] = chosen
    return params


def _parse_samplers(text: str) -> list[str]:
    names = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in SAMPLERS]
    if unknown or not names:
        raise ValueError(f"unknown sampler(s) {unknown or text!r}; choose from {', '.join(SAMPLERS)}")
    return list(dict.fromkeys(names))


def _load(args):
    if args.protocol == "irgan":
        if args.dataset != "ml-100k" or args.split not in (None, "u1"):
            raise ValueError("--protocol irgan needs --dataset ml-100k with the u1 split")
    kwargs = {}
    if args.dataset in ("ml-100k", "ml-latest-small"):
        kwargs = {"threshold": args.threshold, "download": args.download}
        if args.dataset == "ml-100k":
            kwargs["split"] = args.split or "u1"
    elif args.dataset == "csv":
        kwargs = {"threshold": args.threshold}
    return load_dataset(args.dataset, seed=args.seed, data_dir=args.data_dir, csv=args.csv, **kwargs)


def run_compare(args) -> dict:
    """Train each sampler in turn with the same seed/config; return the JSON-ready results."""
    samplers = _parse_samplers(args.samplers)
    dataset = _load(args)
    cfg = _config(args)
    params = _sampler_params(args, samplers)
    test_ks = IRGAN_KS if args.protocol == "irgan" else tuple(sorted({cfg.eval_k, 5, 10} & set(range(1, dataset.n_items))))
    runs = {}
    for name in samplers:
        start = time.perf_counter()
        trainer = Trainer(dataset, name, cfg, params[name], seed=args.seed)
        bar = tqdm(total=cfg.epochs, desc=name.upper(), unit="epoch", disable=args.quiet, file=sys.stderr)

        def tick(record, bar=bar):
            bar.update(1)
            bar.set_postfix({f"valid ndcg@{cfg.eval_k}": f"{record.valid[f'ndcg@{cfg.eval_k}']:.4f}",
                             "fn": f"{record.fn_rate:.3f}"})

        trainer.run_epochs(callback=tick)
        bar.close()
        test = trainer.test_metrics(ks=test_ks)
        runs[name] = {
            "history": [r.to_dict() for r in trainer.history],
            "best_epoch": trainer.best_epoch,
            "test": {k: v for k, v in test.items()},
            "seconds": time.perf_counter() - start,
            "stopped_early": trainer.stopped_early,
            "error": trainer.error,
            "sampler_params": dict(trainer.sampler.params),
        }
    return {
        "dataset": dataset.summary(),
        "config": {"protocol": args.protocol, "seed": args.seed, "train": cfg.to_dict(), "test_ks": list(test_ks),
                   "samplers": {n: runs[n]["sampler_params"] for n in samplers}},
        "runs": runs,
    }


def results_table(results: dict) -> pd.DataFrame:
    """One row per sampler: test metrics at the best epoch, diagnostics means, seconds."""
    rows = {}
    for name, run in results["runs"].items():
        hist = run["history"]
        row = {"best epoch": run["best_epoch"], "epochs": len(hist)}
        row.update({f"test {k}": v for k, v in run["test"].items() if k != "n_users"})
        if hist:
            row["fn rate"] = float(np.mean([h["fn_rate"] for h in hist]))
            row["neg score"] = float(np.mean([h["neg_score_mean"] for h in hist]))
            row["neg popularity"] = float(np.mean([h["neg_popularity_mean"] for h in hist]))
            row["s/epoch"] = float(np.mean([h["sample_seconds"] + h["train_seconds"] for h in hist]))
            row["sampling share"] = float(np.sum([h["sample_seconds"] for h in hist])
                                          / max(np.sum([h["sample_seconds"] + h["train_seconds"] for h in hist]), 1e-12))
        row["seconds"] = run["seconds"]
        rows[name.upper()] = row
    return pd.DataFrame.from_dict(rows, orient="index")  # per-column dtypes: epochs stay integers


def _to_jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # One thread: on this 2-core class of machine, torch's second thread makes small ops (index_add_)
    # up to 100x slower as soon as another process competes for a core.
    torch.set_num_threads(getattr(args, "threads", None) or 1)
    try:
        if args.command == "bench":
            from .bench import run_bench

            run_bench(out=args.out, data_dir=args.data_dir, repeats=args.repeats)
            return 0
        results = run_compare(args)
    except (ValueError, DatasetNotFound, DownloadError, CSVFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.precision", 4):
        print(results_table(results).to_string())
    for name, run in results["runs"].items():
        if run["error"]:
            print(f"{name.upper()}: {run['error']}", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(_to_jsonable(results), indent=1))
        print(f"results written to {args.out}")
    return 0
