"""negsamp_core: negative sampling for implicit-feedback recommenders (no UI code).

Data (synthetic world with ground truth, toy world, MovieLens, CSV), matrix factorisation with
BPR, the five samplers (RNS, PNS, DNS, IRGAN, SRNS), the trainer with per-epoch diagnostics,
full-ranking metrics, and the comparison CLI (``python -m negsamp_core``).
"""

__version__ = "0.1.0"
