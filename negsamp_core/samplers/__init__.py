"""The five negative samplers behind one protocol, and the registry that names them.

Add a sampler: write one file with a :class:`NegativeSampler` subclass (``name``, ``family``,
``PARAMS`` and ``_draw``; optionally ``_setup``, ``_validate``, hooks and a frozen
:class:`Inspection` record for ``inspect``), then add it to :data:`SAMPLERS`. The contract suite in
``tests/test_sampler_contract.py`` runs against every entry automatically.
"""

from .base import Inspection, NegativeSampler, ParamSpec, UniformNonPositive
from .dns import DNS, DNSInspection
from .irgan import IRGAN, IRGANInspection
from .pns import PNS, PNSInspection
from .rns import RNS, RNSInspection
from .srns import SRNS, SRNSInspection

SAMPLERS: dict[str, type[NegativeSampler]] = {"rns": RNS, "pns": PNS, "dns": DNS, "irgan": IRGAN, "srns": SRNS}
SAMPLER_NAMES = tuple(SAMPLERS)

__all__ = [
    "SAMPLERS",
    "SAMPLER_NAMES",
    "NegativeSampler",
    "ParamSpec",
    "UniformNonPositive",
    "Inspection",
    "RNS",
    "PNS",
    "DNS",
    "IRGAN",
    "SRNS",
    "RNSInspection",
    "PNSInspection",
    "DNSInspection",
    "SRNSInspection",
    "IRGANInspection",
]
