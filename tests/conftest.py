"""Shared fixtures of the negsamp_core test suite (samplers, metrics, model, training, data).

Helpers are exposed as *factory fixtures* (a fixture returning a function) so that test modules
never import this file directly.

Thread note: on the 2-core development machine, PyTorch's OpenMP pool (2 threads) makes tiny ops
such as ``index_add_`` several hundred times slower whenever the other core is busy (77 ms instead
of 0.1 ms per call, measured). The suite runs single-threaded so it stays fast and its timings do
not depend on the load; results are identical either way.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from negsamp_core.data import Dataset, SyntheticConfig, make_synthetic, make_toy
from negsamp_core.model import MatrixFactorization, Scorer
from negsamp_core.samplers import SAMPLERS

torch.set_num_threads(1)


# ----------------------------------------------------------------------------- plain helpers
def fewest_non_positives(dataset: Dataset) -> int:
    """Smallest |I \\ P_u| over users with at least one training positive."""
    counts = dataset.train.counts
    return int((dataset.n_items - counts[counts > 0]).min())


def small_params(name: str, dataset: Dataset) -> dict:
    """Parameters that make every sampler valid and quick on small data (defaults otherwise)."""
    if name == "dns":
        return {"candidates": 4}
    if name == "irgan":
        return {"g_samples": 8, "g_epochs": 1}
    if name == "srns":
        return {"s1": min(2, fewest_non_positives(dataset)), "s2": 4, "warmup": 2}
    return {}


def build_sampler(name: str, dataset: Dataset, k: int = 1, seed: int = 0, params: dict | None = None):
    """``SAMPLERS[name]`` with generators seeded by ``seed`` (small_params unless ``params``)."""
    params = small_params(name, dataset) if params is None else params
    return SAMPLERS[name](
        dataset, k, rng=np.random.default_rng(seed), torch_generator=torch.Generator().manual_seed(seed), **params
    )


def build_scorer(dataset: Dataset, dim: int = 8, seed: int = 0):
    """(model, Scorer) of a freshly initialised MatrixFactorization."""
    model = MatrixFactorization(dataset.n_users, dataset.n_items, dim, generator=torch.Generator().manual_seed(seed))
    return model, Scorer(model)


def random_dataset(seed: int, heavy_gap: int = 2) -> Dataset:
    """A random small dataset: random sizes and density, some users without positives, and two
    "heavy" users who own all items but ``heavy_gap`` of them."""
    rng = np.random.default_rng(seed)
    n_users, n_items = int(rng.integers(6, 30)), int(rng.integers(8, 40))
    density = float(rng.uniform(0.05, 0.6))
    mask = rng.random((n_users, n_items)) < density
    mask[int(rng.integers(n_users))] = False  # a user without training positives
    for u in rng.choice(n_users, size=2, replace=False):
        mask[u] = True
        mask[u, rng.choice(n_items, size=heavy_gap, replace=False)] = False
    users, items = np.nonzero(mask)
    # some duplicated interactions too
    dup = rng.integers(0, users.size, size=users.size // 4)
    users, items = np.r_[users, users[dup]], np.r_[items, items[dup]]
    return Dataset.from_pairs(f"random-{seed}", n_users, n_items, train=(users, items))


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def toy() -> Dataset:
    return make_toy()


@pytest.fixture(scope="session")
def small_world() -> Dataset:
    """A small synthetic world that still has validation and test positives for most users."""
    return make_synthetic(SyntheticConfig(n_users=50, n_items=120, density=0.2, observation_rate=0.6), seed=3)


@pytest.fixture(scope="session")
def synthetic() -> Dataset:
    """The default synthetic world (400 users x 1000 items), seed 0."""
    return make_synthetic(seed=0)


@pytest.fixture
def make_sampler():
    return build_sampler


@pytest.fixture
def make_scorer():
    return build_scorer


@pytest.fixture
def make_random_dataset():
    return random_dataset


@pytest.fixture
def sampler_params():
    return small_params
