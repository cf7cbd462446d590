"""Building a pack on this one: pick policies by name, change their defaults, check the whole list.

A team's pack lists this pack's ``POLICIES`` (all, or those :func:`select` picks) with the defaults
it wants (:func:`with_defaults`), beside policies of its own, written with this pack's API or with
the pulumi-policy SDK, and hands them to ``PolicyPack`` (see ``examples/team-pack``)::

    reused = with_defaults(select(POLICIES, exclude=["dynamodb-on-demand"]),
                           {"xray-tracing": "mandatory", "log-retention": {"maxDays": 365}})
    PolicyPack("acme-aws", [*reused, cost_center_tag, allowed_regions])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import config as config_mod
from .policy import ENFORCEMENT_LEVELS, Policy
from .regex import LazyPattern

PACK_NAME_RE = LazyPattern(r"^[a-zA-Z0-9._-]{1,100}$")
"""What the engine and Pulumi Cloud accept as a pack name (the SDK checks the same)."""


def select(policies: Sequence[Any], names: Iterable[str] | None = None, *,
           exclude: Iterable[str] = ()) -> list[Any]:
    """The policies named in ``names`` (all when None) but not in ``exclude``, in their order in
    ``policies``. A name that is not there raises ValueError."""
    names = [names] if isinstance(names, str) else names
    exclude = {exclude} if isinstance(exclude, str) else set(exclude)
    known = [p.name for p in policies]
    unknown = [n for n in (*(names or ()), *sorted(exclude)) if n not in known]
    if unknown:
        raise ValueError(f"no policy named {', '.join(map(repr, unknown))}; the policies are: {', '.join(known)}")
    wanted = set(known if names is None else names) - exclude
    return [p for p in policies if p.name in wanted]


def with_defaults(policies: Sequence[Policy], config: Mapping[str, Any]) -> list[Policy]:
    """``policies`` with the default enforcement levels and config fields ``config`` gives them, written
    as a policy pack config file is: ``{policy: level | {"enforcementLevel": level, field: value}}``.

    The new defaults are the policies' own: ``GetAnalyzerInfo`` publishes them, and a pack config
    still overrides them. A policy, level or field that does not exist, or a value its schema
    rejects, raises ``ConfigError`` (a ValueError) naming the policy and field.
    """
    from . import sdk  # only here: the pack's startup does not need it

    by_name = {p.name: p for p in policies}
    errors: list[str] = []
    changed: dict[str, Policy] = {}
    for name, (level, fields) in config_mod.pack_config(config).items():
        policy = by_name.get(name)
        if policy is None:
            errors.append(f"no policy named '{name}'; the policies are: {', '.join(by_name)}")
        elif sdk.sdk_kind(policy) or isinstance(policy, (sdk.SdkResourcePolicy, sdk.SdkStackPolicy)):
            errors.append(f"policy '{name}' is written with the pulumi-policy SDK: set its enforcement_level "
                          f"and config_schema defaults where it is declared")
        else:
            policy, problems = _changed(policy, level, fields)
            changed[name] = policy
            errors.extend(problems)
    if errors:
        raise config_mod.ConfigError("\n".join(errors))
    return [changed.get(p.name, p) for p in policies]


def _changed(policy: Policy, level: Any, fields: dict[str, Any]) -> tuple[Policy, list[str]]:
    problems = []
    if level is not None and level not in ENFORCEMENT_LEVELS:
        problems.append(f"policy '{policy.name}': enforcementLevel must be one of {', '.join(ENFORCEMENT_LEVELS)}, "
                        f"got {level!r}")
    own = {o.name for o in policy.options}
    problems += [f"policy '{policy.name}': config field '{k}' has no default to change; set it in the policy "
                 f"pack config" for k in fields if k not in own and any(o.name == k for o in policy.all_options)]
    resolved, found = policy.resolve_config(fields)
    problems += found
    if not problems and policy.validate is not None:
        problems += [f"policy '{policy.name}': {p}" for p in policy.validate(resolved)]
    options = tuple(o._replace(default=_json(fields[o.name])) if o.name in fields else o
                    for o in policy.options)
    return policy.replace(enforcement_level=level or policy.enforcement_level, options=options), problems


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def check_pack(name: str, policies: Sequence[Policy]) -> None:
    """Raise ValueError, at start-up, when the pack cannot be served: a name the engine rejects, no
    policies, two policies of one name (the engine and Pulumi Cloud tell policies by name), or an
    enforcement level that does not exist (a pack's default for its SDK policies, say)."""
    problems = []
    if not isinstance(name, str) or not PACK_NAME_RE.match(name):
        problems.append(f"the pack name {name!r} may hold only letters, digits, '-', '_' and '.' (1 to 100)")
    if not policies:
        problems.append("it has no policies")
    for policy_name, count in Counter(p.name for p in policies).items():
        if count > 1:
            problems.append(f"{count} policies are named '{policy_name}': a policy's name must be unique in its pack "
                            f"(leave the reused one out with select(..., exclude=[...]), or rename your own)")
        if policy_name == "all":
            problems.append("a policy is named 'all', which a policy pack config reserves for every policy")
    problems += [f"policy '{p.name}': enforcement level {p.enforcement_level!r} is not one of "
                 f"{', '.join(ENFORCEMENT_LEVELS)}" for p in policies if p.enforcement_level not in ENFORCEMENT_LEVELS]
    if problems:
        raise ValueError(f"policy pack {name!r}: " + "; ".join(problems))
