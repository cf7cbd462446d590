"""rds-engine-version: RDS databases that upgrade minor versions by themselves name only the major one.

Why: AWS retires minor versions of its engines region by region, and once a minor version is retired
``CreateDBInstance`` and ``CreateDBCluster`` refuse it (``InvalidParameterCombination: Cannot find
version 15.4 for postgres``): a program that pins one deploys today and fails in every new
environment later, in another region sooner. With ``autoMinorVersionUpgrade`` (on unless set off)
AWS also moves the database past the pinned version in a maintenance window; the provider then reads
the running version back, and the next update asks RDS to go back to the pin (``Cannot upgrade
postgres from 15.5 to 15.4``). The major version alone is enough: pulumi-aws documents that an
instance with automatic minor upgrades takes a prefix such as ``8.0`` (for ``8.0.36``) and that a
cluster's version "can contain a partial version where supported by the API"; the RDS API reference
documents ``5.7`` or ``8.0`` for Aurora MySQL's default version (``CreateDBCluster``), and
terraform-provider-aws tests a major-only Aurora PostgreSQL cluster and MySQL instance.
``engineVersionActual`` reports the minor version chosen; ``aws.rds.get_engine_version(engine=...,
version="15", latest=True).version_actual`` tells the region's newest.

Reported: an ``aws.rds.Instance`` or ``aws.rds.Cluster`` whose engine is one of ``engines`` (by
default PostgreSQL, MySQL, MariaDB, Aurora PostgreSQL and Aurora MySQL) and whose ``engineVersion``
names a minor version (``15.4``, ``8.0.39``, ``10.11.8``, ``9.6.24``, ``8.0.mysql_aurora.3.04.0``),
while automatic minor upgrades are on.

Not reported: a major version (``15``, ``8.0``, ``10.11``, ``9.6``) or no version (AWS's default);
``autoMinorVersionUpgrade`` false (the team upgrades by hand and the pin is its record: on an Aurora
cluster, where its instances' setting counts too, this policy reads the cluster's, so a pin kept on
purpose turns it off there as well); values unknown during a preview or secret; Oracle and SQL
Server versions, and any version of another form; members of an Aurora global database, replicas
and databases restored from a snapshot, a point in time or an S3 backup, whose versions follow their
source; an Aurora instance (``aws.rds.ClusterInstance``, or an ``aws.rds.Instance`` of an Aurora
engine), which runs its cluster's version whatever its own ``engineVersion`` says (the fix for the
cluster says to leave that out).

On a database that exists, RDS may refuse the change when its default minor version is older than
the running one ("Cannot upgrade postgres from 16.4 to 16.3": some provider releases send the major
version as a modification): keep that environment's pin with a waiver until the default catches up.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
ENGINES = ("postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql")
"""Engines whose major version is known from the version's text."""
AURORA_MYSQL_RELEASE = ".mysql_aurora."
"""What separates Aurora MySQL's MySQL version from its own release: ``8.0.mysql_aurora.3.04.0``."""
SOURCES = {
    CLUSTER: ("globalClusterIdentifier", "replicationSourceIdentifier", "snapshotIdentifier",
              "restoreToPointInTime", "s3Import"),
    INSTANCE: ("replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime", "s3Import"),
}
"""The properties that make a database start from another's data, and so from its version."""


def major(engine: str, version: str) -> str | None:
    """The major version of ``version`` of ``engine``; None for a form this policy does not know.

    PostgreSQL counts majors by the first number from 10 on (``15.4`` is 15) and by the first two
    before it (``9.6.24`` is 9.6); MySQL and MariaDB by the first two (``8.0.39`` is 8.0, ``10.11.8``
    is 10.11); Aurora MySQL by the MySQL version before its release (``8.0.mysql_aurora.3.04.0`` is
    8.0)."""
    if engine == "aurora-mysql" and AURORA_MYSQL_RELEASE in version:
        mysql, release = version.split(AURORA_MYSQL_RELEASE, 1)
        if not _numbers(release) or not _numbers(mysql) or len(mysql.split(".")) != 2:
            return None
        if "." not in release:
            return version  # a release line (``8.0.mysql_aurora.3``) names no minor release
        version = mysql
    parts = version.split(".")
    if not _numbers(version) or len(parts[0]) > 4:
        return None
    if "postgres" in engine and int(parts[0]) >= 10:
        return parts[0]
    return ".".join(parts[:2])


def _numbers(text: str) -> bool:
    """Dot-separated ASCII digits: ``15.4``, ``3.04.0``."""
    return all(p.isascii() and p.isdigit() for p in text.split("."))


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    engine, version = resource.get("engine"), resource.get("engineVersion")
    name, text = engine.as_str(), version.as_str()
    if name is None or text is None or engine.secret or version.secret:
        return  # absent (AWS's default), unknown, secret or not a string
    if name not in ctx.config["engines"]:
        return
    if resource.type == INSTANCE and name.startswith("aurora"):
        return  # an Aurora instance runs its cluster's version
    if resource.sets_any(*SOURCES[resource.type]):
        return  # unknown counts as set: the version may follow another database's
    upgrades = resource.get("autoMinorVersionUpgrade")
    if upgrades.unknown or upgrades.as_bool() is False:
        return
    wanted = major(name, text)
    if wanted is None or wanted == text:
        return
    fix = f'engine_version="{wanted}"'
    if name.startswith("aurora"):
        fix += " (and none on its aws.rds.ClusterInstance resources: they run the cluster's version)"
    yield violation(
        resource, "engineVersion", f'"{text}", a minor version of {name}',
        f'the major version "{wanted}" while minor versions upgrade automatically', fix,
        note=(f"AWS retires minor versions (a new environment then fails with \"Cannot find version "
              f"{text} for {name}\"), and once a maintenance window has upgraded the database past the "
              f"pin, the next update tries to go back (\"Cannot upgrade {name} from ... to {text}\"); "
              f"engine_version_actual tells the minor version in use."))


POLICY = ResourcePolicy(
    name="rds-engine-version",
    description=("RDS instances and clusters that upgrade minor versions automatically name the major "
                 "engine version only, so that new environments do not ask for a retired minor version."),
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        'Give engine_version as the major version ("15" for PostgreSQL 15.4, "8.0" for MySQL 8.0.39) and '
        "leave auto_minor_version_upgrade on; read engine_version_actual for the minor version in use. "
        "To pin a minor version, set auto_minor_version_upgrade=False (on an Aurora cluster and its "
        'instances) and upgrade it yourself; aws.rds.get_engine_version(engine=..., version="15", '
        "latest=True).version_actual tells the region's newest."),
    tags=("reliability", "rds"),
    types=frozenset(SOURCES),
    options=(
        Option("engines", "array", list(ENGINES), "The engines checked.",
               {"items": {"type": "string", "enum": list(ENGINES)}, "uniqueItems": True}),
    ),
    check=check,
)
