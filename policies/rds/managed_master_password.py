"""rds-managed-master-password: RDS keeps the master password in a secret it manages.

Why: with ``manageMasterUserPassword`` RDS generates the password, stores it in Secrets Manager
and rotates it; nothing sensitive enters the program, its config or the Pulumi state. A
``masterPassword`` (``password`` on an instance) is kept in the state, and pulumi-aws marks it
secret by itself, so a literal password in the code cannot be told from a generated one:
the only check that holds is that none is given. The write-only variants (``...Wo``) stay out
of the state but still leave generation and rotation to the program.

Reported: an ``aws.rds.Cluster`` with ``masterPassword`` or ``masterPasswordWo``, or an
``aws.rds.Instance`` with ``password`` or ``passwordWo``, set to anything, even a value still unknown
(a ``RandomPassword``); and, when no password is given, a ``manageMasterUserPassword`` that is not
``true`` on a database that sets a master user name. The password is never shown.

Not reported: a database that sets no master user name (a read replica, a restore from a snapshot:
the credentials come from the source); a ``manageMasterUserPassword`` unknown during a preview.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.aws_types import snake
from .._core.policy import MANDATORY, Finding, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource
from .._core.values import Prop

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"

PASSWORDS = {CLUSTER: ("masterPassword", "masterPasswordWo"), INSTANCE: ("password", "passwordWo")}
USERNAME = {CLUSTER: "masterUsername", INSTANCE: "username"}
SECRET_ARN = {CLUSTER: "cluster.master_user_secrets[0].secret_arn",
              INSTANCE: "instance.master_user_secrets[0].secret_arn"}


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if _unsupported(resource):
        return
    given = False
    for name in PASSWORDS[resource.type]:
        password = resource.get(name)
        if password.absent:
            continue
        given = True
        yield violation(resource, name, _found(password),
                        "not set, with manageMasterUserPassword true so that RDS generates, stores and "
                        "rotates the password in Secrets Manager", _fix(resource, f" instead of {snake(name)}=..."))
    managed = resource.get("manageMasterUserPassword")
    if given or managed.unknown or managed.as_bool() is True:
        return
    if resource.get(USERNAME[resource.type]).absent:
        return  # a replica or a restore: the credentials come from the source
    found = "not set" if managed.absent else managed.display()
    yield violation(resource, "manageMasterUserPassword", found,
                    "true (the database sets a master user and no password)", _fix(resource, ""))


def _unsupported(resource: Resource) -> bool:
    """Where AWS does not manage master passwords (Aurora User Guide, "Limitations for Secrets Manager
    integration"): a cluster in an Aurora global database, Aurora Serverless v1, and Blue/Green
    deployments. The fix would fail there; an unknown value counts as such a setting."""
    if not resource.get("globalClusterIdentifier").absent:
        return True
    mode = resource.get("engineMode")
    if mode.unknown or mode.as_str() == "serverless":
        return True
    blue_green = resource.get("blueGreenUpdate", "enabled")
    return blue_green.unknown or blue_green.as_bool() is True


def _found(password: Prop) -> str:
    if password.unknown:
        return "set (to a value computed during the deployment, e.g. a RandomPassword)"
    return "set ([secret]: pulumi-aws marks it secret whether it is a literal or generated)"


def _fix(resource: Resource, instead: str) -> str:
    return (f"manage_master_user_password=True{instead}; applications read the credentials from the "
            f"secret at {SECRET_ARN[resource.type]}")


POLICY = ResourcePolicy(
    name="rds-managed-master-password",
    description=("RDS clusters and instances use manageMasterUserPassword (a secret managed by AWS) "
                 "instead of a master password set by the program."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Remove master_password (aws.rds.Cluster) or password (aws.rds.Instance), and the _wo "
        "variants, and set manage_master_user_password=True; optionally master_user_secret_kms_key_id. "
        "Applications read the credentials from the secret at master_user_secrets[0].secret_arn."),
    tags=("security", "secrets", "rds"),
    types=frozenset(PASSWORDS),
    check=check,
)
