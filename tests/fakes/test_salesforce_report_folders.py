"""The fake org keeps reports and dashboards in folders, as the Metadata API does: the folder is a member
of the type it holds, a report needs its folder and existing columns, a dashboard existing reports, and
listMetadata of Report names the folder.
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_folder.htm"""

from __future__ import annotations

import io

import pytest
from simple_salesforce import Salesforce
from zeep.exceptions import Fault

from fakes import sfzip
from fakes.sfzip import MD

FOLDER = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<ReportFolder xmlns="{MD}"><name>Handrail</name></ReportFolder>'
)


def report(column: str = "OPPORTUNITY_NAME") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Report xmlns="{MD}"><columns><field>{column}</field>'
        "</columns><format>Tabular</format><name>Review</name><reportType>Opportunity</reportType></Report>\n"
    )


@pytest.fixture
def sf(fake_salesforce):
    return Salesforce(session_id=fake_salesforce.session_id, instance_url=fake_salesforce.url, version="63.0")


def deploy(sf, files: dict[str, str]) -> tuple[str, list[str]]:
    deploy_id, _ = sf.mdapi.deploy(io.BytesIO(sfzip.build(files)), sandbox=True, rollbackOnError=True)
    while (status := sf.mdapi.check_deploy_status(deploy_id))[0] in ("Pending", "InProgress"):
        pass
    result = sf.mdapi._retrieve_deploy_result(deploy_id)
    problems = [f.findtext(f"{{{MD}}}problem") for f in result.iter(f"{{{MD}}}componentFailures")]
    return status[0], problems


def test_a_report_and_its_folder_deploy_list_and_retrieve(fake_salesforce, sf):
    package = sfzip.package_xml({"Report": ["Handrail", "Handrail/Review"]})
    files = {
        "package.xml": package,
        "reports/Handrail-meta.xml": FOLDER,
        "reports/Handrail/Review.report": report(),
    }
    assert deploy(sf, files) == ("Succeeded", [])
    assert set(fake_salesforce.org.store("ReportFolder")) == {"Handrail"}
    listed = sf.mdapi.list_metadata([sf.mdapi.ListMetadataQuery(type="Report", folder="Handrail")])
    assert [(p.fullName, p.fileName) for p in listed] == [
        ("Handrail/Review", "reports/Handrail/Review.report")
    ]
    with pytest.raises(Fault, match="INVALID_FOLDER"):
        sf.mdapi.list_metadata([sf.mdapi.ListMetadataQuery(type="Report")])
    retrieve_id, _ = sf.mdapi.retrieve("x", unpackaged={"Report": ["Handrail", "Handrail/Review", "*"]})
    result = sf.mdapi.retrieve_retrieve_result(retrieve_id, "true")
    problems = [m.findtext(f"{{{MD}}}problem") for m in result.iter(f"{{{MD}}}messages")]
    assert problems == ["Entity of type 'Report' named '*' cannot be found"]  # no wildcard for reports


def test_a_report_without_its_folder_or_with_an_unknown_field_fails(fake_salesforce, sf):
    package = sfzip.package_xml({"Report": ["Handrail/Review"]})
    status, problems = deploy(sf, {"package.xml": package, "reports/Handrail/Review.report": report()})
    assert status == "Failed" and problems == ["Cannot find folder:Handrail"]
    package = sfzip.package_xml({"Report": ["Handrail", "Handrail/Review"]})
    files = {
        "package.xml": package,
        "reports/Handrail-meta.xml": FOLDER,
        "reports/Handrail/Review.report": report("Opportunity.Ghost__c"),
    }
    status, problems = deploy(sf, files)
    assert status == "Failed" and problems == ["invalid report type column: Opportunity.Ghost__c"]
    assert fake_salesforce.org.store("Report") == {} and fake_salesforce.org.store("ReportFolder") == {}
