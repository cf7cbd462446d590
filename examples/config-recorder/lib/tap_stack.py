"""TapStack: compliance monitoring with AWS Config.

Violates account-singleton-duplicates (two configuration recorders in one stack),
account-singleton-owner (a per-environment stack creates the account's Config recorder),
config-dependency-order (the delivery channel, the recorder status and the rules are not ordered
after the recorder with depends_on) and s3-tls-only (the snapshot bucket has no policy that refuses
plain HTTP).
"""

from __future__ import annotations

from pulumi import ComponentResource, ResourceOptions

from .config_stack import ConfigStack
from .monitoring_stack import MonitoringStack


class TapStackArgs:
    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix or "dev"
        self.tags = tags or {}


class TapStack(ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        s = args.environment_suffix
        tags = {**args.tags, "Environment": s}
        self.config = ConfigStack(f"config-{s}", s, tags, ResourceOptions(parent=self))
        self.monitoring = MonitoringStack(f"monitoring-{s}", s, tags, ResourceOptions(parent=self))
        self.register_outputs({"recorder_name": self.config.recorder.name})
