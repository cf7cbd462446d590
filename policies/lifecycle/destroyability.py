"""destroyability: ephemeral environments are destroyed without manual steps; persistent ones keep their data.

Why: an environment per pull request or CI run is destroyed as often as it is created. A bucket
that still holds objects (``BucketNotEmpty: The bucket you tried to delete is not empty``), a
repository with images, a database that wants a final snapshot (``final_snapshot_identifier is
required when skip_final_snapshot is false``) or has deletion protection, a secret in its recovery
window (``You can't create this secret because a secret with this name is already scheduled for
deletion``): each one stops ``pulumi destroy`` or blocks the next deployment under the same name,
until someone cleans up by hand. In the other environments the same settings protect data.

Reported: which class an environment is in comes from its suffix (resolved as for
environment-suffix-naming) and the ``ephemeralPattern`` regular expression; every message says which
suffix, from where, and which class applied. A property that is not set reads as the provider's
default.

* Ephemeral: the resource option ``protect`` on any AWS resource (``pulumi destroy`` stops at a
  protected resource); ``skipFinalSnapshot`` not true or ``deletionProtection`` true (RDS clusters and
  instances); ``forceDestroy`` not true (S3 buckets); ``forceDelete`` not true (ECR repositories);
  ``deletionProtectionEnabled`` true (DynamoDB tables); ``enableDeletionProtection`` true (load
  balancers); ``recoveryWindowInDays`` other than 0 on a secret with an explicit name.
* Persistent (with ``checkPersistent``, on by default): ``skipFinalSnapshot`` true, or false or not
  set with no ``finalSnapshotIdentifier``, and ``deletionProtection`` not true (RDS); ``forceDestroy``
  true (buckets); ``deletionProtectionEnabled`` not true (tables); ``recoveryWindowInDays`` 0 or not
  a number (secrets).
* Any resource of the types above, when ``ephemeralPattern`` is not a valid regular expression.

Not reported: values unknown during a preview; in an ephemeral environment, the recovery window of a
secret whose name Pulumi generates or completes from a prefix, or that has a part drawn at random
(``RandomString.result``: a lingering secret blocks nothing);
in a persistent one, final snapshots of RDS read replicas (their data lives in the source), and
repositories and load balancers (no data at stake); anything when no suffix can be resolved, or in a
persistent environment with ``checkPersistent`` off. ``retain_on_delete`` is not seen: the engine does
not send it to policies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from .._core import regex
from .._core.aws_types import snake
from .._core.context import CLASS_TAG, Suffix
from .._core.policy import ALL_AWS_TYPES, MANDATORY, Finding, Option, PolicyContext, ResourcePolicy, stated, violation
from .._core.resource import Resource
from .._core.values import Prop
from ..naming.names import is_default_autoname, random_word

SECRET = "aws:secretsmanager/secret:Secret"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_INSTANCE = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
REPOSITORY = "aws:ecr/repository:Repository"
TABLE = "aws:dynamodb/table:Table"
LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"

DEFAULT_EPHEMERAL_PATTERN = r"^(?:(?:dev|test|qa|ci|e2e|sandbox|preview|tmp)[0-9]*|pr[0-9]+)$"


class Setting(NamedTuple):
    """One property that decides whether a resource can be destroyed unattended."""

    prop: str
    default: bool | int
    """What the provider uses when the property is not set."""
    ephemeral: bool | int
    """Required in ephemeral environments."""
    blocks: str
    """What goes wrong in an ephemeral environment without it."""
    persistent: bool | int | None = None
    """Required in persistent environments; None where no data is at stake."""
    protects: str = ""
    """What the persistent value guards, in persistent environments."""
    persistent_text: str = ""
    """How the persistent requirement reads, when it is more than a value."""


_RDS = (
    Setting("skipFinalSnapshot", False, True,
            "destroying fails without a finalSnapshotIdentifier, or leaves a snapshot behind", False,
            "a destroy or a replacement must keep a final snapshot of the data"),
    Setting("deletionProtection", False, False, "destroying fails while deletion protection is on", True,
            "a destroy or a replacement must not delete the database"),
)
_BUCKET = (
    Setting("forceDestroy", False, True, "destroying fails while the bucket holds objects", False,
            "a destroy must not delete every object with the bucket"),
)
_LB = (Setting("enableDeletionProtection", False, False, "destroying fails while deletion protection is on"),)

SETTINGS: dict[str, tuple[Setting, ...]] = {
    SECRET: (Setting("recoveryWindowInDays", 30, 0,
                     "the deleted secret lingers for its recovery window, and the next deployment of a "
                     "secret with the same name fails", 30,
                     "a secret deleted by mistake must stay restorable for a while",
                     "7 to 30 days (30 when not set), not 0"),),
    RDS_CLUSTER: _RDS,
    RDS_INSTANCE: _RDS,
    BUCKET: _BUCKET,
    BUCKET_V2: _BUCKET,
    REPOSITORY: (Setting("forceDelete", False, True, "destroying fails while the repository holds images"),),
    TABLE: (Setting("deletionProtectionEnabled", False, False, "destroying fails while deletion protection is on",
                    True, "a destroy or a replacement must not delete the table"),),
    LB: _LB,
    ALB: _LB,
}


class Environment(NamedTuple):
    suffix: Suffix
    ephemeral: bool
    pattern: str

    def __str__(self) -> str:
        if not self.pattern:
            return (f"the environment is {'ephemeral' if self.ephemeral else 'persistent'} (from the stack tag "
                    f"'{CLASS_TAG}'; suffix {self.suffix})")
        if self.ephemeral:
            return f"the environment is ephemeral (suffix {self.suffix} matches ephemeralPattern {self.pattern!r})"
        return (f"the environment is persistent (suffix {self.suffix} does not match ephemeralPattern "
                f"{self.pattern!r})")


def _compiled(pattern: str) -> regex.Pattern | None:
    """RE2, as the engine validates the option: linear time whatever the pattern (see ``regex``)."""
    try:
        return regex.compile_re2(pattern, ignore_case=True)
    except regex.PatternError:
        return None


def environment(ctx: PolicyContext) -> Environment | None:
    """The environment's class from its suffix; None when there is no suffix or no valid pattern."""
    suffix = ctx.suffix
    pattern = ctx.config["ephemeralPattern"]
    compiled = _compiled(pattern)
    if suffix is None or compiled is None:
        return None
    stated = ctx.stack.environment_class()
    if stated is not None:  # a stack tag states the class outright
        return Environment(suffix, stated != "persistent", "")  # an emulator is ephemeral too
    return Environment(suffix, compiled.search(suffix.value) is not None, pattern)


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if _compiled(ctx.config["ephemeralPattern"]) is None:
        if resource.type in SETTINGS:
            yield stated(resource.label, f"not checked, because the policy config 'ephemeralPattern' "
                          f"({ctx.config['ephemeralPattern']!r}) is not a valid regular expression.")
        return
    env = ctx.derived(environment)
    if env is None:
        return
    if env.ephemeral and resource.options.protect:
        yield violation(resource, "the resource option protect", "true",
                        f"false: {env}, and otherwise `pulumi destroy` stops at it (\"resource ... cannot be "
                        "deleted because it is protected\")",
                        "opts=pulumi.ResourceOptions(protect=False), or protect only the persistent environments: "
                        "protect=not ephemeral")
    if resource.type not in SETTINGS or (not env.ephemeral and not ctx.config["checkPersistent"]):
        return
    for setting, prop in _evaluated(resource, env):
        yield _finding(resource, env, setting, prop)
    if not env.ephemeral and resource.type in (RDS_CLUSTER, RDS_INSTANCE) and not _replica(resource):
        yield from _final_snapshot_name(resource, env)


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    """Set each flag to what the environment's class requires (the final snapshot name is left to
    the user: there is no obvious name for it)."""
    env = ctx.derived(environment)
    if resource.type not in SETTINGS or env is None or (not env.ephemeral and not ctx.config["checkPersistent"]):
        return None
    changes = {}
    for setting, prop in _evaluated(resource, env):
        if prop.secret or (not env.ephemeral and setting.prop == "skipFinalSnapshot"):
            continue
        changes[setting.prop] = setting.ephemeral if env.ephemeral else setting.persistent
    return changes or None


def _evaluated(resource: Resource, env: Environment) -> Iterator[tuple[Setting, Prop]]:
    """The settings of ``resource`` that break the rule of ``env``'s class."""
    for setting in SETTINGS[resource.type]:
        if not env.ephemeral and setting.persistent is None:
            continue
        if env.ephemeral and resource.type == SECRET and not _explicitly_named(resource):
            continue  # a generated name is never reused: the lingering secret blocks nothing
        if not env.ephemeral and setting.prop == "skipFinalSnapshot" and _replica(resource):
            continue
        prop = resource.get(setting.prop)
        if prop.unknown:
            continue
        effective = _effective(setting, prop)
        if env.ephemeral:
            broken = effective != setting.ephemeral
        else:
            broken = effective is None or effective == setting.ephemeral
        if broken:
            yield setting, prop


def _explicitly_named(resource: Resource) -> bool:
    """Whether the secret's name is set by the program (not generated by Pulumi or from a prefix). A
    name unknown during the preview is built from another resource's output (a RandomString, an
    id), which does not repeat: it is not counted as explicit, nor is a known name with such a
    random part."""
    name = resource.get("name")
    if name.unknown:
        return False
    value = name.as_str()
    return value is not None and not is_default_autoname(value, resource.name) and not random_word(value)


def _effective(setting: Setting, prop: Prop) -> bool | int | None:
    if prop.absent:
        return setting.default
    return prop.as_bool() if isinstance(setting.default, bool) else prop.as_int()


def _finding(resource: Resource, env: Environment, setting: Setting, prop: Prop) -> Finding:
    target: bool | int | None  # None only for a setting _evaluated skips in persistent environments
    if env.ephemeral:
        target, why = setting.ephemeral, f"and otherwise {setting.blocks}"
        expected = _show(target)
    else:
        target, why = setting.persistent, f"where {setting.protects}"
        expected = setting.persistent_text or _show(target)
    return violation(resource, setting.prop, _found(resource, setting, prop),
                     f"{expected}: {env}, {why}", f"{snake(setting.prop)}={target!r}")


def _found(resource: Resource, setting: Setting, prop: Prop) -> str:
    defaulted = prop.absent or setting.prop in (resource.get("__defaults").as_list() or ())
    if defaulted:
        return f"not set ({_show(setting.default)} by default)"
    return prop.display()


def _final_snapshot_name(resource: Resource, env: Environment) -> Iterator[Finding]:
    skip = resource.get("skipFinalSnapshot")
    name = resource.get("finalSnapshotIdentifier")
    if skip.unknown or name.unknown or not name.absent:
        return
    if not skip.absent and skip.as_bool() is not False:
        return
    yield violation(resource, "finalSnapshotIdentifier", "not set",
                    f"a snapshot name: {env}, skipFinalSnapshot is false, and destroying the database "
                    f"fails without the name", f'final_snapshot_identifier="{resource.name}-final"')


def _replica(resource: Resource) -> bool:
    """A read replica takes no final snapshot: its data lives in the source."""
    return resource.type == RDS_INSTANCE and not resource.get("replicateSourceDb").absent


def _show(value: bool | int | None) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


POLICY = ResourcePolicy(
    name="destroyability",
    description=("Resources of ephemeral environments can be destroyed without manual steps, and those "
                 "of persistent environments keep deletion protection and final snapshots."),
    severity="medium",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "In an ephemeral environment: aws.secretsmanager.Secret(recovery_window_in_days=0), "
        "aws.rds.Cluster/Instance(skip_final_snapshot=True, deletion_protection=False), "
        "aws.s3.Bucket(force_destroy=True), aws.ecr.Repository(force_delete=True), "
        "aws.dynamodb.Table(deletion_protection_enabled=False), "
        "aws.lb.LoadBalancer(enable_deletion_protection=False). In a persistent one: deletion_protection=True "
        "and a final_snapshot_identifier on RDS, deletion_protection_enabled=True on DynamoDB, no "
        "force_destroy on buckets, and a recovery window of 7 to 30 days on secrets. Derive the values "
        "from the environment, e.g. ephemeral = re.search(pattern, environment_suffix) is not None."),
    tags=("lifecycle", "multi-environment", "data-protection"),
    types=frozenset({ALL_AWS_TYPES}),  # the option protect, on any resource; the settings on SETTINGS' types
    options=(
        Option("environmentSuffix", "string", "",
               "The environment suffix. Empty: the stack config key environmentSuffix (any namespace), "
               "then the ENVIRONMENT_SUFFIX environment variable, then the stack name."),
        Option("ephemeralPattern", "string", DEFAULT_EPHEMERAL_PATTERN,
               "A regular expression (case-insensitive, searched) that the suffix of an ephemeral "
               "environment matches; any other suffix is a persistent environment.",
               {"format": "regex"}),
        Option("checkPersistent", "boolean", True,
               "Also require, in persistent environments, the settings that protect data: deletion "
               "protection on, a final snapshot kept, no forced deletion of objects, a recovery window "
               "for secrets."),
    ),
    check=check,
    remediate=remediate,
)
