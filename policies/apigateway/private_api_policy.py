"""apigateway-private-api-policy: a private REST API has a resource policy before it is deployed.

Why: API Gateway refuses to deploy a PRIVATE REST API that has no resource policy: creating its
``aws.apigateway.Deployment`` fails with "BadRequestException: Private REST API doesn't have a
resource policy attached to it" (and without a policy nothing could invoke it through a VPC
endpoint anyway). A policy attached with a separate ``aws.apigateway.RestApiPolicy`` must exist
before the deployment: nothing in a deployment's arguments refers to it, so without ``depends_on``
Pulumi creates the two in parallel and the deployment fails on a first ``pulumi up``.

Reported:

* a REST API whose ``endpointConfiguration.types`` holds ``PRIVATE``, that sets no ``policy`` and that
  no ``aws.apigateway.RestApiPolicy`` of the stack names (``rest_api_id``), on the REST API;
* a deployment of such an API whose policy comes from a ``RestApiPolicy`` the deployment does not
  depend on (directly, through a property, a parent or transitively), on the deployment.

Not reported: REGIONAL and EDGE APIs (a resource policy is optional there; whether it opens the API
to everyone is ``iam-public-principal``'s); an endpoint type, a ``policy`` or a link between resources
that is unknown during a preview; a policy given inline (``RestApi(policy=...)``), which API Gateway
holds from the API's creation.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.dependencies import Upstream
from .._core.policy import MANDATORY, Finding, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView

REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
ERROR = "\"BadRequestException: Private REST API doesn't have a resource policy attached to it\""
POLICY_FIX = (
    "aws.apigateway.RestApiPolicy(\"api-policy\", rest_api_id=api.id, policy=pulumi.Output.json_dumps({\n"
    "    \"Version\": \"2012-10-17\",\n"
    "    \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"execute-api:Invoke\",\n"
    "                   \"Resource\": \"execute-api:/*\",\n"
    "                   \"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": vpc_endpoint.id}}}]}))\n"
    "and create the deployment after it: aws.apigateway.Deployment(..., "
    "opts=pulumi.ResourceOptions(depends_on=[api_policy]))")


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    private = [api for api in view.of_type(REST_API) if _is_private(api)]
    if not private:
        return
    policies = list(view.of_type(REST_API_POLICY))
    upstream: Upstream | None = None
    for api in private:
        if _inline_policy(api) is not False:
            continue
        attached = [p for p in policies if _names(p, "restApiId", api)]
        if any(_names(p, "restApiId", api) is None for p in policies) and not attached:
            continue  # a policy whose API is unknown yet may be this one's
        if not attached:
            yield stated(api.label, "endpointConfiguration.types is PRIVATE and the API has no resource policy "
                         f"(no policy=, no aws.apigateway.RestApiPolicy for it): deploying it fails with {ERROR}, "
                         "and no VPC endpoint could invoke it.", POLICY_FIX, urn=api.urn, property="policy",
                         found="no resource policy", expected="a resource policy", cause="private-api-policy")
            continue
        for deployment in view.of_type(DEPLOYMENT):
            if not _names(deployment, "restApi", api):
                continue
            upstream = upstream or Upstream(view, (p.urn for p in policies))
            if not upstream.of(deployment.urn) & {p.urn for p in attached}:
                yield stated(
                    deployment.label,
                    f"it deploys the private REST API '{api.name}' but is not created after the API's resource "
                    f"policy {attached[0].label}: Pulumi creates the two in parallel, "
                    f"and a deployment that comes first fails with {ERROR}.",
                    "aws.apigateway.Deployment(..., opts=pulumi.ResourceOptions(depends_on=[api_policy])), "
                    "where api_policy is that RestApiPolicy", urn=deployment.urn,
                    cause="private-api-deployment-order")


def _inline_policy(api: Resource) -> bool | None:
    """Whether the API sets ``policy``; None when a preview cannot tell (the provider computes it
    when the program sets none)."""
    inline = api.get("policy")
    if inline.known:
        return bool(str(inline.value).strip())
    return api.given("policy")


def _is_private(api: Resource) -> bool:
    """``endpointConfiguration.types`` is one string in pulumi-aws 7 and a list of one in 6."""
    types = api.get("endpointConfiguration").first("types")
    values = types.value if isinstance(types.value, list) else [types.value]
    return types.known and any(isinstance(t, str) and t.strip().upper() == "PRIVATE" for t in values)


def _names(resource: Resource, key: str, api: Resource) -> bool | None:
    """Whether ``resource``'s ``key`` refers to ``api``: through a property dependency on its URN, or
    its id when both are known. None when that cannot be told during a preview."""
    if api.urn in resource.property_dependencies.get(key, ()):
        return True
    value = resource.get(key)
    if value.unknown:
        return None
    api_id = api.get("id")
    if value.known and api_id.known:
        return bool(value.value == api_id.value)
    return False


POLICY = StackPolicy(
    name="apigateway-private-api-policy",
    description="A private REST API has a resource policy, and its deployments are created after it.",
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Give the API a resource policy (policy= on aws.apigateway.RestApi, or an aws.apigateway.RestApiPolicy "
        "with rest_api_id=api.id) that allows execute-api:Invoke from your VPC endpoint (Condition "
        "aws:SourceVpce), and create every aws.apigateway.Deployment of it with "
        "opts=pulumi.ResourceOptions(depends_on=[api_policy])."),
    tags=("apigateway", "correctness"),
    check=check,
)
