"""IRGAN with G = D (``g_equals_d``): the generator is the discriminator itself.

The seed article's point (IRGAN, Wang et al. SIGIR 2017, Sec. 2; DNS, Zhang et al. SIGIR 2013):
with G = D and all mass on the best of M uniform candidates, IRGAN *is* DNS. These tests hold the
implementation to it exactly (same seed, initial model, batches and candidate stream: the same
negatives, losses and metrics), check the soft form against a hand-computed softmax, and check that
no generator is trained or counted.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch

from negsamp_core.arms import encode_arms, parse_arms
from negsamp_core.cli import main
from negsamp_core.config import preset, sampler_defaults
from negsamp_core.data import Dataset
from negsamp_core.model import MatrixFactorization, Scorer
from negsamp_core.samplers import DNS, IRGAN
from negsamp_core.samplers.irgan import IRGANInspection
from negsamp_core.training import Trainer

torch.set_num_threads(1)

GD = {"g_equals_d": True}
TIMING = {"sample_seconds", "train_seconds", "eval_seconds", "diag_seconds", "elapsed_seconds"}


def _pair(dataset, k: int, m: int, seed: int = 0, **irgan):
    """DNS with M = m and IRGAN (G = D) with gd_candidates = m, on identically seeded streams."""

    def streams():
        return {"rng": np.random.default_rng(seed), "torch_generator": torch.Generator().manual_seed(seed)}

    dns = DNS(dataset, k, candidates=m, **streams())
    gd = IRGAN(dataset, k, g_equals_d=True, gd_candidates=m, **streams(), **irgan)
    return dns, gd


def _without_timing(record) -> dict:
    return {key: value for key, value in record.to_dict().items() if key not in TIMING}


# ----------------------------------------------------------------------------- hard G = D is DNS
@pytest.mark.parametrize("k, m", [(1, 8), (2, 5), (1, 1)])
def test_g_equals_d_negatives_equal_dns_draw_for_draw(synthetic, make_scorer, k, m):
    """A few batches on the synthetic world, the model changing between them: identical negatives,
    candidates and counted scores (B·K·M per batch; none when M = 1)."""
    model, _ = make_scorer(synthetic, seed=3)
    dns, gd = _pair(synthetic, k, m, seed=7)
    s_dns, s_gd = Scorer(model), Scorer(model)
    order = np.random.default_rng(11).permutation(synthetic.train.nnz)
    for step in range(5):
        idx = order[step * 256 : (step + 1) * 256]
        users, pos = synthetic.train_users[idx], synthetic.train_items[idx]
        a, b = dns.sample(users, pos, s_dns), gd.sample(users, pos, s_gd)
        assert a.shape == b.shape == (idx.size, k) and a.dtype == b.dtype == np.int64
        assert np.array_equal(a, b), step
        assert np.array_equal(dns.last["candidates"], gd.last["candidates"])
        with torch.no_grad():
            model.item_emb.add_(0.05 * torch.randn(model.item_emb.shape, generator=torch.Generator().manual_seed(step)))
    assert s_dns.n_scores == s_gd.n_scores == 5 * 256 * k * (m if m > 1 else 0)
    assert gd.own_scores() == 0


def test_g_equals_d_three_epoch_history_equals_dns(synthetic):
    """Trainer, default synthetic world and preset: the 3-epoch histories coincide field for field
    (losses, validation metrics, false-negative rate, hardness, histograms, counted scores), and so
    do the selected epoch and its test metrics; the IRGAN settings of G do not matter."""
    cfg = preset("synthetic").replace(epochs=3)
    irgan_params = {**sampler_defaults("synthetic")["irgan"], **GD, "gd_candidates": 8}
    dns = Trainer(synthetic, "dns", cfg, {"candidates": 8}, seed=2)
    gd = Trainer(synthetic, "irgan", cfg, irgan_params, seed=2)
    gd_g = Trainer(synthetic, "irgan", cfg, irgan_params, seed=2, select_on="generator")
    for trainer in (dns, gd, gd_g):
        trainer.run_epochs()
    assert len(dns.history) == len(gd.history) == len(gd_g.history) == 3
    for a, b, c in zip(dns.history, gd.history, gd_g.history):
        assert _without_timing(a) == _without_timing(b) == _without_timing(c)
    assert np.array_equal(dns.sampler.last["negatives"], gd.sampler.last["negatives"])
    # the generator IS D: G's validation is D's, selecting on G selects D's best epoch, G's test is D's test
    assert gd.sampler.generator_valid() == dict(gd.history[-1].valid)
    assert dns.best_epoch == gd.best_epoch == gd_g.best_epoch
    assert gd.generator_test_metrics("best") == dns.test_metrics() == gd_g.test_metrics()
    assert gd_g.generator_test_metrics("best") == dns.test_metrics()


def test_g_equals_d_init_generator_is_d_before_training(synthetic):
    cfg = preset("synthetic").replace(epochs=1)
    gd = Trainer(synthetic, "irgan", cfg, GD, seed=4)
    untrained = gd.test_metrics()  # D before any step (no epoch selected yet)
    gd.run_epochs()
    assert gd.generator_test_metrics("init") == untrained
    assert gd.generator_test_metrics("best") == gd.test_metrics() != untrained


def test_g_equals_d_trains_no_generator_and_ignores_g_settings(synthetic, make_scorer):
    """No G model, no optimiser, no pretraining (even with g_init dns), no G phase, no online G
    step: the numpy stream is DNS's, so the draws still equal DNS's."""
    _, scorer = make_scorer(synthetic, seed=1)
    dns, gd = _pair(synthetic, 1, 6, seed=5, g_init="dns", online=True, g_epochs=5)
    assert gd.generator is None and gd.g_optimizer is None and gd.pretrain_report["epochs"] == 0
    users, pos = synthetic.train_users[:300], synthetic.train_items[:300]
    for _ in range(3):
        assert np.array_equal(dns.sample(users, pos, scorer), gd.sample(users, pos, scorer))
        gd.after_update(users, pos, gd.last["negatives"], scorer)
    gd.on_epoch_end(1, scorer)
    dns.on_epoch_end(1, scorer)
    assert np.array_equal(dns.sample(users, pos, scorer), gd.sample(users, pos, scorer))
    assert gd.own_scores() == 0
    assert not any(key.startswith("g_") for key in gd.epoch_stats())
    with pytest.raises(ValueError, match="no generator distribution"):
        gd.generator_distribution(np.array([0]))


# ----------------------------------------------------------------------------- soft G = D
def _hand_made():
    """One user, four items; item 0 is the positive, items 1, 2, 3 score ln 1, ln 2, ln 4 under D."""
    dataset = Dataset.from_pairs("hand", 1, 4, train=(np.array([0]), np.array([0])))
    model = MatrixFactorization(1, 4, 1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.user_emb.fill_(1.0)
        model.item_emb[:, 0] = torch.tensor([5.0, 0.0, np.log(2.0), np.log(4.0)])
        model.item_bias.zero_()
    return dataset, Scorer(model)


def _exact_marginal(tau: float, m: int) -> np.ndarray:
    """P(the draw is j), by enumerating all 3^m equally likely candidate tuples (known answer)."""
    e = {1: 1.0, 2: 2.0, 3: 4.0}
    p = np.zeros(4)
    for cands in itertools.product((1, 2, 3), repeat=m):
        w = np.array([e[c] ** (1.0 / tau) for c in cands])
        for c, share in zip(cands, w / w.sum()):
            p[c] += share / 3**m
    return p


def test_soft_g_equals_d_draws_follow_the_softmax_of_d_scores():
    """τ_D = 1, M = 2 on the hand-made case: e.g. candidates (1, 3) give item 3 with 4/5. Over
    120,000 draws each item's frequency matches the enumerated answer within 4 standard errors."""
    dataset, scorer = _hand_made()
    exact = _exact_marginal(1.0, 2)
    assert exact[0] == 0 and np.isclose(exact.sum(), 1.0)
    assert np.isclose(exact[3], (1 / 9) * (1 + 2 * 4 / 5 + 2 * 4 / 6))  # (3,3), (1,3)/(3,1), (2,3)/(3,2)
    sampler = IRGAN(dataset, 4, rng=np.random.default_rng(0), g_equals_d=True, gd_candidates=2, gd_temperature=1.0)
    users = np.zeros(30_000, dtype=np.int64)
    draws = sampler.sample(users, users, scorer).ravel()
    freq = np.bincount(draws, minlength=4) / draws.size
    se = np.sqrt(exact * (1 - exact) / draws.size)
    assert freq[0] == 0 and np.all(np.abs(freq - exact) <= 4 * se + 1e-12), (freq, exact)
    # per pair of candidates: the kept one follows the softmax of the two scores
    cand, chosen = sampler.last["candidates"], sampler.last["negatives"]
    rows = (cand[:, :, 0] == 1) & (cand[:, :, 1] == 3)
    share_3 = (chosen[rows] == 3).mean()
    assert abs(share_3 - 0.8) < 4 * np.sqrt(0.8 * 0.2 / rows.sum())


def test_g_equals_d_inspection_is_the_marginal_of_one_draw():
    """Hard: the exact order-statistic formula equals the enumeration; soft: the Monte-Carlo
    estimate is close to it. Read-only: no randomness consumed, nothing counted."""
    dataset, scorer = _hand_made()
    for tau, tol in ((0.0, 1e-12), (1.0, 0.02), (0.5, 0.02)):
        sampler = IRGAN(dataset, 1, rng=np.random.default_rng(0), g_equals_d=True, gd_candidates=2, gd_temperature=tau)
        state, counted = sampler.rng.bit_generator.state, scorer.n_scores
        record = sampler.inspect(0, scorer)
        assert isinstance(record, IRGANInspection) and record.g_equals_d
        assert sampler.rng.bit_generator.state == state and scorer.n_scores == counted
        # hard: the best of two uniform draws among scores 1 < 2 < 4 is item r+1 with ((r+1)/3)^2 - (r/3)^2
        expected = _exact_marginal(tau, 2) if tau else np.array([0.0, 1 / 9, 3 / 9, 5 / 9])
        assert record.probabilities[0] == 0 and np.isclose(record.probabilities.sum(), 1.0)
        assert np.abs(record.probabilities - expected).max() <= tol, (tau, record.probabilities, expected)
        assert np.isclose(record.max_entropy, np.log(3))
        assert 0 < record.entropy < record.max_entropy


def test_small_tau_approaches_the_hard_form(synthetic):
    """τ_D → 0 tends to the argmax: at τ_D = 0.001 almost every draw equals DNS's (scores of order 1)."""
    model = MatrixFactorization(
        synthetic.n_users, synthetic.n_items, 8, init_std=0.5, generator=torch.Generator().manual_seed(2)
    )
    scorer = Scorer(model)
    users, pos = synthetic.train_users[:2000], synthetic.train_items[:2000]
    dns, _ = _pair(synthetic, 1, 8, seed=3)
    soft = IRGAN(synthetic, 1, rng=np.random.default_rng(3), g_equals_d=True, gd_candidates=8, gd_temperature=1e-3)
    assert (dns.sample(users, pos, scorer) == soft.sample(users, pos, scorer)).mean() > 0.99
    warm = IRGAN(synthetic, 1, rng=np.random.default_rng(3), g_equals_d=True, gd_candidates=8, gd_temperature=5.0)
    assert (dns.sample(users, pos, scorer) == warm.sample(users, pos, scorer)).mean() < 0.9


# ----------------------------------------------------------------------------- settings, CLI, arms
def test_g_equals_d_settings_and_set_params(synthetic):
    sampler = IRGAN(synthetic, 1, rng=np.random.default_rng(0), g_equals_d=True)
    assert sampler.params["g_equals_d"] is True and sampler.params["gd_temperature"] == 0.0
    assert sampler.params["gd_candidates"] == 8
    sampler.set_params(gd_candidates=3, gd_temperature=0.5)  # live, from the next batch
    assert sampler.params["gd_candidates"] == 3 and sampler.params["gd_temperature"] == 0.5
    sampler.sample(synthetic.train_users[:10], synthetic.train_items[:10], Scorer(_model(synthetic)))
    assert sampler.last["candidates"].shape == (10, 1, 3)
    with pytest.raises(ValueError, match="fixed when the sampler is built"):
        sampler.set_params(g_equals_d=False)
    with pytest.raises(ValueError, match="gd_temperature"):
        sampler.set_params(gd_temperature=-0.1)
    assert IRGAN(synthetic, 1, rng=np.random.default_rng(0)).params["g_equals_d"] is False


def _model(dataset):
    return MatrixFactorization(dataset.n_users, dataset.n_items, 4, generator=torch.Generator().manual_seed(0))


def test_g_equals_d_round_trips_through_the_cli(tmp_path):
    out = tmp_path / "gd.json"
    argv = ["compare", "--dataset", "toy", "--samplers", "dns,irgan", "--epochs", "2", "--quiet", "--out", str(out)]
    code = main(argv + ["--irgan-g-equals-d", "--irgan-gd-candidates", "3", "--dns-candidates", "3"])
    assert code == 0
    runs = json.loads(out.read_text())["runs"]
    params = runs["irgan"]["sampler_params"]
    assert params["g_equals_d"] is True and params["gd_candidates"] == 3 and params["gd_temperature"] == 0.0
    for a, b in zip(runs["dns"]["history"], runs["irgan"]["history"]):
        assert {k: v for k, v in a.items() if k not in TIMING} == {k: v for k, v in b.items() if k not in TIMING}
    assert runs["irgan"]["test"] == runs["dns"]["test"]
    assert main(argv + ["--no-irgan-g-equals-d"]) == 0
    assert json.loads(out.read_text())["runs"]["irgan"]["sampler_params"]["g_equals_d"] is False


def test_g_equals_d_arm_label_and_text_form():
    (arm,) = parse_arms("irgan:g_equals_d=1")
    assert arm.label == "IRGAN (G = D)" and arm.params == {"g_equals_d": True}
    assert encode_arms([arm]) == "irgan:g_equals_d=1" and parse_arms(encode_arms([arm])) == [arm]
    arms = parse_arms("irgan;irgan:g_equals_d=1;dns:candidates=8;irgan:g_equals_d=1,gd_temperature=0.5")
    assert [a.label for a in arms][1:] == ["IRGAN (G = D)", "DNS candidates=8", "IRGAN (G = D) gd_temperature=0.5"]
    assert parse_arms("irgan:g_equals_d=0")[0].label == "IRGAN g_equals_d=off"


def test_irgan_view_offers_the_g_equals_d_variant_in_both_languages(synthetic, make_scorer):
    from lab_ui.i18n import arm_label, t
    from lab_ui.sampler_views import VIEWS
    from lab_ui.state import variant_arms

    view = VIEWS["irgan"]
    assert {"g_equals_d": True} in view.variants
    assert arm_label("irgan", {"g_equals_d": True}) == "IRGAN (G = D)"
    assert [a.label for a in variant_arms("irgan:g_equals_d=1,gd_temperature=0.5")] == ["IRGAN (G = D) τ_D=0.5"]
    assert "生成器 = 判别器" in t("param_irgan_g_equals_d", "zh")
    _, scorer = make_scorer(synthetic, seed=0)
    sampler = IRGAN(synthetic, 1, rng=np.random.default_rng(0), g_equals_d=True)
    sampler.sample(synthetic.train_users[:50], synthetic.train_items[:50], scorer)
    for lang, words in (("en", "G = D"), ("zh", "G = D")):
        panel = view.internals(sampler, scorer, synthetic, [int(synthetic.train_users[0])], lang=lang)
        assert words in panel.figure.layout.title.text and panel.caption.startswith("G = D")


def test_irgan_game_lesson_shows_g_equals_d_is_dns():
    from negsamp_core.lessons import run_lesson

    result = run_lesson("irgan-game", seed=1, epochs=3)
    check = next(c for c in result["checks"] if c["name"] == "g_equals_d_is_dns")
    assert check["holds"] and result["figures"]["g_equals_d_equals_dns"] is True
    assert "draw for draw" in check["text"]


@pytest.mark.parametrize("tau", [0.0, 0.7])
@pytest.mark.parametrize("seed", range(6))
def test_g_equals_d_keeps_the_sampler_contract_on_random_data(make_random_dataset, make_scorer, seed, tau):
    """Users owning all items but two, users without positives, K = 3: ids in range, never a
    training positive, the same draws for the same seed."""
    dataset = make_random_dataset(seed)
    _, scorer = make_scorer(dataset, seed=seed)
    users = np.flatnonzero(dataset.train.counts > 0).repeat(5)
    pos = dataset.train.indices[dataset.train.indptr[users]]

    def draw():
        sampler = IRGAN(
            dataset, 3, rng=np.random.default_rng(seed), g_equals_d=True, gd_candidates=4, gd_temperature=tau
        )
        return sampler.sample(users, pos, scorer)

    neg = draw()
    assert neg.shape == (users.size, 3) and neg.dtype == np.int64
    assert neg.min() >= 0 and neg.max() < dataset.n_items
    assert not dataset.train.contains(np.repeat(users, 3), neg.ravel()).any()
    assert np.array_equal(neg, draw())
