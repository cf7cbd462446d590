"""Every field of the Analyzer protocol is either used by the pack or deliberately ignored.

Walks the messages of ``pulumi/analyzer.proto`` (as compiled into the installed SDK) and fails
when a field appears nowhere in the pack's protocol code (``policies/_core``) and is not listed
below with the reason it is ignored. A new field in a newer SDK therefore fails this test until
someone decides what the pack does with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb

# Matched by name (``.field`` or ``field=``) in the protocol code; coarse, but it fails for a field
# that appears nowhere, which is what a newer proto adds.
CORE = Path(__file__).resolve().parents[2] / "policies" / "_core"

IGNORED = {
    "AnalyzerHandshakeRequest.engine_address": "the pack calls nothing on the engine",
    "AnalyzerHandshakeRequest.root_directory": "the pack runs from its own directory, which the engine also "
                                               "makes its working directory",
    "AnalyzerHandshakeRequest.program_directory": "the same directory as root_directory for an analyzer",
    "AnalyzerPropertyDependencies.urns": "read generically (getattr(v, 'urns', v)) in Resource.property_dependencies",
    # The name check below matches 'message' elsewhere; this one is deliberately left empty.
    "PolicyInfo.message": "superseded by description, remediation_steps and each diagnostic's own message",
}


def _fields():
    for message in pb.DESCRIPTOR.message_types_by_name.values():
        for nested in (message, *message.nested_types):
            if nested.GetOptions().map_entry:
                continue
            for f in nested.fields:
                yield f"{nested.name}.{f.name}", f.name


SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORE.glob("*.py")))


@pytest.mark.parametrize(("qualified", "name"), list(_fields()), ids=lambda v: v if "." in str(v) else "")
def test_every_protocol_field_is_used_or_deliberately_ignored(qualified, name):
    used = re.search(rf"(\.{name}\b|\b{name}=)", SOURCE) is not None
    assert used or qualified in IGNORED, (
        f"{qualified} is neither read nor written by policies/_core, nor listed in IGNORED with a reason")


def test_ignored_fields_still_exist():
    known = {q for q, _ in _fields()}
    assert set(IGNORED) <= known
