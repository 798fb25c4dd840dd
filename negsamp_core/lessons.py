"""Lessons: the source article's claims as small experiments whose verdicts are computed from a run.

A lesson is data: a world (dataset settings), arms (a sampler with its settings and a label;
several arms may use the same sampler), training settings, a question with answers, and a
verdict function over the arms' epoch records. Nothing in a verdict is canned: every check
reads the run's own figures and says ``holds = False`` when the run contradicts the claim.

Ids are part of the interface (URLs and the CLI use them): ``three-directions``,
``pns-popularity``, ``dns-candidates``, ``irgan-game``, ``false-negatives``, ``srns-variance``,
``cost``. ``python -m negsamp_core lesson --list`` lists them, ``python -m negsamp_core lesson ID
--json`` runs one headless and prints the JSON of ``shared/specs/lessons.md``.

No UI here: the app renders lessons, the CLI runs them, tests check them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import torch

from .arms import Arm
from .config import TrainConfig, preset, sampler_defaults
from .data import Dataset, SyntheticConfig, make_synthetic
from .samplers import SAMPLERS
from .training import EpochRecord, Trainer

__all__ = [
    "Arm",
    "Check",
    "Lesson",
    "LessonRun",
    "LessonSession",
    "LESSONS",
    "CHECK_TEXTS",
    "run_lesson",
    "check_text",
    "srns_premise",
    "catalogue_cost",
]


# ---------------------------------------------------------------------------- data types
@dataclass(frozen=True)
class Check:
    """One measured part of a verdict.

    Attributes:
        name: short id, unique within the lesson, e.g. ``"harder"``.
        holds: whether the run bears the claim out.
        values: the figures the sentence quotes, already formatted (``{"f_d": "12.2 %"}``).
        template: key of the sentence in :data:`CHECK_TEXTS` when it differs from ``name``.
    """

    name: str
    holds: bool
    values: Mapping[str, str] = field(default_factory=dict)
    template: str = ""


@dataclass(frozen=True)
class LessonRun:
    """What a verdict function reads: the lesson, the dataset, each arm's trainer and extra
    per-step/per-epoch measurements collected by the lesson's probes."""

    lesson: "Lesson"
    dataset: Dataset
    trainers: Mapping[str, Trainer]
    probes: Mapping[str, object]
    seed: int
    seconds: float

    def history(self, label: str) -> list[EpochRecord]:
        return self.trainers[label].history


Verdict = Callable[[LessonRun], tuple[list[Check], dict, str]]


@dataclass(frozen=True)
class Lesson:
    """A claim of the source article as a predict -> play -> verdict experiment.

    Texts (``title``, ``claim``, ``question``, each choice, ``why``) are ``{"en": ..., "zh": ...}``.

    Attributes:
        id: stable id (URLs, CLI).
        title: short title.
        claim: the article's claim in one sentence.
        question: what the learner predicts.
        choices: 2-5 answers; the run's ``answer`` is one of them.
        arms: the trained arms (same seed, initial model and batch order).
        world: :class:`SyntheticConfig` overrides of the lesson's world.
        epochs: epochs each arm trains.
        verdict: function of a :class:`LessonRun` -> (checks, figures, answer).
        probes: names of extra measurements the runner collects (``"group_fn"``, ``"snapshots"``,
            ``"catalogue"``).
        why: one paragraph of explanation (English), quoting the article's idea.
    """

    id: str
    title: Mapping[str, str]
    claim: Mapping[str, str]
    question: Mapping[str, str]
    choices: tuple
    arms: tuple
    verdict: Verdict
    world: Mapping = field(default_factory=dict)
    epochs: int = 10
    probes: tuple = ()
    why: Mapping[str, str] = field(default_factory=dict)

    def config(self) -> TrainConfig:
        """The synthetic world's preset (the app's defaults) with the lesson's epochs."""
        return preset("synthetic").replace(epochs=self.epochs)

    def params(self, arm: Arm) -> dict:
        """The arm's sampler parameters: the synthetic preset's defaults, then the arm's own."""
        return {**sampler_defaults("synthetic").get(arm.sampler, {}), **dict(arm.params)}

    def dataset(self, seed: int = 0) -> Dataset:
        """The lesson's synthetic world (seeded like every run of the lab)."""
        return make_synthetic(SyntheticConfig(**dict(self.world)), seed=seed)

    def summary(self, lang: str = "en") -> dict:
        """JSON-ready description in ``lang`` (what ``lesson --list --json`` prints)."""
        return {
            "id": self.id,
            "title": _text(self.title, lang),
            "claim": _text(self.claim, lang),
            "question": _text(self.question, lang),
            "choices": [_text(c, lang) for c in self.choices],
            "arms": [{"label": a.label, "sampler": a.sampler, "params": dict(a.params)} for a in self.arms],
            "world": dict(self.world),
            "epochs": self.epochs,
        }


# ---------------------------------------------------------------------------- small helpers
def _mean(records: Sequence[EpochRecord], attr: str, skip_first: bool = False) -> float:
    values = [getattr(r, attr) for r in (records[1:] if skip_first and len(records) > 1 else records)]
    values = [v for v in values if np.isfinite(v)]
    return float(np.mean(values)) if values else float("nan")


def _epoch_seconds(record: EpochRecord) -> float:
    return record.sample_seconds + record.train_seconds + record.diag_seconds


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("inf") if a else float("nan")


def _n_negatives(records: Sequence[EpochRecord]) -> int:
    """Negatives drawn over the records (pairs x K)."""
    return int(sum(r.n_pairs for r in records))


def _rate_above(a: float, n_a: int, b: float, n_b: int, z: float = 2.0) -> bool:
    """Is rate ``a`` (over ``n_a`` draws) above rate ``b`` by more than ``z`` binomial standard errors?"""
    se = np.sqrt(a * (1 - a) / max(n_a, 1) + b * (1 - b) / max(n_b, 1))
    return bool(a - b > z * se)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _rounded(figures: dict) -> dict:
    """Floats rounded to 6 significant digits (readable JSON, stable across platforms)."""
    out = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            out[key] = _rounded(value)
        elif isinstance(value, (float, np.floating)):
            out[key] = float(f"{float(value):.6g}") if np.isfinite(value) else None
        elif isinstance(value, (list, tuple)):
            out[key] = [float(f"{float(v):.6g}") if isinstance(v, (float, np.floating)) else v for v in value]
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------- verdicts
# Each verdict returns (checks, figures, answer index). A check's sentence is rendered from the
# templates in CHECK_TEXTS (English and Chinese) with the check's own values: the figures decide
# the words, never the other way round.
def _three_directions(run: LessonRun):
    rns, dns = run.history("RNS"), run.history("DNS M=8")
    s_r, s_d = _mean(rns, "neg_score_mean"), _mean(dns, "neg_score_mean")
    f_r, f_d = _mean(rns, "fn_rate"), _mean(dns, "fn_rate")
    c_r, c_d = _mean(rns, "n_scores", skip_first=True), _mean(dns, "n_scores", skip_first=True)
    t_r = float(np.median([_epoch_seconds(r) for r in rns[1:]]))
    t_d = float(np.median([_epoch_seconds(r) for r in dns[1:]]))
    harder, more_fn = s_d > s_r, _rate_above(f_d, _n_negatives(dns), f_r, _n_negatives(rns))
    checks = [
        Check("quality", harder, {"s_d": f"{s_d:.3f}", "s_r": f"{s_r:.3f}"}),
        Check("bias", more_fn, {"f_d": _pct(f_d), "f_r": _pct(f_r), "x": f"{_ratio(f_d, f_r):.1f}"}),
        Check(
            "efficiency",
            c_d > c_r,
            {
                "c_d": f"{c_d:,.0f}",
                "c_r": f"{c_r:,.0f}",
                "t_d": f"{t_d:.3f}",
                "t_r": f"{t_r:.3f}",
                "x": f"{_ratio(t_d, t_r):.1f}",
            },
        ),
    ]
    figures = {
        "neg_score": {"RNS": s_r, "DNS": s_d},
        "fn_rate": {"RNS": f_r, "DNS": f_d},
        "scores_per_epoch": {"RNS": c_r, "DNS": c_d},
        "seconds_per_epoch": {"RNS": t_r, "DNS": t_d},
    }
    return checks, figures, {(True, True): 0, (True, False): 1}.get((harder, more_fn), 2)


def _pns_popularity(run: LessonRun):
    rns, pns, dns = run.history("RNS"), run.history("PNS α=0.75"), run.history("DNS M=8")
    p_r, p_p = _mean(rns, "neg_popularity_mean"), _mean(pns, "neg_popularity_mean")
    pop_p = [r.neg_popularity_mean for r in pns]
    pop_d = [r.neg_popularity_mean for r in dns]
    drift_p = (max(pop_p) - min(pop_p)) / max(np.mean(pop_p), 1e-12)
    drift_d = (max(pop_d) - min(pop_d)) / max(np.mean(pop_d), 1e-12)
    rel_first = _ratio(pns[0].hardness_mean, dns[0].hardness_mean)
    rel_last = _ratio(pns[-1].hardness_mean, dns[-1].hardness_mean)

    def rates(label: str) -> tuple[float, float, int, int]:
        counts = run.probes["group_fn"][label]  # {group: [false negatives, negatives]}
        return (counts[0][0] / max(counts[0][1], 1), counts[1][0] / max(counts[1][1], 1), counts[0][1], counts[1][1])

    fn_major, fn_minor, n_major, n_minor = rates("PNS α=0.75")
    r_major, r_minor, _, _ = rates("RNS")
    gap_pns, gap_rns = _ratio(fn_major, fn_minor), _ratio(r_major, r_minor)
    biased = _rate_above(fn_major, n_major, fn_minor, n_minor) and gap_pns > gap_rns
    checks = [
        Check("popular", p_p > 2 * p_r, {"p_p": f"{p_p:.1f}", "p_r": f"{p_r:.1f}", "x": f"{_ratio(p_p, p_r):.1f}"}),
        Check("fixed", drift_p < drift_d, {"d_p": _pct(drift_p), "d_d": _pct(drift_d)}),
        Check(
            "decays",
            rel_last < rel_first,
            {"first": f"{rel_first:.2f}", "last": f"{rel_last:.2f}", "epochs": str(len(pns))},
        ),
        Check(
            "group_bias",
            biased,
            {"major": _pct(fn_major), "minor": _pct(fn_minor), "x": f"{gap_pns:.1f}", "x_rns": f"{gap_rns:.1f}"},
        ),
    ]
    figures = {
        "neg_popularity": {"RNS": p_r, "PNS": p_p},
        "popularity_drift": {"PNS": drift_p, "DNS": drift_d},
        "hardness_pns_over_dns": {"first": rel_first, "last": rel_last},
        "fn_rate_by_group": {
            "PNS": {"majority": fn_major, "minority": fn_minor},
            "RNS": {"majority": r_major, "minority": r_minor},
        },
    }
    return checks, figures, 0 if fn_major > fn_minor else 1


def _dns_candidates(run: LessonRun):
    labels = ("DNS M=1", "DNS M=8", "DNS M=32")
    hard = [_mean(run.history(lb), "hardness_mean") for lb in labels]
    fn = [_mean(run.history(lb), "fn_rate") for lb in labels]
    n = [_n_negatives(run.history(lb)) for lb in labels]
    rns, m1 = run.history("RNS"), run.history("DNS M=1")
    same = (
        len(rns) == len(m1)
        and all(a.loss == b.loss and a.fn_rate == b.fn_rate for a, b in zip(rns, m1))
        and np.array_equal(
            run.trainers["RNS"].sampler.last["negatives"], run.trainers["DNS M=1"].sampler.last["negatives"]
        )
    )
    more_fn = _rate_above(fn[1], n[1], fn[0], n[0]) and _rate_above(fn[2], n[2], fn[1], n[1])
    checks = [
        Check("harder", hard[0] < hard[1] < hard[2], {"values": ", ".join(f"{h:.3f}" for h in hard)}),
        Check("more_fn", more_fn, {"values": ", ".join(_pct(f) for f in fn)}),
        Check("m1_is_rns", same, {}),
    ]
    figures = {
        "hardness": dict(zip(("M=1", "M=8", "M=32"), hard)),
        "fn_rate": dict(zip(("M=1", "M=8", "M=32"), fn)),
        "m1_equals_rns": bool(same),
    }
    return checks, figures, 0 if hard[2] > hard[0] and fn[2] > fn[0] else 1 if hard[2] > hard[0] else 2


def _irgan_game(run: LessonRun):
    irgan, rns = run.history("IRGAN"), run.history("RNS")
    stats = [r.sampler_stats for r in irgan]
    # G's own distribution (temperature 1), the one its policy gradient sharpens
    h0, h1 = stats[0].get("g_own_entropy_ratio", np.nan), stats[-1].get("g_own_entropy_ratio", np.nan)
    key = next((k for k in stats[-1] if k.startswith("g_valid_precision")), None)
    p_start = run.probes["g_start"].get(key.replace("g_valid_", ""), np.nan) if key else np.nan
    p1 = stats[-1].get(key, np.nan) if key else np.nan
    p_pop = run.probes["popularity"].get(key.replace("g_valid_", ""), np.nan) if key else np.nan
    hard_i, hard_r = _mean(irgan[1:], "hardness_mean"), _mean(rns[1:], "hardness_mean")
    c = {lb: _mean(run.history(lb), "n_scores", skip_first=True) for lb in ("RNS", "DNS M=8", "IRGAN")}
    # G = D: the generator is D itself, the best of the same M uniform candidates: DNS, draw for draw
    dns, gd = run.history("DNS M=8"), run.history(IRGAN_GD.label)
    same = (
        len(dns) == len(gd)
        and all(a.loss == b.loss and a.fn_rate == b.fn_rate and a.valid == b.valid for a, b in zip(dns, gd))
        and np.array_equal(
            run.trainers["DNS M=8"].sampler.last["negatives"], run.trainers[IRGAN_GD.label].sampler.last["negatives"]
        )
    )
    checks = [
        Check("g_sharpens", h1 < h0, {"h0": f"{h0:.3f}", "h1": f"{h1:.3f}", "epochs": str(len(irgan))}),
        Check("g_learns", p1 > p_start, {"p_start": f"{p_start:.4f}", "p1": f"{p1:.4f}", "p_pop": f"{p_pop:.4f}"}),
        Check("d_harder", hard_i > hard_r, {"h_i": f"{hard_i:.3f}", "h_r": f"{hard_r:.3f}"}),
        Check(
            "gan_costly",
            c["IRGAN"] > max(c["RNS"], c["DNS M=8"]),
            {"c_i": f"{c['IRGAN']:,.0f}", "c_d": f"{c['DNS M=8']:,.0f}", "c_r": f"{c['RNS']:,.0f}"},
        ),
        Check("g_equals_d_is_dns", same, {"epochs": str(len(gd))}),
    ]
    figures = {
        "g_equals_d_equals_dns": bool(same),
        "g_entropy_ratio": {"first": h0, "last": h1},
        "g_precision": {"start": p_start, "last": p1, "popularity_ranking": p_pop},
        "hardness": {"IRGAN": hard_i, "RNS": hard_r},
        "scores_per_epoch": c,
    }
    return checks, figures, 0 if h1 < h0 else 1


def _false_negatives(run: LessonRun):
    labels = [a.label for a in run.lesson.arms]
    rates = {lb: _mean(run.history(lb), "fn_rate") for lb in labels}
    n = {lb: _n_negatives(run.history(lb)) for lb in labels}
    model_based = [a.label for a in run.lesson.arms if SAMPLERS[a.sampler].family == "model-based"]
    order = sorted(rates, key=rates.get, reverse=True)
    checks = []
    for lb in model_based:
        above = _rate_above(rates[lb], n[lb], rates["RNS"], n["RNS"])
        checks.append(
            Check(
                f"{lb.lower()}_above_rns",
                above,
                {
                    "arm": lb,
                    "f": _pct(rates[lb]),
                    "f_r": _pct(rates["RNS"]),
                    "x": f"{_ratio(rates[lb], rates['RNS']):.2f}",
                },
                template="above_rns",
            )
        )
    checks.append(Check("ordering", True, {"order": " > ".join(f"{lb} {_pct(rates[lb])}" for lb in order)}))
    return checks, {"fn_rate": rates, "ordering": order}, labels.index(order[0])


def _bootstrap_ci(per_user: list[list[float]], seed: int, n_boot: int = 1000) -> list[float]:
    """95 % percentile-bootstrap interval of the pooled mean, resampling users."""
    groups = [np.asarray(g) for g in per_user if len(g)]
    if not groups:
        return [float("nan"), float("nan")]
    sums, counts = np.array([g.sum() for g in groups]), np.array([g.size for g in groups])
    pick = np.random.default_rng(seed).integers(0, len(groups), size=(n_boot, len(groups)))
    means = sums[pick].sum(1) / counts[pick].sum(1)
    return [float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))]


def srns_premise(snapshots: Sequence[np.ndarray], dataset: Dataset, top_share: float = 0.05, seed: int = 0) -> dict:
    """Test SRNS's premise (Ding et al., NeurIPS 2020, Sec. 3.1) on epoch-end score snapshots.

    For each user, ρ_uj = mean over the user's training positives i of σ(s_uj − s_ui) is computed
    under each snapshot; the candidates are the user's top ``top_share`` non-training items by mean
    ρ over the window. Every false negative among them (exact, from the ground truth) is paired with
    the true negative of the same user whose mean ρ is nearest (``p``), and again with the nearest
    one in the same popularity bin (powers of two: ``p_popularity``). ``p`` = share of pairs where
    the true negative's std of ρ exceeds the false negative's (ties count 1/2): 0.5 means no signal,
    above 0.5 supports the premise (false negatives stable, hard true negatives fluctuating).

    Args:
        snapshots: T >= 2 score tables, float (U, I) each.
        dataset: the synthetic :class:`Dataset` (needs ``true_likes``).
    Returns:
        dict with ``p``, ``p_popularity``, ``n_pairs``, ``n_pairs_popularity``, ``std_fn``, ``std_tn``
        (mean std of ρ of the paired items), ``window``.
    Raises:
        ValueError: fewer than 2 snapshots, or a dataset without ground truth.
    """
    if len(snapshots) < 2:
        raise ValueError("the SRNS premise test needs at least 2 epoch-end snapshots")
    if dataset.true_likes is None:
        raise ValueError("the SRNS premise test needs a synthetic world (exact false negatives)")
    train = dataset.train
    pop_bin = np.floor(np.log2(dataset.item_popularity + 1)).astype(np.int64)
    wins, wins_pop, std_fn, std_tn = [], [], [], []  # per user: lists of 1 / 0.5 / 0
    for u in np.flatnonzero(train.counts > 0):
        pos = train.row(u)
        rho = []
        for s in snapshots:
            row = np.asarray(s[u], dtype=np.float64)
            margin = np.clip(row[pos][:, None] - row[None, :], -60, 60)  # (P, I): s_ui - s_uj
            rho.append((1.0 / (1.0 + np.exp(margin))).mean(0))  # (I,) mean σ(s_uj - s_ui)
        rho = np.stack(rho)  # (T, I)
        mean, std = rho.mean(0), rho.std(0)
        cand = np.setdiff1d(np.arange(dataset.n_items), pos)
        n_top = max(2, int(np.ceil(top_share * cand.size)))
        cand = cand[np.argsort(-mean[cand], kind="stable")[:n_top]]
        fn = dataset.is_false_negative(np.full(cand.size, u), cand)
        if not fn.any() or fn.all():
            continue
        tn_items = cand[~fn]
        wins.append([])
        wins_pop.append([])
        for j in cand[fn]:
            k = tn_items[np.argmin(np.abs(mean[tn_items] - mean[j]))]
            wins[-1].append(1.0 if std[k] > std[j] else 0.5 if std[k] == std[j] else 0.0)
            std_fn.append(std[j])
            std_tn.append(std[k])
            same = tn_items[pop_bin[tn_items] == pop_bin[j]]
            if same.size:
                k = same[np.argmin(np.abs(mean[same] - mean[j]))]
                wins_pop[-1].append(1.0 if std[k] > std[j] else 0.5 if std[k] == std[j] else 0.0)
    nan = float("nan")
    flat, flat_pop = [w for g in wins for w in g], [w for g in wins_pop for w in g]
    return {
        "p": float(np.mean(flat)) if flat else nan,
        "n_pairs": len(flat),
        "p_ci95": _bootstrap_ci(wins, seed),
        "p_popularity": float(np.mean(flat_pop)) if flat_pop else nan,
        "n_pairs_popularity": len(flat_pop),
        "p_popularity_ci95": _bootstrap_ci(wins_pop, seed),
        "std_fn": float(np.mean(std_fn)) if std_fn else nan,
        "std_tn": float(np.mean(std_tn)) if std_tn else nan,
        "window": len(snapshots),
    }


def _srns_variance(run: LessonRun):
    premise = srns_premise(run.probes["snapshots"]["SRNS α=0"], run.dataset, seed=run.seed)
    h0, h5 = run.history("SRNS α=0"), run.history("SRNS α=5")
    f0, f5 = _mean(h0, "fn_rate"), _mean(h5, "fn_rate")
    p, pp = premise["p"], premise["p_popularity"]
    (lo, hi), (lo_p, hi_p) = premise["p_ci95"], premise["p_popularity_ci95"]
    signal, signal_pop = lo > 0.5, lo_p > 0.5  # the whole 95 % interval above "no signal"
    checks = [
        Check("premise", signal, {"p": _pct(p), "n": str(premise["n_pairs"]), "lo": _pct(lo), "hi": _pct(hi)}),
        Check(
            "premise_controls_popularity",
            signal_pop,
            {"p": _pct(p), "pp": _pct(pp), "lo": _pct(lo_p), "hi": _pct(hi_p), "n": str(premise["n_pairs_popularity"])},
        ),
        Check(
            "alpha_fewer_fn", _rate_above(f0, _n_negatives(h0), f5, _n_negatives(h5)), {"f5": _pct(f5), "f0": _pct(f0)}
        ),
    ]
    figures = {"premise": premise, "fn_rate": {"alpha=0": f0, "alpha=5": f5}}
    return checks, figures, 0 if signal and signal_pop else 1 if signal else 2


def catalogue_cost(
    sizes: Sequence[int] = (1_000, 10_000, 100_000),
    n_users: int = 100,
    per_user: int = 20,
    batch: int = 1024,
    seed: int = 0,
    repeats: int = 3,
) -> dict:
    """Seconds one sampler spends drawing one epoch of negatives (and its epoch-end work) against a
    fixed random model, for catalogues of growing size: ``{sampler: {n_items: seconds}}``.

    Each world has ``n_users`` users with ``per_user`` Zipf-popular positives; K = 1, dimension 32.
    CPU seconds of this process (``time.process_time``, robust to other load on a shared machine),
    the minimum of ``repeats`` fresh samplers: a lesson's figure, not a benchmark (see ``bench``).
    """
    from .config import RunSeeds
    from .model import MatrixFactorization, Scorer

    rng = np.random.default_rng(seed)
    out: dict = {name: {} for name in SAMPLERS}
    for n_items in sizes:
        weights = 1.0 / np.arange(1, n_items + 1)
        users = np.repeat(np.arange(n_users), per_user)
        items = rng.choice(n_items, size=users.size, p=weights / weights.sum())
        dataset = Dataset.from_pairs(f"catalogue-{n_items}", n_users, n_items, train=(users, items))
        seeds = RunSeeds(seed)
        model = MatrixFactorization(n_users, n_items, 32, generator=seeds.torch("init"), init_std=0.1)
        u, i = dataset.train_users, dataset.train_items
        for name, cls in SAMPLERS.items():
            best = float("inf")
            for _ in range(repeats):
                sampler = cls(dataset, 1, rng=seeds.numpy("sampler"), torch_generator=seeds.torch("sampler"))
                scorer = Scorer(model)
                start = time.process_time()
                for lo in range(0, u.size, batch):
                    sampler.sample(u[lo : lo + batch], i[lo : lo + batch], scorer)
                sampler.on_epoch_end(1, scorer)
                best = min(best, time.process_time() - start)
            out[name][int(n_items)] = best
    return out


def _cost(run: LessonRun):
    labels = [a.label for a in run.lesson.arms]
    secs = {lb: float(np.median([_epoch_seconds(r) for r in run.history(lb)[1:]])) for lb in labels}
    scores = {lb: _mean(run.history(lb), "n_scores", skip_first=True) for lb in labels}
    x_rns = {lb: _ratio(secs[lb], secs["RNS"]) for lb in labels}
    cat = run.probes["catalogue"]
    sizes = sorted(next(iter(cat.values())))
    growth = {a.label: _ratio(cat[a.sampler][sizes[-1]], cat[a.sampler][sizes[0]]) for a in run.lesson.arms}
    heuristic = [a.label for a in run.lesson.arms if SAMPLERS[a.sampler].family == "heuristic"]
    model_based = [lb for lb in labels if lb not in heuristic]
    checks = [
        Check(
            "model_based_costlier",
            min(scores[lb] for lb in model_based) > max(scores[lb] for lb in heuristic),
            {"values": ", ".join(f"{lb} {scores[lb]:,.0f}" for lb in labels)},
        ),
        Check(
            "gan_most",
            scores["IRGAN"] == max(scores.values()) and secs["IRGAN"] == max(secs.values()),
            {"values": ", ".join(f"{lb} {x_rns[lb]:.1f}x" for lb in labels)},
        ),
        Check(
            "srns_below_gan",
            secs["SRNS"] < secs["IRGAN"] and scores["SRNS"] < scores["IRGAN"],
            {
                "t_s": f"{secs['SRNS']:.3f}",
                "c_s": f"{scores['SRNS']:,.0f}",
                "t_i": f"{secs['IRGAN']:.3f}",
                "c_i": f"{scores['IRGAN']:,.0f}",
            },
        ),
        Check(
            "catalogue",
            True,
            {
                "small": f"{sizes[0]:,}",
                "large": f"{sizes[-1]:,}",
                "values": ", ".join(f"{lb} {growth[lb]:.1f}x" for lb in labels),
            },
        ),
    ]
    figures = {
        "seconds_per_epoch": secs,
        "x_rns": x_rns,
        "scores_per_epoch": scores,
        "catalogue_seconds": {a.label: cat[a.sampler] for a in run.lesson.arms},
        "catalogue_growth": growth,
    }
    return checks, figures, labels.index(max(secs, key=secs.get))


# ---------------------------------------------------------------------------- words
# Sentences of the checks, "lesson.template" -> {lang: text or (text if it holds, text if not)}.
# Chinese uses the source article's terms (shared/specs/lessons.md): 伪负例, 强负例, 采样质量 / 采样偏差 /
# 采样效率, 生成器 / 判别器.
CHECK_TEXTS: dict[str, dict[str, str | tuple[str, str]]] = {
    "three-directions.quality": {
        "en": (
            "Quality: DNS's negatives score {s_d} on average, RNS's {s_r}: harder.",
            "Quality: DNS's negatives score {s_d} on average, RNS's {s_r}: not harder.",
        ),
        "zh": (
            "采样质量：DNS 负例的平均得分为 {s_d}，RNS 为 {s_r}：更难（强负例）。",
            "采样质量：DNS 负例的平均得分为 {s_d}，RNS 为 {s_r}：并没有更难。",
        ),
    },
    "three-directions.bias": {
        "en": "Bias: DNS picks {f_d} false negatives, RNS {f_r} ({x}x).",
        "zh": "采样偏差：DNS 采到的伪负例占 {f_d}，RNS 为 {f_r}（{x} 倍）。",
    },
    "three-directions.efficiency": {
        "en": "Efficiency: DNS computes {c_d} model scores per epoch, RNS {c_r}; {t_d} s vs {t_r} s per epoch ({x}x).",
        "zh": "采样效率：DNS 每轮计算 {c_d} 次模型打分，RNS 为 {c_r}；每轮 {t_d} 秒对 {t_r} 秒（{x} 倍）。",
    },
    "pns-popularity.popular": {
        "en": "PNS's negatives have mean training popularity {p_p}, RNS's {p_r} ({x}x).",
        "zh": "PNS 负例的平均训练流行度为 {p_p}，RNS 为 {p_r}（{x} 倍）。",
    },
    "pns-popularity.fixed": {
        "en": (
            "PNS's distribution is fixed: its negatives' popularity moves {d_p} over the run, DNS's {d_d}.",
            "PNS's negatives' popularity moved {d_p} over the run, DNS's {d_d}: not flatter than DNS's.",
        ),
        "zh": (
            "PNS 的分布在训练前就固定了：其负例的流行度在整个训练中只变化 {d_p}，DNS 变化 {d_d}。",
            "PNS 负例的流行度变化了 {d_p}，DNS 为 {d_d}：并不比 DNS 更稳定。",
        ),
    },
    "pns-popularity.decays": {
        "en": (
            "PNS's hardness relative to DNS's fell from {first} at epoch 1 to {last} at epoch {epochs}.",
            "PNS's hardness relative to DNS's went from {first} at epoch 1 to {last} at epoch {epochs}: no decay.",
        ),
        "zh": (
            "PNS 负例的难度相对 DNS 从第 1 轮的 {first} 降到第 {epochs} 轮的 {last}：信息量在衰减。",
            "PNS 负例的难度相对 DNS 从第 1 轮的 {first} 变为第 {epochs} 轮的 {last}：没有衰减。",
        ),
    },
    "pns-popularity.group_bias": {
        "en": (
            "Global popularity follows the majority: PNS's false-negative rate is {major} for the majority and "
            "{minor} for the minority ({x}x; RNS {x_rns}x).",
            "PNS's false-negative rate is {major} for the majority and {minor} for the minority ({x}x; RNS "
            "{x_rns}x): no group bias beyond noise.",
        ),
        "zh": (
            "全局流行度反映的是多数群体的口味：PNS 对多数群体的伪负例率为 {major}，少数群体为 {minor}（{x} 倍；RNS 为 {x_rns} 倍）。",
            "PNS 对多数群体的伪负例率为 {major}，少数群体为 {minor}（{x} 倍；RNS 为 {x_rns} 倍）：没有超出噪声的群体偏差。",
        ),
    },
    "dns-candidates.harder": {
        "en": "Hardness (mean σ(s_uj − s_ui)) for M = 1, 8, 32: {values}.",
        "zh": "M = 1、8、32 时负例的难度（σ(s_uj − s_ui) 的均值）：{values}。",
    },
    "dns-candidates.more_fn": {
        "en": "False-negative rate for M = 1, 8, 32: {values}.",
        "zh": "M = 1、8、32 时的伪负例率：{values}。",
    },
    "dns-candidates.m1_is_rns": {
        "en": (
            "DNS with M = 1 reproduced RNS draw for draw (same losses and negatives).",
            "DNS with M = 1 did NOT reproduce RNS exactly.",
        ),
        "zh": ("M = 1 的 DNS 与 RNS 逐次完全一致（损失和负例都相同）。", "M = 1 的 DNS 与 RNS 并不完全一致。"),
    },
    "irgan-game.g_sharpens": {
        "en": (
            "The generator's entropy (share of the uniform entropy) fell from {h0} after epoch 1 to {h1} after "
            "epoch {epochs}: its distribution sharpened.",
            "The generator's entropy (share of the uniform entropy) went from {h0} after epoch 1 to {h1} after "
            "epoch {epochs}: it did not sharpen.",
        ),
        "zh": (
            "生成器分布的熵（相对均匀分布）从第 1 轮后的 {h0} 降到第 {epochs} 轮后的 {h1}：分布变得更集中。",
            "生成器分布的熵（相对均匀分布）从第 1 轮后的 {h0} 变为第 {epochs} 轮后的 {h1}：并没有变得更集中。",
        ),
    },
    "irgan-game.g_learns": {
        "en": "The generator's own validation precision: {p_start} before training, {p1} at the end (a popularity "
        "ranking scores {p_pop}).",
        "zh": "生成器自身的验证集精确率：训练前 {p_start}，训练结束时 {p1}（按流行度排序为 {p_pop}）。",
    },
    "irgan-game.d_harder": {
        "en": "The discriminator's negatives from the generator have hardness {h_i}, RNS's {h_r}.",
        "zh": "判别器从生成器得到的负例难度为 {h_i}，RNS 为 {h_r}。",
    },
    "irgan-game.gan_costly": {
        "en": "Model scores per epoch (generator included): IRGAN {c_i}, DNS {c_d}, RNS {c_r}.",
        "zh": "每轮模型打分次数（含生成器）：IRGAN {c_i}，DNS {c_d}，RNS {c_r}。",
    },
    "irgan-game.g_equals_d_is_dns": {
        "en": (
            "IRGAN with G = D (the discriminator picks the best of M = 8 uniform candidates) reproduced DNS draw for "
            "draw over {epochs} epochs (same negatives, losses and validation).",
            "IRGAN with G = D did NOT reproduce DNS exactly.",
        ),
        "zh": (
            "G = D 的 IRGAN（判别器从 M = 8 个均匀候选中取得分最高者）在 {epochs} 轮中与 DNS 逐次完全一致（负例、损失和验证结果都相同）。",
            "G = D 的 IRGAN 与 DNS 并不完全一致。",
        ),
    },
    "false-negatives.above_rns": {
        "en": (
            "{arm}: {f} false negatives vs RNS {f_r} ({x}x, above RNS by more than 2 standard errors).",
            "{arm}: {f} false negatives vs RNS {f_r} ({x}x, not above RNS by 2 standard errors).",
        ),
        "zh": (
            "{arm}：伪负例占 {f}，RNS 为 {f_r}（{x} 倍，超过 RNS 两个标准误以上）。",
            "{arm}：伪负例占 {f}，RNS 为 {f_r}（{x} 倍，没有超过 RNS 两个标准误）。",
        ),
    },
    "false-negatives.ordering": {
        "en": "From most to fewest false negatives: {order}.",
        "zh": "伪负例从多到少：{order}。",
    },
    "srns-variance.premise": {
        "en": (
            "At matched mean score, a hard true negative's ρ fluctuates more than a false negative's in {p} of {n} "
            "pairs (95 % interval {lo}-{hi}; 50 % = no signal).",
            "At matched mean score, a hard true negative's ρ fluctuates more than a false negative's in only {p} of "
            "{n} pairs (95 % interval {lo}-{hi}; 50 % = no signal): no support for the premise.",
        ),
        "zh": (
            "在平均得分相同的情况下，强负例的 ρ 比伪负例波动更大的比例为 {p}（共 {n} 对，95% 区间 {lo}-{hi}；50% 表示没有信号）。",
            "在平均得分相同的情况下，强负例的 ρ 比伪负例波动更大的比例只有 {p}（共 {n} 对，95% 区间 {lo}-{hi}；50% 表示没有信号）：不支持该前提。",
        ),
    },
    "srns-variance.premise_controls_popularity": {
        "en": (
            "Matched on popularity too: {pp} of {n} pairs ({lo}-{hi}); the signal survives the popularity control "
            "({p} -> {pp}).",
            "Matched on popularity too: {pp} of {n} pairs ({lo}-{hi}); the signal was popularity, not being a false "
            "negative ({p} -> {pp}).",
        ),
        "zh": (
            "再按流行度匹配：{pp}（共 {n} 对，{lo}-{hi}）；控制流行度后信号依然存在（{p} → {pp}）。",
            "再按流行度匹配：{pp}（共 {n} 对，{lo}-{hi}）；信号来自流行度，而不是伪负例本身（{p} → {pp}）。",
        ),
    },
    "srns-variance.alpha_fewer_fn": {
        "en": "False-negative rate with α = 5: {f5}; with α = 0 (hardness only): {f0}.",
        "zh": "α = 5 时伪负例率为 {f5}；α = 0（只看难度）时为 {f0}。",
    },
    "cost.model_based_costlier": {"en": "Model scores per epoch: {values}.", "zh": "每轮模型打分次数：{values}。"},
    "cost.gan_most": {
        "en": "Seconds per epoch (median after the warm-up epoch, arms interleaved), as a multiple of RNS: {values}.",
        "zh": "每轮耗时（去掉预热轮后的中位数，各臂交替运行），以 RNS 的倍数表示：{values}。",
    },
    "cost.srns_below_gan": {
        "en": "SRNS: {t_s} s and {c_s} scores per epoch; IRGAN: {t_i} s and {c_i}.",
        "zh": "SRNS：每轮 {t_s} 秒、{c_s} 次打分；IRGAN：{t_i} 秒、{c_i} 次。",
    },
    "cost.catalogue": {
        "en": "Sampling one epoch as the catalogue grows from {small} to {large} items: {values}.",
        "zh": "物品库从 {small} 增长到 {large} 时，采样一轮的耗时增长：{values}。",
    },
}


def _text(pair: Mapping[str, str], lang: str) -> str:
    return pair.get(lang) or pair["en"]


def check_text(lesson_id: str, check: Check, lang: str = "en") -> str:
    """The sentence of a check in ``lang`` ("en" or "zh"), filled with the check's figures."""
    template = CHECK_TEXTS[f"{lesson_id}.{check.template or check.name}"]
    text = template.get(lang) or template["en"]
    if isinstance(text, tuple):
        text = text[0] if check.holds else text[1]
    return text.format(**check.values)


# ---------------------------------------------------------------------------- the seven lessons
# IRGAN's G = D form (the label is what arms.default_label writes for these settings)
IRGAN_GD = Arm("IRGAN (G = D)", "irgan", {"g_equals_d": True, "gd_candidates": 8})
_FIVE = (Arm("RNS", "rns"), Arm("PNS", "pns"), Arm("DNS", "dns"), Arm("IRGAN", "irgan"), Arm("SRNS", "srns"))


def _t(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


LESSONS: dict[str, Lesson] = {
    lesson.id: lesson
    for lesson in (
        Lesson(
            id="three-directions",
            title=_t("Three directions: quality, bias, efficiency", "三个方向：采样质量、采样偏差、采样效率"),
            claim=_t(
                "Negative sampling pulls three ways: informative (hard) negatives, few false negatives, low cost.",
                "负采样研究有三个方向：负例要有信息量（强负例），伪负例要少，代价要低。",
            ),
            question=_t(
                "Compared with uniform sampling (RNS), what does DNS (best of M = 8 candidates) do?",
                "与均匀随机采样（RNS）相比，DNS（从 M = 8 个候选中选得分最高的）会怎样？",
            ),
            choices=(
                _t("Harder negatives, more false negatives, more computation", "负例更难、伪负例更多、计算更多"),
                _t("Harder negatives, fewer false negatives, more computation", "负例更难、伪负例更少、计算更多"),
                _t("About the same negatives at a higher cost", "负例差不多，只是代价更高"),
            ),
            arms=(Arm("RNS", "rns"), Arm("DNS M=8", "dns", {"candidates": 8})),
            verdict=_three_directions,
            why=_t(
                "A sampler that looks at the model's scores finds negatives the model still ranks high: they carry large "
                "gradients (quality). But an unobserved item the model ranks high is often one the user would like: a "
                "false negative (bias). And looking costs model scores (efficiency). No sampler wins all three.",
                "看模型打分的采样器能找到模型仍然排得很高的负例，它们的梯度大（采样质量）。但模型排得高的未观测物品，往往正是"
                "用户会喜欢的物品，也就是伪负例（采样偏差）。而且“看一眼”本身就要计算模型打分（采样效率）。没有哪个采样器能三者兼得。",
            ),
        ),
        Lesson(
            id="pns-popularity",
            title=_t("PNS: popularity, fixed before training", "PNS：训练前就固定的流行度分布"),
            claim=_t(
                "PNS samples popular items with a distribution fixed before training; its informativeness decays, and "
                "global popularity is biased when user groups differ.",
                "PNS 按训练前就固定的流行度分布采样；它的信息量会衰减；当用户群体口味不同时，全局流行度是有偏的。",
            ),
            question=_t(
                "In a world with a majority and a minority taste group, whose false-negative rate does PNS raise?",
                "在一个有多数和少数两个口味群体的世界里，PNS 会提高哪个群体的伪负例率？",
            ),
            choices=(_t("The majority's", "多数群体"), _t("The minority's", "少数群体")),
            arms=(
                Arm("RNS", "rns"),
                Arm("PNS α=0.75", "pns", {"alpha": 0.75}),
                Arm("DNS M=8", "dns", {"candidates": 8}),
            ),
            world={"minority_share": 0.2},
            verdict=_pns_popularity,
            probes=("group_fn",),
            why=_t(
                "PNS counts how many users interacted with each item. That count is the majority's taste: its popular "
                "items are what majority users like but have not seen yet (false negatives), while for the minority they "
                "are easy, uninformative negatives. And because the distribution never changes, the model soon ranks those "
                "items low anyway, so PNS's negatives get easier relative to DNS's.",
                "PNS 统计每个物品被多少用户交互过，这个计数反映的是多数群体的口味：热门物品正是多数用户喜欢但还没看到的物品（伪负例），"
                "而对少数群体来说它们是容易、没有信息量的负例。而且分布从不改变，模型很快就会把这些物品排得很低，所以 PNS 的负例相对 DNS "
                "越来越容易。",
            ),
        ),
        Lesson(
            id="dns-candidates",
            title=_t("DNS: the best of M candidates", "DNS：从 M 个候选中选最难的"),
            claim=_t(
                "DNS scores M uniform candidates with the current model and keeps the highest.",
                "DNS 用当前模型给 M 个均匀采样的候选打分，保留得分最高的一个。",
            ),
            question=_t(
                "As M grows from 1 to 32, DNS's negatives become ...", "当 M 从 1 增加到 32 时，DNS 的负例会……"
            ),
            choices=(
                _t("Harder, with more false negatives", "更难，伪负例也更多"),
                _t("Harder, with fewer false negatives", "更难，伪负例更少"),
                _t("Easier", "更容易"),
            ),
            arms=(
                Arm("RNS", "rns"),
                Arm("DNS M=1", "dns", {"candidates": 1}),
                Arm("DNS M=8", "dns", {"candidates": 8}),
                Arm("DNS M=32", "dns", {"candidates": 32}),
            ),
            verdict=_dns_candidates,
            why=_t(
                "The maximum of M scores grows with M, so the kept negative is harder. The unobserved items the model "
                "scores highest are also the ones the user is most likely to like: false negatives grow too. With M = 1 "
                "there is nothing to choose: DNS is RNS.",
                "M 个得分的最大值随 M 增大，所以留下的负例更难。但模型打分最高的未观测物品，也最可能是用户喜欢的：伪负例也随之增多。"
                "M = 1 时无可选择：DNS 就是 RNS。",
            ),
        ),
        Lesson(
            id="irgan-game",
            title=_t("IRGAN: a generator against a discriminator", "IRGAN：生成器与判别器的博弈"),
            claim=_t(
                "A generator picks negatives to fool the discriminator; DNS is IRGAN with G = D; GAN samplers are slow.",
                "生成器挑选负例去“骗过”判别器；DNS 就是 G = D 时的 IRGAN；基于 GAN 的采样器很慢。",
            ),
            question=_t(
                "While IRGAN trains, the generator's distribution over negatives becomes ...",
                "IRGAN 训练过程中，生成器给出的负例分布会变得……",
            ),
            choices=(
                _t(
                    "Sharper (lower entropy): it learns which items fool the discriminator",
                    "更集中（熵更低）：它学会了哪些物品能骗过判别器",
                ),
                _t("Flatter: it spreads out", "更平坦：更分散"),
            ),
            arms=(Arm("RNS", "rns"), Arm("DNS M=8", "dns", {"candidates": 8}), Arm("IRGAN", "irgan"), IRGAN_GD),
            verdict=_irgan_game,
            probes=("g_start",),
            epochs=30,
            why=_t(
                "The generator is rewarded for proposing items the discriminator scores high, so its softmax concentrates on "
                "them; the discriminator then trains against harder negatives. Make the generator the discriminator itself "
                "and put all its mass on the best of M uniform candidates, and this is exactly DNS: the IRGAN (G = D) arm does "
                "that, and its negatives and curves coincide with DNS's. Training a second model every epoch is what makes "
                "GAN samplers slow.",
                "生成器提出判别器打分高的物品就会得到奖励，所以它的 softmax 会集中到这些物品上；判别器于是用更难的负例训练。如果生成器"
                "就是判别器本身，并把全部概率放在 M 个均匀候选中最好的那个上，这就正是 DNS：IRGAN (G = D) 这一组正是这样做的，它的负例和曲线"
                "与 DNS 完全重合。每轮都要多训练一个模型，这正是 GAN 类采样器慢的原因。",
            ),
        ),
        Lesson(
            id="false-negatives",
            title=_t("False negatives: unobserved is not disliked", "伪负例：未观测不等于不喜欢"),
            claim=_t(
                "Unobserved is not disliked; hard-negative samplers pick more false negatives.",
                "未观测不等于不喜欢；寻找强负例的采样器会采到更多伪负例。",
            ),
            question=_t("Which sampler picks the most false negatives?", "哪个采样器采到的伪负例最多？"),
            choices=tuple(_t(a.label, a.label) for a in _FIVE),
            arms=_FIVE,
            verdict=_false_negatives,
            why=_t(
                "On the synthetic world we know every item each user likes. An item that is liked but not a training "
                "positive is a false negative when sampled. Samplers that seek high-scoring items find them more often, "
                "because the model rightly scores liked items high.",
                "在合成世界里，我们知道每个用户真正喜欢的所有物品。一个被喜欢但不是训练正例的物品，被采成负例时就是伪负例。"
                "寻找高分物品的采样器更常采到它们，因为模型本来就（正确地）给喜欢的物品打高分。",
            ),
        ),
        Lesson(
            id="srns-variance",
            title=_t("SRNS: stable false negatives, fluctuating hard negatives?", "SRNS：伪负例稳定、强负例波动？"),
            claim=_t(
                "False negatives score high and stable; hard true negatives score high and fluctuate; SRNS samples by "
                "the variance.",
                "伪负例得分高且稳定；真正的强负例得分高但波动大；SRNS 据此用方差来采样。",
            ),
            question=_t(
                "On this world, at equal mean score, whose score fluctuates more over the last epochs?",
                "在这个世界里，平均得分相同时，最近几轮谁的得分波动更大？",
            ),
            choices=(
                _t(
                    "Hard true negatives, even controlling for popularity (the premise holds)",
                    "真正的强负例，控制流行度后依然如此（前提成立）",
                ),
                _t("Hard true negatives, but only because of popularity", "真正的强负例，但只是因为流行度"),
                _t("Neither: no signal", "都不是：没有信号"),
            ),
            arms=(Arm("SRNS α=0", "srns", {"alpha": 0.0}), Arm("SRNS α=5", "srns", {"alpha": 5.0})),
            verdict=_srns_variance,
            probes=("snapshots",),
            why=_t(
                "SRNS's paper observed that false negatives keep a high, stable score while hard true negatives fluctuate, "
                "and adds the score's standard deviation to the choice. A claim like this is a hypothesis: compare items at "
                "the same mean score, then control for popularity (popular items' embeddings move more), and see whether "
                "the signal survives.",
                "SRNS 的论文观察到：伪负例的得分高且稳定，而真正的强负例得分波动，于是把得分的标准差加进选择标准。这样的论断是一个假设："
                "先在相同平均得分下比较，再控制流行度（热门物品的嵌入变化更大），看信号是否还在。",
            ),
        ),
        Lesson(
            id="cost",
            title=_t("Efficiency: what each sampler costs", "采样效率：每个采样器的代价"),
            claim=_t(
                "Model-based samplers cost more; GAN-based ones most; SRNS less than GAN.",
                "基于模型的负采样代价更高；基于 GAN 的最高；SRNS 低于 GAN。",
            ),
            question=_t("Which sampler takes the most time per epoch?", "哪个采样器每轮耗时最多？"),
            choices=tuple(_t(a.label, a.label) for a in _FIVE),
            arms=_FIVE,
            verdict=_cost,
            probes=("catalogue",),
            why=_t(
                "RNS and PNS draw from fixed distributions: no model score. DNS scores M candidates per negative, SRNS its "
                "memory and fresh candidates plus an epoch-end snapshot, IRGAN a whole second model over every item for every "
                "user. On a large catalogue only the cost that does not grow with the number of items stays cheap.",
                "RNS 和 PNS 从固定分布中采样，不需要模型打分。DNS 每个负例要给 M 个候选打分，SRNS 要给记忆中的物品和新候选打分，"
                "还要在每轮结束时做快照，IRGAN 则要为每个用户对所有物品运行第二个模型。物品库很大时，只有不随物品数增长的代价才便宜。",
            ),
        ),
    )
}


# ---------------------------------------------------------------------------- running
def _snapshot(trainer: Trainer) -> np.ndarray:
    users = torch.arange(trainer.dataset.n_users)
    return trainer.scorer.peek_all(users).numpy().copy()


class LessonSession:
    """A lesson being played: its arms' trainers advanced round-robin, one batch each in turn
    (as the app's Compare does), with the lesson's probes updated after every batch.

    Interleaving keeps the arms in step, so load on a shared machine hits every arm alike and the
    cost figures compare like with like. The app advances a session in time-budgeted ticks; the CLI
    and the tests run it to the end with :func:`run_lesson`.

    Args:
        lesson_id: a key of :data:`LESSONS`.
        seed: the run seed (world, initial model, batches, sampler streams).
        epochs: override the lesson's epoch count.
        world: :class:`SyntheticConfig` overrides on top of the lesson's world.
    Raises:
        ValueError: unknown lesson id or an impossible world setting.
    """

    SNAPSHOT_WINDOW = 5  # epoch-end snapshots kept for the SRNS premise test (T of the released code)

    def __init__(self, lesson_id: str, seed: int = 0, epochs: int | None = None, world: Mapping | None = None):
        if lesson_id not in LESSONS:
            raise ValueError(f"unknown lesson {lesson_id!r}; choose one of {', '.join(LESSONS)}")
        self.lesson = lesson = LESSONS[lesson_id]
        self.seed = int(seed)
        self.world = {**dict(lesson.world), **dict(world or {})}
        self.config = lesson.config().replace(epochs=int(epochs or lesson.epochs))
        self.dataset = make_synthetic(SyntheticConfig(**self.world), seed=self.seed)
        self.trainers: dict[str, Trainer] = {
            arm.label: Trainer(self.dataset, arm.sampler, self.config, lesson.params(arm), seed=self.seed)
            for arm in lesson.arms
        }
        self.probes: dict = {
            "group_fn": {lb: {0: [0, 0], 1: [0, 0]} for lb in self.trainers},
            "snapshots": {lb: [] for lb in self.trainers},
        }
        if "g_start" in lesson.probes:
            from .metrics import evaluate, popularity_scores

            k = min(self.config.eval_k, self.dataset.n_items - 1)
            generator = next(t.sampler for t in self.trainers.values() if getattr(t.sampler, "generator", None))
            self.probes["g_start"] = evaluate(generator.generator.score_all, self.dataset, "valid", ks=(k,))
            self.probes["popularity"] = evaluate(popularity_scores(self.dataset), self.dataset, "valid", ks=(k,))
        self.seconds = 0.0
        self._result: dict | None = None

    @property
    def done(self) -> bool:
        return all(t.done for t in self.trainers.values())

    @property
    def error(self) -> str | None:
        """The first arm's divergence message, if any (the lesson then cannot give a verdict)."""
        return next((f"{lb}: {t.error}" for lb, t in self.trainers.items() if t.error), None)

    def advance(self, seconds: float = float("inf"), max_steps: int | None = None) -> None:
        """Round-robin single batches over the unfinished arms until ``seconds`` pass or every arm
        has run ``max_steps`` batches (at least one round)."""
        start, steps = time.perf_counter(), 0
        while not self.done and (max_steps is None or steps < max_steps):
            for label, trainer in self.trainers.items():
                if not trainer.done:
                    self._probe(label, trainer, trainer.run_steps(1))
            steps += 1
            if time.perf_counter() - start >= seconds:
                break
        self.seconds += time.perf_counter() - start

    def _probe(self, label: str, trainer: Trainer, records: list) -> None:
        probes, lesson = self.probes, self.lesson
        if "group_fn" in lesson.probes and self.dataset.user_groups is not None and "negatives" in trainer.sampler.last:
            last = trainer.sampler.last
            users = np.repeat(last["users"], last["negatives"].shape[1])
            fn = self.dataset.is_false_negative(users, last["negatives"].ravel())
            groups = self.dataset.user_groups[users]
            for g in (0, 1):
                probes["group_fn"][label][g][0] += int(fn[groups == g].sum())
                probes["group_fn"][label][g][1] += int((groups == g).sum())
        if "snapshots" in lesson.probes:
            for record in records:
                if record.epoch > self.config.epochs - self.SNAPSHOT_WINDOW:
                    probes["snapshots"][label].append(_snapshot(trainer))

    def result(self, lang: str = "en") -> dict:
        """The verdict once every arm has finished (see :func:`run_lesson` for the keys).

        Raises:
            RuntimeError: the lesson is not finished, or an arm diverged.
        """
        if self.error:
            raise RuntimeError(self.error)
        if not self.done:
            raise RuntimeError("the lesson has not finished: advance it to the end first")
        if "catalogue" in self.lesson.probes and "catalogue" not in self.probes:
            self.probes["catalogue"] = catalogue_cost()
        lesson = self.lesson
        run = LessonRun(lesson, self.dataset, self.trainers, self.probes, self.seed, self.seconds)
        checks, figures, answer = lesson.verdict(run)
        texts = [check_text(lesson.id, c, lang) for c in checks]
        return {
            "lesson": lesson.id,
            "title": _text(lesson.title, lang),
            "holds": bool(all(c.holds for c in checks)),
            "checks": [{"name": c.name, "holds": bool(c.holds), "text": t} for c, t in zip(checks, texts)],
            "verdict": " ".join(texts),
            "figures": _rounded(figures),
            "prediction_choices": [_text(c, lang) for c in lesson.choices],
            "answer": _text(lesson.choices[answer], lang),
            "answer_index": int(answer),
            "why": _text(lesson.why, lang),
            "epochs": self.config.epochs,
            "seed": self.seed,
            "world": dict(self.world),
            "seconds": round(self.seconds, 2),
        }


def run_lesson(
    lesson_id: str, seed: int = 0, epochs: int | None = None, world: Mapping | None = None, lang: str = "en"
) -> dict:
    """Run a lesson headless to the end and return its JSON-ready verdict.

    Args:
        lesson_id: a key of :data:`LESSONS`.
        seed: the run seed (world, initial model, batches, sampler streams).
        epochs: override the lesson's epoch count (tests use fewer).
        world: :class:`SyntheticConfig` overrides on top of the lesson's world (e.g.
            ``{"exposure_bias": 0}`` to test SRNS's premise without popularity-biased exposure).
        lang: language of the texts, ``"en"`` or ``"zh"``.
    Returns:
        ``{"lesson", "title", "holds", "checks": [{"name", "holds", "text"}], "verdict", "figures",
        "prediction_choices", "answer", "answer_index", "why", "epochs", "seed", "world", "seconds"}``:
        ``verdict`` is one sentence per check, ``answer`` the choice the run bears out, ``seconds``
        the training wall time.
    Raises:
        ValueError: unknown lesson id; RuntimeError: an arm diverged.
    """
    session = LessonSession(lesson_id, seed=seed, epochs=epochs, world=world)
    session.advance()
    return session.result(lang)
