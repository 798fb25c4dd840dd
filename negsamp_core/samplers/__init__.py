"""The five negative samplers behind one protocol, and the registry that names them.

Add a sampler: write one file with a :class:`NegativeSampler` subclass (``name``, ``family``,
``PARAMS`` and ``_draw``), then add it to :data:`SAMPLERS`. The contract suite in
``tests/test_sampler_contract.py`` runs against every entry automatically.
"""

from .base import NegativeSampler, ParamSpec, UniformNonPositive
from .dns import DNS
from .irgan import IRGAN
from .pns import PNS
from .rns import RNS
from .srns import SRNS

SAMPLERS: dict[str, type[NegativeSampler]] = {"rns": RNS, "pns": PNS, "dns": DNS, "irgan": IRGAN, "srns": SRNS}
SAMPLER_NAMES = tuple(SAMPLERS)

__all__ = ["SAMPLERS", "SAMPLER_NAMES", "NegativeSampler", "ParamSpec", "UniformNonPositive",
           "RNS", "PNS", "DNS", "IRGAN", "SRNS"]
