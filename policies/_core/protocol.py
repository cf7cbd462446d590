"""The Analyzer protocol's numbers, shared by the pack's server (``analyzer.py``) and the engine's
client (``aws_conventions/engine.py``): enforcement levels and severities as its enums number them,
and the largest message either side accepts."""

from __future__ import annotations

from pulumi.runtime.proto import analyzer_pb2 as pb

from .policy import ADVISORY, DISABLED, MANDATORY, REMEDIATE

LEVEL_TO_PB = {ADVISORY: pb.ADVISORY, MANDATORY: pb.MANDATORY, REMEDIATE: pb.REMEDIATE, DISABLED: pb.DISABLED}
PB_TO_LEVEL: dict[int, str] = {number: level for level, number in LEVEL_TO_PB.items()}
SEVERITY_TO_PB = {"low": pb.POLICY_SEVERITY_LOW, "medium": pb.POLICY_SEVERITY_MEDIUM,
                  "high": pb.POLICY_SEVERITY_HIGH, "critical": pb.POLICY_SEVERITY_CRITICAL,
                  "": pb.POLICY_SEVERITY_UNSPECIFIED}
PB_TO_SEVERITY: dict[int, str] = {number: severity for severity, number in SEVERITY_TO_PB.items()}
MAX_MESSAGE = 400 * 1024 * 1024
"""The largest request or answer in bytes, as the Pulumi SDK's own servers take them (gRPC's default,
4 MB, is too small for an ``AnalyzeStack`` of a large stack)."""
GRPC_OPTIONS = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]
"""The channel and server options that apply :data:`MAX_MESSAGE` both ways."""
