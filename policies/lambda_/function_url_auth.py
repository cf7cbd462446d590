"""lambda-function-url-auth: Lambda function URLs require IAM authentication.

Why: a function URL with ``authorizationType: NONE`` is a public HTTPS endpoint that anyone
on the internet can invoke, and pay for. ``AWS_IAM`` requires SigV4-signed requests from a
principal with ``lambda:InvokeFunctionUrl``.

Reported: an ``aws.lambda_.FunctionUrl`` whose ``authorizationType`` is ``NONE`` while neither its
function's name (``functionName``, or the name in its ARN) nor the URL's logical name matches
``publicFunctions``; and one whose ``authorizationType`` is not set or any value other than
``AWS_IAM`` or ``NONE``.

Not reported: an ``authorizationType`` unknown during a preview; a URL with ``NONE`` whose function
name is unknown during a preview while ``publicFunctions`` is set (it may match); functions that must
be public (webhooks called by a third party) and are listed in ``publicFunctions``. The permissions
that make a URL public are left to this policy: iam-public-principal does not report them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource

FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
FIX = ('authorization_type="AWS_IAM"; callers then need lambda:InvokeFunctionUrl and lambda:InvokeFunction '
       '(a public URL needs both as aws.lambda_.Permission: action="lambda:InvokeFunctionUrl" with '
       'function_url_auth_type="NONE", and action="lambda:InvokeFunction" with invoked_via_function_url=True)')


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    auth = resource.get("authorizationType")
    if auth.unknown:
        return
    value = auth.as_str()
    if value == "AWS_IAM":
        return
    patterns = ctx.config["publicFunctions"]
    if value == "NONE":
        allowed = is_public_allowed(resource, patterns)
        if allowed is not False:
            return
        found = ("'NONE' (anyone on the internet can invoke the function)" if not auth.secret
                 else auth.display())
        listed = (f"; neither the function name {_function(resource)} nor the logical name "
                  f"'{resource.name}' matches publicFunctions ({', '.join(patterns)})" if patterns else "")
        yield violation(resource, "authorizationType", found,
                        f"'AWS_IAM'{listed} (list a function in publicFunctions when it must be public)", FIX)
        return
    found = "not set (the provider requires it)" if auth.absent else auth.display()
    yield violation(resource, "authorizationType", found, "'AWS_IAM'", FIX)


def is_public_allowed(resource: Resource, patterns: tuple[str, ...]) -> bool | None:
    """Whether the config lets this URL's function be public; None while the name is unknown."""
    if not patterns:
        return False
    names = [resource.name]
    function = resource.get("functionName")
    name = function.as_str()
    if name:
        names.append(function_name(name))
    if any(fnmatch.fnmatchcase(n, p) for n in names for p in patterns):
        return True
    return None if function.unknown else False


def function_name(name_or_arn: str) -> str:
    """``my-fn`` from ``my-fn``, ``my-fn:alias``, a partial ARN ``123456789012:function:my-fn`` or a
    full ARN ``arn:aws:lambda:us-east-1:123456789012:function:my-fn[:alias]``."""
    _, marker, rest = name_or_arn.partition(":function:")
    return (rest if marker else name_or_arn).split(":", 1)[0]


def _function(resource: Resource) -> str:
    function = resource.get("functionName")
    name = function.as_str()
    return repr(function_name(name)) if name and not function.secret else function.display()


POLICY = ResourcePolicy(
    name="lambda-function-url-auth",
    description=("Lambda function URLs use authorizationType AWS_IAM; NONE only for the functions "
                 "the config lists as public."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Set authorization_type=\"AWS_IAM\" on aws.lambda_.FunctionUrl and grant callers "
        "lambda:InvokeFunctionUrl (aws.lambda_.Permission(action=\"lambda:InvokeFunctionUrl\", "
        "function_url_auth_type=\"AWS_IAM\", ...)); they sign requests with SigV4. A function that "
        "must be public (a third-party webhook) goes in publicFunctions, and verifies its callers itself."),
    tags=("security", "lambda"),
    types=frozenset({FUNCTION_URL}),
    options=(
        Option("publicFunctions", "array", [],
               "Glob patterns of function names (the functionName, or the name in its ARN) or logical "
               "names of function URLs that may use authorizationType NONE.",
               {"items": {"type": "string"}}),
    ),
    check=check,
)
