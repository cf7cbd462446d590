"""TapStack: the payments API.

Violates environment-suffix-naming (a table and a function named without the suffix, so the
second environment's deployment collides with the first), xray-tracing (the function, the REST
API stage and the state machine do not trace) and apigateway-private-api-policy (the private API's
deployment is not created after its resource policy).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
from pulumi import ComponentResource, Output, ResourceOptions


class TapStackArgs:
    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix or "dev"
        self.tags = tags or {}


class TapStack(ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        s = args.environment_suffix
        tags = {**args.tags, "Environment": s}
        child = ResourceOptions(parent=self)

        # The physical name and the logical name are fixed: dev and prod collide.
        self.table = aws.dynamodb.Table(
            "payments",
            name="payments",
            billing_mode="PAY_PER_REQUEST",
            hash_key="paymentId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="paymentId", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            tags=tags,
            opts=child,
        )

        log_group = aws.cloudwatch.LogGroup(
            f"processor-logs-{s}",
            name="/aws/lambda/payment-processor",
            retention_in_days=14,
            tags=tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"processor-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"processor-policy-{s}",
            role=role.id,
            policy=Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
                     "Resource": self.table.arn},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": log_group.arn.apply(lambda arn: f"{arn}:*")},
                ],
            }),
            opts=child,
        )
        # The logical name carries the suffix but the function name does not; no tracing_config.
        self.function = aws.lambda_.Function(
            f"processor-{s}",
            name="payment-processor",
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE_NAME": self.table.name}),
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=[log_group]),
        )

        api = aws.apigateway.RestApi(
            f"payments-api-{s}", name=f"payments-api-{s}", tags=tags, opts=child,
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="PRIVATE"))
        # Only the payments VPC endpoint may call the private API.
        aws.apigateway.RestApiPolicy(f"payments-api-policy-{s}", rest_api_id=api.id, opts=child,
                                     policy=api.execution_arn.apply(lambda arn: json.dumps({
                                         "Version": "2012-10-17",
                                         "Statement": [{"Effect": "Allow", "Principal": "*",
                                                        "Action": "execute-api:Invoke", "Resource": f"{arn}/*",
                                                        "Condition": {"StringEquals": {
                                                            "aws:SourceVpce": "vpce-0a1b2c3d4e5f60718"}}}],
                                     })))
        resource = aws.apigateway.Resource(f"payments-resource-{s}", rest_api=api.id, parent_id=api.root_resource_id,
                                           path_part="payments", opts=child)
        method = aws.apigateway.Method(f"payments-post-{s}", rest_api=api.id, resource_id=resource.id,
                                       http_method="POST", authorization="AWS_IAM", opts=child)
        integration = aws.apigateway.Integration(
            f"payments-integration-{s}", rest_api=api.id, resource_id=resource.id, http_method=method.http_method,
            integration_http_method="POST", type="AWS_PROXY", uri=self.function.invoke_arn, opts=child)
        aws.lambda_.Permission(
            f"payments-invoke-{s}", action="lambda:InvokeFunction", function=self.function.name,
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/POST/payments"), opts=child)
        # Created in parallel with the API's policy: a first deployment can come before it.
        deployment = aws.apigateway.Deployment(
            f"payments-deployment-{s}", rest_api=api.id,
            opts=ResourceOptions(parent=self, depends_on=[integration]))
        # No xray_tracing_enabled=True.
        self.stage = aws.apigateway.Stage(f"payments-stage-{s}", rest_api=api.id, deployment=deployment.id,
                                          stage_name=s, tags=tags, opts=child)

        workflow_role = aws.iam.Role(
            f"workflow-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "states.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"workflow-policy-{s}",
            role=workflow_role.id,
            policy=self.function.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": arn}],
            })),
            opts=child,
        )
        # Tracing explicitly off.
        self.workflow = aws.sfn.StateMachine(
            f"refund-workflow-{s}",
            name=f"refund-workflow-{s}",
            role_arn=workflow_role.arn,
            definition=self.function.arn.apply(lambda arn: json.dumps({
                "StartAt": "Refund",
                "States": {"Refund": {"Type": "Task", "Resource": arn, "End": True}},
            })),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=False),
            tags=tags,
            opts=child,
        )

        self.register_outputs({"table_name": self.table.name})
