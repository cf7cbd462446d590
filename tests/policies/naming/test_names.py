import json
from functools import cache

import pytest

from policies._core import aws_types
from policies._core.context import StackContext
from policies.naming import names
from tests.conftest import check
from tools.aws_catalog import build

NAME = "environment-suffix-naming"
TABLE = "aws:dynamodb/table:Table"


@cache
def inputs() -> dict[str, set[str]]:
    return {token: set(res["inputs"]) for token, res in build().items()}


@pytest.mark.parametrize(("token", "parent"), sorted(names.PARENT_SCOPED.items()))
def test_parent_scoped_types_and_their_parent_inputs_exist_in_pulumi_aws(token, parent):
    assert token in inputs(), token
    assert parent in inputs()[token], f"{token} has no input {parent}"
    assert aws_types.physical_names(token), f"{token} has no physical name to exempt"


@pytest.mark.parametrize("token", sorted(names.NOT_UNIQUE))
def test_not_unique_types_exist_and_have_a_name(token):
    assert token in inputs() and aws_types.physical_names(token)


@pytest.mark.parametrize(("value", "logical", "generated"), [
    ("orders-1a2b3c4", "orders", True),
    ("ORDERS-1a2b3c4", "Orders", True),
    ("a-very-long-lo-1a2b3c4", "a-very-long-logical-name", True),
    ("orders-1a2b3c", "orders", False),  # six hex digits: not Pulumi's scheme
    ("orders-1a2b3cz", "orders", False),
    ("payments-1a2b3c4", "orders", False),
    ("-1a2b3c4", "orders", False),
    ("orders", "orders", False),
])
def test_default_autonames(value, logical, generated):
    assert names.is_default_autoname(value, logical) is generated


def autonaming(value: dict, stack: str = "dev") -> names.Autonaming:
    return names.Autonaming.from_config({"pulumi:autonaming": json.dumps(value)}, "shop", stack)


@pytest.mark.parametrize(("config", "value", "generated"), [
    ({"pattern": "${name}-${hex(8)}"}, "orders-0a1b2c3d", True),
    ({"pattern": "${name}-${hex(8)}"}, "orders-0a1b2c3", False),
    ({"pattern": "${project}-${stack}-${name}"}, "shop-dev-orders", True),  # the stack name: unique per stack
    ({"pattern": "${project}-${name}"}, "shop-orders", False),  # deterministic and shared by every stack
    ({"mode": "verbatim"}, "orders", False),
    ({"mode": "disabled"}, "orders-1a2b3c4", False),
    ({"providers": {"aws": {"pattern": "${name}_${alphanum(4)}"}}}, "orders_Ab12", True),
    ({"pattern": "${name}-${uuid}"}, "orders-123e4567-e89b-12d3-a456-426614174000", True),
    ({"pattern": "${name}-${config.region}-${num(3)}"}, "orders-eu-west-1-042", True),
])
def test_autonaming_config(config, value, generated):
    assert autonaming(config).generated(value, "orders", "dev") is generated


def test_malformed_autonaming_config_falls_back_to_the_default_scheme():
    broken = names.Autonaming.from_config({"pulumi:autonaming": "{not json"}, "shop", "dev")
    assert broken == names.Autonaming()
    assert names.Autonaming.from_config({"pulumi:autonaming": '{"mode": 3, "pattern": []}'}, "shop", "dev") \
        == names.Autonaming()


def test_a_pattern_cannot_make_matching_slow():
    slow = autonaming({"pattern": "${a}${b}${c}${d}${e}-${hex(4)}"})
    assert slow.generated("x" * 5000 + "-zzzz", "orders", "dev") is False


def test_names_from_the_stacks_autonaming_pattern_are_not_reported():
    stack = StackContext(stack="dev", project="shop",
                         config={"pulumi:autonaming": json.dumps({"pattern": "${name}-${hex(8)}"})})
    assert check(NAME, TABLE, {"name": "orders-0a1b2c3d"}, name="orders", stack=stack) == []


def test_a_verbatim_autonaming_makes_the_logical_name_the_physical_name():
    stack = StackContext(stack="dev", project="shop", config={"pulumi:autonaming": '{"mode": "verbatim"}'})
    (found,) = check(NAME, TABLE, {"name": "orders"}, name="orders", stack=stack)
    assert "name is 'orders'" in found.message


@pytest.mark.parametrize(("name", "suffix", "token"), [
    ("orders-prod", "dev", "prod"), ("orders-pr1234", "dev", "pr1234"), ("orders-dev", "pr7", "dev"),
    ("orders-dev", "dev", None), ("products", "dev", None), ("orders-useast1", "dev", None),
    ("orders-prod-pr1234", "dev", "pr1234"), ("prod-orders", "dev", "prod"),
])
def test_environment_tokens(name, suffix, token):
    assert names.environment_token(name, suffix) == token


@pytest.mark.parametrize(("name", "text"), [
    ("orders-${ENVIRONMENT_SUFFIX}", "${ENVIRONMENT_SUFFIX}"), ("orders-{environment_suffix}", "{environment_suffix}"),
    ("orders-dev", None), ("{}", None),
])
def test_placeholders(name, text):
    assert names.placeholder(name) == text


@pytest.mark.parametrize(("name", "word"), [
    ("secure-projectx-useast1-8c15de0d", "8c15de0d"),   # RandomId(byte_length=4).hex
    ("orders-x0n8b2o9", "x0n8b2o9"),                    # RandomString(length=8, upper=False, special=False)
    ("app-6ab6c7d3-7da9-4f6d", "6ab6c7d3"),             # a UUID's first group
    ("tap-data-5b522043", "5b522043"),                  # hex with a single letter
    ("orders-ab12cd34ef", "ab12cd34ef"),
    ("orders-bucket1234", None),                        # one run of digits: a word someone wrote
    ("s3bucket2024-dev", None),
    ("logs01", None),
    ("ipv6-pool", None),
    ("tap-infra-pr1234", None),
    ("us-east-1a", None),
    ("payments-2024-11-30", None),
    ("sa-dev-153187", None),                            # digits only
    ("payments-0a1b2c3", None),                         # an autoname's tail: judged against the logical name
])
def test_a_random_word_is_told_from_words_people_write(name, word):
    assert names.random_word(name) == word
