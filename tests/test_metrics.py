"""Full-ranking metrics against hand-made cases and a slow, obvious reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from negsamp_core.data import Dataset
from negsamp_core.metrics import evaluate, metrics_from_hits, popularity_scores


# ----------------------------------------------------------------------------- slow reference
def reference_user_metrics(ranking: list[int], relevant: set[int], k: int) -> tuple[float, float, float]:
    """(recall, ndcg, precision) at k for one user from an explicit ranked list of items."""
    top = ranking[:k]
    hits = [1.0 if item in relevant else 0.0 for item in top]
    dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits))
    idcg = sum(1 / math.log2(r + 2) for r in range(min(k, len(relevant))))
    return sum(hits) / len(relevant), dcg / idcg, sum(hits) / k


def reference_evaluate(scores: np.ndarray, dataset: Dataset, split: str, ks) -> dict:
    truth = dataset.valid if split == "valid" else dataset.test
    sums = {f"{m}@{k}": 0.0 for k in ks for m in ("recall", "ndcg", "precision")}
    n = 0
    for u in range(dataset.n_users):
        relevant = set(truth.row(u).tolist())
        if not relevant:
            continue
        n += 1
        known = set(dataset.train.row(u).tolist())
        if split == "test":
            known |= set(dataset.valid.row(u).tolist())
        candidates = [j for j in range(dataset.n_items) if j not in known]
        ranking = sorted(candidates, key=lambda j: -scores[u, j])
        for k in ks:
            r, g, p = reference_user_metrics(ranking, relevant, k)
            sums[f"recall@{k}"] += r
            sums[f"ndcg@{k}"] += g
            sums[f"precision@{k}"] += p
    return {key: value / n for key, value in sums.items()} | {"n_users": n}


# ----------------------------------------------------------------------------- metrics_from_hits
def test_hits_at_ranks_0_and_2_with_two_relevant():
    out = metrics_from_hits(np.array([[True, False, True]]), np.array([2]), ks=[3])
    assert out["ndcg@3"][0] == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)), abs=1e-12)
    assert out["recall@3"][0] == pytest.approx(1.0)
    assert out["precision@3"][0] == pytest.approx(2 / 3)


def test_fewer_relevant_than_k_uses_ideal_dcg_over_n():
    # one relevant item, found at rank 1: NDCG@5 = (1/log2 3) / 1
    out = metrics_from_hits(np.array([[False, True, False, False, False]]), np.array([1]), ks=[5])
    assert out["ndcg@5"][0] == pytest.approx(1 / math.log2(3), abs=1e-12)
    assert out["recall@5"][0] == pytest.approx(1.0)
    assert out["precision@5"][0] == pytest.approx(0.2)
    # the relevant item at rank 0: perfect NDCG although K > n
    out = metrics_from_hits(np.array([[True, False, False, False, False]]), np.array([1]), ks=[5])
    assert out["ndcg@5"][0] == pytest.approx(1.0, abs=1e-12)


def test_more_relevant_than_k_uses_ideal_dcg_over_k():
    out = metrics_from_hits(np.array([[True, True, False]]), np.array([5]), ks=[3])
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert out["ndcg@3"][0] == pytest.approx((1 + 1 / math.log2(3)) / ideal, abs=1e-12)
    assert out["recall@3"][0] == pytest.approx(2 / 5)
    assert out["precision@3"][0] == pytest.approx(2 / 3)
    full = metrics_from_hits(np.array([[True, True, True]]), np.array([5]), ks=[3])
    assert full["ndcg@3"][0] == pytest.approx(1.0)


def test_several_cutoffs_from_one_hit_matrix():
    hits = np.array([[False, True, False, True], [False, False, False, False], [True, True, True, True]])
    out = metrics_from_hits(hits, np.array([2, 3, 4]), ks=[1, 2, 4])
    np.testing.assert_allclose(out["precision@1"], [0, 0, 1])
    np.testing.assert_allclose(out["recall@2"], [0.5, 0, 0.5])
    np.testing.assert_allclose(out["ndcg@2"], [(1 / math.log2(3)) / (1 + 1 / math.log2(3)), 0, 1])
    np.testing.assert_allclose(out["ndcg@4"][0], (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    np.testing.assert_allclose(out["recall@4"], [1, 0, 1])


def test_metrics_from_hits_matches_reference_on_random_rankings():
    rng = np.random.default_rng(0)
    for _ in range(50):
        k_max = int(rng.integers(1, 12))
        n_rel = int(rng.integers(1, 15))
        hit_positions = rng.choice(k_max, size=min(n_rel, int(rng.integers(0, k_max + 1))), replace=False)
        hits = np.zeros(k_max, dtype=bool)
        hits[hit_positions] = True
        ranking = [1000 + i if hits[i] else i for i in range(k_max)]  # ids >= 1000 are relevant
        # n_rel relevant items: the hit ids plus relevant items ranked below K_max
        relevant = {ranking[r] for r in hit_positions} | set(range(5000, 5000 + n_rel - hit_positions.size))
        ks = sorted({int(x) for x in rng.integers(1, k_max + 1, size=3)})
        out = metrics_from_hits(hits[None, :], np.array([n_rel]), ks)
        for k in ks:
            r, g, p = reference_user_metrics(ranking, relevant, k)
            assert out[f"recall@{k}"][0] == pytest.approx(r, abs=1e-12)
            assert out[f"ndcg@{k}"][0] == pytest.approx(g, abs=1e-12)
            assert out[f"precision@{k}"][0] == pytest.approx(p, abs=1e-12)


# ----------------------------------------------------------------------------- evaluate
def table_scorer(scores: np.ndarray):
    table = torch.as_tensor(scores, dtype=torch.float32)
    return lambda users: table[users]


@pytest.mark.parametrize("split", ["valid", "test"])
def test_evaluate_matches_slow_reference(small_world, split):
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(small_world.n_users, small_world.n_items)).astype(np.float32)
    ks = (1, 5, 10)
    got = evaluate(table_scorer(scores), small_world, split, ks=ks, batch_users=7)
    want = reference_evaluate(scores, small_world, split, ks)
    assert got["n_users"] == want["n_users"] == int((getattr(small_world, split).counts > 0).sum())
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_evaluate_excludes_known_items():
    """train {0}, valid {1}, test {2}; scores 5 > 4 > 3 > others."""
    dataset = Dataset.from_pairs("exclusion", 1, 6, train=([0], [0]), valid=([0], [1]), test=([0], [2]))
    scores = np.array([[5.0, 4.0, 3.0, 1.0, 0.5, 0.0]])
    valid = evaluate(table_scorer(scores), dataset, "valid", ks=(1,))
    test = evaluate(table_scorer(scores), dataset, "test", ks=(1, 2))
    assert valid["recall@1"] == 1.0 and valid["ndcg@1"] == 1.0  # item 0 (train) is not ranked
    assert test["recall@1"] == 1.0 and test["ndcg@1"] == 1.0  # items 0 (train) and 1 (valid) are not ranked
    assert test["precision@2"] == 0.5


def test_evaluate_does_not_exclude_test_items_from_validation_ranking():
    """Validation ranks test items (they are unknown at validation time): the test item outranks."""
    dataset = Dataset.from_pairs("order", 1, 6, train=([0], [0]), valid=([0], [1]), test=([0], [2]))
    scores = np.array([[5.0, 3.0, 4.0, 1.0, 0.5, 0.0]])
    valid = evaluate(table_scorer(scores), dataset, "valid", ks=(1, 2))
    assert valid["recall@1"] == 0.0
    assert valid["ndcg@2"] == pytest.approx(1 / math.log2(3))


def test_users_without_held_out_positive_are_not_averaged():
    # user 0: valid item ranked first (hit); user 1: valid item ranked last (miss); user 2: no valid item
    dataset = Dataset.from_pairs("avg", 3, 5, train=([0, 1, 2], [0, 0, 0]), valid=([0, 1], [1, 4]))
    scores = np.tile(np.array([0.0, 4.0, 3.0, 2.0, 1.0]), (3, 1))
    out = evaluate(table_scorer(scores), dataset, "valid", ks=(1,), per_user=True)
    assert out["n_users"] == 2
    assert out["recall@1"] == pytest.approx(0.5)
    assert out["ndcg@1"] == pytest.approx(0.5)
    np.testing.assert_array_equal(out["per_user"]["users"], [0, 1])
    np.testing.assert_allclose(out["per_user"]["recall@1"], [1.0, 0.0])
    empty = evaluate(table_scorer(scores), dataset, "test", ks=(1,))
    assert empty["n_users"] == 0 and math.isnan(empty["ndcg@1"])


def test_evaluate_rejects_bad_arguments(toy):
    score_all = popularity_scores(toy)
    with pytest.raises(ValueError, match="split"):
        evaluate(score_all, toy, "train")
    with pytest.raises(ValueError, match="K"):
        evaluate(score_all, toy, "valid", ks=(toy.n_items + 1,))
    with pytest.raises(ValueError):
        evaluate(score_all, toy, "valid", ks=(0,))


def test_popularity_scores_rank_by_training_popularity(small_world):
    score_all = popularity_scores(small_world)
    s = score_all(torch.tensor([0, 3]))
    assert s.shape == (2, small_world.n_items)
    np.testing.assert_array_equal(s[1].numpy(), small_world.item_popularity.astype(np.float32))
