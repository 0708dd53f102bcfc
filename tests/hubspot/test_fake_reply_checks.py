"""The fake portal's reply checks aside (benchmarks/diff_calls.py): every reply is still checked against
HubSpot's OpenAPI documents, only after the client has it."""

from __future__ import annotations

import pytest
import requests
from fakes.hubspot import FakeHubSpot
from fakes.openapi import OpenApiCatalog
from fakes.tls import TestAuthority

pytestmark = pytest.mark.skipif(OpenApiCatalog.load() is None, reason="no HubSpot OpenAPI documents")
GROUPS = "/crm/v3/properties/deals/groups"


@pytest.fixture
def served():
    with TestAuthority() as authority:
        fakes = [FakeHubSpot(check_replies_aside=aside).start(authority) for aside in (False, True)]
        try:
            yield authority, fakes
        finally:
            for fake in fakes:
                fake.stop()


def get(fake: FakeHubSpot, authority: TestAuthority, path: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {fake.token}"}
    return requests.get(fake.url + path, headers=headers, verify=authority.ca_file, timeout=10)


def test_a_reply_that_breaks_the_documents_is_a_fake_bug_inline_or_aside(served):
    authority, (inline, aside) = served
    for fake in (inline, aside):
        fake.portal.add_group("deals", "broken", "Broken")["label"] = 42  # label is a string in the documents
    assert get(inline, authority, GROUPS).status_code == 500  # checked before the reply leaves
    assert get(aside, authority, GROUPS).status_code == 200  # checked after
    aside.settle()
    for fake in (inline, aside):
        assert len(fake.internal_errors) == 1
        assert "groups.list response (200) breaks HubSpot's documents" in fake.internal_errors[0]
        assert "label" in fake.internal_errors[0]
        fake.internal_errors.clear()


def test_reset_waits_for_the_checks_aside(served):
    authority, (_, aside) = served
    aside.portal.add_group("deals", "broken", "Broken")["label"] = 42
    assert get(aside, authority, GROUPS).status_code == 200
    aside.reset()  # settles first: the error lands before the reset clears it, not after
    assert aside.internal_errors == []
    assert get(aside, authority, GROUPS).status_code == 200
    aside.settle()
    assert aside.internal_errors == []
