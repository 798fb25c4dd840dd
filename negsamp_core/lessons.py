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

from .config import PRESETS, TrainConfig
from .data import Dataset, SyntheticConfig, make_synthetic
from .samplers import SAMPLERS
from .training import EpochRecord, Trainer

__all__ = ["Arm", "Check", "Lesson", "LessonRun", "LESSONS", "run_lesson", "srns_premise", "catalogue_cost"]


# ---------------------------------------------------------------------------- data types
@dataclass(frozen=True)
class Arm:
    """One trained model of a lesson: a sampler with its settings and a label.

    Attributes:
        label: shown in charts and verdicts, e.g. ``"DNS M=8"`` (unique within a lesson).
        sampler: a name of :data:`~negsamp_core.samplers.SAMPLERS`.
        params: the sampler's parameters (its defaults otherwise).
    """

    label: str
    sampler: str
    params: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One measured part of a verdict.

    Attributes:
        name: short id, e.g. ``"dns_harder"``.
        holds: whether the run bears the claim out.
        text: an English sentence with the figures it used.
    """

    name: str
    holds: bool
    text: str


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

    Attributes:
        id: stable id (URLs, CLI).
        title: short English title.
        claim: the article's claim in one sentence.
        question: what the learner predicts.
        choices: 2-4 answers (English); ``answer`` of the run is one of them.
        arms: the trained arms (same seed, initial model and batch order).
        world: :class:`SyntheticConfig` overrides of the lesson's world.
        epochs: epochs each arm trains.
        verdict: function of a :class:`LessonRun` -> (checks, figures, answer).
        probes: names of extra measurements the runner collects (``"group_fn"``, ``"snapshots"``,
            ``"catalogue"``).
        why: one paragraph of explanation (English), quoting the article's idea.
    """

    id: str
    title: str
    claim: str
    question: str
    choices: tuple
    arms: tuple
    verdict: Verdict
    world: Mapping = field(default_factory=dict)
    epochs: int = 10
    probes: tuple = ()
    why: str = ""

    def config(self) -> TrainConfig:
        return PRESETS["classroom"].replace(epochs=self.epochs)

    def dataset(self, seed: int = 0) -> Dataset:
        """The lesson's synthetic world (seeded like every run of the lab)."""
        return make_synthetic(SyntheticConfig(**dict(self.world)), seed=seed)

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "claim": self.claim, "question": self.question,
                "choices": list(self.choices), "arms": [{"label": a.label, "sampler": a.sampler,
                                                         "params": dict(a.params)} for a in self.arms],
                "world": dict(self.world), "epochs": self.epochs}


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
def _three_directions(run: LessonRun):
    rns, dns = run.history("RNS"), run.history("DNS M=8")
    s_r, s_d = _mean(rns, "neg_score_mean"), _mean(dns, "neg_score_mean")
    f_r, f_d = _mean(rns, "fn_rate"), _mean(dns, "fn_rate")
    c_r, c_d = _mean(rns, "n_scores", skip_first=True), _mean(dns, "n_scores", skip_first=True)
    t_r = float(np.mean([_epoch_seconds(r) for r in rns[1:]]))
    t_d = float(np.mean([_epoch_seconds(r) for r in dns[1:]]))
    checks = [
        Check("quality", s_d > s_r, f"Quality: DNS's negatives score {s_d:.3f} on average, RNS's {s_r:.3f} "
                                    f"({'harder' if s_d > s_r else 'not harder'})."),
        Check("bias", _rate_above(f_d, _n_negatives(dns), f_r, _n_negatives(rns)), f"Bias: DNS picks {_pct(f_d)} false negatives, RNS {_pct(f_r)} "
                                 f"({_ratio(f_d, f_r):.1f}x)."),
        Check("efficiency", c_d > c_r, f"Efficiency: DNS computes {c_d:,.0f} model scores per epoch, RNS "
                                       f"{c_r:,.0f}; {t_d:.3f} s vs {t_r:.3f} s per epoch ({_ratio(t_d, t_r):.1f}x)."),
    ]
    figures = {"neg_score": {"RNS": s_r, "DNS": s_d}, "fn_rate": {"RNS": f_r, "DNS": f_d},
               "scores_per_epoch": {"RNS": c_r, "DNS": c_d}, "seconds_per_epoch": {"RNS": t_r, "DNS": t_d}}
    harder, more_fn = s_d > s_r, _rate_above(f_d, _n_negatives(dns), f_r, _n_negatives(rns))
    answer = {(True, True): 0, (True, False): 1}.get((harder, more_fn), 2)
    return checks, figures, answer


def _pns_popularity(run: LessonRun):
    rns, pns, dns = run.history("RNS"), run.history("PNS α=0.75"), run.history("DNS M=8")
    p_r, p_p = _mean(rns, "neg_popularity_mean"), _mean(pns, "neg_popularity_mean")
    pop_p = [r.neg_popularity_mean for r in pns]
    pop_d = [r.neg_popularity_mean for r in dns]
    drift_p = (max(pop_p) - min(pop_p)) / max(np.mean(pop_p), 1e-12)
    drift_d = (max(pop_d) - min(pop_d)) / max(np.mean(pop_d), 1e-12)
    rel_first = _ratio(pns[0].hardness_mean, dns[0].hardness_mean)
    rel_last = _ratio(pns[-1].hardness_mean, dns[-1].hardness_mean)
    group = run.probes["group_fn"]["PNS α=0.75"]  # {group: (false negatives, negatives)}
    fn_major, fn_minor = (group[g][0] / max(group[g][1], 1) for g in (0, 1))
    rgroup = run.probes["group_fn"]["RNS"]
    r_major, r_minor = (rgroup[g][0] / max(rgroup[g][1], 1) for g in (0, 1))
    gap_pns, gap_rns = _ratio(fn_major, fn_minor), _ratio(r_major, r_minor)
    checks = [
        Check("popular", p_p > 2 * p_r, f"PNS's negatives have mean training popularity {p_p:.1f}, RNS's "
                                        f"{p_r:.1f} ({_ratio(p_p, p_r):.1f}x)."),
        Check("fixed", drift_p < drift_d, f"PNS's distribution is fixed: its negatives' popularity moves "
                                          f"{_pct(drift_p)} over the run, DNS's {_pct(drift_d)}."),
        Check("decays", rel_last < rel_first, f"PNS's hardness relative to DNS's: {rel_first:.2f} at epoch 1, "
                                              f"{rel_last:.2f} at epoch {len(pns)}."),
        Check("group_bias", gap_pns > gap_rns, f"Global popularity follows the majority: PNS's false-negative rate "
                                               f"is {_pct(fn_major)} for the majority and {_pct(fn_minor)} for the "
                                               f"minority ({gap_pns:.1f}x; RNS {gap_rns:.1f}x)."),
    ]
    figures = {"neg_popularity": {"RNS": p_r, "PNS": p_p}, "popularity_drift": {"PNS": drift_p, "DNS": drift_d},
               "hardness_pns_over_dns": {"first": rel_first, "last": rel_last},
               "fn_rate_by_group": {"PNS": {"majority": fn_major, "minority": fn_minor},
                                    "RNS": {"majority": r_major, "minority": r_minor}}}
    return checks, figures, 0 if fn_major > fn_minor else 1


def _dns_candidates(run: LessonRun):
    labels = ("DNS M=1", "DNS M=8", "DNS M=32")
    hard = [_mean(run.history(lb), "hardness_mean") for lb in labels]
    fn = [_mean(run.history(lb), "fn_rate") for lb in labels]
    rns, m1 = run.history("RNS"), run.history("DNS M=1")
    same = (len(rns) == len(m1) and all(a.loss == b.loss and a.fn_rate == b.fn_rate for a, b in zip(rns, m1))
            and np.array_equal(run.trainers["RNS"].sampler.last["negatives"],
                               run.trainers["DNS M=1"].sampler.last["negatives"]))
    checks = [
        Check("harder", hard[0] < hard[1] < hard[2], "Hardness (mean σ(s_uj − s_ui)) for M = 1, 8, 32: "
              + ", ".join(f"{h:.3f}" for h in hard) + "."),
        Check("more_fn", fn[0] < fn[1] < fn[2], "False-negative rate for M = 1, 8, 32: "
              + ", ".join(_pct(f) for f in fn) + "."),
        Check("m1_is_rns", same, "DNS with M = 1 reproduced RNS draw for draw (same losses and negatives)."
              if same else "DNS with M = 1 did NOT reproduce RNS exactly."),
    ]
    figures = {"hardness": dict(zip(("M=1", "M=8", "M=32"), hard)), "fn_rate": dict(zip(("M=1", "M=8", "M=32"), fn)),
               "m1_equals_rns": same}
    answer = 0 if hard[2] > hard[0] and fn[2] > fn[0] else 1 if hard[2] > hard[0] else 2
    return checks, figures, answer


def _irgan_game(run: LessonRun):
    irgan, rns, dns = run.history("IRGAN"), run.history("RNS"), run.history("DNS M=8")
    stats = [r.sampler_stats for r in irgan]
    h0, h1 = stats[0].get("g_entropy_ratio", np.nan), stats[-1].get("g_entropy_ratio", np.nan)
    key = next((k for k in stats[-1] if k.startswith("g_valid_precision")), None)
    p_start = run.probes["g_start"].get(key.replace("g_valid_", ""), np.nan) if key else np.nan
    p0, p1 = stats[0].get(key, np.nan) if key else np.nan, stats[-1].get(key, np.nan) if key else np.nan
    hard_i, hard_r = _mean(irgan[1:], "hardness_mean"), _mean(rns[1:], "hardness_mean")
    c = {lb: _mean(run.history(lb), "n_scores", skip_first=True) for lb in ("RNS", "DNS M=8", "IRGAN")}
    checks = [
        Check("g_sharpens", h1 < h0, f"G's entropy (share of the uniform entropy, D's negatives at τ) fell from "
                                     f"{h0:.3f} after epoch 1 to {h1:.3f} after epoch {len(irgan)}."),
        Check("g_learns", p1 > p_start, f"G's own validation precision: {p_start:.4f} before training, {p0:.4f} "
                                        f"after epoch 1, {p1:.4f} at the end."),
        Check("d_harder", hard_i > hard_r, f"D's negatives from G have hardness {hard_i:.3f}, RNS's {hard_r:.3f}."),
        Check("gan_costly", c["IRGAN"] > max(c["RNS"], c["DNS M=8"]),
              f"Model scores per epoch: IRGAN {c['IRGAN']:,.0f}, DNS {c['DNS M=8']:,.0f}, RNS {c['RNS']:,.0f}."),
    ]
    figures = {"g_entropy_ratio": {"first": h0, "last": h1}, "g_precision": {"start": p_start, "first": p0, "last": p1},
               "hardness": {"IRGAN": hard_i, "RNS": hard_r}, "scores_per_epoch": c}
    return checks, figures, 0 if h1 < h0 else 1


def _false_negatives(run: LessonRun):
    rates = {a.label: _mean(run.history(a.label), "fn_rate") for a in run.lesson.arms}
    model_based = [a.label for a in run.lesson.arms if SAMPLERS[a.sampler].family == "model-based"]
    order = sorted(rates, key=rates.get, reverse=True)
    n = {a.label: _n_negatives(run.history(a.label)) for a in run.lesson.arms}
    above = {lb: _rate_above(rates[lb], n[lb], rates["RNS"], n["RNS"]) for lb in model_based}
    checks = [Check(f"{lb.lower()}_above_rns", above[lb],
                    f"{lb}: {_pct(rates[lb])} false negatives vs RNS {_pct(rates['RNS'])} "
                    f"({_ratio(rates[lb], rates['RNS']):.2f}x; "
                    f"{'above' if above[lb] else 'not above'} RNS by 2 standard errors).") for lb in model_based]
    checks.append(Check("ordering", True, "From most to fewest false negatives: "
                        + " > ".join(f"{lb} {_pct(rates[lb])}" for lb in order) + "."))
    return checks, {"fn_rate": rates, "ordering": order}, [a.label for a in run.lesson.arms].index(order[0])


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
    return {"p": float(np.mean(flat)) if flat else nan, "n_pairs": len(flat), "p_ci95": _bootstrap_ci(wins, seed),
            "p_popularity": float(np.mean(flat_pop)) if flat_pop else nan, "n_pairs_popularity": len(flat_pop),
            "p_popularity_ci95": _bootstrap_ci(wins_pop, seed),
            "std_fn": float(np.mean(std_fn)) if std_fn else nan, "std_tn": float(np.mean(std_tn)) if std_tn else nan,
            "window": len(snapshots)}


def _srns_variance(run: LessonRun):
    premise = srns_premise(run.probes["snapshots"]["SRNS α=0"], run.dataset, seed=run.seed)
    h0, h5 = run.history("SRNS α=0"), run.history("SRNS α=5")
    f0, f5 = _mean(h0, "fn_rate"), _mean(h5, "fn_rate")
    p, pp = premise["p"], premise["p_popularity"]
    (lo, hi), (lo_p, hi_p) = premise["p_ci95"], premise["p_popularity_ci95"]
    signal, signal_pop = lo > 0.5, lo_p > 0.5  # the whole 95 % interval above "no signal"
    checks = [
        Check("premise", signal, f"At matched mean score, a hard true negative's ρ fluctuates more than a false "
                                 f"negative's in {_pct(p)} of {premise['n_pairs']} pairs (95 % interval "
                                 f"{_pct(lo)}-{_pct(hi)}; 50 % = no signal)."),
        Check("premise_controls_popularity", signal_pop,
              f"Matched on popularity too: {_pct(pp)} of {premise['n_pairs_popularity']} pairs ({_pct(lo_p)}-"
              f"{_pct(hi_p)})" + (f"; the signal survives the popularity control ({_pct(p)} -> {_pct(pp)})."
                                  if signal_pop else "; the signal was popularity, not being a false negative.")),
        Check("alpha_fewer_fn", _rate_above(f0, _n_negatives(h0), f5, _n_negatives(h5)),
              f"False-negative rate with α = 5: {_pct(f5)}; with α = 0 (hardness only): {_pct(f0)}."),
    ]
    figures = {"premise": premise, "fn_rate": {"alpha=0": f0, "alpha=5": f5}}
    return checks, figures, 0 if signal and signal_pop else 1 if signal else 2


def catalogue_cost(sizes: Sequence[int] = (1_000, 10_000, 100_000), n_users: int = 100, per_user: int = 20,
                   batch: int = 1024, seed: int = 0) -> dict:
    """Seconds one sampler spends drawing one epoch of negatives (and its epoch-end work) against a
    fixed random model, for catalogues of growing size: ``{sampler: {n_items: seconds}}``.

    Each world has ``n_users`` users with ``per_user`` Zipf-popular positives; K = 1, dimension 32.
    Wall-clock seconds on this machine (a lesson's figure, not a benchmark: see ``bench``).
    """
    from .model import MatrixFactorization, Scorer
    from .config import RunSeeds

    rng = np.random.default_rng(seed)
    out: dict = {name: {} for name in SAMPLERS}
    for n_items in sizes:
        weights = 1.0 / np.arange(1, n_items + 1)
        users = np.repeat(np.arange(n_users), per_user)
        items = rng.choice(n_items, size=users.size, p=weights / weights.sum())
        dataset = Dataset.from_pairs(f"catalogue-{n_items}", n_users, n_items, train=(users, items))
        seeds = RunSeeds(seed)
        model = MatrixFactorization(n_users, n_items, 32, generator=seeds.torch("init"), init_std=0.1)
        for name, cls in SAMPLERS.items():
            sampler = cls(dataset, 1, rng=seeds.numpy("sampler"), torch_generator=seeds.torch("sampler"))
            scorer = Scorer(model)
            u, i = dataset.train_users, dataset.train_items
            start = time.perf_counter()
            for lo in range(0, u.size, batch):
                sampler.sample(u[lo:lo + batch], i[lo:lo + batch], scorer)
            sampler.on_epoch_end(1, scorer)
            out[name][int(n_items)] = time.perf_counter() - start
    return out


def _cost(run: LessonRun):
    labels = [a.label for a in run.lesson.arms]
    secs = {lb: float(np.mean([_epoch_seconds(r) for r in run.history(lb)[1:]])) for lb in labels}
    scores = {lb: _mean(run.history(lb), "n_scores", skip_first=True) for lb in labels}
    x_rns = {lb: _ratio(secs[lb], secs["RNS"]) for lb in labels}
    cat = run.probes["catalogue"]
    sizes = sorted(next(iter(cat.values())))
    growth = {lb: _ratio(cat[a.sampler][sizes[-1]], cat[a.sampler][sizes[0]]) for a, lb in
              zip(run.lesson.arms, labels)}
    heuristic = [a.label for a in run.lesson.arms if SAMPLERS[a.sampler].family == "heuristic"]
    model_based = [lb for lb in labels if lb not in heuristic]
    checks = [
        Check("model_based_costlier", min(scores[lb] for lb in model_based) > max(scores[lb] for lb in heuristic),
              "Model scores per epoch: " + ", ".join(f"{lb} {scores[lb]:,.0f}" for lb in labels) + "."),
        Check("gan_most", scores["IRGAN"] == max(scores.values()) and secs["IRGAN"] == max(secs.values()),
              "Seconds per epoch after the warm-up epoch, as a multiple of RNS: "
              + ", ".join(f"{lb} {x_rns[lb]:.1f}x" for lb in labels) + "."),
        Check("srns_below_gan", secs["SRNS"] < secs["IRGAN"] and scores["SRNS"] < scores["IRGAN"],
              f"SRNS: {secs['SRNS']:.3f} s and {scores['SRNS']:,.0f} scores per epoch; IRGAN: {secs['IRGAN']:.3f} s "
              f"and {scores['IRGAN']:,.0f}."),
        Check("catalogue", True, f"Sampling one epoch as the catalogue grows from {sizes[0]:,} to {sizes[-1]:,} items: "
              + ", ".join(f"{lb} {growth[lb]:.1f}x" for lb in labels) + "."),
    ]
    figures = {"seconds_per_epoch": secs, "x_rns": x_rns, "scores_per_epoch": scores,
               "catalogue_seconds": {lb: cat[a.sampler] for a, lb in zip(run.lesson.arms, labels)},
               "catalogue_growth": growth}
    return checks, figures, labels.index(max(secs, key=secs.get))


# ---------------------------------------------------------------------------- the seven lessons
_FIVE = (Arm("RNS", "rns"), Arm("PNS", "pns"), Arm("DNS", "dns"), Arm("IRGAN", "irgan"), Arm("SRNS", "srns"))

# IRGAN's "learning" setting of the lessons: a faster generator with the reward baseline (the
# classroom world's generator barely moves at the paper's lr in 10 epochs; see lessons.md).
IRGAN_LEARNING = {"g_lr": 0.05, "g_epochs": 2, "baseline": 1, "temperature": 1.0}

LESSONS: dict[str, Lesson] = {lesson.id: lesson for lesson in (
    Lesson(
        id="three-directions", title="Three directions: quality, bias, efficiency",
        claim="Negative sampling pulls three ways: informative (hard) negatives, few false negatives, low cost.",
        question="Compared with uniform sampling (RNS), what does DNS (best of M = 8 candidates) do?",
        choices=("Harder negatives, more false negatives, more computation",
                 "Harder negatives, fewer false negatives, more computation",
                 "About the same negatives at a higher cost"),
        arms=(Arm("RNS", "rns"), Arm("DNS M=8", "dns", {"candidates": 8})), verdict=_three_directions,
        why="A sampler that looks at the model's scores finds negatives the model still ranks high: they carry "
            "large gradients (quality). But an unobserved item the model ranks high is often one the user would "
            "like: a false negative (bias). And looking costs model scores (efficiency). No sampler wins all three."),
    Lesson(
        id="pns-popularity", title="PNS: popularity, fixed before training",
        claim="PNS samples popular items with a distribution fixed before training; its informativeness decays, "
              "and global popularity is biased when user groups differ.",
        question="In a world with a majority and a minority taste group, whose false-negative rate does PNS raise?",
        choices=("The majority's", "The minority's"),
        arms=(Arm("RNS", "rns"), Arm("PNS α=0.75", "pns", {"alpha": 0.75}), Arm("DNS M=8", "dns", {"candidates": 8})),
        world={"minority_share": 0.2}, verdict=_pns_popularity, probes=("group_fn",),
        why="PNS counts how many users interacted with each item. That count is the majority's taste: its popular "
            "items are exactly what majority users like but have not seen yet (false negatives), while for the "
            "minority they are easy, uninformative negatives. And because the distribution never changes, the "
            "model soon ranks those items low anyway, so PNS's negatives get easier relative to DNS's."),
    Lesson(
        id="dns-candidates", title="DNS: the best of M candidates",
        claim="DNS scores M uniform candidates with the current model and keeps the highest.",
        question="As M grows from 1 to 32, DNS's negatives become ...",
        choices=("Harder, with more false negatives", "Harder, with fewer false negatives", "Easier"),
        arms=(Arm("RNS", "rns"), Arm("DNS M=1", "dns", {"candidates": 1}), Arm("DNS M=8", "dns", {"candidates": 8}),
              Arm("DNS M=32", "dns", {"candidates": 32})), verdict=_dns_candidates,
        why="The maximum of M scores grows with M, so the kept negative is harder. The items the model scores highest "
            "among the unobserved are also the ones the user is most likely to like: false negatives grow too. With "
            "M = 1 there is nothing to choose: DNS is RNS."),
    Lesson(
        id="irgan-game", title="IRGAN: a generator against a discriminator",
        claim="A generator picks negatives to fool the discriminator; DNS is IRGAN with G = D; GAN samplers are slow.",
        question="While IRGAN trains, the generator's distribution over negatives becomes ...",
        choices=("Sharper (lower entropy): it learns which items fool D", "Flatter: it spreads out"),
        arms=(Arm("RNS", "rns"), Arm("DNS M=8", "dns", {"candidates": 8}), Arm("IRGAN", "irgan", IRGAN_LEARNING)),
        verdict=_irgan_game, probes=("g_start",),
        why="G is rewarded for proposing items that D scores high, so its softmax concentrates on them; D then trains "
            "against harder negatives. If G were D itself and put all its mass on the best of M uniform candidates, "
            "this would be exactly DNS. Training a second model every epoch is what makes GAN samplers slow."),
    Lesson(
        id="false-negatives", title="False negatives: unobserved is not disliked",
        claim="Unobserved is not disliked; hard-negative samplers pick more false negatives.",
        question="Which sampler picks the most false negatives?",
        choices=tuple(a.label for a in _FIVE), arms=_FIVE, verdict=_false_negatives,
        why="On the synthetic world we know every item each user likes. An item that is liked but not a training "
            "positive is a false negative (伪负例) when sampled. Samplers that seek high-scoring items find them "
            "more often, because the model rightly scores liked items high."),
    Lesson(
        id="srns-variance", title="SRNS: stable false negatives, fluctuating hard negatives?",
        claim="False negatives score high and stable; hard true negatives score high and fluctuate; SRNS samples "
              "by the variance.",
        question="On this world, at equal mean score, whose score fluctuates more over the last epochs?",
        choices=("Hard true negatives, even controlling for popularity (the premise holds)",
                 "Hard true negatives, but only because of popularity",
                 "Neither: no signal"),
        arms=(Arm("SRNS α=0", "srns", {"alpha": 0.0}), Arm("SRNS α=5", "srns", {"alpha": 5.0})),
        verdict=_srns_variance, probes=("snapshots",),
        why="SRNS's paper observed that false negatives keep a high, stable score while hard true negatives fluctuate, "
            "and adds the score's standard deviation to the choice. A claim like this is a hypothesis: compare items "
            "at the same mean score, then control for popularity (popular items' embeddings move more), and see "
            "whether the signal survives."),
    Lesson(
        id="cost", title="Efficiency: what each sampler costs",
        claim="Model-based samplers cost more; GAN-based ones most; SRNS less than GAN.",
        question="Which sampler takes the most time per epoch?", choices=tuple(a.label for a in _FIVE), arms=_FIVE,
        verdict=_cost, probes=("catalogue",),
        why="RNS and PNS draw from fixed distributions: no model score. DNS scores M candidates per negative, SRNS its "
            "memory and fresh candidates plus an epoch-end snapshot, IRGAN a whole second model over every item for "
            "every user. On a large catalogue only the cost that does not grow with the number of items stays cheap."),
)}


# ---------------------------------------------------------------------------- running
def _snapshot(trainer: Trainer) -> np.ndarray:
    users = torch.arange(trainer.dataset.n_users)
    return trainer.scorer.peek_all(users).numpy().copy()


def run_lesson(lesson_id: str, seed: int = 0, epochs: int | None = None, world: Mapping | None = None) -> dict:
    """Run a lesson headless and return its JSON-ready verdict.

    Every arm trains from the same seed (same initial model, same batch order), one after the other.

    Args:
        lesson_id: a key of :data:`LESSONS`.
        seed: the run seed (world, initial model, batches, sampler streams).
        epochs: override the lesson's epoch count (tests use fewer).
        world: :class:`SyntheticConfig` overrides on top of the lesson's world (e.g.
            ``{"exposure_bias": 0}`` to test SRNS's premise without popularity-biased exposure).
    Returns:
        ``{"lesson", "title", "holds", "checks": [{"name", "holds", "text"}], "verdict", "figures",
        "prediction_choices", "answer", "epochs", "seed", "seconds"}``; ``verdict`` is one sentence per
        check, ``answer`` is the choice the run bears out.
    Raises:
        ValueError: unknown lesson id.
    """
    if lesson_id not in LESSONS:
        raise ValueError(f"unknown lesson {lesson_id!r}; choose one of {', '.join(LESSONS)}")
    lesson = LESSONS[lesson_id]
    config = lesson.config().replace(epochs=int(epochs or lesson.epochs))
    dataset = make_synthetic(SyntheticConfig(**{**dict(lesson.world), **dict(world or {})}), seed=seed)
    start = time.perf_counter()
    trainers: dict[str, Trainer] = {}
    probes: dict = {"group_fn": {}, "snapshots": {}}
    window = 5
    for arm in lesson.arms:
        trainer = Trainer(dataset, arm.sampler, config, dict(arm.params), seed=seed)
        trainers[arm.label] = trainer
        if "g_start" in lesson.probes and arm.sampler == "irgan":
            from .metrics import evaluate

            k = min(config.eval_k, dataset.n_items - 1)
            probes["g_start"] = evaluate(trainer.sampler.generator.score_all, dataset, "valid", ks=(k,))
        if "group_fn" in lesson.probes and dataset.user_groups is not None:
            counts = {0: [0, 0], 1: [0, 0]}
            while not trainer.done:
                trainer.run_steps(1)
                last = trainer.sampler.last
                users = np.repeat(last["users"], last["negatives"].shape[1])
                fn = dataset.is_false_negative(users, last["negatives"].ravel())
                groups = dataset.user_groups[users]
                for g in (0, 1):
                    counts[g][0] += int(fn[groups == g].sum())
                    counts[g][1] += int((groups == g).sum())
            probes["group_fn"][arm.label] = counts
        elif "snapshots" in lesson.probes:
            snaps: list = []
            trainer.run_epochs(callback=lambda record, t=trainer, s=snaps: (
                s.append(_snapshot(t)) if record.epoch > config.epochs - window else None))
            probes["snapshots"][arm.label] = snaps
        else:
            trainer.run_epochs()
        if trainer.error:
            raise RuntimeError(f"{arm.label}: {trainer.error}")
    if "catalogue" in lesson.probes:
        probes["catalogue"] = catalogue_cost()
    run = LessonRun(lesson, dataset, trainers, probes, seed, time.perf_counter() - start)
    checks, figures, answer = lesson.verdict(run)
    return {
        "lesson": lesson.id, "title": lesson.title, "holds": bool(all(c.holds for c in checks)),
        "checks": [{"name": c.name, "holds": bool(c.holds), "text": c.text} for c in checks],
        "verdict": " ".join(c.text for c in checks), "figures": _rounded(figures),
        "prediction_choices": list(lesson.choices), "answer": lesson.choices[answer],
        "epochs": config.epochs, "seed": int(seed), "world": {**dict(lesson.world), **dict(world or {})}, "seconds": round(time.perf_counter() - start, 2),
    }
