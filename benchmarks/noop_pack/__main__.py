"""The baseline: a pack on the stock pulumi-policy path whose two policies do nothing."""

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

PolicyPack("noop", [
    ResourceValidationPolicy(name="noop-resource", description="Does nothing.",
                             validate=lambda args, report_violation: None),
    StackValidationPolicy(name="noop-stack", description="Does nothing.",
                          validate=lambda args, report_violation: None),
])
