"""`handrail brief`: role views from the spec's sections, content from the engine, templates users can
override."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from audit.dealgen import SPECIFIC, deal, utc, write_csv

from handrail.generators.brief.document import brief_context, render_brief

EVERY_SECTION = dict(
    SPECIFIC,
    security_requirements=["SOC 2", "SSO / SAML"],
    competitors=["Competitor A"],
    partner_sourced=True,
    partner_contact="Priya N. (priya@partner.example)",
    partner_support_tier="Co-delivered",
    seats=400,
)
HEADINGS = {
    "goals": "Goals and use case",
    "stakeholders": "Stakeholder map",
    "commitments": "Commercial commitments",
    "technical": "Technical requirements",
    "objections": "Objections and competition",
    "sales_cycle": "Key moments of the sales cycle",
    "risks": "Risks and communication",
    "partner": "Channel partner",
}
ROLE_SECTIONS = {  # the example spec's `roles`
    "csm": {"goals", "stakeholders", "commitments", "objections", "sales_cycle", "risks", "partner"},
    "implementation": {"stakeholders", "technical", "risks", "partner"},
    "leadership": {"goals", "stakeholders", "commitments", "objections", "sales_cycle", "risks"},
}
NOW = datetime(2026, 1, 13, 12, tzinfo=timezone.utc)


def channel_deal(**process):
    return deal("006C1", name="Acme Corp", values=EVERY_SECTION, close=utc(2026, 1, 12).date(), **process)


@pytest.fixture
def export(tmp_path, example_model):
    path = tmp_path / "deals.csv"
    write_csv(
        path,
        example_model,
        [
            channel_deal(closed_won_at=utc(2026, 1, 12, 10), first_touch_at=utc(2026, 1, 13, 9)),
            deal(
                "006C2",
                name="Globex",
                acv=250_000,
                complete=("business_goals",),
                stage="negotiation",
                csm=None,
            ),
            deal("006C3", name="Twin", acv=10_000),
            deal("006C4", name="twin", acv=10_000),
        ],
    )
    return path


@pytest.fixture
def brief(run_cli, export, example_spec):
    def run(*args):
        return run_cli("brief", *args, "--from", str(export), "--spec", str(example_spec))

    return run


@pytest.mark.parametrize("role", sorted(ROLE_SECTIONS))
def test_role_sees_the_sections_the_spec_gives_it(brief, role):
    code, out, err = brief("006C1", "--role", role)
    assert code == 0, err
    shown = {key for key, label in HEADINGS.items() if f"\n## {label}\n" in out}
    assert shown == ROLE_SECTIONS[role]


@pytest.mark.parametrize("role", sorted(ROLE_SECTIONS))
def test_html_role_sections(brief, role):
    code, out, _ = brief("006C1", "--role", role, "--format", "html")
    assert code == 0
    assert set(re.findall(r'<section data-section="(\w+)">', out)) == ROLE_SECTIONS[role]


def test_roles_come_from_the_spec_not_from_section_names(run_cli, export, example_spec, tmp_path):
    text = example_spec.read_text().replace(
        "{key: technical, label: Technical requirements, roles: [implementation]}",
        "{key: technical, label: Technical requirements, roles: [csm]}",
    )
    spec = tmp_path / "handoff.yaml"
    spec.write_text(text)
    code, out, err = run_cli("brief", "006C1", "--from", str(export), "--spec", str(spec), "--role", "csm")
    assert code == 0, err
    assert "\n## Technical requirements\n" in out and "SOC 2, SSO / SAML" in out
    code, out, _ = run_cli(
        "brief", "006C1", "--from", str(export), "--spec", str(spec), "--role", "implementation"
    )
    assert "Technical requirements" not in out


def test_header_score_segment_and_sla_deadlines(brief):
    code, out, _ = brief("Acme Corp")
    assert code == 0
    assert "# Handoff brief: Acme Corp" in out
    assert "| Handoff score | **100.0** (Ready) · completeness 100.0% |" in out
    assert "| Segment | Mid-Market, Channel / partner (partner-mediated motion) |" in out
    assert (
        "- Close to first CS touch: within 72 hours, due 2026-01-15T10:00Z; done 2026-01-13T09:00Z (met)"
    ) in out
    assert "- Close to kickoff: within 5 business days, due 2026-01-19" in out
    assert "Still missing" not in out


def test_open_deal_shows_what_is_missing_and_the_gates_ahead(brief):
    code, out, _ = brief("006C2", "--role", "leadership")
    assert code == 0
    assert "| Handoff score | **17.6** (Blocked)" in out  # goals only: 3 / 17
    assert "- **Stakeholder Map**: missing, required, weight 3" in out
    assert "The clocks start when the deal is stamped Closed Won." in out
    gates = out.split("## Gates not met at Closed Won\n")[1]
    assert (
        "`enterprise_csm`: Enterprise deals need a named CSM before Negotiation. "
        "(Customer Success Manager is empty)"
    ) in gates
    assert (
        "`enterprise_ready`: Enterprise handoffs must be Ready (85+) before Closed Won. "
        "(score 17.6 is below 85)"
    ) in gates


def test_missing_and_generic_fields_in_their_sections(example_model):
    d = deal("g", generic=("success_criteria",), complete=("business_goals",))
    ctx = brief_context(example_model, d, "csm", NOW)
    goals = next(s for s in ctx["sections"] if s["key"] == "goals")
    states = {f["key"]: (f["state"], f["value"]) for f in goals["fields"]}
    assert states == {
        "business_goals": ("complete", SPECIFIC["business_goals"]),
        "success_criteria": ("generic", "TBD"),
    }
    assert [m["key"] for m in ctx["missing"]] == [
        "stakeholder_map",
        "success_criteria",
        "risk_flags",
        "products_scope",
        "key_conversations",
        "contract_terms",
        "communication_prefs",
    ]
    sla = {s["key"]: s for s in ctx["sla"]}
    assert sla["first_touch"]["deadline"] is None and sla["first_touch"]["status"] == "unmeasured"


def test_sla_status_as_of_now(example_model):
    d = deal(
        "s",
        complete=tuple(SPECIFIC),
        closed_won_at=utc(2026, 1, 12, 10),
        internal_handoff_at=utc(2026, 1, 13, 11),
    )
    sla = {s["key"]: s for s in brief_context(example_model, d, "csm", NOW)["sla"]}
    assert (sla["internal_handoff"]["status"], sla["internal_handoff"]["status_text"]) == (
        "breached",
        "missed",
    )
    assert (sla["first_touch"]["deadline"], sla["first_touch"]["status"]) == ("2026-01-14T10:00Z", "pending")


def test_values_are_escaped(example_model):
    hostile = deal("h", values={"business_goals": "<script>alert(1)</script> *grow* | [x](y)"})
    html = render_brief(example_model, hostile, "csm", "html", now=NOW)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for forbidden in ("src=", "href=", "<link", "url("):
        assert forbidden not in html
    md = render_brief(example_model, hostile, "csm", "md", now=NOW)
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; \*grow\* \| \[x\](y)" in md


def test_user_templates_override_by_name(run_cli, export, example_spec, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "section_goals.md.j2").write_text(
        "## Why they bought\n{% for f in section.fields %}* {{ f.label }}: {{ f.value }}\n{% endfor %}"
    )
    code, out, err = run_cli(
        "brief", "006C1", "--from", str(export), "--spec", str(example_spec), "--templates", str(folder)
    )
    assert code == 0, err
    assert "## Why they bought\n* Customer Business Goals: Cut month-end close" in out
    assert "## Goals and use case" not in out
    assert "\n## Stakeholder map\n" in out  # sections without an override keep the built-in template
    (folder / "brief.html.j2").write_text(
        "<p>{{ deal.name }} scored {{ handoff.score|num }} for {{ role }}</p>\n"
    )
    code, out, _ = run_cli(
        "brief",
        "006C1",
        "--from",
        str(export),
        "--spec",
        str(example_spec),
        "--templates",
        str(folder),
        "--format",
        "html",
        "--role",
        "leadership",
    )
    assert code == 0 and out == "<p>Acme Corp scored 100.0 for leadership</p>\n"


@pytest.mark.parametrize(
    "name,text,message",
    [
        (
            "brief.md.j2",
            "{% if deal.name %}unclosed",
            "brief.md.j2:1: template syntax error: Unexpected end of template",
        ),
        ("section.md.j2", "{{ section.nonsense.deeper }}", "template brief.md.j2"),
        ("brief.md.j2", "{% include 'nowhere.md.j2' %}", "template 'nowhere.md.j2' not found"),
    ],
)
def test_broken_override_is_a_clear_error(run_cli, export, example_spec, tmp_path, name, text, message):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / name).write_text(text)
    out_file = tmp_path / "brief.md"
    code, _, err = run_cli(
        "brief",
        "006C1",
        "--from",
        str(export),
        "--spec",
        str(example_spec),
        "--templates",
        str(folder),
        "--out",
        str(out_file),
    )
    assert code == 3, err
    assert message in err and "Traceback" not in err
    assert not out_file.exists()


def test_undefined_variable_names_the_template_line(run_cli, export, example_spec, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "section.md.j2").write_text("## {{ section.label }}\n{{ secton.fields }}\n")
    code, _, err = run_cli(
        "brief", "006C1", "--from", str(export), "--spec", str(example_spec), "--templates", str(folder)
    )
    assert code == 3
    assert "'secton' is undefined" in err and f"{folder / 'section.md.j2'}:2" in err


def test_unknown_deal(brief):
    code, out, err = brief("006ZZ")
    assert code == 3 and out == ""
    assert "no deal with id or name '006ZZ' among 4 deals" in err


def test_ambiguous_name(brief):
    code, _, err = brief("TWIN")
    assert code == 3
    assert "2 deals are named 'TWIN' (ids 006C3, 006C4); pass the id instead" in err
    assert brief("006C4")[0] == 0


def test_env_and_source_errors(run_cli, example_spec, export, tmp_path):
    code, _, err = run_cli("brief", "006C1", "--env", "snapshot", "--spec", str(example_spec))
    assert code == 1 and "holds no deals; name a salesforce or hubspot environment, or use --from FILE" in err
    code, _, err = run_cli("brief", "006C1", "--spec", str(example_spec))
    assert code == 2 and "say where the deals come from" in err
    code, _, err = run_cli(
        "brief",
        "006C1",
        "--from",
        str(export),
        "--spec",
        str(example_spec),
        "--templates",
        str(tmp_path / "nope"),
    )
    assert code == 2 and "does not exist" in err


def test_out_file(run_cli, export, example_spec, tmp_path):
    out_file = tmp_path / "briefs" / "acme.html"
    code, out, err = run_cli(
        "brief",
        "006C1",
        "--from",
        str(export),
        "--spec",
        str(example_spec),
        "--format",
        "html",
        "--role",
        "implementation",
        "--out",
        str(out_file),
    )
    assert code == 0 and out == ""
    assert "wrote the implementation brief for 006C1" in err
    html = out_file.read_text()
    assert html.startswith("<!DOCTYPE html>") and 'data-section="technical"' in html


def test_brief_in_chromium(export, example_model, tmp_path):
    from audit.chromium import chromium_or_skip, dump_dom

    from handrail.generators.audit.source import FileFeed, find_deal

    browser = chromium_or_skip()
    page = tmp_path / "brief.html"
    page.write_text(
        render_brief(
            example_model, find_deal(FileFeed(export), example_model, "006C2"), "leadership", "html", now=NOW
        )
    )
    dom = dump_dom(browser, page, tmp_path)
    assert re.search(r'data-metric="score">17.6<', dom) and 'data-metric="tier">Blocked<' in dom
    assert '<li data-gate="enterprise_ready">' in dom and '<li data-missing="stakeholder_map">' in dom


def test_open_deal_has_an_expected_close_and_won_deal_a_close(run_cli, example_spec):
    deals = str(example_spec.parent / "deals.csv")
    code, out, err = run_cli("brief", "Acme Corp", "--from", deals, "--spec", str(example_spec))  # at Commit
    assert code == 0, err
    assert re.search(r"expected to close \d{4}-\d{2}-\d{2}", out) and " closed 20" not in out
    code, out, err = run_cli("brief", "Initech", "--from", deals, "--spec", str(example_spec))  # Closed Won
    assert code == 0, err
    assert "closed 2026-09-03" in out and "expected to close" not in out


@pytest.mark.parametrize("role", ["csm", "implementation", "leadership"])
def test_a_role_is_never_told_of_fields_it_cannot_see(example_model, role):
    from helpers import ROOT

    from handrail.generators.data.reader import read_deals

    seen = {s.key for s in example_model.sections if role in s.roles}
    for one in read_deals(ROOT / "specs" / "examples" / "deals.csv", example_model):
        context = brief_context(example_model, one, role, utc(2026, 12, 1))
        assert {item["section"] for item in context["missing"]} <= seen, one.name
