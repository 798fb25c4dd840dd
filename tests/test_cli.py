"""The command line: JSON schema, errors with exit code 2, the IRGAN protocol on real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from negsamp_core.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
HISTORY_KEYS = {"epoch", "loss", "valid", "fn_rate", "neg_score_mean", "pos_score_mean", "neg_popularity_mean",
                "sample_seconds", "train_seconds"}


def test_compare_writes_the_documented_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    code = main(["compare", "--dataset", "toy", "--samplers", "rns,dns", "--epochs", "3", "--seed", "1",
                 "--quiet", "--out", str(out)])
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
        assert main(["compare", "--dataset", "toy", "--samplers", "pns,srns", "--epochs", "2", "--quiet",
                     "--out", str(path)]) == 0
    a, b = (json.loads(p.read_text()) for p in paths)
    for name in ("pns", "srns"):
        assert [h["loss"] for h in a["runs"][name]["history"]] == [h["loss"] for h in b["runs"][name]["history"]]
        assert a["runs"][name]["test"] == b["runs"][name]["test"]


@pytest.mark.parametrize("argv, message", [
    (["--samplers", "rns,foo"], "unknown sampler"),
    (["--protocol", "irgan"], "--protocol irgan needs --dataset ml-100k"),
    (["--dataset", "csv"], "needs a file"),
    (["--dataset", "toy", "--k", "12"], "top-K = 12"),
    (["--dataset", "toy", "--srns-s1", "11"], "S1"),
])
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
    assert main(["compare", "--dataset", "ml-100k", "--data-dir", str(SHARED), "--protocol", "irgan",
                 "--samplers", "rns", "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["dataset"]["n_users"] == 943 and results["dataset"]["n_items"] == 1682
    assert results["dataset"]["n_test"] == 11235
    test = results["runs"]["rns"]["test"]
    assert {"precision@3", "precision@5", "precision@10", "ndcg@3", "ndcg@5", "ndcg@10"} <= set(test)
    assert test["n_users"] == 456
