"""Command line: ``python -m negsamp_core compare ...`` and ``python -m negsamp_core bench ...``.

Argument parsing uses the standard library's argparse; progress bars use tqdm; tables use pandas.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from .config import PRESET_KINDS, PROTOCOLS, TrainConfig, preset, sampler_defaults
from .data import DATASETS, CSVFormatError, DatasetNotFound, DownloadError, evaluation_warning, load_dataset
from .optim import OPTIMIZERS
from .results import GENERATOR_KEYS, seeds_summary, summarize_runs, to_jsonable
from .samplers import SAMPLERS
from .training import Trainer

__all__ = ["main", "build_parser", "run_compare", "results_table", "parse_seeds"]

IRGAN_KS = (3, 5, 10)
# Training settings the CLI can override (flag -> TrainConfig field).
_MODEL_FLAGS = (
    ("dim", "dim", int),
    ("lr", "lr", float),
    ("l2", "l2", float),
    ("batch_size", "batch_size", int),
    ("negatives", "n_negatives", int),
    ("patience", "patience", int),
)


class _OneDefault(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: X)" only where the help text does not state a default itself and there is one."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


def _param_flag(sampler: str, param: str) -> str:
    return f"--{sampler}-{param.replace('_', '-')}"


def _preset_note(sname: str, spec) -> str:
    """Where a preset changes a sampler default, e.g. "; toy 4; irgan protocol 1"."""
    notes = []
    for kind in PRESET_KINDS:
        for protocol in PROTOCOLS:
            if protocol == "irgan" and kind != "ml-100k":
                continue
            value = sampler_defaults(kind, protocol).get(sname, {}).get(spec.name)
            if value is not None and value != spec.default:
                where = "irgan protocol" if protocol == "irgan" else kind
                notes.append(f"{where} {_fmt(value, spec)}")
    return "".join(f"; {n}" for n in notes)


def _fmt(value, spec) -> str:
    if isinstance(value, str):  # a named choice (IRGAN's g_init)
        return value
    if getattr(spec, "boolean", False):
        return "on" if value else "off"
    return f"{value:g}"


def _add_param(group, sname: str, spec) -> None:
    """One command-line option per sampler parameter; on/off parameters as --x/--no-x flags."""
    choices = getattr(SAMPLERS[sname], "CHOICES", {}).get(spec.name)  # named choices (IRGAN's g_init)
    default = choices[int(spec.default)] if choices else spec.default
    text = f"{spec.help} (default {_fmt(default, spec)}{_preset_note(sname, spec)}; paper: {spec.paper})"
    dest = f"{sname}__{spec.name}"
    if choices:
        group.add_argument(_param_flag(sname, spec.name), dest=dest, default=None, choices=choices, help=text)
    elif getattr(spec, "boolean", False):
        group.add_argument(
            _param_flag(sname, spec.name), dest=dest, default=None, action=argparse.BooleanOptionalAction, help=text
        )
    else:
        group.add_argument(
            _param_flag(sname, spec.name),
            dest=dest,
            default=None,
            metavar=spec.name.upper(),
            type=int if spec.integer else float,
            help=text,
        )


def _presets_epilog() -> str:
    lines = ["training presets (--dataset / --protocol; the model options above override them):"]
    for kind in PRESET_KINDS:
        c = preset(kind)
        lines.append(
            f"  {kind:16s} dim {c.dim}, lr {c.lr:g}, L2 {c.l2:g}, batch {c.batch_size}, K {c.n_negatives}, "
            f"epochs {c.epochs}, patience {c.patience}, top-K {c.eval_k}, {c.optimizer}"
        )
    c = preset("ml-100k", "irgan")
    lines.append(
        f"  {'--protocol irgan':16s} dim {c.dim}, lr {c.lr:g}, L2 {c.l2:g}, batch {c.batch_size}, "
        f"K {c.n_negatives}, epochs {c.epochs}, patience {c.patience}, top-K {c.eval_k}, {c.optimizer}"
    )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m negsamp_core", description="Negative Sampling Lab: compare negative samplers for BPR-MF."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser(
        "compare",
        help="train several samplers on equal terms and report metrics",
        formatter_class=_OneDefault,
        epilog=_presets_epilog(),
    )
    data = cmp.add_argument_group("data")
    data.add_argument("--dataset", choices=DATASETS, default="synthetic")
    data.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder holding ml-100k/ and/or ml-latest-small/ (else $NEGSAMP_DATA_DIR, then the cache)",
    )
    data.add_argument("--download", action="store_true", help="download MovieLens from GroupLens if not found")
    data.add_argument("--csv", type=Path, default=None, help="CSV file of user,item[,rating][,timestamp]")
    data.add_argument(
        "--split",
        choices=("u1", "random"),
        default=None,
        help="ML-100K split (default u1; ml-latest-small and CSV are always per-user random)",
    )
    data.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="minimum rating of a positive (default 4.0 where the data has ratings: MovieLens, a CSV "
        "with a rating column; giving it for data without ratings is an error)",
    )
    data.add_argument(
        "--min-positives-to-split",
        type=int,
        default=10,
        help="a user with at least this many positives gets validation and test items (10%% of them "
        "each, at least one); users with fewer keep all in training and are not evaluated "
        "(default 10; the toy world and ML-100K u1's test file are fixed splits)",
    )
    run = cmp.add_argument_group("run")
    run.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="default",
        help="irgan: ML-100K u1, test P@3/5/10 and NDCG@3/5/10 at the validation-best epoch",
    )
    run.add_argument("--samplers", default=",".join(SAMPLERS), help="comma-separated subset of " + ",".join(SAMPLERS))
    run.add_argument("--epochs", type=int, default=None, help="maximum epochs (preset default)")
    run.add_argument("--seed", type=int, default=None, help="the run seed (default 0)")
    run.add_argument(
        "--seeds",
        default=None,
        help="several seeds: a list (0,1,2,3,4) or a count (5 = seeds 0..4); the JSON adds per_seed and "
        "a summary with means, Student-t 95%% intervals and paired differences against RNS",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="seeds run in this many processes (one torch thread each); results do not depend on it",
    )
    run.add_argument("--k", type=int, default=None, help="cut-off K of validation metrics and model selection")
    run.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    model = cmp.add_argument_group("model (defaults from the preset of the dataset/protocol)")
    for flag, _, typ in _MODEL_FLAGS:
        model.add_argument("--" + flag.replace("_", "-"), type=typ, default=None)
    model.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default=None)
    for sname, cls in SAMPLERS.items():
        if not cls.PARAMS:
            continue
        group = cmp.add_argument_group(f"{sname.upper()} ({cls.__doc__.strip().splitlines()[0][:60]}...)")
        for spec in cls.PARAMS:
            _add_param(group, sname, spec)
    bench = sub.add_parser(
        "bench", help="measure sampler throughput, epoch time and peak memory", formatter_class=_OneDefault
    )
    bench.add_argument("--out", type=Path, default=Path("bench.json"))
    bench.add_argument(
        "--data-dir", type=Path, default=None, help="folder holding ml-100k/ (else a synthetic stand-in)"
    )
    bench.add_argument("--repeats", type=int, default=3, help="timed repetitions (best is reported)")
    bench.add_argument("--threads", type=int, default=None, help="torch threads (default 1, as in the app)")
    bench.add_argument(
        "--scale",
        nargs="+",
        choices=("ml-100k", "ml-1m", "ml-20m"),
        default=None,
        help="epoch split (sampling/update/diagnostics/validation) and peak RSS per sampler on "
        "synthetic stand-ins of these sizes, instead of the throughput benchmark",
    )
    bench.add_argument(
        "--catalogue",
        action="store_true",
        help="with --scale: also the sampling cost per batch against the catalogue size (1k-1M items)",
    )
    bench.add_argument("--samplers", default=None, help="with --scale: a comma-separated subset of samplers")
    sweep = sub.add_parser(
        "sweep",
        help="run a grid of samplers x settings x seeds (local processes or Ray); "
        "select on validation, report test for the selected setting",
        formatter_class=_OneDefault,
    )
    sweep.add_argument("--config", type=Path, required=True, help="the grid (TOML; see negsamp_core/sweep.py)")
    sweep.add_argument("--seeds", default=None, help="override the grid's seeds: a list (0,1,2) or a count (5)")
    sweep.add_argument("--workers", type=int, default=1, help="local worker processes, or Ray tasks in flight")
    sweep.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="run the cells as Ray tasks: 'auto' or an address of a running cluster, or 'local' to "
        "start one here (needs requirements-ray.txt)",
    )
    sweep.add_argument(
        "--out",
        type=Path,
        default=Path("sweep.json"),
        help="results, rewritten after each cell; an existing file of the same grid is resumed",
    )
    sweep.add_argument("--fresh", action="store_true", help="ignore the cells already in --out")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    from .lessons import LESSONS

    lesson = sub.add_parser(
        "lesson",
        help="run one of the source article's claims as an experiment and print its verdict (computed from the run)",
        formatter_class=_OneDefault,
    )
    lesson.add_argument("id", nargs="?", choices=tuple(LESSONS), metavar="ID", help="lesson id: " + ", ".join(LESSONS))
    lesson.add_argument("--list", action="store_true", help="list the lessons instead of running one")
    lesson.add_argument("--seed", type=int, default=0, help="the run seed (default 0)")
    lesson.add_argument("--epochs", type=int, default=None, help="epochs per arm (default: the lesson's)")
    lesson.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the texts (default en)")
    lesson.add_argument("--json", action="store_true", help="print the lesson's JSON instead of text")
    return parser


def run_lesson_command(args) -> int:
    """``lesson --list`` or ``lesson ID``: text or JSON on stdout."""
    from .lessons import LESSONS, run_lesson

    if args.list or args.id is None:
        if args.json:
            print(json.dumps([lesson.summary(args.lang) for lesson in LESSONS.values()], ensure_ascii=False, indent=1))
        else:
            for lesson in LESSONS.values():
                summary = lesson.summary(args.lang)
                print(f"{lesson.id:18s} {summary['title']}\n{'':18s} {summary['claim']}")
        return 0
    result = run_lesson(args.id, seed=args.seed, epochs=args.epochs, lang=args.lang)
    if args.json:
        print(json.dumps(to_jsonable(result), ensure_ascii=False, indent=1))
        return 0
    print(f"{result['title']} (seed {result['seed']}, {result['epochs']} epochs, {result['seconds']:.1f} s)")
    for check in result["checks"]:
        print(f"  [{'holds' if check['holds'] else 'does not hold'}] {check['text']}")
    print(
        f"Verdict: the claim {'holds' if result['holds'] else 'does not fully hold'} on this run. "
        f"Answer borne out: {result['answer']}"
    )
    return 0


def parse_seeds(seeds: str | None, seed: int | None) -> list[int]:
    """``--seeds`` ("0,1,2" or a count "5" = 0..4) or ``--seed`` (default 0) as a list of seeds."""
    if seeds is None:
        return [0 if seed is None else int(seed)]
    if seed is not None:
        raise ValueError("give either --seed or --seeds, not both")
    parts = [p.strip() for p in str(seeds).split(",") if p.strip()]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"--seeds takes integers (0,1,2) or a count (5), got {seeds!r}") from None
    if len(values) == 1 and "," not in str(seeds):
        if values[0] < 1:
            raise ValueError(f"--seeds {values[0]}: a count of seeds must be >= 1 (or give a list such as 0,1)")
        values = list(range(values[0]))
    if not values or len(set(values)) != len(values):
        raise ValueError(f"--seeds must list distinct seeds, got {seeds!r}")
    return values


def _config(args) -> TrainConfig:
    cfg = preset(args.dataset, args.protocol)
    changes = {field: getattr(args, flag) for flag, field, _ in _MODEL_FLAGS}
    changes.update(optimizer=args.optimizer, epochs=args.epochs, eval_k=args.k)
    return cfg.replace(**{k: v for k, v in changes.items() if v is not None})


def _sampler_params(args, samplers) -> dict:
    base = sampler_defaults(args.dataset, args.protocol)
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


def _load(args, seed: int):
    if args.protocol == "irgan":
        if args.dataset != "ml-100k" or args.split not in (None, "u1"):
            raise ValueError("--protocol irgan needs --dataset ml-100k with the u1 split")
    return load_dataset(
        args.dataset,
        seed=seed,
        data_dir=args.data_dir,
        csv=args.csv,
        split=args.split,
        threshold=args.threshold,
        download=args.download or None,
        min_positives_to_split=args.min_positives_to_split,
    )


def _test_ks(args, cfg: TrainConfig, n_items: int) -> tuple:
    if args.protocol == "irgan":
        return IRGAN_KS
    return tuple(sorted({cfg.eval_k, 5, 10} & set(range(1, n_items))))


def _run_seed(args, seed: int, quiet: bool) -> dict:
    """Every sampler on one seed: ``{"dataset": summary, "test_ks": [...], "runs": {sampler: run}}``."""
    samplers = _parse_samplers(args.samplers)
    dataset = _load(args, seed)
    cfg = _config(args)
    params = _sampler_params(args, samplers)
    test_ks = _test_ks(args, cfg, dataset.n_items)
    runs = {}
    for name in samplers:
        start = time.perf_counter()
        # IRGAN's protocol evaluates the generator: its validation picks the epoch and stops the run
        select_on = (
            "generator" if args.protocol == "irgan" and hasattr(SAMPLERS[name], "generator_state") else "recommender"
        )
        trainer = Trainer(dataset, name, cfg, params[name], seed=seed, select_on=select_on)
        label = name.upper() if len(parse_seeds(args.seeds, args.seed)) == 1 else f"{name.upper()} seed {seed}"
        bar = tqdm(total=cfg.epochs, desc=label, unit="epoch", disable=quiet, file=sys.stderr)

        def tick(record, bar=bar):
            bar.update(1)
            bar.set_postfix(
                {f"valid ndcg@{cfg.eval_k}": f"{record.valid[f'ndcg@{cfg.eval_k}']:.4f}", "fn": f"{record.fn_rate:.3f}"}
            )

        trainer.run_epochs(callback=tick)
        bar.close()
        runs[name] = {
            "history": [r.to_dict() for r in trainer.history],
            "best_epoch": trainer.best_epoch,
            "test": dict(trainer.test_metrics(ks=test_ks)),
            "seconds": time.perf_counter() - start,
            "stopped_early": trainer.stopped_early,
            "error": trainer.error,
            "sampler_params": dict(trainer.sampler.params),
        }
        if trainer.has_generator:  # IRGAN's generator: at the selected epoch and right after pretraining
            for key, which in zip(GENERATOR_KEYS, ("best", "init")):
                runs[name][key] = dict(trainer.generator_test_metrics(which, ks=test_ks))
    return {"dataset": dataset.summary(), "test_ks": list(test_ks), "train": cfg.to_dict(), "runs": runs}


def _run_seed_in_worker(args, seed: int) -> dict:
    torch.set_num_threads(1)
    return _run_seed(args, seed, quiet=True)


def run_compare(args) -> dict:
    """Train each sampler in turn with the same config on every seed; return the JSON-ready results.

    One seed: ``{"dataset", "config", "runs"}``. Several: also ``"seeds"``, ``"per_seed"`` and ``"summary"``
    (see :func:`negsamp_core.results.seeds_summary`); ``"dataset"`` and ``"runs"`` are the first seed's.
    """
    seeds = parse_seeds(args.seeds, args.seed)
    samplers = _parse_samplers(args.samplers)
    workers = max(1, int(args.workers or 1))
    if workers > 1 and len(seeds) > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(seeds)), mp_context=ctx) as pool:
            outcomes = list(pool.map(_run_seed_in_worker, [args] * len(seeds), seeds))
    else:
        outcomes = [_run_seed(args, seed, quiet=args.quiet) for seed in seeds]
    first = outcomes[0]
    results = {
        "dataset": first["dataset"],
        "config": {
            "protocol": args.protocol,
            "seed": seeds[0],
            "train": first["train"],
            "test_ks": first["test_ks"],
            "samplers": {n: first["runs"][n]["sampler_params"] for n in samplers},
        },
        "runs": first["runs"],
    }
    if len(seeds) == 1:
        return results
    per_seed = {}
    for seed, outcome in zip(seeds, outcomes):
        rows = summarize_runs(outcome["runs"])
        per_seed[str(seed)] = {}
        for name, run in outcome["runs"].items():
            entry = {"best_epoch": run["best_epoch"], "test": run["test"]}
            entry.update({key: run[key] for key in GENERATOR_KEYS if key in run})
            entry["diagnostics"] = {
                key: rows[name][key]
                for key in (
                    "fn_rate",
                    "hardness",
                    "neg_popularity",
                    "sec_epoch",
                    "valid_sec",
                    "sample_share",
                    "scores_epoch",
                    "x_rns",
                )
            }
            entry.update(stopped_early=run["stopped_early"], error=run["error"])
            per_seed[str(seed)][name] = entry
    results["config"]["seeds"] = seeds
    results.update(
        seeds=seeds,
        per_seed=per_seed,
        summary=seeds_summary(per_seed),
        datasets={str(s): o["dataset"] for s, o in zip(seeds, outcomes)},
    )
    return results


_SHORT = {"precision": "P", "recall": "R", "ndcg": "NDCG"}


def _metric_label(key: str) -> str:
    name, _, k = key.partition("@")
    return f"{_SHORT.get(name, name)}@{k}" if k else key


def results_table(results: dict) -> pd.DataFrame:
    """One row per sampler. One seed: test metrics at the validation-best epoch, diagnostics means,
    seconds per epoch after the warm-up epoch, validation seconds, cost vs RNS. Several seeds: the
    same as "mean ± half-width of the Student-t 95 % interval" over the seeds."""
    if "summary" in results:
        return _seeds_table(results)
    rows = {}
    for name, row in summarize_runs(results["runs"]).items():
        run = results["runs"][name]
        out = {"best epoch": row["best_epoch"], "epochs": row["epochs"]}
        out.update({f"test {k}": v for k, v in row["test"].items()})
        for key in GENERATOR_KEYS:
            out.update({f"{key.replace('test_', '')} {k}": v for k, v in row.get(key, {}).items()})
        out.update(
            {
                "fn rate": row["fn_rate"],
                "hardness": row["hardness"],
                "neg score": row["neg_score"],
                "neg popularity": row["neg_popularity"],
                "s/epoch": row["sec_epoch"],
                "x RNS": row["x_rns"],
                "valid s/epoch": row["valid_sec"],
                "sampling share": row["sample_share"],
                "scores/epoch": row["scores_epoch"],
                "seconds": run["seconds"],
            }
        )
        rows[name.upper()] = out
    return pd.DataFrame.from_dict(rows, orient="index")  # per-column dtypes: epochs stay integers


def _pm(interval: dict, digits: int = 4) -> str:
    mean, low = interval["mean"], interval["ci95_low"]
    if mean is None or not np.isfinite(mean):
        return "-"
    half = mean - low if low is not None and np.isfinite(low) else float("nan")
    return f"{mean:.{digits}f} ± {half:.{digits}f}" if np.isfinite(half) else f"{mean:.{digits}f}"


def _seeds_table(results: dict) -> pd.DataFrame:
    """One row per sampler (IRGAN's generator, at its start (after pretraining, if any) and at the selected epoch, in rows
    of its own under the same test columns), cells "mean ± half-width of the 95 % interval"."""
    train = results["config"]["train"]
    irgan_protocol = results["config"]["protocol"] == "irgan"
    headline = ["precision@5", "ndcg@5"] if irgan_protocol else [f"{train['select_metric']}@{train['eval_k']}"]

    def metrics(values: dict) -> dict:  # the IRGAN protocol reports P and NDCG only (as the paper)
        return {
            f"test {_metric_label(k)}": _pm(v)
            for k, v in values.items()
            if not (irgan_protocol and k.startswith("recall"))
        }

    rows = {}
    for name, entry in results["summary"].items():
        out = {"seeds": max((v["n"] for v in entry["test"].values()), default=0), **metrics(entry["test"])}
        diag = entry.get("diagnostics", {})
        for key, label, digits in (
            ("fn_rate", "fn rate", 4),
            ("hardness", "hardness", 4),
            ("sec_epoch", "s/epoch", 4),
            ("x_rns", "x RNS", 2),
            ("scores_epoch", "scores/epoch", 0),
        ):
            if key in diag:
                out[label] = _pm(diag[key], digits)
        for k, v in entry.get("vs_rns", {}).items():
            if k in headline:
                out[f"vs RNS {_metric_label(k)}"] = _pm({"mean": v["mean_diff"], "ci95_low": v["ci95_low"]})
        has_generator = bool(entry.get("test_generator"))
        rows[f"{name.upper()} (discriminator)" if has_generator else name.upper()] = out
        for key, label in (("test_generator_init", "generator, at start"), ("test_generator", "generator")):
            if entry.get(key):
                rows[f"{name.upper()} ({label})"] = {"seeds": out["seeds"], **metrics(entry[key])}
        for k, v in entry.get("adversarial_gain", {}).items():
            if k in headline:
                rows[f"{name.upper()} (generator)"][f"G gain over start {_metric_label(k)}"] = _pm(
                    {"mean": v["mean_diff"], "ci95_low": v["ci95_low"]}
                )
    return pd.DataFrame.from_dict(rows, orient="index").fillna("")


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # One thread: on this 2-core class of machine, torch's second thread makes small ops (index_add_)
    # up to 100x slower as soon as another process competes for a core.
    torch.set_num_threads(getattr(args, "threads", None) or 1)
    try:
        if args.command == "lesson":
            return run_lesson_command(args)
        if args.command == "sweep":
            from .sweep import run_sweep_command

            return run_sweep_command(args)
        if args.command == "bench":
            from .bench import run_bench, run_scale_bench

            if args.scale:
                samplers = _parse_samplers(args.samplers) if args.samplers else None
                run_scale_bench(args.scale, samplers, catalogue=args.catalogue, out=args.out)
                return 0
            run_bench(out=args.out, data_dir=args.data_dir, repeats=args.repeats)
            return 0
        results = run_compare(args)
    except (ValueError, DatasetNotFound, DownloadError, CSVFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 250, "display.max_columns", 40, "display.precision", 4):
        print(results_table(results).to_string())
    for name, run in results["runs"].items():
        if run["error"]:
            print(f"{name.upper()}: {run['error']}", file=sys.stderr)
    warnings = {evaluation_warning(d) for d in results.get("datasets", {"": results["dataset"]}).values()} - {None}
    for warning in sorted(warnings):
        print(f"warning: {warning}", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(to_jsonable(results), indent=1))
        print(f"results written to {args.out}")
    return 0
