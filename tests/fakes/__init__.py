"""Fake Salesforce and HubSpot servers on 127.0.0.1 that speak the real wire protocols over TLS.

Start them with the fixtures in fakes.fixtures (import them into a conftest.py): `fake_salesforce`
and `fake_hubspot` are started once per session, reset before each test, and set
REQUESTS_CA_BUNDLE to the session's test CA (`test_authority.ca_file`). By hand:

    with TestAuthority() as ca, FakeSalesforce().serving(ca) as fake: ...

Both share (fakes.server.FakeService):
    fake.url, fake.latency = 0.1                      added latency per request
    fake.inject("deploy" | "/services/data" | re.compile(...) | "*", status=429, retry_after=2,
                delay=0.5, drop_connection=True, times=2, when="before" | "after")
    fake.calls("query"), fake.count("search", method="POST")    the request log (each Call has the body)
    fake.rejections       requests refused as invalid against the WSDL / OpenAPI documents
    fake.internal_errors  the fake's own bugs (the fixtures fail the test on any)
Salesforce: fake.org (components by type, flow versions, records), fake.session_id, add_user,
add_connected_app, deploy_polls, settle(). HubSpot: fake.portal (groups, properties, pipelines,
flows, records, owners), fake.token.
"""
