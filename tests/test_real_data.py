"""Known-answer checks on real MovieLens 100K (skipped when ../shared/datasets is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from negsamp_core.config import PRESETS
from negsamp_core.data import load_dataset
from negsamp_core.metrics import evaluate, popularity_scores
from negsamp_core.training import Trainer

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(not (SHARED / "ml-100k").is_dir(), reason="../shared/datasets/ml-100k is absent"),
]


@pytest.fixture(scope="module")
def ml100k():
    return load_dataset("ml-100k", data_dir=SHARED, split="u1")


def test_popularity_baseline_on_u1_matches_its_known_answer(ml100k):
    # Ranking by training popularity (all of u1.base minus validation), 456 test users.
    result = evaluate(popularity_scores(ml100k), ml100k, "test", ks=(5, 10))
    assert result["n_users"] == 456
    assert result["precision@5"] == pytest.approx(0.23289, abs=1e-4)  # measured; a regression pin
    assert result["ndcg@10"] == pytest.approx(0.23881, abs=1e-4)


def test_bpr_with_rns_beats_popularity_on_ml100k(ml100k):
    popularity = evaluate(popularity_scores(ml100k), ml100k, "test", ks=(10,))["ndcg@10"]
    trainer = Trainer(ml100k, "rns", PRESETS["irgan-protocol"].replace(epochs=12, patience=None), seed=0)
    trainer.run_epochs()
    learned = trainer.test_metrics(ks=(10,))["ndcg@10"]
    assert learned > popularity + 0.02, (learned, popularity)


def test_held_out_false_negative_rate_is_measured_on_real_data(ml100k):
    # Uniform negatives hit a held-out positive with probability ~ held-out / non-positives.
    trainer = Trainer(ml100k, "rns", PRESETS["irgan-protocol"].replace(epochs=1), seed=0)
    record = trainer.run_epochs()[0]
    held_out = ml100k.held_out.counts / (ml100k.n_items - ml100k.train.counts)  # per-user hit chance
    expected = held_out[ml100k.train_users].mean()  # averaged over the training pairs
    assert ml100k.false_negative_definition == "held-out"
    assert record.fn_rate == pytest.approx(expected, rel=0.1)  # 40k draws: ~4% relative noise
