"""Small deploy zips for tests: a package.xml plus mdapi-format files."""

from __future__ import annotations

import io
import zipfile

MD = "http://soap.sforce.com/2006/04/metadata"


def package_xml(types: dict[str, list[str]], version: str = "63.0") -> str:
    body = ""
    for name, members in sorted(types.items()):
        lines = "".join(f"        <members>{member}</members>\n" for member in members)
        body += f"    <types>\n{lines}        <name>{name}</name>\n    </types>\n"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="{MD}">\n'
        f"{body}    <version>{version}</version>\n</Package>\n"
    )


def text_field(name: str, label: str, length: int = 80, extra: str = "") -> str:
    return (
        f"    <fields>\n        <fullName>{name}</fullName>\n{extra}        <label>{label}</label>\n"
        f"        <length>{length}</length>\n        <required>false</required>\n        "
        "<type>Text</type>\n    </fields>\n"
    )


def object_file(*children: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject '
        f'xmlns="{MD}">\n{"".join(children)}</CustomObject>\n'
    )


def validation_rule(name: str, formula: str = "ISBLANK(Name)", active: str = "true") -> str:
    return (
        f"    <validationRules>\n        <fullName>{name}</fullName>\n        <active>{active}</active>\n"
        f"        <errorConditionFormula>{formula}</errorConditionFormula>\n"
        "        <errorMessage>Fill it in.</errorMessage>\n    </validationRules>\n"
    )


def flow(label: str, status: str = "Active") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Flow xmlns="{MD}">\n    '
        "<apiVersion>63.0</apiVersion>\n"
        f"    <label>{label}</label>\n    <processType>AutoLaunchedFlow</processType>\n    <start>\n"
        "        <locationX>50</locationX>\n        <locationY>0</locationY>\n"
        "        <object>Opportunity</object>\n"
        "        <recordTriggerType>CreateAndUpdate</recordTriggerType>\n"
        "        <triggerType>RecordBeforeSave</triggerType>\n    </start>\n"
        f"    <status>{status}</status>\n</Flow>\n"
    )


def build(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def fields_zip(*fields: tuple[str, str], rules: tuple[str, ...] = ()) -> bytes:
    """Text fields (name, label) and validation rules on Opportunity."""
    members = {"CustomField": [f"Opportunity.{n}" for n, _ in fields]}
    if rules:
        members["ValidationRule"] = [f"Opportunity.{r}" for r in rules]
    return build(
        {
            "package.xml": package_xml(members),
            "objects/Opportunity.object": object_file(
                *(text_field(name, label) for name, label in fields), *(validation_rule(r) for r in rules)
            ),
        }
    )
