"""The command line: JSON schema, errors with exit code 2, the IRGAN protocol on real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from negsamp_core.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
HISTORY_KEYS = {
    "epoch",
    "loss",
    "valid",
    "fn_rate",
    "neg_score_mean",
    "pos_score_mean",
    "neg_popularity_mean",
    "sample_seconds",
    "train_seconds",
}


def test_compare_writes_the_documented_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    code = main(
        [
            "compare",
            "--dataset",
            "toy",
            "--samplers",
            "rns,dns",
            "--epochs",
            "3",
            "--seed",
            "1",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "RNS" in printed and "DNS" in printed and "PNS" not in printed
    results = json.loads(out.read_text())
    assert set(results["dataset"]) >= {"name", "n_users", "n_items", "n_train", "n_valid", "n_test"}
    assert results["dataset"]["name"] == "toy" and results["dataset"]["n_items"] == 12
    assert results["config"]["seed"] == 1
    assert set(results["runs"]) == {"rns", "dns"}
    for run in results["runs"].values():
        assert len(run["history"]) == 3
        assert HISTORY_KEYS <= set(run["history"][0])
        assert set(run["history"][0]["valid"]) >= {"recall@3", "ndcg@3", "precision@3"}
        assert 1 <= run["best_epoch"] <= 3
        assert "ndcg@5" in run["test"] and "recall@5" in run["test"]


def test_same_seed_reproduces_the_same_results(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        assert (
            main(
                [
                    "compare",
                    "--dataset",
                    "toy",
                    "--samplers",
                    "pns,srns",
                    "--epochs",
                    "2",
                    "--quiet",
                    "--out",
                    str(path),
                ]
            )
            == 0
        )
    a, b = (json.loads(p.read_text()) for p in paths)
    for name in ("pns", "srns"):
        assert [h["loss"] for h in a["runs"][name]["history"]] == [h["loss"] for h in b["runs"][name]["history"]]
        assert a["runs"][name]["test"] == b["runs"][name]["test"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--samplers", "rns,foo"], "unknown sampler"),
        (["--protocol", "irgan"], "--protocol irgan needs --dataset ml-100k"),
        (["--dataset", "csv"], "needs a file"),
        (["--dataset", "toy", "--k", "12"], "top-K = 12"),
        (["--dataset", "toy", "--srns-s1", "11"], "S1"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    assert main(["compare", "--quiet", "--epochs", "1", *argv]) == 2
    assert message in capsys.readouterr().err


def test_missing_movielens_says_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NEGSAMP_DATA_DIR", raising=False)
    monkeypatch.setenv("NEGSAMP_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["compare", "--dataset", "ml-100k", "--data-dir", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "--download" in err


@pytest.mark.real_data
@pytest.mark.skipif(not (SHARED / "ml-100k").is_dir(), reason="../shared/datasets/ml-100k is absent")
def test_irgan_protocol_on_ml100k_reports_p_and_ndcg_at_3_5_10(tmp_path):
    out = tmp_path / "irgan.json"
    assert (
        main(
            [
                "compare",
                "--dataset",
                "ml-100k",
                "--data-dir",
                str(SHARED),
                "--protocol",
                "irgan",
                "--samplers",
                "rns",
                "--epochs",
                "2",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    results = json.loads(out.read_text())
    assert results["dataset"]["n_users"] == 943 and results["dataset"]["n_items"] == 1682
    assert results["dataset"]["n_test"] == 11235
    test = results["runs"]["rns"]["test"]
    assert {"precision@3", "precision@5", "precision@10", "ndcg@3", "ndcg@5", "ndcg@10"} <= set(test)
    assert test["n_users"] == 456


def _plain_csv(path: Path, n_items: int = 15) -> Path:
    """user,item only: user 1 has 12 positives (the only one that gets held-out items), users 2-6 have 3."""
    rows = ["user,item"] + [f"1,{i}" for i in range(12)]
    rows += [f"{u},{(u * 3 + j) % n_items}" for u in range(2, 7) for j in range(3)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_plain_csv_runs_with_the_defaults_and_warns_about_one_evaluated_user(tmp_path, capsys):
    out = tmp_path / "r.json"
    argv = [
        "compare",
        "--dataset",
        "csv",
        "--csv",
        str(_plain_csv(tmp_path / "plain.csv")),
        "--samplers",
        "rns",
        "--epochs",
        "1",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "fewer than 20" in err
    dataset = json.loads(out.read_text())["dataset"]
    assert dataset["n_valid_users"] == 1 and dataset["n_test_users"] == 1
    assert main(argv + ["--min-positives-to-split", "3"]) == 0  # now users with 3 positives are held out too
    dataset = json.loads(out.read_text())["dataset"]
    assert dataset["n_valid_users"] == 6 and dataset["n_test_users"] <= 6


def test_threshold_on_a_file_without_ratings_is_a_clear_error(tmp_path, capsys):
    path = _plain_csv(tmp_path / "plain.csv")
    assert (
        main(["compare", "--dataset", "csv", "--csv", str(path), "--threshold", "4", "--epochs", "1", "--quiet"]) == 2
    )
    assert "no rating column" in capsys.readouterr().err
    assert main(["compare", "--dataset", "toy", "--threshold", "4", "--epochs", "1", "--quiet"]) == 2
    assert "threshold applies to" in capsys.readouterr().err


def _option_blocks(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("  -") and current:
            blocks.append(" ".join(current))
            current = []
        if line.startswith("  -") or (current and line.startswith("     ")):
            current.append(line.strip())
    return blocks + [" ".join(current)] if current else blocks


def test_help_prints_one_default_per_option(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    blocks = _option_blocks(text)
    assert len(blocks) > 30
    doubled = [b for b in blocks if b.count("(default") > 1 or "(default: None)" in b]
    assert not doubled, doubled
    assert any("--min-positives-to-split" in b and "(default 10" in b for b in blocks)
    assert any(b.startswith("--irgan-temperature") and "irgan protocol 1" in b for b in blocks)
    assert "toy " in text and "training presets" in text


def test_on_off_sampler_parameters_become_flags():
    import argparse
    from types import SimpleNamespace

    from negsamp_core.cli import _add_param

    parser = argparse.ArgumentParser()
    spec = SimpleNamespace(
        name="baseline", default=False, integer=True, boolean=True, help="subtract the mean", paper="none"
    )
    _add_param(parser, "irgan", spec)
    assert parser.parse_args(["--irgan-baseline"]).irgan__baseline is True
    assert parser.parse_args(["--no-irgan-baseline"]).irgan__baseline is False
    assert parser.parse_args([]).irgan__baseline is None
    assert parser.format_help().count("default") == 1 and "(default off" in parser.format_help()
