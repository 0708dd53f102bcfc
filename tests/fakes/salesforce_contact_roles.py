"""OpportunityContactRole in the fake org: the standard object's fields, and rows added by tests.

    enable(fake)                              the object is queryable even while it holds no row
    add_contact_role(org, opportunity, role)  one contact role (a Contact with it); role None: no role

Fields as the Object Reference lists them for OpportunityContactRole (ContactId, IsPrimary, OpportunityId,
Role; the system fields). The fake's SOQL filters through the parent with `Opportunity.<field>`.
"""

from __future__ import annotations

import itertools

from fakes import salesforce_rest

OBJECT = "OpportunityContactRole"
FIELDS = {
    "Id": "id",
    "OpportunityId": "reference",
    "ContactId": "reference",
    "Role": "picklist",
    "IsPrimary": "boolean",
    "CreatedDate": "datetime",
    "LastModifiedDate": "datetime",
    "SystemModstamp": "datetime",
}
_IDS = itertools.count(1)


def enable(fake) -> None:
    salesforce_rest.STANDARD_FIELDS.setdefault(OBJECT, FIELDS)
    fake.org.records.setdefault(OBJECT, {})


def add_contact_role(org, opportunity_id: str, role: str | None, primary: bool = False) -> str:
    n = next(_IDS)
    contact = org.add_record("Contact", Id=f"003{n:012d}AAA", LastName=f"Contact {n}")
    return org.add_record(
        OBJECT,
        Id=f"00K{n:012d}AAA",
        OpportunityId=opportunity_id,
        ContactId=contact,
        Role=role,
        IsPrimary=primary,
    )
