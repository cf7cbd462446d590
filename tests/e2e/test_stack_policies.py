"""Stack policies end to end: Pulumi programs written the way users write them are run against a
recording engine, and what they register goes to the pack over gRPC (``AnalyzeStack``), as the
engine sends it after a preview or an update.

The recording engine is the SDK's mock monitor with its registration replaced: it keeps each
resource's parent, dependencies, property dependencies and provider exactly as the SDK sends them
(``depends_on`` on a component, for instance, arrives expanded to the component's children), and
answers like a provider would: physical names are autonamed and known in a preview, while ARNs, IDs,
URLs and blocks the provider fills in are unknown until an update.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import empty_pb2
from pulumi import ComponentResource, ResourceOptions
from pulumi.runtime import mocks, settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from aws_conventions.engine import PackProcess, StackResource
from policies._core import aws_types
from policies._core.values import UNKNOWN, decode_value, to_struct

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROJECT, STACK, REGION, ACCOUNT = "tap", "dev", "us-east-1", "123456789012"
OURS = {"account-singleton-duplicates", "account-singleton-owner", "config-dependency-order", "stack-exports",
        "key-resource-exports", "lambda-log-group"}
DEFAULT_PROVIDER = "default_7_51_1"

# -- the recording engine --------------------------------------------------------------------


class _NoInvokes(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict]:
        raise AssertionError("registration is handled by the recording engine")

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, None]:
        return {}, None


class _RecordingEngine(mocks.MockMonitor):
    def __init__(self, preview: bool) -> None:
        super().__init__(_NoInvokes())
        self.preview = preview
        self.registered: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = {k: decode_value(v) for k, v in request.object.fields.items()}
        outputs = self._outputs(request, inputs) if request.custom else {}
        self.registered[urn] = {
            "type": request.type, "name": request.name, "parent": request.parent, "outputs": outputs,
            "dependencies": tuple(request.dependencies), "provider": request.provider,
            "property_dependencies": {k: tuple(v.urns) for k, v in request.propertyDependencies.items() if v.urns},
        }
        resource_id = "" if self.preview else str(outputs.get("id", request.name))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=to_struct(outputs))

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn in self.registered:
            self.registered[request.urn]["outputs"] = {k: decode_value(v) for k, v in request.outputs.fields.items()}
        return empty_pb2.Empty()

    def _outputs(self, request: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """What a provider would return: inputs, autonames, and computed values (unknown in a preview)."""
        out = dict(inputs)
        if request.type.startswith("pulumi:providers:"):
            return out
        names = [n for n in aws_types.physical_names(request.type) if not n.endswith("Prefix")]
        if names and names[0] not in out:
            out[names[0]] = f"{request.name}-a1b2c3d"
        physical = str(out.get(names[0], request.name)) if names else request.name
        out.setdefault("region", REGION)
        service = request.type.split(":")[1].split("/")[0]
        computed = {"arn": f"arn:aws:{service}:{REGION}:{ACCOUNT}:{request.name}/{physical}", "id": physical,
                    **_COMPUTED.get(request.type, lambda p: {})(physical)}
        for key, value in computed.items():
            if key not in out:
                out[key] = UNKNOWN if self.preview else value
        return out


_COMPUTED: dict[str, Callable[[str], dict[str, Any]]] = {
    "aws:lambda/function:Function": lambda name: {
        "invokeArn": f"arn:aws:apigateway:{REGION}:lambda:path/functions/{name}/invocations",
        "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{name}"}},
    "aws:lambda/functionUrl:FunctionUrl": lambda name: {
        "functionUrl": "https://k3x7q9w2e5r8t1y4u6i0o3p5a8s2d4f.lambda-url.us-east-1.on.aws/",
        "urlId": "k3x7q9w2e5r8t1y4u6i0o3p5a8s2d4f"},
    "aws:sqs/queue:Queue": lambda name: {"url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"},
}


def run_program(program: Callable[[], None], *, preview: bool = True) -> list[StackResource]:
    """Run ``program`` as ``pulumi preview`` (or ``up``) would, and return what AnalyzeStack receives."""
    engine = _RecordingEngine(preview)
    settings.ROOT.set(None)
    settings.configure(mocks.MockSettings(
        monitor=engine, monitor_features=set(engine.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
        engine=mocks.MockEngine(None), project=PROJECT, stack=STACK, dry_run=preview, organization=None,
        callbacks=None))
    _sync_await(run_in_stack(program))
    return _stack_resources(engine.registered)


def _stack_resources(registered: dict[str, dict[str, Any]]) -> list[StackResource]:
    default = {"type": "pulumi:providers:aws", "name": DEFAULT_PROVIDER, "properties": {"region": REGION}}
    providers = {urn: {"type": r["type"], "name": r["name"], "urn": urn, "properties": r["outputs"]}
                 for urn, r in registered.items() if r["type"].startswith("pulumi:providers:")}
    out = [StackResource("pulumi:providers:aws", DEFAULT_PROVIDER, {"region": REGION})]
    for urn, r in registered.items():
        provider = None
        if r["type"].startswith("aws:"):
            provider = providers.get(r["provider"].rsplit("::", 1)[0], default) if r["provider"] else default
        out.append(StackResource(r["type"], r["name"], r["outputs"], urn=urn, parent=r["parent"],
                                 dependencies=r["dependencies"], property_dependencies=r["property_dependencies"],
                                 provider=provider))
    return out


# -- programs, written as users write them ------------------------------------------------------

CONFIG_RULES = ("S3_BUCKET_VERSIONING_ENABLED", "EC2_INSTANCE_DETAILED_MONITORING_ENABLED", "RDS_STORAGE_ENCRYPTED")


class ConfigStack(ComponentResource):
    """AWS Config as the AWS documentation orders it: recorder, delivery channel, recorder status."""

    def __init__(self, name: str, suffix: str, opts: ResourceOptions | None = None,
                 region: str | None = None) -> None:
        super().__init__("tap:config:ConfigStack", name, None, opts)
        child = ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"config-bucket-{suffix}", force_destroy=True, region=region, opts=child)
        self.role = aws.iam.Role(f"config-role-{suffix}", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "config.amazonaws.com"}}]}), opts=child)
        self.recorder = aws.cfg.Recorder(
            f"config-recorder-{suffix}", role_arn=self.role.arn, region=region,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(all_supported=True), opts=child)
        self.channel = aws.cfg.DeliveryChannel(
            f"config-channel-{suffix}", s3_bucket_name=self.bucket.bucket, region=region,
            opts=ResourceOptions(parent=self, depends_on=[self.recorder]))
        self.status = aws.cfg.RecorderStatus(
            f"config-status-{suffix}", name=self.recorder.name, is_enabled=True, region=region,
            opts=ResourceOptions(parent=self, depends_on=[self.channel]))
        self.register_outputs({"recorder_name": self.recorder.name})


class ComplianceStack(ComponentResource):
    def __init__(self, name: str, suffix: str, after: list[pulumi.Resource],
                 opts: ResourceOptions | None = None) -> None:
        super().__init__("tap:compliance:ComplianceStack", name, None, opts)
        self.rules = [
            aws.cfg.Rule(f"{rule.lower().replace('_', '-')}-{suffix}",
                         source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=rule),
                         opts=ResourceOptions(parent=self, depends_on=after))
            for rule in CONFIG_RULES]
        self.register_outputs({})


class MonitoringStack(ComponentResource):
    def __init__(self, name: str, suffix: str, log_group: bool = True, opts: ResourceOptions | None = None) -> None:
        super().__init__("tap:monitoring:MonitoringStack", name, None, opts)
        child = ResourceOptions(parent=self)
        self.table = aws.dynamodb.Table(f"compliance-results-{suffix}", billing_mode="PAY_PER_REQUEST",
                                        hash_key="resourceId",
                                        attributes=[aws.dynamodb.TableAttributeArgs(name="resourceId", type="S")],
                                        opts=child)
        self.topic = aws.sns.Topic(f"compliance-alerts-{suffix}", opts=child)
        self.role = aws.iam.Role(f"compliance-fn-role-{suffix}", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}), opts=child)
        function_name = f"compliance-reporter-{suffix}"
        depends = []
        if log_group:
            depends = [aws.cloudwatch.LogGroup(f"compliance-reporter-logs-{suffix}",
                                               name=f"/aws/lambda/{function_name}", retention_in_days=14, opts=child)]
        self.function = aws.lambda_.Function(
            function_name, name=function_name, runtime="python3.12", handler="index.handler", role=self.role.arn,
            code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")}),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": self.table.name,
                                                                       "TOPIC": self.topic.arn}),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            opts=ResourceOptions(parent=self, depends_on=depends))
        self.register_outputs({"table_name": self.table.name, "topic_arn": self.topic.arn})


class TapStack(ComponentResource):
    """The compliance program of the AWS Config example: Config, rules after it, and monitoring."""

    def __init__(self, name: str, suffix: str, *, rules_wait: bool = True, log_group: bool = True) -> None:
        super().__init__("tap:stack:TapStack", name, None, None)
        self.config = ConfigStack("config", suffix, ResourceOptions(parent=self))
        self.compliance = ComplianceStack("compliance", suffix, [self.config.status] if rules_wait else [],
                                          ResourceOptions(parent=self))
        self.monitoring = MonitoringStack("monitoring", suffix, log_group, ResourceOptions(parent=self))
        self.register_outputs({"recorder_name": self.config.recorder.name})


def export_all(stack: TapStack) -> None:
    pulumi.export("config_recorder_name", stack.config.recorder.name)
    pulumi.export("config_bucket_name", stack.config.bucket.bucket)
    pulumi.export("dynamodb_table_name", stack.monitoring.table.name)
    pulumi.export("sns_topic_arn", stack.monitoring.topic.arn)
    pulumi.export("lambda_function_name", stack.monitoring.function.name)
    pulumi.export("lambda_function_arn", stack.monitoring.function.arn)


def compliance_program() -> None:
    export_all(TapStack("tap-dev", "dev"))


def compliance_program_as_first_written() -> None:
    """Rules with no depends_on, and no pulumi.export: everything lives in the component."""
    TapStack("tap-dev", "dev", rules_wait=False)


def two_recorders_program() -> None:
    primary = ConfigStack("config-primary", "primary-dev")
    audit = ConfigStack("config-audit", "audit-dev")
    pulumi.export("recorders", [primary.recorder.name, audit.recorder.name])
    pulumi.export("buckets", [primary.bucket.bucket, audit.bucket.bucket])


def two_regions_program() -> None:
    east = ConfigStack("config-east", "east-dev")
    west = ConfigStack("config-west", "west-dev", region="us-west-2")
    pulumi.export("recorders", {"east": east.recorder.name, "west": west.recorder.name})
    pulumi.export("buckets", [east.bucket.bucket, west.bucket.bucket])


def rules_after_the_whole_config_component() -> None:
    config = ConfigStack("config", "dev")
    rules = ComplianceStack("compliance", "dev", [config])
    pulumi.export("recorder", config.recorder.name)
    pulumi.export("bucket", config.bucket.bucket)
    pulumi.export("rules", [r.name for r in rules.rules])


def webhook_program(export_secret: bool = True) -> Callable[[], None]:
    """The webhook of the Lambda example: function URL, table, secret, log group; exports for the tests."""
    def program() -> None:
        table = aws.dynamodb.Table("transactions-dev", billing_mode="PAY_PER_REQUEST", hash_key="id",
                                   attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")])
        secret = aws.secretsmanager.Secret("webhook-api-key-dev", recovery_window_in_days=0)
        logs = aws.cloudwatch.LogGroup("webhook-logs-dev", name="/aws/lambda/webhook-dev", retention_in_days=7)
        role = aws.iam.Role("webhook-role-dev", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))
        function = aws.lambda_.Function(
            "webhook-dev", name="webhook-dev", runtime="python3.12", handler="index.handler", role=role.arn,
            code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return {}\n")}),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": table.name, "SECRET": secret.arn}),
            opts=ResourceOptions(depends_on=[logs]))
        url = aws.lambda_.FunctionUrl("webhook-url-dev", function_name=function.name, authorization_type="AWS_IAM")
        pulumi.export("lambda_function_url", url.function_url)
        pulumi.export("dynamodb_table_arn", table.arn)
        pulumi.export("dynamodb_table_name", table.name)
        pulumi.export("lambda_function_name", function.name)
        if export_secret:
            pulumi.export("secrets_manager_arn", secret.arn)
    return program


# -- the pack, started once ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack():
    with PackProcess(stack=STACK, project=PROJECT, stack_config={"aws:region": REGION}) as p:
        p.configure_stack()
        yield p


@pytest.fixture(autouse=True)
def default_config(pack):
    pack.configure({})


def ours(pack: PackProcess, resources: list[StackResource]) -> list:
    return [d for d in pack.analyze_stack(resources) if d.policy in OURS]


def by_policy(diagnostics: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for d in diagnostics:
        out.setdefault(d.policy, []).append(d)
    return out


# -- tests --------------------------------------------------------------------------------------


def test_recorder_and_rules_in_order_only_warn_about_config_ownership(pack):
    diags = ours(pack, run_program(compliance_program))
    assert [(d.policy, d.level) for d in diags] == [("account-singleton-owner", "advisory")]
    [warning] = diags
    assert warning.urn.endswith("::config-recorder-dev")
    assert "not configured as the owner of AWS Config" in warning.detail
    assert '{"account-singleton-owner": {"configOwner": true}}' in warning.detail


def test_the_owning_stack_says_so_in_its_pack_config(pack):
    pack.configure({"account-singleton-owner": {"configOwner": True}})
    assert ours(pack, run_program(compliance_program)) == []
    assert ours(pack, run_program(compliance_program, preview=False)) == []


def test_rules_created_in_parallel_with_the_recorder_and_nothing_exported(pack):
    pack.configure({"account-singleton-owner": "disabled"})
    found = by_policy(ours(pack, run_program(compliance_program_as_first_written)))
    assert set(found) == {"config-dependency-order", "stack-exports"}
    rules = found["config-dependency-order"]
    assert sorted(d.urn.rsplit("::", 1)[1] for d in rules) == [
        "ec2-instance-detailed-monitoring-enabled-dev", "rds-storage-encrypted-dev", "s3-bucket-versioning-enabled-dev"]
    for d in rules:
        assert d.level == "mandatory"
        assert "does not depend on aws:cfg/recorderStatus:RecorderStatus 'config-status-dev'" in d.detail
        assert "opts=pulumi.ResourceOptions(depends_on=[recorder_status])" in d.detail
    [exports] = found["stack-exports"]
    assert exports.level == "mandatory"
    assert exports.urn == f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
    assert "the stack exports no outputs" in exports.detail
    assert "inside tap:config:ConfigStack 'config', tap:monitoring:MonitoringStack 'monitoring'" in exports.detail
    assert "a component's register_outputs() does not export anything" in exports.detail
    assert 'pulumi.export("compliance_results_dev_name", table.name)' in exports.detail


def test_two_recorders_in_one_region_fail_the_preview(pack):
    pack.configure({"account-singleton-owner": {"configOwner": True}})
    found = by_policy(ours(pack, run_program(two_recorders_program)))
    assert set(found) == {"account-singleton-duplicates"}
    messages = {d.urn.rsplit("::", 1)[1]: d for d in found["account-singleton-duplicates"]}
    assert set(messages) == {"config-recorder-primary-dev", "config-channel-primary-dev", "config-status-primary-dev"}
    recorder = messages["config-recorder-primary-dev"]
    assert recorder.level == "mandatory"
    assert ("aws:cfg/recorder:Recorder 'config-recorder-audit-dev' and aws:cfg/recorder:Recorder "
            "'config-recorder-primary-dev': 2 copies of the AWS Config configuration recorder in region "
            "'us-east-1'") in recorder.detail
    assert "MaxNumberOfConfigurationRecordersExceededException" in recorder.detail
    assert "MaxNumberOfDeliveryChannelsExceededException" in messages["config-channel-primary-dev"].detail


def test_recorders_in_two_regions_are_fine(pack):
    pack.configure({"account-singleton-owner": {"configOwner": True}})
    assert ours(pack, run_program(two_regions_program)) == []


def test_depends_on_a_component_covers_its_children(pack):
    pack.configure({"account-singleton-owner": {"configOwner": True}})
    assert ours(pack, run_program(rules_after_the_whole_config_component)) == []


def test_exports_unknown_in_preview_are_never_reported(pack):
    resources = run_program(webhook_program(export_secret=False))
    root = next(r for r in resources if r.type == "pulumi:pulumi:Stack")
    assert root.properties["lambda_function_url"] is UNKNOWN
    assert ours(pack, resources) == []


def test_after_the_update_an_unexported_key_resource_is_reported(pack):
    assert ours(pack, run_program(webhook_program(export_secret=True), preview=False)) == []
    [diag] = ours(pack, run_program(webhook_program(export_secret=False), preview=False))
    assert (diag.policy, diag.level) == ("key-resource-exports", "advisory")
    assert diag.urn.endswith("::webhook-api-key-dev")
    assert "none of its identifiers (arn 'arn:aws:secretsmanager:us-east-1:123456789012:" in diag.detail
    assert 'pulumi.export("webhook_api_key_dev_arn", secret.arn)' in diag.detail


def test_function_without_its_log_group_is_reported_in_preview(pack):
    pack.configure({"account-singleton-owner": {"configOwner": True}})

    def program() -> None:
        stack = TapStack("tap-dev", "dev", log_group=False)
        export_all(stack)

    [diag] = ours(pack, run_program(program))
    assert (diag.policy, diag.level) == ("lambda-log-group", "mandatory")
    assert diag.urn.endswith("::compliance-reporter-dev")
    assert "no aws.cloudwatch.LogGroup in the stack is named '/aws/lambda/compliance-reporter-dev'" in diag.detail
    assert diag.message.startswith("Every Lambda function has a CloudWatch log group")


def test_required_export_keys_from_the_pack_config(pack):
    pack.configure({"stack-exports": {"requiredExports": ["lambda_function_url", "api_gateway_url"]}})
    [diag] = ours(pack, run_program(webhook_program()))
    assert diag.policy == "stack-exports"
    assert 'the stack does not export "api_gateway_url"' in diag.detail
