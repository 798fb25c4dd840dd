"""Arms: a sampler with its settings and a label, the unit that is trained and compared.

Several arms may use the same sampler with different settings (DNS with M = 1, 8 and 32 side by
side). :class:`~negsamp_core.compare.Comparison` and the lessons (:mod:`negsamp_core.lessons`)
train arms; a plain sampler name is the arm ``Arm(name, name)`` (its label is the name).

Arms have a compact text form for URLs and the command line::

    dns:candidates=1;dns:candidates=8;srns:alpha=5,warmup=2

(arms separated by ``;``, a sampler name, then optional ``param=value`` pairs after ``:``,
separated by ``,``). :func:`parse_arms` checks every name and value against the sampler's
:class:`~negsamp_core.samplers.base.ParamSpec` and raises ``ValueError`` with a readable message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from .samplers import SAMPLERS

__all__ = ["Arm", "as_arms", "parse_arms", "encode_arms", "default_label", "MAX_ARMS"]

MAX_ARMS = 12  # more arms than this in one comparison is a typo (and a very slow page)


@dataclass(frozen=True)
class Arm:
    """One trained model: a sampler with its settings and a label.

    Attributes:
        label: shown in charts, tables and verdicts, e.g. ``"DNS M=8"`` (unique within a comparison).
        sampler: a name of :data:`~negsamp_core.samplers.SAMPLERS`.
        params: the sampler's parameters (its defaults, or the comparison's shared settings, otherwise).
    """

    label: str
    sampler: str
    params: Mapping = field(default_factory=dict)

    @classmethod
    def of(cls, value: "Arm | str") -> "Arm":
        """``value`` as an arm: an :class:`Arm` itself, or a sampler name (labelled by its name)."""
        if isinstance(value, Arm):
            return value
        if isinstance(value, str):
            return cls(value, value)
        raise TypeError(f"an arm is an Arm or a sampler name, got {value!r}")

    @property
    def plain(self) -> bool:
        """A bare sampler (label = sampler name, no own settings)."""
        return self.label == self.sampler and not self.params

    def key(self) -> tuple:
        """A hashable identity: (label, sampler, sorted params)."""
        return (self.label, self.sampler, tuple(sorted((k, v) for k, v in dict(self.params).items())))


def as_arms(items: Iterable) -> list[Arm]:
    """Arms from sampler names and/or :class:`Arm` objects, in order; repeated names collapse.

    Raises:
        ValueError: unknown sampler, an unknown or out-of-range parameter, two different arms with
            one label, or more than :data:`MAX_ARMS` arms.
    """
    arms: dict[str, Arm] = {}
    for item in items:
        arm = Arm.of(item)
        if arm.sampler not in SAMPLERS:
            raise ValueError(f"unknown sampler {arm.sampler!r}; choose one of {', '.join(SAMPLERS)}")
        _check_params(arm.sampler, arm.params)
        if arm.label in arms:
            if arms[arm.label].key() != arm.key():
                raise ValueError(f"two different arms are labelled {arm.label!r}: give each its own label")
            continue
        arms[arm.label] = arm
    if len(arms) > MAX_ARMS:
        raise ValueError(f"at most {MAX_ARMS} arms in one comparison, got {len(arms)}")
    return list(arms.values())


def _check_params(sampler: str, params: Mapping) -> dict:
    specs = {p.name: p for p in SAMPLERS[sampler].PARAMS}
    out = {}
    for name, value in dict(params).items():
        if name not in specs:
            known = ", ".join(specs) or "none"
            raise ValueError(f"{sampler} has no parameter {name!r} (its parameters: {known})")
        choices = getattr(SAMPLERS[sampler], "CHOICES", {}).get(name)
        if choices and isinstance(value, str) and value in choices:
            value = choices.index(value)
        out[name] = specs[name].convert(value, owner=sampler)
    return out


def default_label(sampler: str, params: Mapping, symbol: Callable[[str, str], str] | None = None) -> str:
    """``"DNS M=8"``: the sampler in capitals and the parameters the arm sets (in the sampler's
    order; its first parameter's default when it sets none), each written with ``symbol(sampler,
    param)`` (default: the parameter's name). A boolean parameter that the sampler names in its
    ``TAGS`` (``{param: tag}``) reads as ``(tag)`` when on: ``{"g_equals_d": True}`` of IRGAN is
    ``"IRGAN (G = D)"``; off, it is written like any other."""
    cls = SAMPLERS[sampler]
    specs, tags = cls.PARAMS, getattr(cls, "TAGS", {})
    symbol = symbol or (lambda _s, p: p)
    shown = [p for p in specs if p.name in params]
    if not shown and specs:
        shown = [specs[0]]
    parts = []
    for p in shown:
        value = params.get(p.name, p.default)
        if p.boolean and value and p.name in tags:
            parts.append(f"({tags[p.name]})")
            continue
        text = ("on" if value else "off") if p.boolean else f"{value:g}" if isinstance(value, (int, float)) else value
        parts.append(f"{symbol(sampler, p.name)}={text}")
    tagged = [q for q in parts if q.startswith("(")]
    rest = ", ".join(q for q in parts if not q.startswith("("))
    return " ".join([sampler.upper(), *tagged, rest]).strip()


def parse_arms(text: str, label: Callable[[str, Mapping], str] | None = None) -> list[Arm]:
    """Arms from their text form (``dns:candidates=1;dns:candidates=8``); labels from ``label(sampler,
    params)`` (default :func:`default_label`). Values are checked and converted as the sampler stores them.

    Raises:
        ValueError: empty text, a malformed part, unknown sampler or parameter, a value out of range,
            or too many arms; the message names the part.
    """
    label = label or (lambda s, p: default_label(s, p))
    arms = []
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    if not parts:
        raise ValueError("no arms given")
    if len(parts) > MAX_ARMS:
        raise ValueError(f"at most {MAX_ARMS} arms, got {len(parts)}")
    for part in parts:
        sampler, _, rest = part.partition(":")
        sampler = sampler.strip().lower()
        if sampler not in SAMPLERS:
            raise ValueError(f"{part!r}: unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}")
        raw = {}
        for pair in (p.strip() for p in rest.split(",") if p.strip()):
            name, eq, value = pair.partition("=")
            if not eq or not name.strip():
                raise ValueError(f"{part!r}: write parameters as name=value, got {pair!r}")
            raw[name.strip()] = value.strip()
        try:
            params = _check_params(sampler, raw)
        except ValueError as exc:
            raise ValueError(f"{part!r}: {exc}") from None
        arms.append(Arm(label(sampler, params), sampler, params))
    return as_arms(arms)


def encode_arms(arms: Iterable[Arm]) -> str:
    """The text form of ``arms`` (labels are not written: :func:`parse_arms` derives them)."""
    out = []
    for arm in arms:
        params = ",".join(
            f"{k}={int(v) if isinstance(v, bool) else f'{v:g}' if isinstance(v, (int, float)) else v}"
            for k, v in dict(arm.params).items()
        )
        out.append(f"{arm.sampler}:{params}" if params else arm.sampler)
    return ";".join(out)
