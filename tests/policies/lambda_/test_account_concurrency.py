"""Reading an account's Lambda concurrency (``readAccount``): the calls, and every way they can fail."""

import pytest
from botocore.exceptions import ClientError
from botocore.session import Session
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import Resource
from policies._core.context import StackContext
from policies._core.resource import Provider
from policies._core.values import Props
from policies.lambda_ import account_concurrency
from policies.lambda_.account_concurrency import Account, read

FUNCTION = "aws:lambda/function:Function"
STACK = StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"})
ACCOUNT_ID = "123456789012"


def function(name, provider=None):
    return Resource.of(FUNCTION, {"name": name, "runtime": "python3.12"}, name=name, provider=provider)


def provider(name, **props):
    return Provider("pulumi:providers:aws", f"urn:pulumi:dev::tap::pulumi:providers:aws::{name}", name,
                    Props.from_dict(props))


def stubbed(settings=None, reserved=None, settings_error=None):
    """A real botocore Lambda client whose answers are given: ``reserved`` maps function names to what
    GetFunctionConcurrency answers (an int, None for no reservation, or an error code)."""
    client = Session().create_client("lambda", region_name="us-east-1", aws_access_key_id="k",
                                     aws_secret_access_key="s")
    stub = Stubber(client)
    if settings_error:
        stub.add_client_error("get_account_settings", settings_error, f"not for {ACCOUNT_ID}")
    else:
        quota, unreserved = settings
        stub.add_response("get_account_settings", {"AccountLimit": {
            "ConcurrentExecutions": quota, "UnreservedConcurrentExecutions": unreserved}})
    for name, answer in (reserved or {}).items():
        if isinstance(answer, str):
            stub.add_client_error("get_function_concurrency", answer, f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:"
                                  f"function:{name}", expected_params={"FunctionName": name})
        else:
            stub.add_response("get_function_concurrency",
                              {} if answer is None else {"ReservedConcurrentExecutions": answer},
                              {"FunctionName": name})
    stub.activate()
    client.stub = stub
    return client


def factory(client, calls=None):
    def make(profile, region):
        if calls is not None:
            calls.append((profile, region))
        return client
    return make


def test_the_stacks_present_reservations_are_read_back():
    client = stubbed((1000, 500), {"a-dev": 300, "b-dev": None, "c-dev": "ResourceNotFoundException"})
    account = read([function("a-dev"), function("b-dev"), function("c-dev")], STACK, "us-east-1", factory(client))
    client.stub.assert_no_pending_responses()
    assert isinstance(account, Account)
    assert (account.quota, account.unreserved, account.held) == (1000, 500, {"a-dev": 300})
    assert account.elsewhere == 200, "reserved by functions outside the stack"
    assert account.reservable == 700, "the quota less the 100 kept and the 200 held elsewhere"


@pytest.mark.parametrize(("quota", "unreserved", "reservable"), [
    (10, 10, 0),      # a new account: the whole quota is kept
    (100, 100, 0),
    (150, 150, 50),
    (1000, 50, 0),    # others hold more than may be reserved: never negative
], ids=["new-account", "quota-of-100", "small-quota", "over-reserved-by-others"])
def test_what_is_kept_unreserved(quota, unreserved, reservable):
    account = read([function("a-dev")], STACK, "us-east-1", factory(stubbed((quota, unreserved), {"a-dev": None})))
    assert account.reservable == reservable


@pytest.mark.parametrize(("client", "reason"), [
    (lambda: stubbed(settings_error="AccessDeniedException"), "AccessDeniedException"),
    (lambda: stubbed((1000, 1000), {"a-dev": "ThrottlingException"}), "ThrottlingException"),
], ids=["settings-denied", "function-throttled"])
def test_a_failed_call_gives_its_code_and_never_its_text(client, reason):
    found = read([function("a-dev")], STACK, "us-east-1", factory(client()))
    assert found == reason


def test_any_error_while_reading_is_a_reason_not_an_exception():
    def broken(profile, region):
        raise RuntimeError(f"arn:aws:iam::{ACCOUNT_ID}:role/ci cannot")
    assert read([function("a-dev")], STACK, "us-east-1", broken) == "RuntimeError"
    error = ClientError({"Error": {"Code": "not a code: " + ACCOUNT_ID, "Message": ACCOUNT_ID}}, "GetAccountSettings")
    assert ACCOUNT_ID not in account_concurrency._reason(error)


def test_a_missing_profile_is_reported_by_name(monkeypatch, tmp_path):
    for variable in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(variable, str(tmp_path / "none"))
    stack = STACK._replace(config={**STACK.config, "aws:profile": "no-such-profile"})
    assert read([function("a-dev")], stack, "us-east-1") == "ProfileNotFound"


@pytest.mark.parametrize(("functions", "stack", "region", "reason"), [
    ([function("a-dev")], STACK, "", "no region is configured"),
    ([function("a-dev")], STACK._replace(environ={"AWS_ENDPOINT_URL": "http://localhost:4566"}), "us-east-1",
     "the functions deploy to an emulator"),
    ([function("a-dev", provider("other", assumeRoles=[{"roleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/x"}]))],
     STACK, "us-east-1", "provider 'other' has credentials of its own"),
    ([function("a-dev")], STACK._replace(config={"aws:region": "us-east-1", "aws:accessKey": "AKIA"}), "us-east-1",
     "the stack's aws: config gives the provider credentials of its own"),
], ids=["no-region", "emulator", "provider-assumes-a-role", "keys-in-stack-config"])
def test_credentials_the_pack_cannot_act_as_are_not_read(functions, stack, region, reason):
    def never(profile, region):
        raise AssertionError("no call expected")
    assert read(functions, stack, region, never) == reason


@pytest.mark.parametrize(("functions", "stack", "profile"), [
    ([function("a-dev")], STACK, None),
    ([function("a-dev")], STACK._replace(config={"aws:region": "us-east-1", "aws:profile": "ci"}), "ci"),
    ([function("a-dev", provider("west", profile="deploy", region="us-west-2"))], STACK, "deploy"),
    ([function("a-dev", provider("default_7_0_0", region="us-east-1"))], STACK, None),
], ids=["default-chain", "stack-profile", "provider-profile", "default-provider"])
def test_the_profile_read_with(functions, stack, profile):
    calls = []
    read(functions, stack, "eu-west-1", factory(stubbed((1000, 1000), {"a-dev": None}), calls))
    assert calls == [(profile, "eu-west-1")]


@pytest.fixture
def aws_files(monkeypatch, tmp_path):
    """An AWS config file of the test's own, and no credentials or profile from the environment."""
    config = tmp_path / "config"
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_METADATA_SERVICE_TIMEOUT",
                     "AWS_METADATA_SERVICE_NUM_ATTEMPTS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return config


def test_every_client_has_short_timeouts_and_retries_throttling(aws_files, monkeypatch):
    monkeypatch.setenv("AWS_METADATA_SERVICE_TIMEOUT", "30")
    aws_files.write_text("[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\nsource_profile = base\n"
                         "[profile base]\naws_access_key_id = k\naws_secret_access_key = s\n")
    from botocore.session import Session

    sessions = []
    real = Session.create_client
    monkeypatch.setattr(Session, "create_client", lambda self, *a, **k: sessions.append(self) or real(self, *a, **k))
    client = account_concurrency._client("ci", "eu-central-1")
    config = client.meta.config
    assert client.meta.region_name == "eu-central-1"
    assert (config.connect_timeout, config.read_timeout) == (3, 5)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    [session] = sessions
    assert session.get_default_client_config() is not None, "the STS client of the role's profile gets them too"
    assert session.get_default_client_config().read_timeout == 5
    assert session.get_config_variable("metadata_service_timeout") == 1, "not the environment's 30"
    assert session.get_config_variable("metadata_service_num_attempts") == 1


@pytest.mark.parametrize("setting", ["mfa_serial = arn:aws:iam::123456789012:mfa/me",
                                     "credential_process = /usr/bin/false"])
def test_a_profile_that_may_wait_on_a_person_or_a_program_is_not_read(aws_files, setting):
    aws_files.write_text(f"[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\n{setting}\n")
    key = setting.split(" ", 1)[0]
    stack = STACK._replace(config={**STACK.config, "aws:profile": "ci"})
    assert read([function("a-dev")], stack, "us-east-1") == f"the profile's {key}"


def test_a_read_that_takes_too_long_is_given_up(monkeypatch):
    import time

    monkeypatch.setattr(account_concurrency, "DEADLINE_S", 0.2)

    def slow(profile, region):
        time.sleep(2)
        raise AssertionError("given up before")
    started = time.monotonic()
    assert read([function("a-dev")], STACK, "us-east-1", slow).startswith("no answer within")
    assert time.monotonic() - started < 1.5


def test_a_function_whose_name_is_unknown_is_not_read():
    from policies._core.values import UNKNOWN

    unnamed = Resource.of(FUNCTION, {"name": UNKNOWN}, name="a-dev")
    assert read([unnamed], STACK, "us-east-1", factory(None)) == "a function's name is not known yet"


@pytest.mark.parametrize(("name", "default"), [("default", True), ("default_7_51_1", True),
                                               ("defaultWest", False), ("default-eu", False), ("west", False)])
def test_the_default_provider_is_told_by_its_whole_name(name, default):
    assert provider(name).is_default is default


ANSWERS = st.one_of(st.none(), st.integers(-5, 5000), st.text(max_size=5), st.floats(allow_nan=True),
                    st.lists(st.integers(), max_size=2),
                    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


class _Odd:
    """A client whose answers are whatever was generated: missing keys, wrong types, errors."""

    def __init__(self, settings, per_function):
        self.settings, self.per_function = settings, per_function

    def get_account_settings(self):
        if isinstance(self.settings, Exception):
            raise self.settings
        return self.settings

    def get_function_concurrency(self, FunctionName):
        return self.per_function


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(settings_answer=st.one_of(
           st.fixed_dictionaries({"AccountLimit": st.fixed_dictionaries(
               {"ConcurrentExecutions": ANSWERS, "UnreservedConcurrentExecutions": ANSWERS})}),
           st.dictionaries(st.text(max_size=4), ANSWERS, max_size=2),
           st.sampled_from([ValueError(ACCOUNT_ID), KeyError("AccountLimit"),
                            ClientError({"Error": {"Code": "AccessDeniedException", "Message": ACCOUNT_ID}}, "Get")])),
       per_function=st.one_of(st.dictionaries(st.sampled_from(["ReservedConcurrentExecutions", "x"]), ANSWERS,
                                              max_size=1), st.none()),
       names=st.lists(st.one_of(st.text(max_size=8), st.none(), st.integers()), min_size=1, max_size=3))
def test_no_answer_makes_the_read_raise_or_quote_what_it_was_told(settings_answer, per_function, names):
    functions = [Resource.of(FUNCTION, {"name": n}, name=f"fn-{i}") for i, n in enumerate(names)]
    found = read(functions, STACK, "us-east-1", factory(_Odd(settings_answer, per_function)))
    assert isinstance(found, (Account, str))
    if isinstance(found, str):
        assert ACCOUNT_ID not in found
    else:
        assert found.reservable >= 0
