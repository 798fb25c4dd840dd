"""Matrix factorisation, the BPR loss, and the read-only scoring view that samplers get.

Model: s(u, i) = p_u · q_i (+ b_i), trained with Bayesian Personalised Ranking
(Rendle, Freudenthaler, Gantner, Schmidt-Thieme, "BPR: Bayesian Personalized Ranking from
Implicit Feedback", UAI 2009, Sec. 4): L = -ln σ(s(u,i) - s(u,j)) + λ‖θ‖², written here as the
numerically stable softplus(s(u,j) - s(u,i)).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["MatrixFactorization", "bpr_loss", "bpr_objective", "bpr_gradients", "Scorer"]


class MatrixFactorization(torch.nn.Module):
    """s(u, i) = p_u · q_i + b_i.

    Args:
        n_users, n_items: sizes of the id spaces.
        dim: embedding size d.
        item_bias: learn a per-item bias b_i (else b_i = 0, not a parameter).
        init_std: standard deviation of the N(0, std²) initialisation of p and q.
        generator: torch.Generator for the initialisation (the only source of randomness).
    """

    def __init__(self, n_users: int, n_items: int, dim: int, *, item_bias: bool = False,
                 init_std: float = 0.01, generator: torch.Generator | None = None):
        super().__init__()
        if dim < 1:
            raise ValueError(f"embedding size must be >= 1, got {dim}")
        self.n_users, self.n_items, self.dim = int(n_users), int(n_items), int(dim)
        self.user_emb = torch.nn.Parameter(torch.randn(n_users, dim, generator=generator) * init_std)
        self.item_emb = torch.nn.Parameter(torch.randn(n_items, dim, generator=generator) * init_std)
        if item_bias:
            self.item_bias = torch.nn.Parameter(torch.zeros(n_items))
        else:
            self.register_buffer("item_bias", torch.zeros(n_items))

    def score(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of ``items`` for ``users``.

        Args:
            users: int64 tensor (B,).
            items: int64 tensor (B,) or (B, C).
        Returns:
            float32 tensor with the shape of ``items``.
        """
        p = self.user_emb.index_select(0, users)  # (B, d)
        flat = items.reshape(-1)
        q = self.item_emb.index_select(0, flat).view(*items.shape, self.dim)  # (B, d) or (B, C, d)
        bias = self.item_bias.index_select(0, flat).view(items.shape)
        if items.dim() == 1:
            return (p * q).sum(-1) + bias
        return (q * p.unsqueeze(1)).sum(-1) + bias  # (B, C); faster than bmm for small d here

    def score_all(self, users: torch.Tensor) -> torch.Tensor:
        """Scores of every item for ``users``: float32 tensor (B, n_items)."""
        return self.user_emb[users] @ self.item_emb.T + self.item_bias


def bpr_loss(pos_scores: torch.Tensor, neg_scores: torch.Tensor) -> torch.Tensor:
    """Mean BPR loss -ln σ(s_ui - s_uj) = softplus(s_uj - s_ui).

    Args:
        pos_scores: float tensor (B,).
        neg_scores: float tensor (B, K); each positive is paired with its K negatives.
    Returns:
        scalar tensor, the mean over the B·K pairs (nats).
    """
    return F.softplus(neg_scores - pos_scores.unsqueeze(1)).mean()


def _l2_terms(model: "MatrixFactorization", users, pos_items, neg_items) -> torch.Tensor:
    """mean_b(‖p_u‖² + ‖q_i‖² + b_i² + mean_k(‖q_j‖² + b_j²)); biases only when learned."""
    reg = (model.user_emb[users].pow(2).sum(1) + model.item_emb[pos_items].pow(2).sum(1)
           + model.item_emb[neg_items].pow(2).sum(2).mean(1))
    if isinstance(model.item_bias, torch.nn.Parameter):
        reg = reg + model.item_bias[pos_items].pow(2) + model.item_bias[neg_items].pow(2).mean(1)
    return reg.mean()


def bpr_objective(model: "MatrixFactorization", users, pos_items, neg_items, l2: float) -> torch.Tensor:
    """Full training objective with autograd: BPR loss + l2 · L2 terms (the reference for
    :func:`bpr_gradients`; shapes as in :func:`bpr_gradients`)."""
    loss = bpr_loss(model.score(users, pos_items), model.score(users, neg_items))
    return loss + l2 * _l2_terms(model, users, pos_items, neg_items)


@torch.no_grad()
def bpr_gradients(model: "MatrixFactorization", users: torch.Tensor, pos_items: torch.Tensor,
                  neg_items: torch.Tensor, l2: float, out: dict | None = None):
    """Hand-written gradient of :func:`bpr_objective` (about 4x faster than autograd here).

    With x_bk = s(u_b, i_b) - s(u_b, j_bk) and c_bk = ∂L/∂x_bk = -σ(-x_bk) / (B·K):
    ∂L/∂p_u = Σ_k c_bk (q_i - q_jk) + 2λ/B p_u;  ∂L/∂q_i = Σ_k c_bk p_u + 2λ/B q_i;
    ∂L/∂q_jk = -c_bk p_u + 2λ/(B·K) q_jk;  biases alike. Rows repeated in a batch accumulate.

    Args:
        users, pos_items: int64 (B,); neg_items: int64 (B, K).
        out: optional dict of preallocated gradient tensors (name -> tensor of the parameter's
            shape) to fill in place; saves two table allocations per step.
    Returns:
        (loss, pos_scores (B,), neg_scores (B, K), grads) where loss is the float BPR loss without
        the L2 term and grads maps each parameter name to a dense tensor of its shape.
    """
    b, k = neg_items.shape
    d = model.dim
    flat_neg = neg_items.reshape(-1)
    pu = model.user_emb.index_select(0, users)  # (B, d)
    qi = model.item_emb.index_select(0, pos_items)  # (B, d)
    qj = model.item_emb.index_select(0, flat_neg).view(b, k, d)  # (B, K, d)
    learn_bias = isinstance(model.item_bias, torch.nn.Parameter)
    bias = model.item_bias.detach()
    pos_s = (pu * qi).sum(1) + bias.index_select(0, pos_items)  # (B,)
    neg_s = (qj * pu.unsqueeze(1)).sum(2) + bias.index_select(0, flat_neg).view(b, k)  # (B, K)
    x = pos_s.unsqueeze(1) - neg_s  # (B, K)
    loss = float(F.softplus(-x).mean())
    c = torch.sigmoid(-x).mul_(-1.0 / (b * k))  # (B, K)
    lam_i, lam_j = 2.0 * l2 / b, 2.0 * l2 / (b * k)
    g_pu = ((qi.unsqueeze(1) - qj) * c.unsqueeze(2)).sum(1).add_(pu, alpha=lam_i)  # (B, d)
    g_qi = (c.sum(1, keepdim=True) * pu).add_(qi, alpha=lam_i)  # (B, d)
    g_qj = (c.neg().unsqueeze(2) * pu.unsqueeze(1)).add_(qj, alpha=lam_j)  # (B, K, d)
    grads = out if out is not None else {name: torch.zeros_like(p) for name, p in model.named_parameters()}
    for g in grads.values():
        g.zero_()
    grads["user_emb"].index_add_(0, users, g_pu)
    grads["item_emb"].index_add_(0, pos_items, g_qi).index_add_(0, flat_neg, g_qj.view(b * k, d))
    if learn_bias:
        g_bi = c.sum(1) + lam_i * bias.index_select(0, pos_items)
        g_bj = -c.view(-1) + lam_j * bias.index_select(0, flat_neg)
        grads["item_bias"].index_add_(0, pos_items, g_bi).index_add_(0, flat_neg, g_bj)
    return loss, pos_s, neg_s, grads


class Scorer:
    """Read-only view of the recommender for samplers (no gradients); it counts its own work.

    ``n_scores`` (read-only) counts the (user, item) scores computed through :meth:`score`,
    :meth:`score_all` and :meth:`score_snapshot`: the "model scores" cost of a sampler. Nobody
    else writes it; :meth:`peek_all` and :meth:`peek_snapshot` are uncounted and serve inspection
    views only. Samplers never see the parameters, so they cannot change the model.
    """

    def __init__(self, model: MatrixFactorization):
        self._model = model
        self._n_scores = 0

    @property
    def n_scores(self) -> int:
        """Scores computed through the counted methods since this view was made."""
        return self._n_scores

    @property
    def n_items(self) -> int:
        return self._model.n_items

    @torch.no_grad()
    def score(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of candidate items: float32 tensor shaped like ``items`` ((B,) or (B, C)) for
        users int64 (B,). Counts ``items.numel()``.

        Computed with numpy views of the parameters (``np.take`` + batched ``np.matmul`` is
        3-5x faster than the equivalent torch gather + bmm on this CPU); values equal
        ``model.score``.
        """
        self._n_scores += items.numel()
        m = self._model
        p = np.take(m.user_emb.detach().numpy(), users.numpy(), axis=0)  # (B, d)
        q = np.take(m.item_emb.detach().numpy(), items.numpy(), axis=0)  # (B, d) or (B, C, d)
        if items.dim() == 1:
            s = np.einsum("bd,bd->b", q, p)  # (B,)
        else:
            s = np.matmul(q, p[:, :, None])[..., 0]  # (B, C)
        s += np.take(m.item_bias.detach().numpy(), items.numpy())
        return torch.from_numpy(s)

    @torch.no_grad()
    def score_all(self, users: torch.Tensor) -> torch.Tensor:
        """float32 tensor (B, n_items) for users int64 (B,). Counts B · n_items."""
        self._n_scores += users.numel() * self._model.n_items
        return self._model.score_all(users)

    @torch.no_grad()
    def peek_all(self, users: torch.Tensor) -> torch.Tensor:
        """Like :meth:`score_all` but not counted: for inspection views, not for sampling."""
        return self._model.score_all(users)

    @torch.no_grad()
    def snapshot(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Copies of (user embeddings (U, d), item embeddings (I, d), item bias (I,)); copying
        computes no score, so it is not counted."""
        m = self._model
        return m.user_emb.detach().clone(), m.item_emb.detach().clone(), m.item_bias.detach().clone()

    def score_snapshot(self, snapshot: tuple, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores s_t(u, j) under an earlier :meth:`snapshot` of this model: float32 tensor (B, C)
        for users int64 (B,) and items int64 (B, C). Counts ``items.numel()`` (a recomputation
        is a computed score like any other)."""
        self._n_scores += items.numel()
        return self.peek_snapshot(snapshot, users, items)

    @staticmethod
    @torch.no_grad()
    def peek_snapshot(snapshot: tuple, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Like :meth:`score_snapshot` but not counted: for inspection views."""
        p, q, bias = snapshot
        flat = items.reshape(-1)
        q_items = q.index_select(0, flat).view(*items.shape, -1)  # (B, C, d)
        return (q_items * p.index_select(0, users).unsqueeze(1)).sum(-1) + bias.index_select(0, flat).view(items.shape)
