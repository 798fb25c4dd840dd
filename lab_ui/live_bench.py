"""The app's live loop measured in-process: Compare's ticks (training + figures + what Streamlit does
to send them) against the CLI's training of the same world and samplers. No Streamlit server.

A tick is what :func:`lab_ui.player.live` runs: :meth:`LiveRun.advance` (one time-budgeted chunk),
the counter's HTML, and every CHART_SECONDS the charts fragment: Compare's figures
(:func:`compare_figures`, the same builders the page calls, memoised on the run's progress) and,
for each figure, what ``st.plotly_chart`` does before sending it
(``plotly.tools.return_figure_from_figure_or_data``: a ``go.Figure`` is only turned into a dict, not
validated again; then ``plotly.io.to_json``), plus the results table. The figures are built as plain
dicts and constructed once (:mod:`lab_ui.chart_base`); ``figure_set_cpu_seconds`` is the mean CPU
time of one set of Compare's six figures during the timed rounds. The CLI is :meth:`Comparison.run_epochs`. Both run on the
default synthetic world with all samplers, interleaved in rounds after a warm-up, in one process,
so the machine's load hits both alike.

``python -m lab_ui.live_bench [--seconds S] [--out live.json]``; ``python -m negsamp_core bench
--live-loop`` adds its result to bench.json as ``"live_loop"``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

__all__ = ["compare_figures", "measure_live_loop", "main"]


def compare_figures(run, lang: str = "en", x_mode: str = "epoch") -> dict:
    """Compare's figures of a run (the page's ``_build_figures``: the same builders and arguments)."""
    from . import figures

    h, trainer = run.histories, next(iter(run.trainers.values()))
    epochs, k = run.spec.config.epochs, run.spec.config.eval_k
    return {
        "convergence": figures.fig_convergence(h, k, x=x_mode, epochs=epochs, lang=lang),
        "scores": figures.fig_score_hists(h, trainer.score_edges, lang=lang),
        "hardness": figures.fig_hardness(h, epochs=epochs, lang=lang),
        "fn": figures.fig_fn_rate(h, run.dataset.false_negative_definition, epochs=epochs, lang=lang),
        "popularity": figures.fig_popularity(h, trainer.popularity_edges, epochs=epochs, lang=lang),
        "cost": figures.fig_cost(h, lang=lang),
    }


def _send(figs: dict) -> int:
    """What st.plotly_chart does to each figure before the delta leaves (bytes of JSON returned):
    ``return_figure_from_figure_or_data(fig, validate_figure=True)`` (for a go.Figure: ``to_dict()``,
    no second validation) and ``plotly.io.to_json(..., validate=False)``."""
    import plotly.io
    import plotly.tools

    size = 0
    for fig in figs.values():
        figure = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
        size += len(plotly.io.to_json(figure, validate=False))
    return size


class _AppLoop:
    """Compare's fragments without Streamlit: ticks, and charts every CHART_SECONDS."""

    def __init__(self, run, speed: int):
        from .player import CHART_SECONDS

        self.run, self.speed, self.chart_every = run, speed, CHART_SECONDS
        self.train_s = self.outside_s = self.build_s = self.send_s = 0.0
        self.sets, self.set_cpu_s = 0, 0.0  # Compare figure sets built, their CPU seconds
        self.last_chart, self.version, self.figs, self.payload = -1e9, None, None, 0
        self.columns = {
            c: c
            for c in (
                "sampler",
                "epochs",
                "loss",
                "best_epoch",
                "valid_ndcg",
                "valid_recall",
                "fn_rate",
                "hardness",
                "neg_pop",
                "sec_epoch",
                "sample_share",
                "scores_epoch",
            )
        }

    def tick(self) -> None:
        from .player import counter_html
        from .runs import results_frame

        t0 = time.perf_counter()
        self.run.advance(self.speed)
        t1 = time.perf_counter()
        counter_html(self.run, "en", True)
        if t1 - self.last_chart >= self.chart_every:
            self.last_chart = t1
            version = tuple(len(h) for h in self.run.histories.values())
            if version != self.version:  # the page's FigureVersion: rebuilt only when an epoch completed
                cpu = time.process_time()
                self.version, self.figs = version, compare_figures(self.run)
                self.sets, self.set_cpu_s = self.sets + 1, self.set_cpu_s + time.process_time() - cpu
                results_frame(self.run, self.columns, test=False)
            t2 = time.perf_counter()
            self.payload = _send(self.figs)  # the fragment re-sends its charts every time it runs
            self.build_s += t2 - t1
            self.send_s += time.perf_counter() - t2
        self.train_s += t1 - t0
        self.outside_s += time.perf_counter() - t1

    def epochs(self) -> int:
        return min(t.epoch for t in self.run.trainers.values())

    def run_epochs(self, n: int) -> None:
        target = self.epochs() + n
        while self.epochs() < target and not self.run.done:
            self.tick()


def measure_live_loop(seconds: float = 30.0, rounds: int = 3, speed: int = 20) -> dict:
    """App vs CLI epochs per second on the default world with every sampler (see the module doc).

    One "epoch" is one epoch of every sampler (the Comparison's unit); ``seconds`` bounds the total
    time of the timed rounds roughly (each round runs whole epochs of both)."""
    import torch

    from negsamp_core.compare import Comparison
    from negsamp_core.config import preset
    from negsamp_core.data import make_synthetic
    from negsamp_core.samplers import SAMPLERS

    from .runs import LiveRun, RunSpec, param_defaults

    torch.set_num_threads(1)
    dataset = make_synthetic(seed=0)
    samplers = tuple(SAMPLERS)
    config = preset("synthetic").replace(epochs=10_000)
    params = {n: param_defaults(n) for n in samplers}
    app = _AppLoop(LiveRun(dataset, RunSpec(("synthetic", 0), samplers, config, params, 0)), speed)
    cli = Comparison(dataset, samplers, config, params, 0)
    app.run_epochs(2)  # warm-up: first epochs, imports, plotly's validators
    cli.run_epochs(2)
    app.train_s = app.outside_s = app.build_s = app.send_s = 0.0
    app.sets, app.set_cpu_s = 0, 0.0
    per_round = None
    app_s = cli_s = 0.0
    app_n = cli_n = 0
    for _ in range(rounds):
        if per_round is None:  # size the rounds from one timed CLI epoch
            t = time.perf_counter()
            cli.run_epochs(1)
            one = max(time.perf_counter() - t, 1e-3)
            cli_s, cli_n = cli_s + one, cli_n + 1
            per_round = max(2, int(seconds / rounds / 2 / one))
        t = time.perf_counter()
        app.run_epochs(per_round)
        app_s, app_n = app_s + time.perf_counter() - t, app_n + per_round
        t = time.perf_counter()
        cli.run_epochs(per_round)
        cli_s, cli_n = cli_s + time.perf_counter() - t, cli_n + per_round
    total = app.train_s + app.outside_s
    app_eps, cli_eps = app_n / app_s, cli_n / cli_s
    return {
        "app_epochs_per_second": app_eps,
        "cli_epochs_per_second": cli_eps,
        "ratio": app_eps / cli_eps,
        "outside_training_share": app.outside_s / total if total else 0.0,
        "tick_shares": {
            "training": app.train_s / total,
            "figures": app.build_s / total,
            "plotly_chart_serialisation": app.send_s / total,
            "other": (app.outside_s - app.build_s - app.send_s) / total,
        }
        if total
        else {},
        "dataset": f"synthetic (default world: {dataset.n_users} users x {dataset.n_items} items, "
        f"{dataset.train.nnz} training pairs, seed 0)",
        "samplers": list(samplers),
        "epochs_timed": {"app": app_n, "cli": cli_n},
        "speed_batches_per_tick": speed,
        "chart_seconds": app.chart_every,
        "figure_payload_bytes": app.payload,
        "figure_sets_built": app.sets,
        "figure_set_cpu_seconds": app.set_cpu_s / app.sets if app.sets else None,
        "note": "in-process (no browser, no websocket); the CLI and the app alternate in rounds",
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m lab_ui.live_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = measure_live_loop(args.seconds, args.rounds)
    text = json.dumps({"live_loop": result}, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
