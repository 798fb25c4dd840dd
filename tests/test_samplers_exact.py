"""Exact small cases for each sampler: known distributions, hand-set scores, slow references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.data import Dataset
from negsamp_core.model import MatrixFactorization, Scorer
from negsamp_core.samplers import (
    DNS,
    IRGAN,
    PNS,
    RNS,
    SRNS,
    DNSInspection,
    PNSInspection,
    RNSInspection,
    SRNSInspection,
    UniformNonPositive,
)


def gens(seed: int = 0) -> dict:
    return {"rng": np.random.default_rng(seed), "torch_generator": torch.Generator().manual_seed(seed)}


def frequencies(draws: np.ndarray, n_items: int) -> np.ndarray:
    return np.bincount(draws.ravel(), minlength=n_items) / draws.size


def assert_frequencies(draws: np.ndarray, probs: np.ndarray, n_se: float = 4.5) -> None:
    """Empirical frequencies within n_se standard errors of ``probs``; zero-probability items never."""
    n = draws.size
    freq = frequencies(draws, probs.size)
    se = np.sqrt(probs * (1 - probs) / n)
    assert (freq[probs == 0] == 0).all(), f"drawn with probability 0: {np.flatnonzero((probs == 0) & (freq > 0))}"
    assert np.all(np.abs(freq - probs) <= n_se * se + 1e-12), f"freq {freq} vs p {probs}"


def chi_square(draws: np.ndarray, probs: np.ndarray) -> tuple[float, int]:
    counts = np.bincount(draws.ravel(), minlength=probs.size)
    support = probs > 0
    assert counts[~support].sum() == 0
    expected = probs[support] * draws.size
    return float(((counts[support] - expected) ** 2 / expected).sum()), int(support.sum() - 1)


def assert_chi_square(draws: np.ndarray, probs: np.ndarray) -> None:
    stat, df = chi_square(draws, probs)
    assert stat < df + 6 * np.sqrt(2 * df) + 6, f"chi-square {stat:.1f} with {df} degrees of freedom"


def scorer_with_item_scores(n_users: int, item_scores) -> tuple[MatrixFactorization, Scorer]:
    """A model with d = 1, p_u = 1 and q_j = item_scores[j], so s(u, j) = item_scores[j]."""
    item_scores = torch.as_tensor(item_scores, dtype=torch.float32)
    model = MatrixFactorization(n_users, item_scores.numel(), 1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.user_emb.fill_(1.0)
        model.item_emb.copy_(item_scores[:, None])
    return model, Scorer(model)


# ============================================================================= PNS
@pytest.fixture(scope="module")
def pns_world() -> Dataset:
    """Item popularity c = [3, 1, 0, 0, 0]; user 0 has no positive; duplicates in the input pairs.

    user 1: {0, 1}; user 2: {0}; user 3: {0} (given three times); user 0: nothing.
    """
    users = [1, 1, 2, 3, 3, 3, 1]
    items = [0, 1, 0, 0, 0, 0, 0]
    return Dataset.from_pairs("pns", 4, 5, train=(users, items))


def test_pns_world_counts_distinct_training_users(pns_world):
    assert pns_world.item_popularity.tolist() == [3, 1, 0, 0, 0]
    assert pns_world.train.nnz == 4
    assert pns_world.train.row(3).tolist() == [0]


@pytest.mark.parametrize(
    "alpha, expected",
    [
        (1.0, [0.75, 0.25, 0, 0, 0]),
        (0.5, list(np.array([np.sqrt(3), 1, 0, 0, 0]) / (np.sqrt(3) + 1))),
        (0.0, [0.2] * 5),
    ],
)
def test_pns_distribution_exact_and_empirical(pns_world, alpha, expected):
    expected = np.array(expected)
    sampler = PNS(pns_world, 4, alpha=alpha, **gens(1))
    np.testing.assert_allclose(sampler.probabilities(0), expected, rtol=0, atol=1e-12)
    draws = sampler.sample(np.zeros(5000, dtype=np.int64), np.zeros(5000, dtype=np.int64), None)  # 20,000
    assert draws.shape == (5000, 4)
    assert_frequencies(draws, expected)


def test_pns_user_with_single_weighted_item(pns_world):
    """Users 2 and 3 own item 0: the only remaining weight at alpha > 0 is item 1."""
    sampler = PNS(pns_world, 1, alpha=0.75, **gens(2))
    np.testing.assert_array_equal(sampler.probabilities(2), [0, 1, 0, 0, 0])
    draws = sampler.sample(np.full(2000, 3, dtype=np.int64), np.zeros(2000, dtype=np.int64), None)
    assert (draws == 1).all()


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_pns_zero_remaining_mass_falls_back_to_uniform(pns_world, alpha):
    """User 1 owns items 0 and 1, the only items with c_j > 0: uniform over {2, 3, 4}, no NaN."""
    sampler = PNS(pns_world, 2, alpha=alpha, **gens(3))
    probs = sampler.probabilities(1)
    assert np.isfinite(probs).all()
    np.testing.assert_allclose(probs, [0, 0, 1 / 3, 1 / 3, 1 / 3], atol=1e-12)
    draws = sampler.sample(np.full(6000, 1, dtype=np.int64), np.zeros(6000, dtype=np.int64), None)
    assert_frequencies(draws, probs)


def test_pns_alpha_zero_is_exactly_rns(pns_world):
    """alpha = 0: uniform over the user's non-positives, like RNS (also with positives)."""
    pns = PNS(pns_world, 1, alpha=0.0, **gens(4))
    rns_probs = {1: [0, 0, 1 / 3, 1 / 3, 1 / 3], 2: [0, 0.25, 0.25, 0.25, 0.25], 0: [0.2] * 5}
    for user, expected in rns_probs.items():
        np.testing.assert_allclose(pns.probabilities(user), expected, atol=1e-12)
        draws = pns.sample(np.full(8000, user, dtype=np.int64), np.zeros(8000, dtype=np.int64), None)
        assert_frequencies(draws, np.array(expected))


def pns_reference_probabilities(dataset: Dataset, user: int, alpha: float) -> np.ndarray:
    c = dataset.item_popularity.astype(float)
    w = np.ones_like(c) if alpha == 0 else np.where(c > 0, c**alpha, 0.0)
    w[dataset.train.row(user)] = 0.0
    if w.sum() == 0:
        w = np.ones_like(c)
        w[dataset.train.row(user)] = 0.0
    return w / w.sum()


@pytest.mark.parametrize("alpha", [0.0, 0.75, 1.0])
def test_pns_matches_slow_reference_on_random_data(alpha, make_random_dataset):
    dataset = make_random_dataset(11)
    sampler = PNS(dataset, 1, alpha=alpha, **gens(5))
    for u in range(dataset.n_users):
        np.testing.assert_allclose(sampler.probabilities(u), pns_reference_probabilities(dataset, u, alpha), atol=1e-12)
    # empirical distribution of the fast vectorised draw, per user, for the users with most positives
    users = np.argsort(-dataset.train.counts, kind="stable")[:4]
    batch = np.repeat(users, 4000).astype(np.int64)
    draws = sampler.sample(batch, np.zeros_like(batch), None)[:, 0]
    for u in users:
        assert_chi_square(draws[batch == u], pns_reference_probabilities(dataset, u, alpha))


def test_pns_alpha_change_rebuilds_distribution(pns_world):
    sampler = PNS(pns_world, 1, alpha=1.0, **gens(6))
    sampler.set_params(alpha=0.0)
    np.testing.assert_allclose(sampler.probabilities(0), [0.2] * 5, atol=1e-12)
    draws = sampler.sample(np.zeros(10000, dtype=np.int64), np.zeros(10000, dtype=np.int64), None)
    assert_frequencies(draws, np.full(5, 0.2))


# ============================================================================= DNS
class CountingScorer(Scorer):
    """A Scorer that records the shape of every ``score`` call."""

    def __init__(self, model):
        super().__init__(model)
        self.calls = []

    def score(self, users, items):
        self.calls.append(tuple(items.shape))
        return super().score(users, items)


@pytest.mark.parametrize("k, m", [(1, 5), (3, 4), (2, 8)])
def test_dns_scores_all_candidates_in_one_call(small_world, k, m):
    model = MatrixFactorization(small_world.n_users, small_world.n_items, 4, generator=torch.Generator().manual_seed(0))
    scorer = CountingScorer(model)
    sampler = DNS(small_world, k, candidates=m, **gens(0))
    b = 37
    users, pos = small_world.train_users[:b], small_world.train_items[:b]
    sampler.sample(users, pos, scorer)
    assert len(scorer.calls) == 1
    assert int(np.prod(scorer.calls[0])) == b * k * m
    assert scorer.n_scores == b * k * m
    assert sampler.last["candidates"].shape == (b, k, m)


def test_dns_returns_best_candidate_with_known_scores(small_world):
    _, scorer = scorer_with_item_scores(small_world.n_users, np.arange(small_world.n_items))  # s(u, j) = j
    sampler = DNS(small_world, 3, candidates=6, **gens(1))
    users, pos = small_world.train_users, small_world.train_items
    negatives = sampler.sample(users, pos, scorer)
    cand = sampler.last["candidates"]
    assert cand.shape == (users.size, 3, 6)
    np.testing.assert_array_equal(negatives, cand.max(axis=2))
    assert not small_world.train.contains(users[:, None, None], cand).any()


def test_dns_returns_best_candidate_with_random_model(small_world):
    model = MatrixFactorization(small_world.n_users, small_world.n_items, 8, generator=torch.Generator().manual_seed(3))
    sampler = DNS(small_world, 2, candidates=5, **gens(2))
    users, pos = small_world.train_users[:100], small_world.train_items[:100]
    negatives = sampler.sample(users, pos, Scorer(model))
    cand = sampler.last["candidates"]  # (B, K, M)
    with torch.no_grad():
        s = model.score(torch.from_numpy(users), torch.from_numpy(cand.reshape(100, -1))).view(100, 2, 5).numpy()
    np.testing.assert_array_equal(negatives, np.take_along_axis(cand, s.argmax(2)[..., None], 2)[..., 0])


def test_dns_prefers_higher_scores_than_uniform(small_world):
    _, scorer = scorer_with_item_scores(small_world.n_users, np.arange(small_world.n_items))
    users, pos = small_world.train_users, small_world.train_items
    dns = DNS(small_world, 1, candidates=8, **gens(3)).sample(users, pos, scorer)
    rns = RNS(small_world, 1, **gens(3)).sample(users, pos, scorer)
    assert dns.mean() > rns.mean() + 20  # best of 8 uniform ids vs one uniform id among 120


def test_dns_m1_returns_the_first_candidate_and_is_rns(small_world):
    _, scorer = scorer_with_item_scores(small_world.n_users, np.arange(small_world.n_items))
    users, pos = small_world.train_users, small_world.train_items
    dns = DNS(small_world, 2, candidates=1, **gens(4))
    negatives = dns.sample(users, pos, scorer)
    np.testing.assert_array_equal(negatives, dns.last["candidates"][:, :, 0])
    # "M = 1 is exactly RNS for every K" (DNS docstring): same seed, same negatives
    np.testing.assert_array_equal(negatives, RNS(small_world, 2, **gens(4)).sample(users, pos, scorer))


def test_dns_m1_distribution_is_uniform_over_non_positives(small_world):
    _, scorer = scorer_with_item_scores(small_world.n_users, np.arange(small_world.n_items))
    user = int(np.argmax(small_world.train.counts))
    expected = np.ones(small_world.n_items)
    expected[small_world.train.row(user)] = 0
    expected /= expected.sum()
    dns = DNS(small_world, 1, candidates=1, **gens(5))
    draws = dns.sample(np.full(20000, user, dtype=np.int64), np.zeros(20000, dtype=np.int64), scorer)
    assert_chi_square(draws, expected)


# ============================================================================= IRGAN
def entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(p), 0.0).sum(-1)


def test_irgan_generator_distribution_rows(small_world):
    sampler = IRGAN(small_world, 1, **gens(0))
    users = np.arange(small_world.n_users, dtype=np.int64)
    p = sampler.generator_distribution(users).double().numpy()
    assert p.shape == (small_world.n_users, small_world.n_items)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    pos = small_world.train.contains(users[:, None], np.arange(small_world.n_items)[None, :])
    assert (p[pos] == 0).all()
    assert (p[~pos] > 0).all()


def test_irgan_untrained_generator_is_almost_uniform(small_world, make_scorer):
    sampler = IRGAN(small_world, 1, g_pretrain_epochs=0, **gens(0))
    users = np.flatnonzero(small_world.train.counts > 0)
    p = sampler.generator_distribution(users).double().numpy()
    ratio = entropy(p) / np.log(sampler.uniform.n_negatives[users])
    assert ratio.min() > 0.97
    # the sampler reports the same ratio as a statistic
    _, scorer = make_scorer(small_world)
    sampler.sample(small_world.train_users[:10], small_world.train_items[:10], scorer)
    stats = sampler.epoch_stats()
    assert stats["g_entropy_ratio"] == pytest.approx(ratio.mean(), abs=1e-4)


def test_irgan_lower_temperature_lower_entropy(small_world):
    sampler = IRGAN(small_world, 1, g_pretrain_epochs=2, temperature=1.0, **gens(0))
    users = np.flatnonzero(small_world.train.counts > 0)
    hot = entropy(sampler.generator_distribution(users).double().numpy())
    sampler.set_params(temperature=0.1)
    cold = entropy(sampler.generator_distribution(users).double().numpy())
    assert (cold < hot - 1e-6).all()


def test_irgan_draws_follow_the_generator_distribution(small_world, make_scorer):
    sampler = IRGAN(small_world, 4, temperature=0.5, **gens(7))
    with torch.no_grad():  # a clearly non-uniform generator (before the first draw builds the table)
        sampler.generator.item_emb.mul_(10.0)
        sampler.generator.user_emb.mul_(10.0)
    _, scorer = make_scorer(small_world)
    user = int(np.argmax(small_world.train.counts))
    p = sampler.generator_distribution(np.array([user]))[0].double().numpy()
    assert entropy(p) / np.log(sampler.uniform.n_negatives[user]) < 0.9  # not uniform: a real test
    draws = sampler.sample(np.full(5000, user, dtype=np.int64), np.zeros(5000, dtype=np.int64), scorer)
    assert_chi_square(draws, p)
    # a temperature change applies at the next draw
    sampler.set_params(temperature=5.0)
    p5 = sampler.generator_distribution(np.array([user]))[0].double().numpy()
    draws = sampler.sample(np.full(5000, user, dtype=np.int64), np.zeros(5000, dtype=np.int64), scorer)
    assert_chi_square(draws, p5)


def test_irgan_on_epoch_end_trains_the_generator(small_world, make_scorer):
    _, scorer = make_scorer(small_world)
    sampler = IRGAN(small_world, 1, g_epochs=1, g_samples=8, **gens(0))
    before = {k: v.detach().clone() for k, v in sampler.generator.state_dict().items()}
    sampler.on_epoch_end(1, scorer)
    after = sampler.generator.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    stats = sampler.epoch_stats()
    assert np.isfinite(stats["g_loss"]) and np.isfinite(stats["g_reward"])
    frozen = IRGAN(small_world, 1, g_epochs=0, **gens(0))
    before = {k: v.detach().clone() for k, v in frozen.generator.state_dict().items()}
    frozen.on_epoch_end(1, scorer)
    assert all(torch.equal(before[k], frozen.generator.state_dict()[k]) for k in before)


def generator_with_item_scores(sampler: IRGAN, item_scores) -> None:
    """Set G so that s_G(u, j) = item_scores[j] for every user."""
    with torch.no_grad():
        sampler.generator.user_emb.zero_()
        sampler.generator.user_emb[:, 0] = 1.0
        sampler.generator.item_emb.zero_()
        sampler.generator.item_emb[:, 0] = torch.as_tensor(item_scores, dtype=torch.float32)


@pytest.mark.parametrize(
    "temperature, scores",
    [
        (0.2, [5, 5, 5, 5, 5, 5, 5, -20]),  # default temperature, a score gap of 25
        (0.05, [3, 0, 0, 0, 0, 0, 0, -3]),  # the smallest temperature offered, a gap of 6
    ],
)
def test_irgan_stable_when_positives_dominate_the_softmax(temperature, scores, make_scorer):
    """Regression: the softmax must be stabilised over the *kept* items. User 0 owns items 0..6
    and G scores them far above the only non-positive, item 7: p_G(7 | 0) must be 1, not NaN, and
    every draw must be item 7 (never the out-of-range id 8)."""
    dataset = Dataset.from_pairs("dominated", 2, 8, train=([0] * 7 + [1], list(range(7)) + [7]))
    sampler = IRGAN(dataset, 2, temperature=temperature, **gens(0))
    generator_with_item_scores(sampler, scores)
    p = sampler.generator_distribution(np.array([0, 1]))
    assert torch.isfinite(p).all()
    np.testing.assert_allclose(p[0].numpy(), [0, 0, 0, 0, 0, 0, 0, 1], atol=1e-6)
    np.testing.assert_allclose(p.sum(1).numpy(), 1.0, atol=1e-5)
    _, scorer = make_scorer(dataset)
    negatives = sampler.sample(np.zeros(50, dtype=np.int64), np.zeros(50, dtype=np.int64), scorer)
    assert (negatives == 7).all()


def test_irgan_generator_does_not_touch_the_recommender(small_world, make_scorer):
    model, scorer = make_scorer(small_world)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    sampler = IRGAN(small_world, 2, g_epochs=2, g_samples=8, **gens(0))
    users, pos = small_world.train_users[:64], small_world.train_items[:64]
    negatives = sampler.sample(users, pos, scorer)
    sampler.after_update(users, pos, negatives, scorer)
    sampler.on_epoch_end(1, scorer)
    assert all(torch.equal(before[k], model.state_dict()[k]) for k in before)


# ============================================================================= SRNS
def test_srns_memory_always_distinct_valid_non_positives(small_world, make_scorer):
    model, scorer = make_scorer(small_world)
    s1 = 6
    sampler = SRNS(small_world, 2, s1=s1, s2=10, tau=0.5, **gens(0))
    noise = torch.Generator().manual_seed(1)
    batch_rng = np.random.default_rng(2)
    all_users = np.arange(small_world.n_users)[:, None]

    def check_memory():
        mem = sampler.memory
        assert mem.shape == (small_world.n_users, s1)
        assert mem.dtype == np.int64
        assert mem.min() >= 0 and mem.max() < small_world.n_items
        assert all(len(set(row.tolist())) == s1 for row in mem)
        assert not small_world.train.contains(all_users, mem).any()

    check_memory()
    for step in range(60):
        idx = batch_rng.integers(0, small_world.train.nnz, size=40)
        users, pos = small_world.train_users[idx], small_world.train_items[idx]
        negatives = sampler.sample(users, pos, scorer)
        # negatives come from the memory the step started with
        assert all(set(n.tolist()) <= set(m.tolist()) for n, m in zip(negatives, sampler.last["memory"]))
        check_memory()
        with torch.no_grad():
            model.item_emb.add_(torch.randn(model.item_emb.shape, generator=noise) * 0.5)
        if step % 10 == 9:
            sampler.on_epoch_end(step // 10 + 1, scorer)


def test_srns_memory_update_concentrates_on_high_scores(small_world):
    """With a tiny temperature the memory converges to high-score non-positives."""
    scores = np.arange(small_world.n_items, dtype=float)
    _, scorer = scorer_with_item_scores(small_world.n_users, scores)
    sampler = SRNS(small_world, 1, s1=3, s2=40, tau=0.01, **gens(0))
    user = 0
    before = scores[sampler.memory[user]].mean()
    for _ in range(20):
        sampler.sample(np.array([user]), small_world.train.row(user)[:1], scorer)
    after = scores[sampler.memory[user]].mean()
    assert after > before
    non_pos = np.setdiff1d(np.arange(small_world.n_items), small_world.train.row(user))
    assert sorted(sampler.memory[user].tolist()) == sorted(non_pos[-3:].tolist())  # the 3 best non-positives


@pytest.mark.parametrize("warmup", [0, 1, 4])
def test_srns_warmup_weight(toy, warmup):
    scorer = Scorer(MatrixFactorization(toy.n_users, toy.n_items, 2, generator=torch.Generator().manual_seed(0)))
    sampler = SRNS(toy, 1, s1=2, warmup=warmup, **gens(0))
    assert sampler.warmup_weight() == (1.0 if warmup == 0 else 0.0)
    for e in range(1, 7):
        sampler.on_epoch_end(e, scorer)
        assert sampler.warmup_weight() == pytest.approx(1.0 if warmup == 0 else min(1.0, e / warmup))


def tiny_srns_world() -> Dataset:
    """User 0 owns item 0; user 1 owns item 4; 6 items."""
    return Dataset.from_pairs("tiny", 2, 6, train=([0, 1], [0, 4]))


def set_scores(model: MatrixFactorization, user_item_scores: np.ndarray) -> None:
    """Make s(u, j) = user_item_scores[u, j] exactly with d = n_items (one-hot users... via q = I)."""
    n_users, n_items = user_item_scores.shape
    with torch.no_grad():
        model.user_emb.copy_(torch.as_tensor(user_item_scores, dtype=torch.float32))
        model.item_emb.copy_(torch.eye(n_items))


# per-epoch snapshot scores s_t(u, j) for 3 epochs, 2 users, 6 items
SNAP = np.array(
    [
        [[0.5, 1.0, -1.0, 2.0, 0.0, 0.3], [0, 0, 0, 0, 1.0, 0]],
        [[0.5, 1.0, 1.0, 2.0, 0.5, 0.3], [0, 1, 0, 0, 1.0, 0]],
        [[1.5, 1.0, 2.0, 2.5, -0.5, 0.3], [0, 0, 2, 0, 1.0, 0]],
    ]
)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("history", [2, 3, 5])
def test_srns_variance_term_hand_computed(history, monkeypatch):
    dataset = tiny_srns_world()
    model = MatrixFactorization(2, 6, 6, generator=torch.Generator().manual_seed(0))
    scorer = Scorer(model)
    sampler = SRNS(dataset, 1, s1=3, history=history, **gens(0))
    users = np.array([0, 1, 0], dtype=np.int64)
    pos = np.array([0, 4, 0], dtype=np.int64)
    items = np.array([[1, 2, 3], [0, 2, 5], [5, 4, 2]], dtype=np.int64)
    assert not sampler.variance_term(users, items, pos, scorer).any()  # no snapshot
    for epoch, snap in enumerate(SNAP, start=1):
        set_scores(model, snap)
        sampler.on_epoch_end(epoch, scorer)
        sd = sampler.variance_term(users, items, pos, scorer)
        assert sd.shape == items.shape
        if epoch < 2:
            assert not sd.any()  # fewer than 2 snapshots
            continue
        used = SNAP[max(0, epoch - history) : epoch]  # the last T snapshots
        rho = np.stack([[sigmoid(s[u, items[b]] - s[u, pos[b]]) for b, u in enumerate(users)] for s in used])
        np.testing.assert_allclose(sd, rho.std(axis=0), atol=1e-6)
    # hand-computed values for history >= 3, user 0, pos 0, item 2: ρ = σ(-1.5), σ(0.5), σ(0.5)
    if history >= 3:
        rho = sigmoid(np.array([-1.5, 0.5, 0.5]))
        assert sd[0, 1] == pytest.approx(np.sqrt(((rho - rho.mean()) ** 2).mean()), abs=1e-6)


def test_srns_variance_term_same_with_embedding_snapshots(monkeypatch):
    """The large-data path (embedding snapshots) gives the same sd as the score-table path."""
    dataset = tiny_srns_world()
    results = []
    for limit in (SRNS.TABLE_LIMIT, 0):
        monkeypatch.setattr(SRNS, "TABLE_LIMIT", limit)
        model = MatrixFactorization(2, 6, 6, generator=torch.Generator().manual_seed(0))
        scorer = Scorer(model)
        sampler = SRNS(dataset, 1, s1=3, history=3, **gens(0))
        assert sampler._tables == (limit > 0)
        for epoch, snap in enumerate(SNAP, start=1):
            set_scores(model, snap)
            sampler.on_epoch_end(epoch, scorer)
        items = np.array([[1, 2, 3], [0, 2, 5]], dtype=np.int64)
        results.append(sampler.variance_term(np.array([0, 1]), items, np.array([0, 4]), scorer))
    np.testing.assert_allclose(results[0], results[1], atol=1e-6)
    assert results[0].max() > 0


@pytest.mark.parametrize("alpha, expected", [(0.0, 3), (50.0, 2)])
def test_srns_picks_by_hardness_or_by_score_std(alpha, expected):
    """Memory {1, 2, 3} of user 0: item 3 has the highest current score, item 2 the largest std."""
    dataset = tiny_srns_world()
    model = MatrixFactorization(2, 6, 6, generator=torch.Generator().manual_seed(0))
    scorer = Scorer(model)
    sampler = SRNS(dataset, 1, s1=3, alpha=alpha, warmup=0, history=3, **gens(0))
    for epoch, snap in enumerate(SNAP, start=1):
        set_scores(model, snap)
        sampler.on_epoch_end(epoch, scorer)
    sampler.memory[0] = [1, 2, 3]
    current = SNAP[-1].copy()
    current[0] = [0.0, 0.2, 0.1, 0.6, 0.0, 0.0]
    set_scores(model, current)
    negatives = sampler.sample(np.array([0, 0]), np.array([0, 0]), scorer)
    np.testing.assert_array_equal(sampler.last["memory"][0], [1, 2, 3])
    sd = sampler.last["sd"][0]
    assert int(np.argmax(sd)) == 1  # item 2 fluctuates most
    rho = sampler.last["rho"][0]
    np.testing.assert_allclose(rho, sigmoid(current[0, [1, 2, 3]] - current[0, 0]), atol=1e-6)
    np.testing.assert_array_equal(negatives, [[expected], [expected]])


def test_srns_k_best_are_distinct_memory_items(small_world, make_scorer):
    _, scorer = make_scorer(small_world)
    sampler = SRNS(small_world, 3, s1=4, **gens(0))
    users, pos = small_world.train_users[:50], small_world.train_items[:50]
    negatives = sampler.sample(users, pos, scorer)
    assert all(len(set(row.tolist())) == 3 for row in negatives)


# ============================================================================= UniformNonPositive
def uniform_paths(positives):
    """UniformNonPositive through each of its code paths (dense table / binary search) if it has two."""
    import inspect

    if "use_table" in inspect.signature(UniformNonPositive).parameters:
        return [UniformNonPositive(positives, use_table=True), UniformNonPositive(positives, use_table=False)]
    return [UniformNonPositive(positives)]


@pytest.mark.parametrize("path", [0, -1], ids=["table", "search"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uniform_item_of_rank_matches_setdiff_reference(seed, path, make_random_dataset):
    dataset = make_random_dataset(seed)
    uniform = uniform_paths(dataset.train)[path]
    for u in range(dataset.n_users):
        reference = np.setdiff1d(np.arange(dataset.n_items), dataset.train.row(u))
        assert uniform.n_negatives[u] == reference.size
        ranks = np.arange(reference.size, dtype=np.int64)
        np.testing.assert_array_equal(uniform.item_of_rank(np.int64(u), ranks), reference)
    # batched: many users at once, with repeats
    users = np.repeat(np.arange(dataset.n_users, dtype=np.int64), 3)
    ranks = np.array([np.random.default_rng(seed).integers(uniform.n_negatives[u]) for u in users])
    got = uniform.item_of_rank(users, ranks)
    want = [np.setdiff1d(np.arange(dataset.n_items), dataset.train.row(u))[r] for u, r in zip(users, ranks)]
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("path", [0, -1], ids=["table", "search"])
def test_uniform_sample_is_uniform_over_non_positives(path, make_random_dataset):
    dataset = make_random_dataset(4)
    uniform = uniform_paths(dataset.train)[path]
    user = int(np.argmax(dataset.train.counts))  # a heavy user
    draws = uniform.sample(np.full(3000, user), (2, 2), np.random.default_rng(0))
    assert draws.shape == (3000, 2, 2) and draws.dtype == np.int64
    expected = np.ones(dataset.n_items)
    expected[dataset.train.row(user)] = 0
    assert_chi_square(draws, expected / expected.sum())


def test_uniform_paths_agree_on_draws(make_random_dataset):
    dataset = make_random_dataset(7)
    users = np.repeat(np.arange(dataset.n_users, dtype=np.int64), 5)
    draws = [u.sample(users, 3, np.random.default_rng(1)) for u in uniform_paths(dataset.train)]
    for d in draws[1:]:
        np.testing.assert_array_equal(d, draws[0])


# ============================================================================= inspection records
def test_inspection_records_describe_the_sampler(small_world, make_scorer):
    _, scorer = make_scorer(small_world)
    user = int(np.argmax(small_world.train.counts))
    n_non_pos = small_world.n_items - int(small_world.train.counts[user])
    assert RNS(small_world, 1, **gens(0)).inspect(user, scorer) == RNSInspection(n_non_positives=n_non_pos)

    pns = PNS(small_world, 1, alpha=0.5, **gens(0))
    info = pns.inspect(user, scorer)
    assert isinstance(info, PNSInspection) and info.alpha == 0.5
    np.testing.assert_allclose(info.probabilities, pns_reference_probabilities(small_world, user, 0.5), atol=1e-12)
    with pytest.raises(ValueError):  # read-only: the record cannot change the sampler's table
        info.probabilities[0] = 1.0
    with pytest.raises(AttributeError):
        info.alpha = 1.0


@pytest.mark.parametrize("m", [1, 5])
def test_dns_inspection_is_the_users_first_row_of_the_last_batch(small_world, make_scorer, m):
    _, scorer = make_scorer(small_world)
    dns = DNS(small_world, 2, candidates=m, **gens(0))
    assert dns.inspect(0, scorer) is None  # nothing sampled yet
    users, pos = small_world.train_users[:40], small_world.train_items[:40]
    negatives = dns.sample(users, pos, scorer)
    user = int(users[7])
    row = int(np.flatnonzero(users == user)[0])
    info = dns.inspect(user, scorer)
    assert isinstance(info, DNSInspection)
    assert info.candidates.shape == (2, m) and info.chosen.shape == (2,) and info.chosen.dtype == np.int64
    np.testing.assert_array_equal(info.candidates[np.arange(2), info.chosen], negatives[row])
    if m == 1:
        assert info.scores is None and not info.chosen.any()
    else:
        assert info.scores.shape == (2, 5) and info.scores.dtype == np.float32
        np.testing.assert_array_equal(info.chosen, info.scores.argmax(1))
    absent = int(np.setdiff1d(np.arange(small_world.n_users), users)[0])
    assert dns.inspect(absent, scorer) is None


def test_srns_inspection_reports_memory_and_history(small_world, make_scorer):
    model, scorer = make_scorer(small_world)
    srns = SRNS(small_world, 1, s1=3, warmup=4, **gens(0))
    info = srns.inspect(2, scorer)
    assert isinstance(info, SRNSInspection) and info.n_snapshots == 0 and info.warmup_weight == 0.0
    np.testing.assert_array_equal(info.memory, srns.memory[2])
    np.testing.assert_array_equal(info.history_mean, info.score)
    assert not info.history_std.any()
    for epoch in (1, 2):
        with torch.no_grad():
            model.item_emb.mul_(-2.0)
        srns.on_epoch_end(epoch, scorer)
    info = srns.inspect(2, scorer)
    assert info.n_snapshots == 2 and info.warmup_weight == 0.5
    with torch.no_grad():
        now = model.score_all(torch.tensor([2]))[0].numpy()[srns.memory[2]]
    np.testing.assert_allclose(info.score, now, rtol=1e-6)
    # snapshots were -2x and 4x the initial scores: mean 1x, std 3x
    np.testing.assert_allclose(info.history_mean, now / 4.0, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(info.history_std, np.abs(now) * 3.0 / 4.0, rtol=1e-5, atol=1e-7)
