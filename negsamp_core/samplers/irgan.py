"""IRGAN: adversarial negative sampling with a generator."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..metrics import evaluate
from ..model import MatrixFactorization, Scorer, bpr_loss
from .base import NegativeSampler, ParamSpec

__all__ = ["IRGAN", "masked_cdf", "inverse_cdf_sample"]


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
    total = cdf[:, -1:]  # (B, 1)
    u = torch.from_numpy(rng.random((cdf.shape[0], k)).astype(np.float32)) * total  # (B, k)
    u = torch.minimum(u, torch.nextafter(total, torch.zeros_like(total)))
    return torch.searchsorted(cdf, u, right=True).numpy().astype(np.int64)


class IRGAN(NegativeSampler):
    """Negatives drawn from a generator G trained adversarially against the recommender D.

    Source: Wang, Yu, Zhang, Gong, Xu, Wang, Zhang, Zhang, "IRGAN: A Minimax Game for Unifying
    Generative and Discriminative Information Retrieval Models", SIGIR 2017: minimax game
    (Sec. 2.1), policy-gradient generator update (Eq. 5), importance sampling (Sec. 2.2), and the
    released item-recommendation code (``cf_gan.py``).

    The discriminator D is the recommender being trained (BPR against G's negatives); the
    generator G is this sampler's own matrix factorisation s_G(u, j). As in the released code,
    the two alternate once per epoch:

    * D phase (every training step of the epoch): j ~ p_G(j | u) = softmax_j(s_G(u, j) / τ)
      over I \\ P_u, from a per-user CDF table built from G at the start of the epoch (the
      released code also draws D's negatives from a frozen G once per D epoch). Changing τ
      rebuilds the table at the next step.
    * G phase (end of each epoch, ``g_epochs`` passes over the users): draw ``g_samples`` items
      per user from the proposal q = (1 - λ)·p_G + λ·Uniform(P_u), with p_G = softmax(s_G(u, ·))
      over all items at temperature 1 (released code), reward r(u, j) = 2·(σ(s_D(u, j)) - 0.5)
      (released code; the paper writes log(1 + exp(s_D))), importance weight w_j = p_G(j)/q(j);
      minimise -mean[w_j · log p_G(j | u) · (r(u, j) - b_u)] + g_l2·(‖g_u‖² + ‖g_j‖²) with Adam,
      where b_u = 0 (released code) or, with ``baseline = 1``, the mean reward of the user's draws
      (an unbiased variance reduction, since E_q[w ∇log p_G] = 0).
      G is rewarded for items D scores high: positives and hard negatives.

    Cost per epoch: one U×I generator pass for the table and 2·g_epochs U×I passes for the G
    phase; D's draws cost one binary search per negative. ``g_pretrain_epochs`` > 0 pretrains G
    with BPR on uniform negatives (the released code starts from a DNS-pretrained MF); with 0, G
    starts near-uniform (tiny random scores), which the app shows through G's entropy.
    DNS is the special case where G is D itself and puts all mass on the best of M candidates.
    """

    name = "irgan"
    family = "model-based"
    PARAMS = (
        ParamSpec("temperature", 0.2, 0.05, 5.0, 0.05, "0.2 (released code)", live=True,
                  help="temperature τ of the generator's softmax for D's negatives: small τ = harder negatives"),
        ParamSpec("is_lambda", 0.2, 0.0, 0.95, 0.05, "0.2 (released code)", live=True,
                  help="importance-sampling mix λ: share of G-step samples drawn from the user's positives"),
        ParamSpec("g_lr", 0.01, 1e-4, 0.5, 1e-3, "0.001 with SGD", live=True,
                  help="generator learning rate (Adam)"),
        ParamSpec("g_samples", 32, 1, 512, 1, "2·|P_u| per user", live=True, integer=True,
                  help="items drawn per user in each generator pass"),
        ParamSpec("g_epochs", 2, 0, 50, 1, "50 G epochs per round", live=True, integer=True,
                  help="generator passes over the users after each recommender epoch (0 = G frozen)"),
        ParamSpec("g_l2", 1e-4, 0.0, 1.0, 1e-4, "0.1 (released, on batch sums)", live=True,
                  help="L2 regularisation of the generator"),
        ParamSpec("baseline", 0, 0, 1, 1, "0 (none in the released code)", live=True, integer=True,
                  help="1 = subtract each user's mean reward (a REINFORCE baseline: same expected gradient, less variance)"),
        ParamSpec("online", 0, 0, 1, 1, "0 (alternating epochs, released code)", live=True, integer=True,
                  help="1 = alternate every step: fresh p_G for each batch and one G step after each D step"),
        ParamSpec("g_dim", 5, 1, 256, 1, "5 (released code)", live=False, integer=True,
                  help="embedding size of the generator"),
        ParamSpec("g_pretrain_epochs", 0, 0, 50, 1, "DNS-pretrained G (released)", live=False, integer=True,
                  help="epochs of BPR pretraining of G before adversarial training (0 = untrained G)"),
    )

    def _setup(self) -> None:
        dataset = self.dataset
        self._cdf = None  # CDF table of p_G, built at the next draw
        self.generator = MatrixFactorization(dataset.n_users, dataset.n_items, self.params["g_dim"],
                                             init_std=0.1, generator=self.torch_generator)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=self.params["g_lr"])
        self.g_scores = 0  # generator scores computed (cost)
        self._g_eval: dict = {}
        if self.params["g_pretrain_epochs"]:
            self._pretrain(self.params["g_pretrain_epochs"])

    def _params_changed(self, changed: frozenset[str]) -> None:
        if "temperature" in changed:
            self._cdf = None  # τ changed: rebuild the table at the next draw

    # ------------------------------------------------------------------ generator
    def _pretrain(self, epochs: int, batch_size: int = 1024) -> None:
        """BPR pretraining of G on uniform negatives with G's L2 weight (stands in for the released
        DNS pretraining)."""
        users_all, items_all = self.dataset.train_users, self.dataset.train_items
        opt = torch.optim.Adam(self.generator.parameters(), lr=0.01)
        for _ in range(epochs):
            order = self.rng.permutation(users_all.size)
            for start in range(0, order.size, batch_size):
                idx = order[start:start + batch_size]
                u, i = users_all[idx], items_all[idx]
                j = self.uniform.sample(u, 1, self.rng)  # (B, 1)
                tu, ti, tj = torch.from_numpy(u), torch.from_numpy(i), torch.from_numpy(j)
                g = self.generator
                reg = g.user_emb[tu].pow(2).sum(1).mean() + g.item_emb[ti].pow(2).sum(1).mean() \
                    + g.item_emb[tj].pow(2).sum(2).mean()
                loss = bpr_loss(g.score(tu, ti), g.score(tu, tj)) + self.params["g_l2"] * reg
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()

    def _masked_cdf(self, users: np.ndarray, count: bool = True) -> torch.Tensor:
        """CDF table rows (B, I) of p_G(· | u) at temperature τ over I \\ P_u (``count``: add the
        generator scores to the sampler's cost; inspection views pass False)."""
        with torch.no_grad():
            logits = self.generator.score_all(torch.from_numpy(users)) / self.params["temperature"]
        if count:
            self.g_scores += logits.numel()
        rows, cols = self.dataset.train.gather(users)
        return masked_cdf(logits, rows, cols)

    def generator_distribution(self, users: np.ndarray) -> torch.Tensor:
        """p_G(· | u) at temperature τ over I \\ P_u: float tensor (B, I), zero on positives, rows sum to 1."""
        return _probabilities(self._masked_cdf(np.asarray(users, dtype=np.int64), count=False))

    def _entropy(self, cdf: torch.Tensor, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Entropy of p_G rows (nats) and its ratio to the uniform entropy log|I \\ P_u|, for
        users with training positives: two float arrays."""
        p = _probabilities(cdf)
        h = -(p * torch.log(p.clamp_min(1e-30))).sum(1).numpy()  # (B,)
        active = self.dataset.train.counts[users] > 0
        h_max = np.log(self.uniform.n_negatives[users][active])  # uniform entropy; 0 for a single item
        return h[active], np.where(h_max > 0, h[active] / np.maximum(h_max, 1e-12), 1.0)

    def _build_table(self, chunk: int = 1024) -> None:
        """Per-user CDF table of p_G for the epoch, flattened so one search serves all users.

        Row u holds 2u + F_u(j) with F_u the normalised CDF in [0, 1] (float64): rows are
        globally increasing, and a draw for user u is ``searchsorted(table, 2u + r)`` with r
        uniform on a 2^-30 grid, so 2u + r is exact. Zero-mass items repeat the previous value
        and are never drawn.
        """
        n_users, n_items = self.dataset.n_users, self.dataset.n_items
        self._cdf = np.empty(n_users * n_items, dtype=np.float64)
        entropy, ratio = [], []
        for start in range(0, n_users, chunk):
            users = np.arange(start, min(start + chunk, n_users), dtype=np.int64)
            cdf = self._masked_cdf(users)
            normalised = cdf.double() / cdf[:, -1:].double()  # (B, I), last column exactly 1
            self._cdf[start * n_items:(start + users.size) * n_items] = (
                normalised + 2.0 * torch.from_numpy(users).double()[:, None]).reshape(-1).numpy()
            h, r = self._entropy(cdf, users)
            entropy.append(h)
            ratio.append(r)
        self._table_entropy = (float(np.concatenate(entropy).mean()), float(np.concatenate(ratio).mean()))

    def _draw(self, users: np.ndarray, pos_items: np.ndarray, scorer: Scorer) -> np.ndarray:
        if self.params["online"]:
            uniq, inverse = np.unique(users, return_inverse=True)
            cdf = self._masked_cdf(uniq)  # (U_b, I), fresh for this batch
            h, r = self._entropy(cdf[:64], uniq[:64])
            self._accumulate(g_entropy=float(h.mean()), g_entropy_ratio=float(r.mean()))
            return inverse_cdf_sample(cdf.index_select(0, torch.from_numpy(inverse)), self.n_negatives, self.rng)
        if self._cdf is None:
            self._build_table()
        r = np.floor(self.rng.random((users.size, self.n_negatives)) * 2.0**30) / 2.0**30  # [0, 1)
        flat = np.searchsorted(self._cdf, 2.0 * users[:, None] + r, side="right")  # (B, K)
        negatives = flat - users[:, None] * self.dataset.n_items
        self._accumulate(g_entropy=self._table_entropy[0], g_entropy_ratio=self._table_entropy[1])
        return negatives

    def _generator_step(self, users: np.ndarray, scorer: Scorer) -> tuple[float, float]:
        """One REINFORCE step of G on a chunk of users (see the class docstring)."""
        lam, n_g = self.params["is_lambda"], self.params["g_samples"]
        t_users = torch.from_numpy(users)
        logits = self.generator.score_all(t_users)  # (B, I), with grad
        self.g_scores += logits.numel()
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
        advantage = reward - reward.mean(1, keepdim=True) if self.params["baseline"] else reward
        g = self.generator
        reg = g.user_emb[t_users].pow(2).sum(1).mean() + g.item_emb[t_items].pow(2).sum(2).mean()
        loss = -(weight * torch.gather(log_p, 1, t_items) * advantage).mean() + self.params["g_l2"] * reg
        if not torch.isfinite(loss):
            raise FloatingPointError("the IRGAN generator loss became NaN or infinite (lower the generator lr)")
        self.g_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.g_optimizer.step()
        return float(loss.detach()), float(reward.mean())

    def after_update(self, users, pos_items, negatives, scorer: Scorer, chunk: int = 256) -> None:
        """Online schedule only: one G step on (up to ``chunk``) distinct users of the batch."""
        if self.params["online"]:
            self._set_g_lr()
            loss, reward = self._generator_step(np.unique(users)[:chunk], scorer)
            self._accumulate(g_loss=loss, g_reward=reward)

    def _set_g_lr(self) -> None:
        for group in self.g_optimizer.param_groups:
            group["lr"] = self.params["g_lr"]

    def on_epoch_end(self, epoch: int, scorer: Scorer, chunk: int = 256) -> None:
        """G phase (alternating schedule): ``g_epochs`` policy-gradient passes over the users,
        then a fresh table. Both schedules report G's own validation ranking quality."""
        self._set_g_lr()
        active = np.flatnonzero(self.dataset.train.counts > 0)
        for _ in range(0 if self.params["online"] else self.params["g_epochs"]):
            order = self.rng.permutation(active)
            for start in range(0, order.size, chunk):
                loss, reward = self._generator_step(order[start:start + chunk], scorer)
                self._accumulate(g_loss=loss, g_reward=reward)
        self._cdf = None
        with torch.no_grad():
            k = min(self.eval_k, self.dataset.n_items - 1)
            self._g_eval = evaluate(self.generator.score_all, self.dataset, "valid", ks=(k,))

    def epoch_stats(self) -> dict:
        stats = super().epoch_stats()
        stats["g_scores"] = self.g_scores
        stats.update({f"g_valid_{k}": v for k, v in self._g_eval.items() if k != "n_users"})
        self.g_scores = 0
        return stats

    def inspect(self, user: int, scorer: Scorer) -> dict:
        """G's distribution for one user with D's reward of every item (read-only)."""
        users = np.array([user], dtype=np.int64)
        probs = self.generator_distribution(users)[0].numpy()  # (I,)
        reward = (2.0 * (torch.sigmoid(scorer.peek_all(torch.from_numpy(users))[0]) - 0.5)).numpy()
        nz = probs[probs > 0]
        return {"probabilities": probs, "reward": reward, "entropy": float(-(nz * np.log(nz)).sum()),
                "max_entropy": float(np.log(self.uniform.n_negatives[user]))}
