"""targets.salesforce.client against the fake org: every auth mode, Metadata and REST helpers, retries,
timeouts and the errors users see. The real simple-salesforce does all the talking."""

from __future__ import annotations

import io
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fakes import sfzip
from fakes.fixtures import LoginHostAdapter

from handrail.specs.model import Environment
from handrail.targets.errors import AuthError, TargetError
from handrail.targets.salesforce.client import connect
from handrail.targets.transport.retry import RetryPolicy


def environment(auth: str, *, name: str = "sandbox", production: bool = False, **settings) -> Environment:
    return Environment(name, "salesforce", (("auth", auth), *settings.items()), production)


class Sleeps:
    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def quick_policy(sleeps: Sleeps | None = None, **overrides) -> RetryPolicy:
    return RetryPolicy(
        **{
            "attempts": 4,
            "base_delay": 0.01,
            "max_delay": 0.05,
            "deadline": 30.0,
            "sleep": sleeps or (lambda s: None),
            **overrides,
        }
    )


@pytest.fixture
def conn(fake_salesforce):
    environ = {"SF_ACCESS_TOKEN": fake_salesforce.session_id, "SF_INSTANCE_URL": fake_salesforce.url}
    return connect(environment("access_token"), environ=environ, retry_policy=quick_policy())


def deployed(conn, zip_bytes: bytes, **options):
    return conn.wait_for_deploy(conn.deploy(zip_bytes, **options), sleep=lambda s: None)


# -- auth modes ------------------------------------------------------------------------------------------
def test_access_token_and_instance_url_from_named_variables(fake_salesforce):
    environ = {"ORG_TOKEN": fake_salesforce.session_id, "ORG_URL": fake_salesforce.url}
    conn = connect(
        environment("access_token", access_token_env="ORG_TOKEN", instance_url_env="ORG_URL"), environ=environ
    )
    fake_salesforce.org.add_record("Opportunity", Name="Acme", StageName="Closed Won")
    assert [r["Name"] for r in conn.query_all("SELECT Name FROM Opportunity")] == ["Acme"]
    assert conn.instance_url == fake_salesforce.url and conn.api_version == "63.0"


def test_password_login_goes_to_the_sandbox_or_production_login_host(fake_salesforce, login_routes):
    adapter, mounts = login_routes
    fake_salesforce.add_user("rep@example.com", "hunter2!", "TOKEN123")
    environ = {"SF_USERNAME": "rep@example.com", "SF_PASSWORD": "hunter2!", "SF_SECURITY_TOKEN": "TOKEN123"}
    sandbox = connect(
        environment("password", login_url="https://test.salesforce.com"), environ=environ, mounts=mounts
    )
    production = connect(
        environment("password", name="production", production=True), environ=environ, mounts=mounts
    )
    assert adapter.hosts == ["test.salesforce.com", "login.salesforce.com"]
    assert [login["flow"] for login in fake_salesforce.logins] == ["password", "password"]
    assert sandbox.query_all("SELECT Id FROM User") and production.instance_url == fake_salesforce.url


def test_a_refused_password_login_says_what_to_check(fake_salesforce, login_routes):
    fake_salesforce.add_user("rep@example.com", "right", "")
    environ = {"SF_USERNAME": "rep@example.com", "SF_PASSWORD": "wrong", "SF_SECURITY_TOKEN": ""}
    with pytest.raises(AuthError) as refused:
        connect(environment("password"), environ=environ, mounts=login_routes[1])
    message = str(refused.value)
    assert "INVALID_LOGIN" in message and "security token" in message and "wrong" not in message


@pytest.fixture
def jwt_app(fake_salesforce, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    fake_salesforce.add_connected_app(
        "3MVG9-consumer-key",
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    fake_salesforce.add_user("ci@example.com", "unused", "")
    return {
        "SF_USERNAME": "ci@example.com",
        "SF_CONSUMER_KEY": "3MVG9-consumer-key",
        "SF_PRIVATE_KEY_FILE": str(key_file),
    }


def test_jwt_bearer_login_for_a_sandbox(fake_salesforce, login_routes, jwt_app):
    adapter, mounts = login_routes
    conn = connect(
        environment("jwt", login_url="https://test.salesforce.com"), environ=jwt_app, mounts=mounts
    )
    assert fake_salesforce.logins == [
        {"flow": "jwt", "username": "ci@example.com", "audience": "https://test.salesforce.com"}
    ]
    assert adapter.hosts == ["test.salesforce.com"] and conn.query_all("SELECT Id FROM User")


def test_jwt_bearer_login_through_a_my_domain(fake_salesforce, jwt_app):
    adapter = LoginHostAdapter(fake_salesforce.url)
    connect(
        environment("jwt", name="production", production=True, login_url="https://acme.my.salesforce.com"),
        environ=jwt_app,
        mounts={"https://acme.my.salesforce.com": adapter},
    )
    assert adapter.hosts == ["acme.my.salesforce.com"]
    assert fake_salesforce.logins[-1]["audience"] == "https://login.salesforce.com"


def write_fake_sf(folder: Path, instance_url: str, token: str, *, fail: bool = False) -> Path:
    """An `sf` executable answering `org display` (token redacted, as sf >= 5.11 does) and
    `org auth show-access-token`, or failing like an unknown alias."""
    script = folder / "sf"
    script.write_text(f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
if {fail!r}:
    alias = args[args.index("--target-org") + 1]
    print(json.dumps({{"status": 1, "name": "NamedOrgNotFoundError",
                      "message": "No authorization information found for " + alias}}))
    sys.exit(1)
if args[:2] == ["org", "display"]:
    result = {{"instanceUrl": {instance_url!r}, "username": "ci@example.com", "id": "00D000000000001",
              "accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view"}}
elif args[:3] == ["org", "auth", "show-access-token"]:
    result = {{"accessToken": {token!r}}}
else:
    sys.exit(2)
print(json.dumps({{"status": 0, "result": result}}))
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_sf_cli_alias_uses_the_cli_for_token_and_instance(fake_salesforce, tmp_path):
    write_fake_sf(tmp_path, fake_salesforce.url, fake_salesforce.session_id)
    environ = {"PATH": str(tmp_path), "HOME": str(tmp_path)}
    conn = connect(
        environment("sf_cli", name="production", production=True, sf_alias="handrail-prod"), environ=environ
    )
    assert conn.instance_url == fake_salesforce.url
    assert conn.query_all("SELECT Id FROM User")


def test_sf_cli_failures_explain_what_to_do(fake_salesforce, tmp_path):
    env = environment("sf_cli", sf_alias="nobody")
    with pytest.raises(AuthError, match="not installed or not on PATH"):
        connect(env, environ={"PATH": str(tmp_path / "empty")})
    write_fake_sf(tmp_path, fake_salesforce.url, "unused", fail=True)
    with pytest.raises(AuthError) as failed:
        connect(env, environ={"PATH": str(tmp_path)})
    assert "No authorization information found for nobody" in str(failed.value)
    assert "sf org login web --alias nobody" in str(failed.value)
    with pytest.raises(AuthError, match="sf_alias"):
        connect(environment("sf_cli"), environ={})


def test_an_injected_sf_runner_is_used(fake_salesforce):
    seen = []

    def runner(argv, environ):
        seen.append(argv[1:3])
        if argv[1:3] == ["org", "display"]:
            return 0, f'{{"status": 0, "result": {{"instanceUrl": "{fake_salesforce.url}"}}}}', ""
        return 0, f'{{"status": 0, "result": {{"accessToken": "{fake_salesforce.session_id}"}}}}', ""

    connect(environment("sf_cli", sf_alias="dev"), environ={}, sf_runner=runner)
    assert seen == [["org", "display"], ["org", "auth"]]


@pytest.mark.parametrize(
    "auth, settings, variable",
    [
        ("jwt", {}, "SF_USERNAME"),
        ("jwt", {"username_env": "CI_SF_USER"}, "CI_SF_USER"),
        ("password", {}, "SF_USERNAME"),
        ("access_token", {}, "SF_ACCESS_TOKEN"),
    ],
)
def test_missing_environment_variables_are_named(auth, settings, variable):
    with pytest.raises(AuthError) as missing:
        connect(environment(auth, **settings), environ={})
    message = str(missing.value)
    assert f"environment variable {variable} is not set" in message
    assert f"export {variable}=" in message and "environments.sandbox" in message


def test_a_missing_private_key_file_is_reported(tmp_path):
    environ = {"SF_USERNAME": "u", "SF_CONSUMER_KEY": "k", "SF_PRIVATE_KEY_FILE": str(tmp_path / "nope.key")}
    with pytest.raises(AuthError, match="nope.key does not exist"):
        connect(environment("jwt"), environ=environ)


def test_wrong_targets_and_login_urls_are_refused():
    with pytest.raises(AuthError, match="not a Salesforce login address"):
        connect(
            environment("password", login_url="https://example.com"),
            environ={"SF_USERNAME": "u", "SF_PASSWORD": "p", "SF_SECURITY_TOKEN": ""},
        )
    with pytest.raises(AuthError, match="not salesforce"):
        connect(Environment("hubspot", "hubspot", (("auth", "private_app"),)), environ={})


# -- Metadata API helpers --------------------------------------------------------------------------------
def test_deploy_failures_come_back_with_component_locations(fake_salesforce, conn):
    bad = sfzip.text_field("Broken__c", "Broken").replace(
        "<required>false</required>", "<required>no</required>"
    )
    zip_bytes = sfzip.build(
        {
            "package.xml": sfzip.package_xml({"CustomField": ["Opportunity.Broken__c"]}),
            "objects/Opportunity.object": sfzip.object_file(bad),
        }
    )
    seen = []
    deploy_id = conn.deploy(zip_bytes)
    status = conn.wait_for_deploy(
        deploy_id, sleep=lambda s: None, on_progress=lambda s: seen.append(s.status)
    )
    assert seen == ["InProgress", "Failed"] and not status.success
    [failure] = status.failures
    assert (failure.component_type, failure.full_name, failure.file_name, failure.line) == (
        "CustomField",
        "Opportunity.Broken__c",
        "objects/Opportunity.object",
        7,
    )
    assert fake_salesforce.org.fields == {}


def test_deploys_always_ask_for_rollback_and_check_only_applies_nothing(fake_salesforce, conn):
    status = deployed(conn, sfzip.fields_zip(("Checked__c", "Checked")), check_only=True)
    assert status.success and status.check_only and fake_salesforce.org.fields == {}
    [job] = fake_salesforce.deploy_history
    assert job.options["rollbackOnError"] == "true" and job.options["checkOnly"] == "true"


def test_metadata_calls_do_not_leak_headers_into_rest_calls(fake_salesforce, conn):
    deployed(conn, sfzip.fields_zip(("A__c", "A")))
    conn.retrieve({"CustomField": ["Opportunity.A__c"]}, sleep=lambda s: None)
    conn.query_all("SELECT Id FROM Opportunity")
    headers = fake_salesforce.calls("query")[-1].headers
    assert headers["Content-Type"] == "application/json" and "SOAPAction" not in headers
    assert "SOAPAction" not in conn.sf.headers


def test_read_metadata_batches_ten_names_per_call(fake_salesforce, conn):
    names = [(f"Field_{i:02}__c", f"Field {i}") for i in range(25)]
    deployed(conn, sfzip.fields_zip(*names))
    fake_salesforce.clear_log()
    records = conn.read_metadata(
        "CustomField", [f"Opportunity.{n}" for n, _ in names] + ["Opportunity.Gone__c"]
    )
    assert [r["label"] for r in records] == [label for _, label in names]
    assert fake_salesforce.count("readMetadata") == 3
    listed = conn.list_metadata("CustomField")
    assert len(listed) == 25 and listed[0]["fileName"] == "objects/Opportunity.object"


def test_retrieve_gives_the_zip_and_the_missing_members(fake_salesforce, conn):
    deployed(conn, sfzip.fields_zip(("A__c", "Alpha")))
    result = conn.retrieve({"CustomField": ["Opportunity.A__c", "Opportunity.Gone__c"]}, sleep=lambda s: None)
    with zipfile.ZipFile(io.BytesIO(result.zip_bytes)) as archive:
        assert sorted(archive.namelist()) == ["objects/Opportunity.object", "package.xml"]
        assert b"<label>Alpha</label>" in archive.read("objects/Opportunity.object")
    assert result.messages == ("Entity of type 'CustomField' named 'Opportunity.Gone__c' cannot be found",)


# -- queries ----------------------------------------------------------------------------------------------
def test_query_pages_and_bulk_query(fake_salesforce, conn):
    fake_salesforce.org.add_records(
        "Opportunity", ({"Name": f"D{i}", "StageName": "Closed Won"} for i in range(2300))
    )
    pages = list(conn.query_pages("SELECT Id, Name FROM Opportunity", batch_size=1000))
    assert [len(p) for p in pages] == [1000, 1000, 300]
    assert conn.count("SELECT COUNT() FROM Opportunity WHERE StageName = 'Closed Won'") == 2300
    csv_pages = list(
        conn.bulk_query("Opportunity", "SELECT Id, Name FROM Opportunity", page_size=1000, poll_interval=0)
    )
    assert [len(p.splitlines()) - 1 for p in csv_pages] == [1000, 1000, 300]


# -- faults, retries, timeouts -----------------------------------------------------------------------------
def test_429_on_a_query_waits_for_retry_after(fake_salesforce):
    sleeps = Sleeps()
    environ = {"SF_ACCESS_TOKEN": fake_salesforce.session_id, "SF_INSTANCE_URL": fake_salesforce.url}
    conn = connect(environment("access_token"), environ=environ, retry_policy=quick_policy(sleeps))
    fake_salesforce.inject("query", status=429, retry_after=2)
    assert conn.query_all("SELECT Id FROM User")
    assert sleeps.waits == [2.0] and fake_salesforce.count("query") == 2


def test_500s_while_polling_a_deploy_are_retried(fake_salesforce, conn):
    deploy_id = conn.deploy(sfzip.fields_zip(("A__c", "A")))
    fake_salesforce.inject("checkDeployStatus", status=500, times=2)
    assert conn.wait_for_deploy(deploy_id, sleep=lambda s: None).success
    assert fake_salesforce.count("checkDeployStatus") == 4  # 2 failures, InProgress, Succeeded


def test_a_dropped_connection_during_a_read_is_retried(fake_salesforce, conn):
    deployed(conn, sfzip.fields_zip(("A__c", "A")))
    fake_salesforce.inject("readMetadata", drop_connection=True)
    assert [r["fullName"] for r in conn.read_metadata("CustomField", ["Opportunity.A__c"])] == [
        "Opportunity.A__c"
    ]
    assert fake_salesforce.count("readMetadata") == 2


def test_a_deploy_submit_is_never_resubmitted(fake_salesforce, conn):
    fake_salesforce.inject("deploy", drop_connection=True, when="after")  # processed, reply lost
    deploy_id = conn.deploy(sfzip.fields_zip(("A__c", "A")))  # found among the org's DeployRequests
    assert fake_salesforce.count("deploy") == 1 and deploy_id in fake_salesforce.metadata.deploys
    assert conn.wait_for_deploy(deploy_id, sleep=lambda s: None).status == "Succeeded"
    assert set(fake_salesforce.org.fields) == {"Opportunity.A__c"}
    fake_salesforce.inject("deploy", status=503)  # refused before the org took it: no deploy to follow
    with pytest.raises(TargetError, match="HTTP 503") as failed:
        conn.deploy(sfzip.fields_zip(("B__c", "B")))
    assert "a deploy may be running" in str(failed.value) and "Deployment Status" in str(failed.value)
    assert "<soapenv:" not in str(failed.value) and "SERVER_UNAVAILABLE: injected" in str(failed.value)
    assert fake_salesforce.count("deploy") == 2


def test_soap_faults_are_not_retried_and_say_what_to_do(fake_salesforce, conn):
    fake_salesforce.expire_sessions()
    with pytest.raises(TargetError) as expired:
        conn.read_metadata("CustomField", ["Opportunity.A__c"])
    assert "INVALID_SESSION_ID" in str(expired.value) and "log in again" in str(expired.value)
    assert fake_salesforce.count("readMetadata") == 1


def test_slow_replies_time_out_and_are_retried_then_reported(fake_salesforce):
    environ = {"SF_ACCESS_TOKEN": fake_salesforce.session_id, "SF_INSTANCE_URL": fake_salesforce.url}
    conn = connect(
        environment("access_token"),
        environ=environ,
        timeout=(2.0, 0.2),
        retry_policy=quick_policy(attempts=2),
    )
    slow = fake_salesforce.inject("query", delay=0.6, times=None)
    with pytest.raises(TargetError) as timed_out:
        conn.query_all("SELECT Id FROM User")
    assert timed_out.value.status is None and "ReadTimeout" in str(timed_out.value)
    assert slow.hits == 2


def test_no_simple_salesforce_import_until_a_connection_is_made():
    import subprocess

    code = (
        "import sys, handrail.targets.salesforce.client, handrail.targets.hubspot.client; "
        "print('simple_salesforce' in sys.modules, 'hubspot' in sys.modules, 'requests' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    ).stdout
    assert out.split() == ["False", "False", "False"]


def test_a_429_on_a_zeep_call_honours_retry_after(fake_salesforce):
    sleeps = Sleeps()
    environ = {"SF_ACCESS_TOKEN": fake_salesforce.session_id, "SF_INSTANCE_URL": fake_salesforce.url}
    conn = connect(environment("access_token"), environ=environ, retry_policy=quick_policy(sleeps))
    fake_salesforce.inject("listMetadata", status=429, retry_after=1)
    assert conn.list_metadata("CustomField") == []
    assert sleeps.waits == [1.0] and fake_salesforce.count("listMetadata") == 2


def test_retrieving_a_whole_object(fake_salesforce, conn):
    deployed(conn, sfzip.fields_zip(("A__c", "Alpha"), ("B__c", "Beta"), rules=("Gate",)))
    result = conn.retrieve({"CustomObject": ["Opportunity"]}, sleep=lambda s: None)
    with zipfile.ZipFile(io.BytesIO(result.zip_bytes)) as archive:
        body = archive.read("objects/Opportunity.object").decode()
    assert body.count("<fields>") == 2 and body.count("<validationRules>") == 1
    assert body.index("<fields>") < body.index("<validationRules>")
