"""One finding per mistake: the analyzer's merging per resource and condensing across resources."""


from policies._core.condense import HeldFindings, one_per_cause
from policies._core.context import StackContext
from policies._core.policy import Finding, PolicyContext
from policies._core.resource import Resource
from policies._core.values import Secret
from tests.conftest import analyzer_for, policy

NAMING = policy("environment-suffix-naming")
IAM = policy("iam-least-privilege")
STRINGIFIED = policy("stringified-output")
TABLE = "aws:dynamodb/table:Table"


def test_findings_without_a_cause_are_all_kept():
    found = [(IAM, "mandatory", Finding("a")), (IAM, "mandatory", Finding("b"))]
    assert one_per_cause(found) == found


def test_the_policy_that_owns_a_cause_keeps_it_and_keeps_every_finding_of_it():
    cause = "stringified-output:policy"
    iam = (IAM, "mandatory", Finding("unreadable", cause=cause))
    first = (STRINGIFIED, "mandatory", Finding("first f-string", cause=cause))
    second = (STRINGIFIED, "mandatory", Finding("second f-string", cause=cause))
    assert one_per_cause([iam, first, second]) == [first, second]


def test_without_the_owner_the_first_finding_of_a_cause_is_kept():
    a = (NAMING, "mandatory", Finding("physical", cause="token:prod"))
    b = (NAMING, "mandatory", Finding("logical", cause="token:prod"))
    assert one_per_cause([a, b]) == [a]


def _held(count: int, cause: str = "missing") -> HeldFindings:
    held = HeldFindings()
    for i in range(count):
        resource = Resource.of(TABLE, {"name": f"orders-{i}"}, name=f"orders-{i}")
        finding = Finding(f"orders-{i} lacks the suffix", property="name", found=f"'orders-{i}'", cause=cause)
        assert held.hold(resource, [(NAMING, "mandatory", finding), (IAM, "mandatory", Finding("kept"))]) \
            == [(IAM, "mandatory", Finding("kept"))]
    return held


def _context() -> PolicyContext:
    return PolicyContext(NAMING.defaults, StackContext(stack="dev"))


def test_a_cause_on_enough_resources_becomes_one_finding():
    released = _held(NAMING.condense_after).release(lambda p: _context())
    (policy_, level, finding) = released[0]
    assert len(released) == 1 and policy_ is NAMING and level == "mandatory"
    assert finding.urn is None, "reported at the stack"
    assert f"{NAMING.condense_after} explicit names do not carry the environment suffix 'dev'" in finding.message


def test_below_the_threshold_each_finding_goes_back_to_its_resource():
    released = _held(NAMING.condense_after - 1).release(lambda p: _context())
    assert [f.urn.rsplit("::", 1)[1] for _, _, f in released] == [f"orders-{i}" for i in range(len(released))]


def test_release_empties_the_held_findings():
    held = _held(2)
    assert len(held.release(lambda p: _context())) == 2
    assert held.release(lambda p: _context()) == []


def test_a_resource_analyzed_twice_is_held_once():
    held = HeldFindings()
    resource = Resource.of(TABLE, {"name": "orders"}, name="orders")
    for text in ("first analysis", "second analysis"):
        held.hold(resource, [(NAMING, "mandatory", Finding(text, property="name", cause="missing"))])
    assert [f.message for _, _, f in held.release(lambda p: _context())] == ["second analysis"]


def test_a_crashing_hook_loses_no_finding():
    def crash(*_):
        raise RuntimeError("boom")

    broken = NAMING.replace(condense=crash)
    held = HeldFindings()
    for i in range(6):
        held.hold(Resource.of(TABLE, name=f"t{i}"), [(broken, "mandatory", Finding(f"t{i}", cause="missing"))])
    assert sorted(f.message for _, _, f in held.release(lambda p: _context())) == [f"t{i}" for i in range(6)]


def test_nothing_is_held_outside_a_preview():
    analyzer = analyzer_for(NAMING.name, stack=StackContext(stack="dev", dry_run=False))
    resource = Resource.of(TABLE, {"name": "orders"}, name="orders")
    assert NAMING.name in [p.name for p, _, _ in analyzer.evaluate_resource(resource).findings]
    assert analyzer.release_held() == []


def test_a_held_finding_is_masked_against_the_secrets_of_the_bag_it_was_rendered_from():
    held = HeldFindings()
    resource = Resource.of(TABLE, {"name": Secret("orders-topsecret")}, name="orders")
    finding = Finding("name is 'orders-topsecret'", property="name", found="'orders-topsecret'",
                      expected="the suffix", fix='name=f"orders-topsecret-{suffix}"', cause="missing")
    assert held.hold(resource, [(NAMING, "mandatory", finding)], secrets=["orders-topsecret"]) == []
    ((_, _, released),) = held.release(lambda p: _context())
    assert "topsecret" not in f"{released.message} {released.found} {released.fix}"
    assert released.found == "'[secret]'" and released.property == "name"


def test_outside_a_preview_only_advisory_findings_the_stack_may_explain_are_held():
    on_demand = policy("dynamodb-on-demand")
    held = HeldFindings()
    table = Resource.of(TABLE, {"name": "orders-dev", "billingMode": "PROVISIONED"}, name="orders")
    finding = Finding("provisioned", property="billingMode", cause="dynamodb-on-demand:provisioned")
    naming = Finding("no suffix", property="name", cause="missing")
    now = held.hold(table, [(on_demand, "advisory", finding), (on_demand, "mandatory", finding),
                            (NAMING, "mandatory", naming)], preview=False)
    assert now == [(on_demand, "mandatory", finding), (NAMING, "mandatory", naming)]
    assert [f.message for _, _, f in held.release(lambda p: _context())] == ["provisioned"]
