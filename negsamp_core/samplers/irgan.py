"""IRGAN: adversarial negative sampling with a generator."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..metrics import evaluate
from ..model import MatrixFactorization, Scorer, bpr_gradients
from .base import Inspection, NegativeSampler, ParamSpec

__all__ = ["IRGAN", "IRGANInspection", "G_INIT_CHOICES", "masked_cdf", "inverse_cdf_sample"]

# How G starts (parameter ``g_init``). ParamSpec holds numbers only, so the choice is stored as its
# index here and ``set_params`` also accepts the name; when ParamSpec gains ``choices`` this becomes
# ``ParamSpec("g_init", "uniform", choices=G_INIT_CHOICES, ...)`` and the two helpers below go away.
G_INIT_CHOICES = ("uniform", "bpr", "dns")


def _g_init_code(value) -> float:
    """The stored number of a ``g_init`` value given as a name ("dns") or as its index (2)."""
    if isinstance(value, str):
        if value not in G_INIT_CHOICES:
            raise ValueError(f"IRGAN g_init must be one of {', '.join(G_INIT_CHOICES)}, got {value!r}")
        return float(G_INIT_CHOICES.index(value))
    return value


@dataclass(frozen=True)
class IRGANInspection(Inspection):
    """Read-only internals of IRGAN for one user.

    Attributes:
        probabilities: float64 (I,): p_G(j | u) at temperature τ over I \\ P_u, the distribution D's
            negatives are drawn from (zero on the user's training positives, sums to 1).
        reward: float64 (I,): D's reward 2·(σ(s_D(u, j)) - 0.5) of every item.
        entropy: entropy of ``probabilities`` (nats).
        max_entropy: log |I \\ P_u|, the entropy of the uniform distribution (RNS), in nats.

    With ``g_equals_d`` on there is no separate generator: ``probabilities`` is then the marginal
    probability that one G = D draw (the best of M uniform candidates under D's scores, or a
    softmax at ``gd_temperature`` over them) returns j, exact for the hard form
    (((r+1)/n)^M - (r/n)^M for the item of rank r among the user's n non-positives, ranked by D's
    score; distinct scores assumed), a fixed-seed Monte-Carlo estimate for the soft form;
    ``reward`` is D's reward of every item as above; ``entropy`` / ``max_entropy`` describe that
    marginal.
    """

    probabilities: np.ndarray
    reward: np.ndarray
    entropy: float
    max_entropy: float
    g_equals_d: bool = False  # True: the record describes the G = D draw (see above)


class _CountingGenerator:
    """G's scores go through here so that their number is known (a Scorer-like counter for the
    model IRGAN owns; unlike :class:`Scorer` it keeps gradients when asked)."""

    def __init__(self, model: MatrixFactorization):
        self.model = model
        self.n_scores = 0

    def score_all(self, users: torch.Tensor) -> torch.Tensor:
        """(B, I) scores with autograd (the generator phase)."""
        self.n_scores += users.numel() * self.model.n_items
        return self.model.score_all(users)

    @torch.no_grad()
    def peek_scores(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of candidates (B, C) without gradient (DNS pretraining), counted."""
        self.n_scores += items.numel()
        return self.model.score(users, items)


def masked_cdf(logits: torch.Tensor, rows: np.ndarray, cols: np.ndarray) -> torch.Tensor:
    """Unnormalised cumulative softmax mass per row, with excluded entries of mass exactly 0.

    Args:
        logits: float tensor (B, I), already divided by the temperature.
        rows, cols: np.int64 (n,): entries to exclude (the users' training positives).
    Returns:
        float32 tensor (B, I): ``cdf[b, j] = Σ_{j' <= j} exp(logits[b, j'] - max_b)`` over kept
        entries. The shift by the maximum over the *kept* entries makes it overflow- and
        underflow-safe (a stable softmax): the kept maximum contributes exp(0) = 1, so every row
        with a kept entry sums to >= 1 even when an excluded positive dominates the logits.
    """
    masked = logits.detach().clone()
    masked[torch.from_numpy(rows), torch.from_numpy(cols)] = -torch.inf
    e = (masked - masked.max(dim=1, keepdim=True).values).exp_()  # (B, I) in [0, 1], exp(-inf) = 0
    return torch.cumsum(e, dim=1)


def _probabilities(cdf: torch.Tensor) -> torch.Tensor:
    """Row-normalised probabilities (B, I) from an unnormalised CDF (B, I)."""
    return torch.diff(cdf, dim=1, prepend=torch.zeros_like(cdf[:, :1])) / cdf[:, -1:]


def inverse_cdf_sample(cdf: torch.Tensor, k: int, rng: np.random.Generator) -> np.ndarray:
    """Draw k entries per row from an unnormalised CDF (B, I): np.int64 (B, k).

    ``searchsorted(side='right')`` returns the first entry whose cumulative mass exceeds the
    uniform draw, so entries of zero mass (equal consecutive CDF values) are never drawn; the
    draw is kept strictly below the row total, so the result is always a valid entry.
    """
    return _inverse_cdf(cdf, torch.from_numpy(rng.random((cdf.shape[0], k)).astype(np.float32)))


def _inverse_cdf(cdf: torch.Tensor, uniforms: torch.Tensor) -> np.ndarray:
    """Entries of an unnormalised CDF (B, I) at uniforms (B, k) in [0, 1): np.int64 (B, k)."""
    total = cdf[:, -1:]  # (B, 1)
    u = uniforms * total  # (B, k)
    u = torch.minimum(u, torch.nextafter(total, torch.zeros_like(total)))
    return torch.searchsorted(cdf, u, right=True).numpy().astype(np.int64)


class IRGAN(NegativeSampler):
    """Negatives drawn from a generator G trained adversarially against the recommender D.

    Source: Wang, Yu, Zhang, Gong, Xu, Wang, Zhang, Zhang, "IRGAN: A Minimax Game for Unifying
    Generative and Discriminative Information Retrieval Models", SIGIR 2017: minimax game
    (Sec. 2.1), policy-gradient generator update (Eq. 5), importance sampling (Sec. 2.2), and the
    released item-recommendation code (``cf_gan.py``).

    The discriminator D is the recommender being trained (BPR against G's negatives); the
    generator G is this sampler's own matrix factorisation s_G(u, j). Two distributions of G
    appear, and every name says which one it is:

    * **D's negatives**: p_G^τ(j | u) = softmax_j(s_G(u, j) / τ) over I \\ P_u, at the
      ``temperature`` τ (released code: 0.2). Stats ``g_entropy`` / ``g_entropy_ratio`` (nats and
      share of the uniform entropy log|I \\ P_u|) and :meth:`inspect` describe this one.
    * **G's own policy**: p_G(j | u) = softmax_j(s_G(u, j)) at temperature 1 over all items, the
      distribution the policy gradient trains (released code). Stat ``g_own_entropy_ratio``
      reports its entropy over I \\ P_u as a share of uniform: it falls when G learns.

    As in the released code, the two alternate once per epoch:

    * D phase (every training step of the epoch): j ~ p_G^τ of G as it was at the start of the
      epoch (the released code also draws D's negatives from a frozen G once per D epoch). While
      U·I <= ``TABLE_LIMIT`` (16 M: ML-100K, ML-1M) from a per-user CDF table of the epoch;
      beyond, with no users × items table at all: each user keeps a pool of |P_u|·K exact draws
      from its p_G^τ row, built on demand in chunks of ``CHUNK_SCORES`` (4 M) generator scores
      and redrawn when it runs out, so memory is nnz·K ids + one chunk at any catalogue size.
      Cost per draw: an amortised I·g_dim / |P_u| generator scores (one U×I pass per epoch,
      as the table) plus an O(log I) search. Changing τ rebuilds at the next step.
    * G phase (end of each epoch, ``g_epochs`` passes over the users): draw ``g_samples`` items
      per user from the proposal q = (1 - λ)·p_G + λ·Uniform(P_u), reward
      r(u, j) = 2·(σ(s_D(u, j)) - 0.5) (released code; the paper writes log(1 + exp(s_D))),
      importance weight w_j = p_G(j)/q(j); minimise
      -mean[w_j · log p_G(j | u) · (r(u, j) - b_u)] + g_l2·(‖g_u‖² + ‖g_j‖²) with Adam, where
      b_u = 0 (released code) or, with ``baseline`` on, the mean reward of the user's draws (an
      unbiased variance reduction, since E_q[w ∇log p_G] = 0). G is rewarded for items D scores
      high: positives and hard negatives.
    * ``online`` on: fresh p_G^τ rows for every batch (in chunks of ``CHUNK_SCORES`` scores) and
      one G step after every D step, on a random subset of (at most 256 of) the batch's distinct
      users. The G phase works in sub-chunks of ``CHUNK_SCORES`` scores whose gradients add up
      before each optimiser step (one sub-chunk on small catalogues: the plain step).

    G's initialisation (``g_init``, as in the released code, which starts G from a DNS-pretrained
    MF): ``uniform`` = untrained, N(0, g_init_std²) embeddings, so G samples almost uniformly
    (IRGAN ≈ RNS until G learns); ``bpr`` / ``dns`` = BPR pretraining of G on the training split
    with uniform / DNS (best of ``g_pretrain_candidates`` uniform candidates, scored by G itself)
    negatives, its own Adam lr, L2 and batch size, at most ``g_pretrain_epochs`` epochs, keeping
    the epoch with the best validation ``pretrain_select`` of G (stopping after
    ``g_pretrain_patience`` epochs without improvement). :attr:`pretrain_report` says what
    happened; :meth:`initial_generator_state` is G right after it (``test_generator_init``).

    G is evaluated as a recommender (the paper evaluates G): its validation metrics at
    ``eval_k`` after every epoch (stats ``g_valid_*``, :meth:`generator_valid`); its state can be
    saved and restored (:meth:`generator_state`, :meth:`load_generator_state`) so the trainer can
    keep G at the selected epoch and report its test metrics.

    Cost: every G score (table, G phase, G validation) is counted in :meth:`own_scores`; D's
    rewards go through the recommender's ``scorer.score`` (counted there). Per epoch: one U×I
    generator pass for the table, 2·g_epochs U×I passes for the G phase, one validation ranking.
    Pretraining runs once, at construction, and is reported in :attr:`pretrain_report` (its
    scores are not part of any epoch). DNS is the special case where G is D itself and puts all
    mass on the best of M candidates.

    **G = D** (``g_equals_d`` on; the seed article's point, from IRGAN Sec. 2 and Zhang et al.,
    "Optimizing Top-N Collaborative Filtering via Dynamic Negative Item Sampling", SIGIR 2013,
    Algorithm 1): the generator is not a separate model but D itself. For each of the K negative
    slots of a pair, M = ``gd_candidates`` items are drawn uniformly from I \\ P_u (with
    replacement, by ``uniform.sample(users, (K, M), rng)``: np.int64 (B, K, M), exactly DNS's
    draw), scored by D through ``scorer.score`` (float32 (B, K, M): B·K·M counted scores, no
    gradient; none when M = 1), and one is drawn from softmax_m(s_D(u, c_m) / τ_D) with
    τ_D = ``gd_temperature``. τ_D = 0 is the hard limit τ → 0: the argmax (``torch.argmax``, as
    DNS), and no further randomness is used, so with the same seed, initial model, batches and M
    the negatives equal DNS's draw for draw and the training histories coincide. τ_D > 0 is a
    softened DNS: one extra uniform per slot (np.float64 (B, K)) picks the candidate by inverse
    CDF. Nothing else runs: no generator is built (``generator`` is None, ``g_init`` and every G
    parameter are unused, no pretraining, ``temperature`` does not apply), no G phase, no table,
    ``own_scores()`` stays 0 and ``online`` has no effect. G's evaluation then evaluates D: G's
    state (:meth:`generator_state`) is a snapshot of D, :meth:`initial_generator_state` is D
    before its first update, :meth:`generator_valid` is D's validation (computed on request, not
    per epoch: the trainer already reports it as the record's ``valid``, so there are no
    ``g_valid_*`` stats), and ``select_on="generator"`` selects exactly as ``"recommender"``.
    """

    name = "irgan"
    family = "model-based"
    PARAMS = (
        ParamSpec(
            "temperature",
            0.2,
            0.05,
            5.0,
            0.05,
            "0.2 (released code)",
            live=True,
            help="temperature τ of p_G for D's negatives (G's own policy stays at 1): small τ = harder negatives",
        ),
        ParamSpec(
            "is_lambda",
            0.2,
            0.0,
            0.95,
            0.05,
            "0.2 (released code)",
            live=True,
            help="importance-sampling mix λ: share of G-step samples drawn from the user's positives",
        ),
        ParamSpec(
            "g_lr",
            0.01,
            1e-4,
            0.5,
            1e-3,
            "0.001 with SGD",
            live=True,
            help="generator learning rate (Adam) in the adversarial phase",
        ),
        ParamSpec(
            "g_samples",
            32,
            1,
            512,
            1,
            "2·|P_u| per user",
            live=True,
            integer=True,
            help="items drawn per user in each generator pass",
        ),
        ParamSpec(
            "g_epochs",
            2,
            0,
            50,
            1,
            "50 G epochs per round",
            live=True,
            integer=True,
            help="generator passes over the users after each recommender epoch (0 = G frozen)",
        ),
        ParamSpec(
            "g_l2",
            1e-4,
            0.0,
            1.0,
            1e-4,
            "0.1 (released, on batch sums)",
            live=True,
            help="L2 regularisation of the generator in the adversarial phase",
        ),
        ParamSpec(
            "baseline",
            False,
            0,
            1,
            1,
            "off (none in the released code)",
            live=True,
            boolean=True,
            help="subtract each user's mean reward (a REINFORCE baseline: same expected gradient, less variance)",
        ),
        ParamSpec(
            "online",
            False,
            0,
            1,
            1,
            "off (alternating epochs, released code)",
            live=True,
            boolean=True,
            help="alternate every step: fresh p_G for each batch and one G step after each D step",
        ),
        ParamSpec(
            "g_dim", 5, 1, 256, 1, "5 (released code)", live=False, integer=True, help="embedding size of the generator"
        ),
        ParamSpec(
            "g_init",
            0,
            0,
            2,
            1,
            "2 = dns (released: DNS-pretrained G)",
            live=False,
            integer=True,
            help="G's start: 0 = uniform (untrained), 1 = bpr (pretrained on uniform negatives), "
            "2 = dns (pretrained on DNS negatives); names accepted too",
        ),
        ParamSpec(
            "g_init_std",
            0.1,
            1e-3,
            1.0,
            1e-3,
            "DNS-pretrained checkpoint",
            live=False,
            help="std of G's N(0, std²) initialisation (before any pretraining)",
        ),
        ParamSpec(
            "g_pretrain_epochs",
            30,
            0,
            200,
            1,
            "DNS-pretrained checkpoint",
            live=False,
            integer=True,
            help="most epochs of G's pretraining (g_init bpr or dns); the validation-best one is kept",
        ),
        ParamSpec(
            "g_pretrain_patience",
            5,
            1,
            50,
            1,
            "-",
            live=False,
            integer=True,
            help="stop G's pretraining after this many epochs without validation improvement",
        ),
        ParamSpec(
            "g_pretrain_lr", 0.002, 1e-5, 0.5, 1e-4, "-", live=False, help="learning rate (Adam) of G's pretraining"
        ),
        ParamSpec(
            "g_pretrain_l2",
            1e-3,
            0.0,
            1.0,
            1e-4,
            "-",
            live=False,
            help="L2 weight of G's pretraining (as the recommender's l2)",
        ),
        ParamSpec(
            "g_pretrain_batch",
            1024,
            1,
            65536,
            1,
            "-",
            live=False,
            integer=True,
            help="positive pairs per step of G's pretraining",
        ),
        ParamSpec(
            "g_pretrain_candidates",
            5,
            1,
            256,
            1,
            "5 (IRGAN's DNS)",
            live=False,
            integer=True,
            help="DNS candidates M per negative in G's pretraining (g_init dns)",
        ),
        ParamSpec(
            "g_equals_d",
            False,
            0,
            1,
            1,
            "the article: DNS is IRGAN with G = D",
            live=False,
            boolean=True,
            help="G = D: no generator; D scores M uniform candidates and one is drawn from their softmax at τ_D "
            "(τ_D = 0: the best one, exactly DNS)",
        ),
        ParamSpec(
            "gd_candidates",
            8,
            1,
            256,
            1,
            "5 (IRGAN's DNS baseline)",
            live=True,
            integer=True,
            help="G = D only: uniform candidates M scored by D per negative (as DNS's M)",
        ),
        ParamSpec(
            "gd_temperature",
            0.0,
            0.0,
            5.0,
            0.05,
            "0 = argmax (DNS)",
            live=True,
            help="G = D only: temperature τ_D of the softmax over D's scores of the M candidates (0 = the best one: DNS)",
        ),
    )
    # Boolean parameters that read as a tag in an arm's label: {"g_equals_d": True} is "IRGAN (G = D)".
    TAGS = {"g_equals_d": "G = D"}
    GD_MC_DRAWS = 1024  # Monte-Carlo candidate sets of the soft G = D inspection (fixed seed, read-only)
    TABLE_LIMIT = 16_000_000  # U·I entries (128 MB of float64) of the epoch's CDF table; beyond: per-user pools
    CHUNK_SCORES = 1 << 22  # generator scores (users × items) held at once by any phase
    CHOICES = {"g_init": G_INIT_CHOICES}  # named values of integer-coded parameters (CLI choices, app select box)
    pretrain_select = "ndcg"  # G's pretraining keeps the epoch with the best validation <metric>@eval_k

    def _checked(self, params: dict) -> dict:
        if "g_init" in params:  # the name ("dns") or its index (2); see G_INIT_CHOICES
            params = {**params, "g_init": _g_init_code(params["g_init"])}
        return super()._checked(params)

    @property
    def g_equals_d(self) -> bool:
        """True when G is D itself (``g_equals_d`` on: no separate generator)."""
        return bool(self.params["g_equals_d"])

    def _setup(self) -> None:
        dataset = self.dataset
        self._start_epoch_distribution()  # p_G^τ of D's negatives, built at the next draw
        self._g_eval: dict | None = {}
        self._diag_rng: np.random.Generator | None = None  # online entropy subset (never shifts the draws)
        self._scorer: Scorer | None = None  # G = D: the recommender's view, last seen in sample / on_epoch_end
        self._d_init = None  # G = D: D before its first update (Scorer.snapshot at the first draw)
        if self.g_equals_d:  # G is D: no model, no optimiser, no pretraining (nothing consumes the streams)
            self.generator = self._g = self.g_optimizer = self._init_state = None
            self.pretrain_report = {"g_init": "G = D", "epochs": 0, "best_epoch": 0, "history": [], "seconds": 0.0}
            self.pretrain_report["scores"] = 0
            return
        self.generator = MatrixFactorization(
            dataset.n_users,
            dataset.n_items,
            self.params["g_dim"],
            init_std=self.params["g_init_std"],
            generator=self.torch_generator,
        )
        self._g = _CountingGenerator(self.generator)
        self.pretrain_report: dict = {
            "g_init": self.g_init,
            "epochs": 0,
            "best_epoch": 0,
            "history": [],
            "seconds": 0.0,
            "scores": 0,
        }
        if self.g_init != "uniform":
            self._pretrain()
        self._init_state = copy.deepcopy(self.generator.state_dict())
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=self.params["g_lr"])

    @property
    def g_init(self) -> str:
        """G's initialisation by name (one of :data:`G_INIT_CHOICES`)."""
        return G_INIT_CHOICES[self.params["g_init"]]

    def _params_changed(self, changed: frozenset[str]) -> None:
        if "temperature" in changed:
            self._start_epoch_distribution()  # τ changed: rebuild at the next draw
        if "g_lr" in changed and self.g_optimizer is not None:
            self._set_g_lr()

    def own_scores(self) -> int:
        """Cumulative number of scores computed by G since construction (table builds, generator
        phases, generator validation; pretraining is in :attr:`pretrain_report`). 0 with G = D:
        every score is D's, counted by its :class:`Scorer`."""
        return 0 if self._g is None else int(self._g.n_scores)

    # ------------------------------------------------------------------ G as a recommender
    def generator_state(self) -> dict:
        """A copy of G's parameters and optimiser state (for the trainer's best-epoch snapshot).
        G = D: a :meth:`Scorer.snapshot` of D (None before the sampler has seen D)."""
        if self.g_equals_d:
            return {"generator": self._scorer.snapshot() if self._scorer is not None else None}
        return {
            "generator": copy.deepcopy(self.generator.state_dict()),
            "optimizer": copy.deepcopy(self.g_optimizer.state_dict()),
        }

    def load_generator_state(self, state: dict) -> None:
        """Restore G from :meth:`generator_state` (the next draw rebuilds the table). G = D:
        nothing to do (the trainer restores D itself)."""
        if self.g_equals_d:
            return
        self.generator.load_state_dict(state["generator"])
        if "optimizer" in state:
            self.g_optimizer.load_state_dict(state["optimizer"])
        self._start_epoch_distribution()

    def initial_generator_state(self) -> dict:
        """G right after its initialisation (and pretraining, if any), before adversarial training.
        G = D: D before its first update (None before the first draw)."""
        if self.g_equals_d:
            return {"generator": self._d_init}
        return {"generator": copy.deepcopy(self._init_state)}

    def generator_scores(self, state: dict | None = None):
        """``score_all`` of G (a frozen copy; of ``state`` when given): for evaluation, uncounted.
        G = D: D's scores from the snapshot in ``state`` (else D as it is now).

        Raises:
            ValueError: G = D and the sampler has not seen D yet (no draw made).
        """
        if self.g_equals_d:
            snap = (state or {}).get("generator")
            if snap is None:
                snap = self._scorer.snapshot() if self._scorer is not None else self._d_init
            if snap is None:
                raise ValueError("with G = D the generator is the recommender: make a draw first (or evaluate D)")
            p, q, bias = snap

            def score_all(users: torch.Tensor) -> torch.Tensor:
                return p[users] @ q.T + bias  # (B, I), as MatrixFactorization.score_all

            return score_all
        model = copy.deepcopy(self.generator)
        if state is not None:
            model.load_state_dict(state["generator"])
        model.eval()
        return model.score_all

    def generator_valid(self) -> dict:
        """G's validation metrics at ``eval_k`` after the last completed epoch ({} before).
        G = D: D's validation metrics (computed on the first request after each epoch, uncounted:
        they equal the trainer's own validation of D)."""
        if self.g_equals_d and self._g_eval is None:
            k = min(self.eval_k, self.dataset.n_items - 1)
            self._g_eval = evaluate(self._scorer.peek_all, self.dataset, "valid", ks=(k,), users=self.eval_users)
        return dict(self._g_eval)

    # ------------------------------------------------------------------ pretraining
    def _pretrain(self) -> None:
        """BPR pretraining of G (``g_init`` bpr: uniform negatives; dns: the best of M uniform
        candidates under G), keeping the validation-best epoch (see the class docstring)."""
        t0, before = time.perf_counter(), self._g.n_scores
        g, p, ds = self.generator, self.params, self.dataset
        for param in g.parameters():  # gradient buffers filled by the hand-written BPR gradient
            param.grad = torch.zeros_like(param)
        grads = {name: param.grad for name, param in g.named_parameters()}
        opt = torch.optim.Adam(g.parameters(), lr=p["g_pretrain_lr"])
        k = min(self.eval_k, ds.n_items - 1)
        key = f"{self.pretrain_select}@{k}"
        users_all, items_all = ds.train_users, ds.train_items
        best, best_state, best_epoch, history = -np.inf, None, 0, []
        m = p["g_pretrain_candidates"] if self.g_init == "dns" else 1
        for epoch in range(1, p["g_pretrain_epochs"] + 1):
            order, losses = self.rng.permutation(users_all.size), []
            for start in range(0, order.size, p["g_pretrain_batch"]):
                idx = order[start : start + p["g_pretrain_batch"]]
                u, i = users_all[idx], items_all[idx]
                j = self.uniform.sample(u, m, self.rng)  # (B, M)
                tu = torch.from_numpy(u)
                if m > 1:
                    best_j = self._g.peek_scores(tu, torch.from_numpy(j)).argmax(1).numpy()
                    j = j[np.arange(j.shape[0]), best_j]
                tj = torch.from_numpy(j.reshape(-1, 1))
                loss, *_ = bpr_gradients(g, tu, torch.from_numpy(i), tj, p["g_pretrain_l2"], out=grads)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        "the IRGAN generator's pretraining loss became NaN or infinite (lower g_pretrain_lr)"
                    )
                opt.step()
                losses.append(loss)
            valid = self._evaluate_generator()
            history.append({"epoch": epoch, "loss": float(np.mean(losses)), key: valid.get(key, float("nan"))})
            if np.isfinite(valid.get(key, np.nan)) and valid[key] > best:
                best, best_epoch, best_state = valid[key], epoch, copy.deepcopy(g.state_dict())
            elif epoch - best_epoch >= p["g_pretrain_patience"]:
                break
        for param in g.parameters():
            param.grad = None
        if best_state is not None:
            g.load_state_dict(best_state)
        self.pretrain_report.update(
            epochs=len(history),
            best_epoch=best_epoch,
            history=history,
            best_valid={key: best},
            seconds=time.perf_counter() - t0,
            scores=int(self._g.n_scores - before),
        )
        self._g.n_scores = before

    def _evaluate_generator(self) -> dict:
        """G's validation metrics at ``eval_k`` (counted in :meth:`own_scores`)."""
        with torch.no_grad():
            k = min(self.eval_k, self.dataset.n_items - 1)
            return evaluate(self._g.score_all, self.dataset, "valid", ks=(k,), users=self.eval_users)

    # ------------------------------------------------------------------ D's negatives
    def _masked_cdf(self, users: np.ndarray, count: bool = True, own: bool = False):
        """CDF table rows (B, I) of p_G^τ over I \\ P_u (``count``: add the generator scores to
        :meth:`own_scores`; inspection views pass False). With ``own`` also the entropy ratio
        (B,) of G's own policy (temperature 1) over I \\ P_u, from the same scores."""
        with torch.no_grad():
            t_users = torch.from_numpy(users)
            scores = self._g.score_all(t_users) if count else self.generator.score_all(t_users)
            rows, cols = self.dataset.train.gather(users)
            cdf = masked_cdf(scores / self.params["temperature"], rows, cols)
            if not own:
                return cdf
            own_cdf = masked_cdf(scores, rows, cols)
        return cdf, self._entropy(own_cdf, users)[1]

    def generator_distribution(self, users: np.ndarray) -> torch.Tensor:
        """p_G^τ(· | u), D's negative distribution: float tensor (B, I), zero on positives, rows sum to 1.

        Raises:
            ValueError: with G = D (there is no G; :meth:`inspect` gives the G = D draw's distribution).
        """
        if self.g_equals_d:
            raise ValueError("with G = D there is no generator distribution p_G: use inspect(user, scorer)")
        return _probabilities(self._masked_cdf(np.asarray(users, dtype=np.int64), count=False))

    def _entropy(self, cdf: torch.Tensor, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Entropy of the rows of a masked CDF (nats) and its ratio to the uniform entropy
        log|I \\ P_u|, for users with training positives: two float arrays."""
        p = _probabilities(cdf)
        h = -(p * torch.log(p.clamp_min(1e-30))).sum(1).numpy()  # (B,)
        active = self.dataset.train.counts[users] > 0
        h_max = np.log(self.uniform.n_negatives[users][active])  # uniform entropy; 0 for a single item
        return h[active], np.where(h_max > 0, h[active] / np.maximum(h_max, 1e-12), 1.0)

    def _chunk_rows(self) -> int:
        """Users per chunk of (users × items) generator work: at most :attr:`CHUNK_SCORES` scores."""
        return max(1, self.CHUNK_SCORES // self.dataset.n_items)

    def _offset_cdf_rows(self, users: np.ndarray) -> tuple[np.ndarray, torch.Tensor, np.ndarray]:
        """For a chunk of users: rows 2u + F_u(j) (float64, (B, I)) of the normalised CDF of
        p_G^τ over I \\ P_u, the unnormalised CDF (for the entropy), and G's own entropy ratio."""
        cdf, own_ratio = self._masked_cdf(users, own=True)
        normalised = cdf.double() / cdf[:, -1:].double()  # (B, I), last column exactly 1
        rows = (normalised + 2.0 * torch.from_numpy(users).double()[:, None]).numpy()
        return rows, cdf, own_ratio

    def _start_epoch_distribution(self) -> None:
        """G changed (epoch end, τ, restored state): D's negatives come from the new p_G^τ.

        Small data (U·I <= :attr:`TABLE_LIMIT`): the per-user CDF table of the whole epoch
        (:meth:`_build_table`). Large data: a per-user pool of pre-drawn negatives, refilled on
        demand (:meth:`_pool_draw`). Both draw exactly from p_G^τ of the frozen G.
        """
        self._cdf = None
        self._pool_cursor = None
        self._entropy_sums = np.zeros(3)
        self._entropy_users = 0

    def _add_entropy(self, cdf: torch.Tensor, users: np.ndarray, own_ratio: np.ndarray) -> None:
        h, r = self._entropy(cdf, users)
        self._entropy_sums += (h.sum(), r.sum(), own_ratio.sum())
        self._entropy_users += h.size

    def _build_table(self) -> None:
        """Per-user CDF table of p_G^τ for the epoch, flattened so one search serves all users.

        Row u holds 2u + F_u(j) with F_u the normalised CDF in [0, 1] (float64): rows are
        globally increasing, and a draw for user u is ``searchsorted(table, 2u + r)`` with r
        uniform on a 2^-30 grid, so 2u + r is exact. Zero-mass items repeat the previous value
        and are never drawn. U·I float64: used only while U·I <= :attr:`TABLE_LIMIT`.
        """
        n_users, n_items = self.dataset.n_users, self.dataset.n_items
        self._cdf = np.empty(n_users * n_items, dtype=np.float64)
        chunk = self._chunk_rows()
        for start in range(0, n_users, chunk):
            users = np.arange(start, min(start + chunk, n_users), dtype=np.int64)
            rows, cdf, own_ratio = self._offset_cdf_rows(users)
            self._cdf[start * n_items : (start + users.size) * n_items] = rows.reshape(-1)
            self._add_entropy(cdf, users, own_ratio)

    def _grid_uniforms(self, shape) -> np.ndarray:
        return np.floor(self.rng.random(shape) * 2.0**30) / 2.0**30  # [0, 1) on a 2^-30 grid

    def _table_draw(self, users: np.ndarray) -> np.ndarray:
        if self._cdf is None:
            self._build_table()
        r = self._grid_uniforms((users.size, self.n_negatives))
        flat = np.searchsorted(self._cdf, 2.0 * users[:, None] + r, side="right")  # (B, K)
        return flat - users[:, None] * self.dataset.n_items

    def _fresh_draws(self, users: np.ndarray, n_draws: np.ndarray) -> np.ndarray:
        """``n_draws[b]`` independent draws from p_G^τ(· | users[b]) for distinct users, built
        in chunks of :meth:`_chunk_rows` users: np.int64, concatenated in user order."""
        out, chunk = [], self._chunk_rows()
        for start in range(0, users.size, chunk):
            part, need = users[start : start + chunk], n_draws[start : start + chunk]
            rows, cdf, own_ratio = self._offset_cdf_rows(part)
            self._add_entropy(cdf, part, own_ratio)
            row_of = np.repeat(np.arange(part.size), need)
            r = self._grid_uniforms(row_of.size)
            # rows 2u + F_u increase across the chunk's (sorted) users: one search serves them all
            flat = np.searchsorted(rows.reshape(-1), 2.0 * part[row_of] + r, side="right")
            pos = flat - row_of * self.dataset.n_items
            out.append(pos)
        return np.concatenate(out) if out else np.empty(0, dtype=np.int64)

    def _pool_draw(self, users: np.ndarray) -> np.ndarray:
        """Large-data path: each user keeps a pool of |P_u|·K pre-drawn negatives from the epoch's
        p_G^τ (the negatives one epoch asks of it), consumed in order and redrawn, a whole pool
        at once, when it cannot serve the batch. Memory: nnz·K ids + one chunk of
        :attr:`CHUNK_SCORES` scores; cost: one U×I generator pass per epoch (as the table),
        O(log I) per draw. A user asked more often in one batch than its pool holds (not in a
        trainer's epoch, where each pair comes once) gets those draws fresh."""
        k, train = self.n_negatives, self.dataset.train
        if self._pool_cursor is None:  # a new epoch's distribution: every pool is empty
            self._pool_start = train.indptr[:-1] * k
            self._pool_end = train.indptr[1:] * k
            self._pool = np.zeros(train.nnz * k, dtype=np.int32 if train.n_items < 2**31 else np.int64)
            self._pool_cursor = self._pool_end.copy()
        uniq, inverse, count = np.unique(users, return_inverse=True, return_counts=True)
        demand = count * k
        capacity = self._pool_end[uniq] - self._pool_start[uniq]
        fresh = demand > capacity
        refill = ~fresh & (self._pool_end[uniq] - self._pool_cursor[uniq] < demand)
        if refill.any():
            who = uniq[refill]
            draws = self._fresh_draws(who, capacity[refill])
            dest = np.concatenate([np.arange(a, b) for a, b in zip(self._pool_start[who], self._pool_end[who])])
            self._pool[dest] = draws
            self._pool_cursor[who] = self._pool_start[who]
        # the r-th occurrence of a user in the batch takes the user's next K pooled draws
        order = np.argsort(inverse, kind="stable")
        first = np.cumsum(count) - count
        occurrence = np.empty(users.size, dtype=np.int64)
        occurrence[order] = np.arange(users.size) - np.repeat(first, count)
        base = self._pool_cursor[uniq][inverse] + occurrence * k  # (B,)
        negatives = self._pool[np.minimum(base[:, None] + np.arange(k), self._pool.size - 1)].astype(np.int64)
        if fresh.any():
            rows = np.flatnonzero(fresh[inverse])
            who = uniq[fresh]
            draws = self._fresh_draws(who, demand[fresh])
            start = np.cumsum(demand[fresh]) - demand[fresh]
            where = np.searchsorted(who, users[rows])
            negatives[rows] = draws[(start[where] + occurrence[rows] * k)[:, None] + np.arange(k)]
        self._pool_cursor[uniq[~fresh]] += demand[~fresh]
        return negatives

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        if self.g_equals_d:
            return self._gd_draw(users, scorer)
        if self.params["online"]:
            return self._online_draw(users)
        small = self.dataset.n_users * self.dataset.n_items <= self.TABLE_LIMIT
        negatives = self._table_draw(users) if small else self._pool_draw(users)
        n = max(self._entropy_users, 1)
        self._accumulate(
            g_entropy=self._entropy_sums[0] / n,
            g_entropy_ratio=self._entropy_sums[1] / n,
            g_own_entropy_ratio=self._entropy_sums[2] / n,
        )
        return negatives

    def _online_draw(self, users: np.ndarray) -> np.ndarray:
        """Online schedule: fresh p_G^τ rows for the batch's distinct users, in chunks of
        :meth:`_chunk_rows` users (bounded memory), K inverse-CDF draws per row."""
        uniq, inverse = np.unique(users, return_inverse=True)
        if self._diag_rng is None:
            self._diag_rng = self.rng.spawn(1)[0]  # a child stream: the draws below do not depend on it
        probe = np.sort(self._diag_rng.permutation(uniq.size)[:64])  # entropy of 64 random batch users
        u = torch.from_numpy(self.rng.random((users.size, self.n_negatives)).astype(np.float32))  # (B, K)
        negatives = np.empty((users.size, self.n_negatives), dtype=np.int64)
        h_all, r_all = [], []
        chunk = self._chunk_rows()
        for start in range(0, uniq.size, chunk):
            cdf = self._masked_cdf(uniq[start : start + chunk])  # (C, I), fresh for this batch
            in_chunk = probe[(probe >= start) & (probe < start + chunk)]
            if in_chunk.size:
                h, r = self._entropy(cdf[torch.from_numpy(in_chunk - start)], uniq[in_chunk])
                h_all.append(h)
                r_all.append(r)
            rows = np.flatnonzero((inverse >= start) & (inverse < start + chunk))
            negatives[rows] = _inverse_cdf(cdf.index_select(0, torch.from_numpy(inverse[rows] - start)), u[rows])
        h, r = np.concatenate(h_all), np.concatenate(r_all)
        self._accumulate(g_entropy=float(h.mean()), g_entropy_ratio=float(r.mean()))
        return negatives

    # ------------------------------------------------------------------ G = D
    def _gd_draw(self, users: np.ndarray, scorer: Scorer) -> np.ndarray:
        """G = D (see the class docstring): K slots of M uniform candidates (B, K, M), scored by D
        in one counted call; the best one (τ_D = 0, DNS's rule and stream) or a softmax draw at τ_D."""
        self._scorer = scorer
        if self._d_init is None:  # the first draw comes before D's first update: D as initialised
            self._d_init = scorer.snapshot()
        k, m, tau = self.n_negatives, self.params["gd_candidates"], self.params["gd_temperature"]
        cand = self.uniform.sample(users, (k, m), self.rng)  # (B, K, M), DNS's draw
        if m == 1:
            self.last["candidates"], self.last["candidate_scores"] = cand, None
            return cand[:, :, 0]
        b = users.size
        scores = scorer.score(torch.from_numpy(users), torch.from_numpy(cand.reshape(b, k * m))).view(b, k, m)
        if tau == 0:
            pick = scores.argmax(dim=2, keepdim=True).numpy()  # (B, K, 1), ties: the first, as DNS
        else:
            p = torch.softmax(scores.double() / tau, dim=2).numpy()  # (B, K, M), stable softmax
            cdf = np.cumsum(p, axis=2)
            u = self.rng.random((b, k, 1)) * cdf[:, :, -1:]  # (B, K, 1), below the row total
            pick = np.minimum((cdf <= u).sum(axis=2, keepdims=True), m - 1)  # first entry with cdf > u
        self.last["candidates"], self.last["candidate_scores"] = cand, scores.numpy()
        return np.take_along_axis(cand, pick, axis=2)[:, :, 0]  # (B, K)

    def _gd_distribution(self, user: int, scorer: Scorer) -> np.ndarray:
        """float64 (I,): probability that one G = D draw for ``user`` returns j (read-only).

        Over the n non-positives with D's scores s: M = 1 uniform; τ_D = 0 exact,
        P(rank r is the best of M draws with replacement) = ((r+1)/n)^M - (r/n)^M (distinct
        scores); τ_D > 0 P(j) = (M/n)·E[e_j / (e_j + S)] with e = exp(s/τ_D) and S the sum over
        M - 1 further uniform candidates, averaged over :attr:`GD_MC_DRAWS` sets of a private
        fixed-seed generator (the sampler's stream is not touched)."""
        s = scorer.peek_all(torch.tensor([user], dtype=torch.int64))[0].double().numpy()  # (I,)
        negative = ~self.dataset.train.contains(np.full(s.size, user), np.arange(s.size))
        sn, n = s[negative], int(negative.sum())
        m, tau = self.params["gd_candidates"], self.params["gd_temperature"]
        out = np.zeros(s.size)
        if m == 1:
            out[negative] = 1.0 / n
        elif tau == 0:
            rank = np.empty(n)
            rank[np.argsort(sn, kind="stable")] = np.arange(n)  # 0 = lowest score
            out[negative] = ((rank + 1) / n) ** m - (rank / n) ** m
        else:
            e = np.exp((sn - sn.max()) / tau)  # (n,) in (0, 1]
            rest = np.random.default_rng(0x6D).integers(0, n, size=(self.GD_MC_DRAWS, m - 1))
            total = e[rest].sum(axis=1)[:, None]  # (R, 1)
            p = np.empty(n)
            for start in range(0, n, 4096):  # (R, 4096) at a time: bounded memory at any catalogue size
                chunk = e[None, start : start + 4096]
                p[start : start + 4096] = (chunk / (chunk + total)).mean(axis=0)
            out[negative] = (m / n) * p
            out /= out.sum()
        return out

    # ------------------------------------------------------------------ G's policy gradient
    def _generator_step(self, users: np.ndarray, scorer: Scorer) -> tuple[float, float]:
        """One REINFORCE step of G on a chunk of users (see the class docstring).

        The (users × items) work runs in sub-chunks of :meth:`_chunk_rows` users whose gradients
        add up (each weighted by its share of the users) before the one optimiser step, so memory
        stays bounded at any catalogue size; one sub-chunk (small catalogues) is the plain step.
        """
        sub = self._chunk_rows()
        self.g_optimizer.zero_grad(set_to_none=True)
        total_loss = total_reward = 0.0
        for start in range(0, users.size, sub):
            part = users[start : start + sub]
            loss, reward = self._generator_loss(part, scorer)
            if not torch.isfinite(loss):
                raise FloatingPointError("the IRGAN generator loss became NaN or infinite (lower the generator lr)")
            share = part.size / users.size
            (loss if share == 1.0 else loss * share).backward()
            total_loss += share * float(loss.detach())
            total_reward += share * reward
        self.g_optimizer.step()
        return total_loss, total_reward

    def _generator_loss(self, users: np.ndarray, scorer: Scorer) -> tuple[torch.Tensor, float]:
        """The policy-gradient loss of G on ``users`` (with autograd) and their mean reward."""
        lam, n_g = self.params["is_lambda"], self.params["g_samples"]
        t_users = torch.from_numpy(users)
        logits = self._g.score_all(t_users)  # (B, I), with grad
        log_p = F.log_softmax(logits, dim=1)  # temperature 1 (released code)
        p = log_p.detach().exp()  # (B, I)
        b = users.size
        items = inverse_cdf_sample(torch.cumsum(p, dim=1), n_g, self.rng)  # (B, n_g) ~ p_G
        train = self.dataset.train
        n_pos = train.counts[users]  # (B,) >= 1
        from_pos = self.rng.random((b, n_g)) < lam
        pick = np.minimum((self.rng.random((b, n_g)) * n_pos[:, None]).astype(np.int64), n_pos[:, None] - 1)
        items = np.where(from_pos, train.indices[train.indptr[users][:, None] + pick], items)  # (B, n_g) ~ q
        t_items = torch.from_numpy(items)
        p_j = torch.gather(p, 1, t_items).double()  # (B, n_g)
        is_pos = torch.from_numpy(train.contains(users[:, None], items)).double()
        q_j = (1 - lam) * p_j + lam * is_pos / torch.from_numpy(n_pos).double()[:, None]
        weight = (p_j / q_j.clamp_min(1e-300)).float()  # importance weights p/q
        reward = 2.0 * (torch.sigmoid(scorer.score(t_users, t_items)) - 0.5)  # (B, n_g), from D
        advantage = self._advantage(reward)
        g = self.generator
        reg = g.user_emb[t_users].pow(2).sum(1).mean() + g.item_emb[t_items].pow(2).sum(2).mean()
        loss = -(weight * torch.gather(log_p, 1, t_items) * advantage).mean() + self.params["g_l2"] * reg
        return loss, float(reward.mean())

    def _advantage(self, reward: torch.Tensor) -> torch.Tensor:
        """(B, n) rewards minus each user's mean reward with ``baseline`` on, else the rewards."""
        return reward - reward.mean(1, keepdim=True) if self.params["baseline"] else reward

    def _online_users(self, users: np.ndarray, chunk: int) -> np.ndarray:
        """At most ``chunk`` distinct users of the batch, a uniformly random subset (sorted)."""
        uniq = np.unique(users)
        if uniq.size <= chunk:
            return uniq
        return np.sort(self.rng.choice(uniq, size=chunk, replace=False))

    def after_update(self, users, pos_items, negatives, scorer: Scorer, chunk: int = 256) -> None:
        """Online schedule only: one G step on a random subset of (at most ``chunk``) distinct
        users of the batch (never with G = D)."""
        if self.params["online"] and not self.g_equals_d:
            loss, reward = self._generator_step(self._online_users(users, chunk), scorer)
            self._accumulate(g_loss=loss, g_reward=reward)

    def _set_g_lr(self) -> None:
        """A changed ``g_lr`` applies from the next generator step."""
        for group in self.g_optimizer.param_groups:
            group["lr"] = self.params["g_lr"]

    def on_epoch_end(self, epoch: int, scorer: Scorer, chunk: int = 256) -> None:
        """G phase (alternating schedule): ``g_epochs`` policy-gradient passes over the users,
        then a fresh table. Both schedules report G's own validation ranking quality. G = D:
        nothing runs (D's validation is computed if :meth:`generator_valid` asks for it)."""
        if self.g_equals_d:
            self._scorer, self._g_eval = scorer, None
            return
        active = np.flatnonzero(self.dataset.train.counts > 0)
        for _ in range(0 if self.params["online"] else self.params["g_epochs"]):
            order = self.rng.permutation(active)
            for start in range(0, order.size, chunk):
                loss, reward = self._generator_step(order[start : start + chunk], scorer)
                self._accumulate(g_loss=loss, g_reward=reward)
        self._start_epoch_distribution()
        self._g_eval = self._evaluate_generator()

    def epoch_stats(self) -> dict:
        stats = super().epoch_stats()
        stats.update({f"g_valid_{k}": v for k, v in (self._g_eval or {}).items() if k != "n_users"})
        return stats

    def inspect(self, user: int, scorer: Scorer) -> IRGANInspection:
        """D's negative distribution p_G^τ for one user with D's reward of every item (read-only:
        no randomness consumed, nothing counted). G = D: the marginal of one G = D draw
        (:meth:`_gd_distribution`; see :class:`IRGANInspection`)."""
        users = np.array([user], dtype=np.int64)
        if self.g_equals_d:
            probs = self._gd_distribution(user, scorer)
        else:
            probs = self.generator_distribution(users)[0].double().numpy()  # (I,)
        reward = (2.0 * (torch.sigmoid(scorer.peek_all(torch.from_numpy(users))[0]) - 0.5)).double().numpy()
        nz = probs[probs > 0]
        return IRGANInspection(
            probabilities=probs,
            reward=reward,
            entropy=float(-(nz * np.log(nz)).sum()),
            max_entropy=float(np.log(self.uniform.n_negatives[user])),
            g_equals_d=self.g_equals_d,
        )
