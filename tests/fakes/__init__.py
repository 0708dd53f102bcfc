"""Fake Salesforce and HubSpot servers on 127.0.0.1 that speak the real wire protocols over TLS.

Start one with the fixtures in `fakes.fixtures` (import them into a conftest), or by hand:

    with TestAuthority() as ca, FakeSalesforce().serving(ca) as fake:
        ...
"""
