"""What the naming policy knows about AWS names: which can collide, which Pulumi generated, and what a
name that misses the suffix carries instead.

A name collides across environments only when it is explicit (set by the program, not generated) and
AWS requires it to be unique in the account or region. Three kinds of name are therefore never
reported:

* names Pulumi generated: after the provider's Check the engine sends ``<logical name>-<7 hex>``, or
  what the stack's ``pulumi:autonaming`` pattern makes, with a random part or the stack name in it;
* names unique only within a parent (:data:`PARENT_SCOPED`): a model in its REST API, an inline policy
  in its role, a security group in its VPC. The parent is the stack's own, or carries the suffix;
* names AWS does not require to be unique (:data:`NOT_UNIQUE`): two REST APIs may share a name.
Prefix properties (``namePrefix``, ``bucketPrefix``) are completed with a unique part by the
provider, so they cannot collide either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .._core.regex import LazyPattern

if TYPE_CHECKING:
    from .._core.policy import PolicyContext

PARENT_SCOPED: Mapping[str, str] = {
    # type token -> the input that names the parent the name is unique within (checked against
    # pulumi_aws by tests/policies/naming/test_names.py)
    "aws:apigateway/authorizer:Authorizer": "restApi",
    "aws:apigateway/model:Model": "restApi",
    "aws:apigateway/requestValidator:RequestValidator": "restApi",
    "aws:apigateway/stage:Stage": "restApi",
    "aws:apigatewayv2/authorizer:Authorizer": "apiId",
    "aws:apigatewayv2/model:Model": "apiId",
    "aws:apigatewayv2/stage:Stage": "apiId",
    "aws:appautoscaling/policy:Policy": "resourceId",
    "aws:autoscaling/lifecycleHook:LifecycleHook": "autoscalingGroupName",
    "aws:autoscaling/policy:Policy": "autoscalingGroupName",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "logGroupName",
    "aws:cloudwatch/logStream:LogStream": "logGroupName",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "logGroup",
    "aws:cognito/resourceServer:ResourceServer": "userPoolId",
    "aws:cognito/userGroup:UserGroup": "userPoolId",
    "aws:cognito/userPoolClient:UserPoolClient": "userPoolId",
    "aws:ec2/securityGroup:SecurityGroup": "vpcId",
    "aws:ecs/service:Service": "cluster",
    "aws:glue/catalogTable:CatalogTable": "databaseName",
    "aws:iam/groupPolicy:GroupPolicy": "group",
    "aws:iam/rolePolicy:RolePolicy": "role",
    "aws:iam/userPolicy:UserPolicy": "user",
    "aws:lambda/alias:Alias": "functionName",
    "aws:lambda/permission:Permission": "function",
    "aws:route53/record:Record": "zoneId",
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration": "bucket",
    "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration": "bucket",
    "aws:s3/bucketMetric:BucketMetric": "bucket",
    "aws:s3/inventory:Inventory": "bucket",
}

NOT_UNIQUE: frozenset[str] = frozenset({
    # AWS accepts a second resource with the same name: the name is a label, the id is generated.
    "aws:apigateway/apiKey:ApiKey",
    "aws:apigateway/restApi:RestApi",
    "aws:apigatewayv2/api:Api",
    "aws:cognito/identityPool:IdentityPool",
    "aws:cognito/userPool:UserPool",
})

AWS_FIXED_NAMES = ["dms-vpc-role", "dms-cloudwatch-logs-role", "dms-access-for-endpoint"]
"""Role names AWS DMS requires verbatim (one per account): suffixing them breaks the service."""

_ENV_WORDS = frozenset({
    "dev", "develop", "development", "prod", "production", "prd", "staging", "stage", "stg", "test",
    "testing", "qa", "uat", "local", "sandbox", "preview", "demo", "preprod", "int", "integration",
})
_PR_TOKEN = LazyPattern(r"^pr\d+$")
_PLACEHOLDER = LazyPattern(r"\$\{[^}]{1,80}\}|\{[A-Za-z_][A-Za-z0-9_.]{0,80}\}")
_AUTONAME_TAIL = LazyPattern(r"-[0-9a-f]{7}$")
_RANDOM_PART = LazyPattern(r"\$\{(?:hex|alphanum|string|num)\(\d+\)\}|\$\{uuid\}")


def can_collide(token: str) -> bool:
    """Whether an explicit name of this type must be unique in the account or region."""
    return token not in PARENT_SCOPED and token not in NOT_UNIQUE


def placeholder(name: str) -> str | None:
    """Template text Python did not fill in (``'${ENVIRONMENT_SUFFIX}'``, ``'{env}'`` without ``f``)."""
    match = _PLACEHOLDER.search(name)
    return match.group(0) if match else None


def environment_token(name: str, suffix: str) -> str | None:
    """The last word of ``name`` that names an environment other than ``suffix`` ('prod',
    'pr1234'): a suffix stands last, while an earlier word is often another setting
    (``orders-prod-pr1234`` is environment 'prod', suffix 'pr1234')."""
    found = None
    for word in re.split(r"[^a-z0-9]+", name.lower()):
        if word != suffix.lower() and (word in _ENV_WORDS or _PR_TOKEN.match(word)):
            found = word
    return found


_LETTER_RUN = LazyPattern(r"[A-Za-z]{4}")
_HEX_WORD = LazyPattern(r"[0-9a-f]+|[0-9A-F]+")


def random_word(name: str) -> str | None:
    """A word of ``name`` that looks drawn at random, as ``RandomId.hex``, ``RandomString.result`` or a
    UUID give it (``orders-3fa9c1d2``), eight characters or more: hex digits with a letter and a digit
    among them, or letters and digits, at least two of each, the digits in two runs or more and never
    four letters in a row. Words people write do not look so ('v2', 'ipv6', 's3bucket2024',
    'logs01'), and neither does the seven-digit hex tail of Pulumi's autonames, which
    ``is_default_autoname`` judges against the logical name (copied to another resource, it is a
    literal that collides)."""
    for word in re.split(r"[^A-Za-z0-9]+", name):
        if len(word) < 8 or len(word) > 64:
            continue
        digits = sum(c.isdigit() for c in word)
        if not digits or digits == len(word):
            continue
        if _HEX_WORD.fullmatch(word):
            return str(word)
        if digits < 2 or len(word) - digits < 2 or _LETTER_RUN.search(word):
            continue
        if len(re.findall(r"[0-9]+", word)) >= 2:
            return str(word)
    return None


class Autonaming(NamedTuple):
    """The stack's ``pulumi:autonaming`` config, for the AWS provider (default: Pulumi's own scheme)."""

    mode: str = "default"
    pattern: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, str], project: str, stack: str) -> Autonaming:
        raw = config.get("pulumi:autonaming")
        try:
            data = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return cls()
        aws = (data.get("providers") or {}).get("aws") if isinstance(data.get("providers"), dict) else None
        chosen = aws if isinstance(aws, dict) else data
        mode = chosen.get("mode", data.get("mode", "default"))
        pattern = chosen.get("pattern", data.get("pattern", ""))
        if not isinstance(mode, str):
            mode = "default"
        if not isinstance(pattern, str):
            pattern = ""
        pattern = pattern.replace("${project}", project).replace("${stack}", stack)
        return cls(mode, pattern)

    def generated(self, value: str, logical: str, stack: str) -> bool:
        """Whether ``value`` is what the engine generated for a resource named ``logical``, in a way
        that cannot collide with another stack (a random part, or the stack's name)."""
        if self.mode == "verbatim" or self.mode == "disabled":
            return False
        if self.pattern:
            if not (_RANDOM_PART.search(self.pattern) or (stack and stack in self.pattern)):
                return False
            return _pattern_regex(self.pattern, logical).fullmatch(value) is not None
        return is_default_autoname(value, logical)


def autonaming(ctx: PolicyContext) -> Autonaming:
    """The stack's autonaming scheme; checks ask ``ctx.derived(autonaming)``, once per configuration."""
    return Autonaming.from_config(ctx.stack.config, ctx.stack.project, ctx.stack.stack)


def is_default_autoname(value: str, logical: str) -> bool:
    """``<logical>-<7 hex>``, the logical part possibly cut short or lower-cased by the provider."""
    if not _AUTONAME_TAIL.search(value):
        return False
    head = value[:-8]
    return bool(head) and logical.lower().startswith(head.lower())


@lru_cache(maxsize=64)
def _pattern_regex(pattern: str, logical: str) -> re.Pattern[str]:
    """A linear regex for an autonaming pattern: literals escaped, each expression a bounded class."""
    parts, pos = [], 0
    for match in re.finditer(r"\$\{([^}]*)\}", pattern):
        parts.append(re.escape(pattern[pos:match.start()]))
        expr = match.group(1)
        counted = re.fullmatch(r"(hex|alphanum|string|num)\((\d+)\)", expr)
        if expr == "name":
            parts.append(re.escape(logical))
        elif expr == "uuid":
            parts.append("[0-9a-fA-F-]{36}")
        elif counted:
            cls = {"hex": "[0-9a-fA-F]", "alphanum": "[0-9a-zA-Z]", "string": "[a-zA-Z]", "num": "[0-9]"}
            parts.append(f"{cls[counted.group(1)]}{{{int(counted.group(2))}}}")
        else:
            parts.append("[^$]{0,128}")
        pos = match.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("".join(parts), re.I)
