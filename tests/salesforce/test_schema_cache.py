"""The per-type Metadata API schemas: the same verdict and messages as the whole schema, cached between runs.

Every test here (and every test under tests/salesforce, see conftest.py) caches into a temporary folder
given by HANDRAIL_CACHE_DIR, never into the real home.
"""

from __future__ import annotations

import random
import re

import pytest
from helpers import EXAMPLE_SPEC, ROOT
from lxml import etree

from handrail.specs.validate import load_spec
from handrail.targets.salesforce import schema
from handrail.targets.salesforce.render import render

SPECS = [EXAMPLE_SPEC] + sorted((ROOT / "tests" / "specs").glob("every_*.yaml"))
XML_SUFFIXES = (".xml", ".object", ".flow", ".permissionset", ".notiftype", ".cls-meta.xml")


def _fresh() -> None:
    schema.root_schema.cache_clear()
    schema._wsdl_digest.cache_clear()


def _messages(xsd, data: bytes) -> list[tuple]:
    root = etree.fromstring(data)
    if xsd.validate(etree.ElementTree(root)):
        return []
    return [(e.line, e.column, e.message) for e in xsd.error_log]


def _files():
    for spec in SPECS:
        for fmt in ("source", "mdapi"):
            for rel, data in render(load_spec(spec).model, {"format": fmt}).files.items():
                if rel.endswith(XML_SUFFIXES):
                    yield rel, data


def _broken(data: bytes, rng: random.Random) -> bytes:
    """A file with one element dropped, duplicated, renamed or given a bad value."""
    tags = [m for m in re.finditer(rb"<([A-Za-z]+)>([^<]*)</\1>", data)]
    if not tags:
        return data
    m = rng.choice(tags)
    whole, name = m.group(0), m.group(1)
    edits = [
        b"",
        whole + whole,
        whole.replace(name, name + b"x"),
        b"<%s>%%bad%%</%s>" % (name, name),
        b"<unknownElement>1</unknownElement>" + whole,
    ]
    return data[: m.start()] + rng.choice(edits) + data[m.end() :]


def test_each_type_schema_gives_the_whole_schemas_verdict_and_messages(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(tmp_path))
    _fresh()
    whole, rng, compared, failing = schema.metadata_schema(), random.Random(13), 0, 0
    for rel, data in _files():
        root = etree.QName(etree.fromstring(data)).localname
        small = schema.root_schema(root)
        assert small is not None, root
        for variant in [data] + [_broken(data, rng) for _ in range(3)]:
            expected = _messages(whole, variant)
            assert _messages(small, variant) == expected, (rel, variant[:3000])
            compared += 1
            failing += bool(expected)
    assert compared > 100 and failing > 30


def test_a_root_that_is_no_metadata_type_uses_the_whole_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(tmp_path))
    _fresh()
    assert schema.root_schema("NoSuchType") is None
    assert schema.root_schema("../../etc/passwd") is None
    problems = schema.validate_xml("x.xml", f'<NoSuchType xmlns="{schema.METADATA_NS}"/>'.encode())
    assert problems and "No matching global declaration" in problems[0].message


def test_the_cache_is_reused_and_written_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(tmp_path / "cache"))
    _fresh()
    assert schema.root_schema("CustomField") is not None
    written = list((tmp_path / "cache").iterdir())
    assert [p.name for p in written if p.name.endswith("-CustomField.xsd")] and not any(
        p.name.endswith(".tmp") for p in written
    )
    _fresh()
    monkeypatch.setattr(schema, "wsdl_schema_element", lambda: pytest.fail("the cache was not used"))
    assert schema.root_schema("CustomField") is not None


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(tmp_path))
    _fresh()
    schema.root_schema("ValidationRule")
    (cached,) = tmp_path.glob("*-ValidationRule.xsd")
    good = cached.read_bytes()
    cached.write_bytes(good[: len(good) // 2] if damage is None else damage)
    _fresh()
    rule = schema.root_schema("ValidationRule")
    data = f'<ValidationRule xmlns="{schema.METADATA_NS}"><fullName>A</fullName><active>yes</active>'
    assert not rule.validate(etree.ElementTree(etree.fromstring(data + "</ValidationRule>")))
    assert cached.read_bytes() == good


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(tmp_path / "a"))
    assert schema.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("HANDRAIL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert schema.cache_dir() == tmp_path / "xdg" / "handrail"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert schema.cache_dir() == tmp_path / "home" / ".cache" / "handrail"


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HANDRAIL_CACHE_DIR", str(blocker / "cache"))
    _fresh()
    assert schema.root_schema("Package") is not None
