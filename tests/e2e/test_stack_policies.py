"""Stack policies end to end: Pulumi programs written the way users write them are run under the
SDK's mocks (``aws_conventions.testing.check_program``: the engine's requests, with parents, dependencies
and providers as the SDK sends them, and outputs unknown in a preview as a provider leaves them), and
the pack answers over gRPC as it does for ``pulumi preview``. A second part drives the pack directly
(``PackProcess``) with stacks no program produces: odd input must never crash a stack policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import ComponentResource, ResourceOptions

from aws_conventions.engine import PackProcess, StackResource
from aws_conventions.testing import Findings, check_program
from policies._core.values import UNKNOWN, Secret

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REGION = "us-east-1"
OURS = ("account-singleton-duplicates", "account-singleton-owner", "config-dependency-order", "stack-exports",
        "key-resource-exports", "lambda-log-group")


def check(program, *, preview: bool = True, policy_config: dict | None = None) -> list:
    """The findings of this issue's stack policies on ``program``."""
    findings: Findings = check_program(program, stack="dev", config={"aws:region": REGION},
                                       policy_config=policy_config, preview=preview)
    return [f for f in findings if f.policy in OURS]


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


# -- programs under mocks -------------------------------------------------------------------------


def test_recorder_and_rules_in_order_only_warn_about_config_ownership():
    [warning] = check(compliance_program)
    assert (warning.policy, warning.level, warning.resource_name) == (
        "account-singleton-owner", "advisory", "config-recorder-dev")
    assert "not configured as the owner of AWS Config" in warning.message
    assert '{"account-singleton-owner": {"configOwner": true}}' in warning.message


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_the_owning_stack_says_so_in_its_pack_config(preview):
    assert check(compliance_program, preview=preview,
                 policy_config={"account-singleton-owner": {"configOwner": True}}) == []


def test_rules_created_in_parallel_with_the_recorder_and_nothing_exported():
    found = check(compliance_program_as_first_written, policy_config={"account-singleton-owner": "disabled"})
    assert sorted((f.policy, f.level, f.resource_name) for f in found) == [
        ("config-dependency-order", "mandatory", "ec2-instance-detailed-monitoring-enabled-dev"),
        ("config-dependency-order", "mandatory", "rds-storage-encrypted-dev"),
        ("config-dependency-order", "mandatory", "s3-bucket-versioning-enabled-dev"),
        ("stack-exports", "mandatory", "e2e-dev"),
    ]
    for f in (f for f in found if f.policy == "config-dependency-order"):
        assert "does not depend on aws:cfg/recorder:Recorder 'config-recorder-dev'" in f.message
        assert "opts=pulumi.ResourceOptions(depends_on=[recorder])" in f.message
    exports = next(f for f in found if f.policy == "stack-exports")
    assert exports.resource_type == "pulumi:pulumi:Stack"
    assert "the stack exports no outputs" in exports.message
    assert "inside tap:config:ConfigStack 'config', tap:monitoring:MonitoringStack 'monitoring'" in exports.message
    assert "a component's register_outputs() does not export anything" in exports.message
    assert 'pulumi.export("compliance_results_dev_name", table.name)' in exports.message


def test_two_recorders_in_one_region_fail_the_preview():
    found = check(two_recorders_program, policy_config={"account-singleton-owner": {"configOwner": True}})
    assert sorted((f.policy, f.level, f.resource_name) for f in found) == [
        ("account-singleton-duplicates", "mandatory", "config-channel-primary-dev"),
        ("account-singleton-duplicates", "mandatory", "config-recorder-primary-dev"),
        ("account-singleton-duplicates", "mandatory", "config-status-primary-dev"),
    ]
    recorder = next(f for f in found if f.resource_name == "config-recorder-primary-dev")
    assert ("aws:cfg/recorder:Recorder 'config-recorder-audit-dev' and aws:cfg/recorder:Recorder "
            "'config-recorder-primary-dev': 2 copies of the AWS Config configuration recorder in region "
            "'us-east-1'") in recorder.message
    assert "MaxNumberOfConfigurationRecordersExceededException" in recorder.message


def test_recorders_in_two_regions_are_fine():
    assert check(two_regions_program, policy_config={"account-singleton-owner": {"configOwner": True}}) == []


def test_depends_on_a_component_covers_its_children():
    assert check(rules_after_the_whole_config_component,
                 policy_config={"account-singleton-owner": {"configOwner": True}}) == []


def test_exports_unknown_in_preview_are_never_reported():
    assert check(webhook_program(export_secret=False)) == []


def test_after_the_update_an_unexported_key_resource_is_reported():
    opt_in = {"key-resource-exports": "advisory"}
    assert check(webhook_program(export_secret=True), preview=False, policy_config=opt_in) == []
    assert check(webhook_program(export_secret=False), preview=False) == [], "opt-in: off by default"
    [found] = check(webhook_program(export_secret=False), preview=False, policy_config=opt_in)
    assert (found.policy, found.level, found.resource_name) == ("key-resource-exports", "advisory",
                                                                "webhook-api-key-dev")
    assert "none of its identifiers (arn 'arn:aws:secretsmanager:" in found.message
    assert 'pulumi.export("webhook_api_key_dev_arn", secret.arn)' in found.message


def test_function_without_its_log_group_is_reported_in_preview():
    def program() -> None:
        export_all(TapStack("tap-dev", "dev", log_group=False))

    [found] = check(program, policy_config={"account-singleton-owner": {"configOwner": True}})
    assert (found.policy, found.level, found.resource_name) == ("lambda-log-group", "mandatory",
                                                                "compliance-reporter-dev")
    assert "no aws.cloudwatch.LogGroup in the stack is named '/aws/lambda/compliance-reporter-dev'" in found.message


def log_groups_program() -> None:
    """Four functions and their groups, ordered as programs order them (or do not)."""
    role = aws.iam.Role("fn-role-dev", assume_role_policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    code = pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")})

    def function(name: str, **kwargs) -> aws.lambda_.Function:
        return aws.lambda_.Function(name, name=name, runtime="python3.12", handler="index.handler", role=role.arn,
                                    code=code, tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
                                    **kwargs)

    after = aws.cloudwatch.LogGroup("after-logs-dev", name="/aws/lambda/after-dev", retention_in_days=14)
    function("after-dev", opts=ResourceOptions(depends_on=[after]))
    custom = aws.cloudwatch.LogGroup("custom-logs-dev", name="/tap/custom-dev", retention_in_days=14)
    function("custom-dev", logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON",
                                                                                 log_group=custom.name))
    aws.cloudwatch.LogGroup("parallel-logs-dev", name="/aws/lambda/parallel-dev", retention_in_days=14)
    function("parallel-dev")
    late = function("late-dev")
    aws.cloudwatch.LogGroup("late-logs-dev", name=late.name.apply(lambda n: f"/aws/lambda/{n}"),
                            retention_in_days=14)
    pulumi.export("role", role.arn)


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_functions_created_before_their_log_groups_are_reported(preview):
    found = check(log_groups_program, preview=preview)
    assert sorted(f.resource_name for f in found) == ["late-dev", "parallel-dev"]
    late, parallel = sorted(found, key=lambda f: f.resource_name)
    assert late.policy == parallel.policy == "lambda-log-group"
    assert ("does not depend on its log group aws:cloudwatch/logGroup:LogGroup 'parallel-logs-dev' "
            "('/aws/lambda/parallel-dev')") in parallel.message
    assert "opts=pulumi.ResourceOptions(depends_on=[log_group])" in parallel.message
    assert "the group depends on the function" in late.message


def test_required_export_keys_from_the_pack_config():
    [found] = check(webhook_program(), policy_config={
        "stack-exports": {"requiredExports": ["lambda_function_url", "api_gateway_url"]}})
    assert found.policy == "stack-exports"
    assert 'the stack does not export "api_gateway_url"' in found.message


# -- the pack driven directly, with stacks no program produces --------------------------------------


@pytest.fixture(scope="module")
def pack():
    with PackProcess(stack="dev", project="tap", stack_config={"aws:region": REGION}) as p:
        p.configure_stack()
        yield p


@pytest.fixture(autouse=True)
def default_config(request):
    if "pack" in request.fixturenames:
        request.getfixturevalue("pack").configure({})


ROOT = StackResource("pulumi:pulumi:Stack", "tap-dev", {"table": "orders-dev"})
RECORDER = "aws:cfg/recorder:Recorder"


def test_odd_stacks_never_crash_a_stack_policy(pack):
    recorder = StackResource(RECORDER, "recorder", {"name": 7, "region": ["us-east-1"]},
                             parent="urn:pulumi:dev::tap::tap:index:Gone::missing", dependencies=("not-a-urn",))
    resources = [
        ROOT, ROOT, recorder, recorder,
        StackResource("aws:cfg/rule:Rule", "rule", {"name": None}, dependencies=(recorder.urn or "",)),
        StackResource("aws:cfg/recorderStatus:RecorderStatus", "status", {"name": {"nested": True}},
                      provider={"name": "odd", "properties": {"region": 5, "profile": Secret("p")}}),
        StackResource("aws:lambda/function:Function", "fn", {"name": ["a"], "loggingConfig": "text"}),
        StackResource("aws:cloudwatch/logGroup:LogGroup", "logs", {"name": None, "retentionInDays": "x"}),
        StackResource("aws:dynamodb/table:Table", "t", {"name": Secret("hidden-table"), "arn": 3}),
    ]
    diags = [d for d in pack.analyze_stack(resources) if d.policy in OURS]
    assert all("could not evaluate" not in d.message for d in diags)
    assert all("hidden-table" not in d.message for d in diags)


def test_a_finding_about_another_resource_carries_its_urn(pack):
    first = StackResource(RECORDER, "config-a", {"name": "a", "region": REGION})
    second = StackResource(RECORDER, "config-b", {"name": "b", "region": REGION})
    [diag] = [d for d in pack.analyze_stack([ROOT, first, second]) if d.policy == "account-singleton-duplicates"]
    assert diag.level == "mandatory"
    assert diag.urn == "urn:pulumi:dev::tap::aws:cfg/recorder:Recorder::config-b"
    assert diag.message.startswith("A stack creates at most one of each resource")


def test_export_values_unknown_at_any_depth_keep_key_resources_quiet(pack):
    pack.configure({"key-resource-exports": "advisory"})
    table = StackResource("aws:dynamodb/table:Table", "orders", {"name": "orders-dev", "arn": UNKNOWN})
    root = StackResource("pulumi:pulumi:Stack", "tap-dev", {"api": {"urls": ["https://x", UNKNOWN]}})
    assert [d for d in pack.analyze_stack([root, table]) if d.policy == "key-resource-exports"] == []
    root = StackResource("pulumi:pulumi:Stack", "tap-dev", {"api": {"urls": ["https://x"]}})
    [diag] = [d for d in pack.analyze_stack([root, table]) if d.policy == "key-resource-exports"]
    assert diag.urn.endswith("::orders") and diag.level == "advisory"


def test_reading_the_account_without_credentials_falls_back_in_the_plugin_process(tmp_path):
    """``readAccount`` as the engine runs it: botocore imported in the pack's process, the read in a
    thread, no credentials anywhere (and no metadata service): the configured quota decides, the
    message says why, and nothing escapes."""
    no_credentials = {"AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "c"),
                      "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    with PackProcess(stack="dev", project="tap", stack_config={"aws:region": REGION}, env=no_credentials) as p:
        p.configure_stack()
        p.configure({"lambda-reserved-concurrency": {"readAccount": True}})
        functions = [StackResource("aws:lambda/function:Function", f"fn-{i}", {"name": f"fn-{i}-dev",
                                                                              "reservedConcurrentExecutions": 500})
                     for i in range(2)]
        [found] = [d for d in p.analyze_stack([ROOT, *functions]) if d.policy == "lambda-reserved-concurrency"]
    assert "reserve 1000 concurrent executions" in found.message
    assert "(readAccount: the account could not be read: NoCredentialsError)" in found.message, found.message
