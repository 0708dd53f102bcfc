"""`playbook:` resolved into the model (specs.playbook says what each part means); its reference checks."""

from __future__ import annotations

from dataclasses import replace

from handrail.specs.automation import Due, Escalation
from handrail.specs.diagnostics import Span
from handrail.specs.model import Field, Gate, Model, Naming, Quality, Requirement, Segment, Stage
from handrail.specs.naming import hubspot_property_name, salesforce_field_name
from handrail.specs.playbook import (
    CONTACT_AT,
    RECIPIENT_TYPES,
    RECOVERY_OWNER,
    SLA_KEY,
    AeDeparture,
    Playbook,
    PostSaleOwner,
)


def playbook_from(raw: dict | None, segment_keys: tuple[str, ...], doc) -> Playbook:
    raw = raw or {}
    post, leave = raw.get("post_sale_owner"), raw.get("ae_departure")
    owner = None
    if post is not None:
        wanted = post.get("segments", "all")
        owner = PostSaleOwner(
            field=post["field"],
            segments=segment_keys if wanted == "all" else tuple(k for k in segment_keys if k in wanted),
            days=post.get("contact_within", {}).get("days", 14),
            escalate_to=tuple(post.get("escalate_to") or ("csm_manager",)),
            message=post.get("message", ""),
            span=doc.span(("playbook", "post_sale_owner")),
        )
    departure = None
    if leave is not None:
        ((unit, amount),) = (leave.get("due") or {"days": 7}).items()
        departure = AeDeparture(
            recovery_owner=leave.get("recovery_owner", "owner_manager"),
            due=Due(amount, unit),
            span=doc.span(("playbook", "ae_departure")),
        )
    return Playbook(owner, departure)


def with_post_sale_owner(segments: tuple[Segment, ...], playbook: Playbook, keys: list[str]):
    """Segments with the post-sale owner required, in spec field order, and its contact clock."""
    owner = playbook.post_sale_owner
    if owner is None:
        return segments
    out = []
    for s in segments:
        if s.key in owner.segments:
            required = {*s.required_fields, owner.field}
            s = replace(
                s,
                required_fields=tuple(k for k in keys if k in required),
                sla=replace(s.sla, implementation_contact_days=owner.days),
            )
        out.append(s)
    return tuple(out)


def escalations(playbook: Playbook) -> tuple[Escalation, ...]:
    owner = playbook.post_sale_owner
    if owner is None:
        return ()
    message = owner.message or f"No contact with the implementation owner within {owner.days} days of close."
    return (Escalation(SLA_KEY, owner.escalate_to, message, owner.span),)


def gates(playbook: Playbook, stages: tuple[Stage, ...], written: tuple[Gate, ...]) -> tuple[Gate, ...]:
    """A Closed Won gate on the post-sale owner for the segments no written gate requires it in."""
    owner = playbook.post_sale_owner
    won = next((s for s in stages if s.closed_won), None)
    if owner is None or won is None:
        return ()
    covered = {
        key
        for g in written
        if g.active and g.stage == won.key and not g.pipelines
        if g.require.segment_required_fields or owner.field in g.require.fields
        for key in g.segments
    }
    left = tuple(k for k in owner.segments if k not in covered)
    if not left:
        return ()
    return (
        Gate(
            key="post_sale_owner",
            stage=won.key,
            segments=left,
            require=Requirement(fields=(owner.field,)),
            message=f"Name the customer's post-sale owner before {won.label}.",
            span=owner.span,
        ),
    )


def computed(naming: Naming, playbook: Playbook) -> tuple[Field, ...]:
    """The fields Handrail adds for the playbook: the contact timestamp and the recovery owner."""
    wanted = []
    if playbook.post_sale_owner:
        wanted.append(
            (
                CONTACT_AT,
                "Implementation Contact At",
                "datetime",
                "When the CSM first reached the customer's "
                "post-sale (implementation) owner; the contact SLA counts from Closed Won At.",
            )
        )
    if playbook.ae_departure:
        wanted.append(
            (
                RECOVERY_OWNER,
                "Handoff Recovery Owner",
                "user",
                "Who sees this handoff through after its AE changed or left mid-handoff. Set by Handrail.",
            )
        )
    return tuple(
        Field(
            key=key,
            label=label,
            type=ftype,
            section="handoff",
            weight=None,
            help=help_text,
            description="Managed by Handrail.",
            quality=Quality(),
            salesforce_name=salesforce_field_name(naming.salesforce_prefix, key),
            hubspot_name=hubspot_property_name(naming.hubspot_prefix, key),
        )
        for key, label, ftype, help_text in wanted
    )


def people(playbook: Playbook) -> list[tuple[tuple[str, ...], Span | None]]:
    """Who the playbook names, and where (the escalation's recipients are named as an escalation)."""
    leave = playbook.ae_departure
    return [((leave.recovery_owner,), leave.span)] if leave else []


def check(c, fields: dict[str, dict], segments, needs_csm) -> None:
    """Reference checks on `playbook:` (c is specs.references' checker, needs_csm its check that the spec
    names the CSM's field)."""
    raw = c.data.get("playbook")
    if not isinstance(raw, dict):
        return
    post = raw.get("post_sale_owner")
    if isinstance(post, dict):
        p = ("playbook", "post_sale_owner")
        name = post.get("field")
        if isinstance(name, str):
            c.ref(name, fields, p + ("field",), "field")
            ftype = (fields.get(name) or {}).get("type")
            if name in fields and ftype not in RECIPIENT_TYPES:
                c.err(
                    "field-type",
                    f"field '{name}' is a {ftype}; the post-sale owner is a person's name or a user",
                    p + ("field",),
                    "name a short_text, long_text or user field",
                )
        if "segments" in post:
            c.ref(post["segments"], segments, p + ("segments",), "segment", allow_all=True)
        if any(r in ("csm", "csm_manager") for r in post.get("escalate_to") or ("csm_manager",)):
            needs_csm(c, p, "the post-sale owner's contact escalates to the CSM's manager")
    leave = raw.get("ae_departure")
    if isinstance(leave, dict) and leave.get("recovery_owner") in ("csm", "csm_manager"):
        needs_csm(c, ("playbook", "ae_departure", "recovery_owner"), "the recovery owner is the CSM's")


def with_escalations(automation, playbook: Playbook):
    """The automation with the post-sale owner's contact escalation after the spec's own."""
    extra = escalations(playbook)
    if not extra:
        return automation
    won = automation.on_closed_won
    return replace(automation, on_closed_won=replace(won, escalations=won.escalations + extra))


def applied(model: Model, raw: dict | None, doc) -> Model:
    """The model with `playbook:` folded in (see specs.playbook)."""
    playbook = playbook_from(raw, tuple(s.key for s in model.segments), doc)
    if playbook == Playbook():
        return model
    return replace(
        model,
        segments=with_post_sale_owner(model.segments, playbook, [f.key for f in model.fields]),
        gates=model.gates + gates(playbook, model.stages, model.gates),
        automation=with_escalations(model.automation, playbook),
        computed=model.computed + computed(model.naming, playbook),
        playbook=playbook,
    )
