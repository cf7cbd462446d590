"""Every project check and program-error explanation, with what it checks: the one list the README's
table and the tests follow.

The project checks read ``Pulumi.yaml``, ``Pulumi.<stack>.yaml``, ``requirements.txt`` and the entry
point before the program runs, with the rules the Pulumi CLI applies (``sdk/go/common/workspace/project.go``,
``pkg/workspace/config.go``, ``pkg/engine/project.go`` and the Python language host in pulumi/pulumi).
The explanations map a failed program's exception, and the frame that raised it, to a known cause.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    """``mandatory`` when the CLI or the program fails on it, ``advisory`` otherwise."""
    description: str


CHECKS = (
    Check("project-config", "mandatory",
          "Pulumi.yaml config is what the CLI accepts: a key of another namespace (aws:region) sets `value:`, "
          "never `default:` or `type:`; no key sets both `default:` and `value:`."),
    Check("project-main", "mandatory",
          "Pulumi.yaml's `main:` names a file or a directory with `__main__.py` that exists."),
    Check("project-entry-points", "advisory",
          "One entry point: no `__main__.py` beside the file `main:` names, which the CLI never runs."),
    Check("project-requirements", "mandatory",
          "With `runtime.options.virtualenv` and pip, a requirements.txt that lists pulumi and the provider "
          "packages the program imports, which the CLI installs into that virtualenv."),
    Check("project-lib-import", "advisory",
          "The entry file's imports of packages beside it (`from lib.tap_stack import ...`) resolve under "
          "`pulumi preview`, which runs a `main:` file without its directory on sys.path."),
    Check("project-line-endings", "advisory",
          "Python and YAML files use LF line endings, not CRLF."),
    Check("project-output-json", "advisory",
          "json.dumps over an attribute of a pulumi-aws resource (an Output) in the program's source, found "
          "without running it: inside an apply callback it fails only at `pulumi up`."),
    Check("stack-config-missing", "mandatory",
          "Pulumi.<stack>.yaml sets every project config key that Pulumi.yaml declares without a default."),
    Check("program-output-json", "mandatory",
          "A failed program explained: json.dumps over a document that holds Outputs; use "
          "pulumi.Output.json_dumps."),
    Check("program-unknown-argument", "mandatory",
          "A failed program explained: a keyword argument a pulumi-aws class or data-source function does not "
          "take, with the closest real argument from the installed pulumi_aws."),
    Check("program-resource-option", "mandatory",
          "A failed program explained: a resource option (depends_on, parent, protect...) passed as a resource "
          "argument instead of in opts=pulumi.ResourceOptions(...)."),
    Check("program-removed-argument", "mandatory",
          "A failed program explained: an argument that pulumi-aws 7 removed (aws.ec2.Eip(vpc=True)), and "
          "what replaces it."),
    Check("program-depends-on", "mandatory",
          "A failed program explained: depends_on given a list inside its list (depends_on=[methods, "
          "integration]); it takes a flat list of resources."),
    Check("program-unknown-class", "mandatory",
          "A failed program explained: a class the installed pulumi-aws does not have (renamed, moved or "
          "misspelt: aws.lambda_.EventInvokeConfig is FunctionEventInvokeConfig), with the closest it has."),
    Check("program-unknown-module", "mandatory",
          "A failed program explained: a pulumi_aws module that does not exist (`from pulumi_aws import logs`), "
          "with the module that holds the classes the program uses from it (aws.cloudwatch)."),
    Check("program-invoke-option", "mandatory",
          "A failed program explained: a resource option (ignore_changes, protect...) given to "
          "pulumi.InvokeOptions, the options of a data-source call, which reads and never manages."),
    Check("program-provider-setting", "mandatory",
          "A failed program explained: a provider setting written in Python (aws.config.region = ...); "
          "pulumi_aws.config only reads the stack's aws: configuration, which pulumi config set or an "
          "explicit aws.Provider sets."),
    Check("program-missing-import", "mandatory",
          "A failed program explained: a standard-library module (json, os, base64...), pulumi or pulumi_aws "
          "used in a file that never imports it (NameError: name 'json' is not defined)."),
    Check("program-undefined-name", "mandatory",
          "A failed program explained: a module of the program that reads, at its top level, a name nothing "
          "there defines (a fragment: a policy document using bucket that only a function would have)."),
    Check("program-output-attribute", "mandatory",
          "A failed program explained: an attribute read through an Output from the plain value it holds "
          "(bucket_name.arn: a name where the resource was meant), which fails inside the SDK, away from "
          "the program's line."),
    Check("program-data-source-result", "mandatory",
          "A failed program explained: what a data source returns (aws.iot.get_endpoint(), an object of fields) "
          "given where one value goes, with the field the program meant (endpoint_address)."),
    Check("program-missing-argument", "mandatory",
          "A failed program explained: a pulumi-aws class called without an argument it requires "
          "(aws.s3.BucketPublicAccessBlockArgs without bucket), which the fix names; or a class or function "
          "of the project (a TapStackArgs that takes more than the entry file passes)."),
    Check("program-nameless-resource", "mandatory",
          "A failed program explained: a resource created without its logical name, as another resource's "
          "argument (Method(integration=aws.apigateway.Integration(...))); a resource is declared on its own, "
          "with a name, and linked by its outputs."),
    Check("program-unknown-attribute", "mandatory",
          "A failed program explained: an output a pulumi-aws resource does not have, with the closest it has "
          "or the class of its module that has it (Secret.secret_string is SecretVersion's)."),
    Check("program-argument-type", "mandatory",
          "A failed program explained: a list where a pulumi-aws argument takes one value (pulumi-aws 7 made "
          "RestApiEndpointConfigurationArgs(types=...) a string), which the SDK rejects away from the program's line."),
    Check("program-missing-module", "mandatory",
          "A failed program explained: `No module named 'pulumi'`, a provider package or another package the "
          "program imports missing from the virtualenv."),
    Check("program-absent-module", "mandatory",
          "A failed program explained: a module of the project's own package that the project does not have "
          "(`from components.compute import ...` with no components/compute.py)."),
    Check("program-missing-name", "mandatory",
          "A failed program explained: a name imported from a module of the project that does not define it "
          "(`from modules.iam import create_role`), with the module that does, if one does."),
    Check("program-callback-parameter", "mandatory",
          "A failed program explained: an apply callback whose parameter hides a variable of the function around "
          "it (Output.all(...).apply(lambda args: ... args.environment_suffix)), so that it reads the Output's "
          "values where the program meant its own variable."),
    Check("program-none-unpacked", "mandatory",
          "A failed program explained: None unpacked with ** ({**self.tags, \"Name\": ...} where tags default to "
          "None and the entry file passes none)."),
    Check("program-local-module", "mandatory",
          "A failed program explained: a package of the project imported by a path that does not reach it "
          "(`from components.vpc import ...` when it is lib/components)."),
)
BY_NAME = {c.name: c for c in CHECKS}


def level_of(name: str) -> str:
    return BY_NAME[name].level
