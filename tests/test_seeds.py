"""Results over seeds: seed lists, Student-t intervals, paired differences against RNS, parallel == serial."""

from __future__ import annotations

import json

import numpy as np
import pytest

from negsamp_core.cli import main, parse_seeds
from negsamp_core.results import INTERVAL, mean_interval, seeds_summary, t_quantile

SINGLE_SEED_KEYS = {"dataset", "config", "runs"}
RUN_KEYS = {"history", "best_epoch", "test", "seconds", "stopped_early", "error", "sampler_params"}


def _compare(tmp_path, name, *argv):
    out = tmp_path / f"{name}.json"
    assert (
        main(
            [
                "compare",
                "--dataset",
                "toy",
                "--samplers",
                "rns,dns",
                "--epochs",
                "2",
                "--quiet",
                "--out",
                str(out),
                *argv,
            ]
        )
        == 0
    )
    return json.loads(out.read_text())


def _without_seconds(history):
    return [{k: v for k, v in h.items() if "seconds" not in k} for h in history]


def test_seed_lists_and_counts():
    assert parse_seeds(None, None) == [0] and parse_seeds(None, 7) == [7]
    assert parse_seeds("0,1,2,3,4", None) == [0, 1, 2, 3, 4] and parse_seeds("5", None) == [0, 1, 2, 3, 4]
    assert parse_seeds("2026,", None) == [2026]  # a one-element list, not a count
    for bad in ("0,0", "a,b", "0"):
        with pytest.raises(ValueError):
            parse_seeds(bad, None)
    with pytest.raises(ValueError, match="either --seed or --seeds"):
        parse_seeds("3", 1)


def test_t_quantiles_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 2, 4, 10, 30, 31, 45, 100, 1000):
        assert t_quantile(df) == pytest.approx(stats.t.ppf(0.975, df), abs=2e-4)


def test_mean_interval_by_hand():
    x = [0.30, 0.32, 0.34, 0.31, 0.33]
    got = mean_interval(x)
    half = 2.7764 * np.std(x, ddof=1) / np.sqrt(5)
    assert got["n"] == 5 and got["mean"] == pytest.approx(0.32) and got["std"] == pytest.approx(np.std(x, ddof=1))
    assert (got["ci95_low"], got["ci95_high"]) == pytest.approx((0.32 - half, 0.32 + half))
    one = mean_interval([0.5])
    assert one["mean"] == 0.5 and one["n"] == 1 and np.isnan(one["std"]) and np.isnan(one["ci95_low"])


def test_summary_keeps_generator_keys_and_pairs_against_rns():
    per_seed = {
        str(s): {
            "rns": {"test": {"precision@5": 0.30 + s / 100}},
            "irgan": {
                "test": {"precision@5": 0.20},
                "test_generator": {"precision@5": 0.38 + s / 50},
                "test_generator_init": {"precision@5": 0.37},
            },
        }
        for s in range(3)
    }
    summary = seeds_summary(per_seed)
    assert summary["irgan"]["test_generator"]["precision@5"]["mean"] == pytest.approx(0.40)
    assert summary["irgan"]["test_generator_init"]["precision@5"]["std"] == pytest.approx(0.0)
    assert summary["irgan"]["vs_rns"]["precision@5"]["mean_diff"] == pytest.approx(0.20 - 0.31)
    assert "vs_rns" not in summary["rns"] and "test_generator" not in summary["rns"]
    assert summary["rns"]["interval"] == INTERVAL


def test_two_seeds_differ_and_the_summary_is_their_mean(tmp_path, capsys):
    results = _compare(tmp_path, "two", "--seeds", "0,1")
    printed = capsys.readouterr().out
    assert "±" in printed and "vs RNS" in printed
    assert results["seeds"] == [0, 1] and set(results["per_seed"]) == {"0", "1"}
    a, b = results["per_seed"]["0"], results["per_seed"]["1"]
    assert set(a) == {"rns", "dns"} and {"best_epoch", "test"} <= set(a["dns"])
    assert a["dns"]["test"] != b["dns"]["test"] or a["rns"]["test"] != b["rns"]["test"]
    for name in ("rns", "dns"):
        for metric, stats in results["summary"][name]["test"].items():
            values = [results["per_seed"][s][name]["test"][metric] for s in ("0", "1")]
            assert stats["mean"] == pytest.approx(np.mean(values)) and stats["n"] == 2
            assert stats["ci95_low"] <= stats["mean"] <= stats["ci95_high"]
        fn = [results["per_seed"][s][name]["diagnostics"]["fn_rate"] for s in ("0", "1")]
        assert results["summary"][name]["diagnostics"]["fn_rate"]["mean"] == pytest.approx(np.mean(fn))
    diffs = [
        results["per_seed"][s]["dns"]["test"]["ndcg@5"] - results["per_seed"][s]["rns"]["test"]["ndcg@5"]
        for s in ("0", "1")
    ]
    assert results["summary"]["dns"]["vs_rns"]["ndcg@5"]["mean_diff"] == pytest.approx(np.mean(diffs))
    # the first seed's full record is the single-seed run of that seed
    single = _compare(tmp_path, "single0", "--seed", "0")
    assert _without_seconds(results["runs"]["dns"]["history"]) == _without_seconds(single["runs"]["dns"]["history"])


def test_a_single_seed_keeps_the_schema(tmp_path):
    for argv in ((), ("--seeds", "1"), ("--seeds", "3,")):
        results = _compare(tmp_path, "single", *argv)
        assert set(results) == SINGLE_SEED_KEYS
        assert set(results["config"]) == {"protocol", "seed", "train", "test_ks", "samplers"}
        assert all(set(run) == RUN_KEYS for run in results["runs"].values())


def test_parallel_seeds_equal_serial_seeds(tmp_path):
    serial = _compare(tmp_path, "serial", "--seeds", "0,1")
    parallel = _compare(tmp_path, "parallel", "--seeds", "0,1", "--workers", "2")
    for seed in ("0", "1"):
        for name in ("rns", "dns"):
            a, b = serial["per_seed"][seed][name], parallel["per_seed"][seed][name]
            assert a["test"] == b["test"] and a["best_epoch"] == b["best_epoch"]
            assert a["diagnostics"]["fn_rate"] == b["diagnostics"]["fn_rate"]
    assert serial["summary"]["dns"]["test"] == parallel["summary"]["dns"]["test"]
    assert _without_seconds(serial["runs"]["rns"]["history"]) == _without_seconds(parallel["runs"]["rns"]["history"])


def test_adversarial_gain_is_the_paired_difference_generator_minus_pretrained():
    from negsamp_core.results import seeds_summary

    per_seed = {
        s: {
            "irgan": {
                "test": {"precision@5": 0.1},
                "test_generator": {"precision@5": g},
                "test_generator_init": {"precision@5": g0},
            }
        }
        for s, (g, g0) in {"0": (0.40, 0.39), "1": (0.42, 0.40), "2": (0.41, 0.41)}.items()
    }
    gain = seeds_summary(per_seed)["irgan"]["adversarial_gain"]["precision@5"]
    assert gain["n"] == 3 and abs(gain["mean_diff"] - 0.01) < 1e-12  # (0.01 + 0.02 + 0.00) / 3
    assert gain["ci95_low"] < 0.01 < gain["ci95_high"]
    assert "adversarial_gain" not in seeds_summary({"0": {"rns": {"test": {"precision@5": 0.1}}}})["rns"]
