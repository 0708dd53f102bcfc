"""Size and motion as separate dimensions (`sizes:` and `motions:`), made into the segments the rest of
Handrail reads.

A deal has one size (the first of `sizes:` whose match holds, by ACV) and one motion (the first of
`motions:` whose match holds; none means new business). Each size and motion makes a segment, listed
motion by motion in priority order, then new business, size by size, so the first segment whose match
holds is the deal's pair:
  key       the size's key for new business, else <size>_<motion>
  match     the size's conditions and the motion's
  fields    a new-logo motion (the default) keeps the size's required fields and adds its own; when it
            names scored fields they replace the size's, and the size's required fields outside them are
            dropped (rapid close: a stripped template). A motion with `new_logo: false` (expansion,
            renewal: CS already owns the account) has its own fields only: required, and scored unless
            it names scored fields.
  SLA       sla_defaults, then the size's, then the motion's (a partner's 72 h replaces 48 h)
  CSM       the motion's csm_required_by, else the size's for a new-logo motion
Elsewhere in the spec (required_in, applies_to, gates, automation) a size's key stands for its new-logo
segments, a motion's key for all of its segments, and a segment's own key for itself.
"""

from __future__ import annotations

from dataclasses import replace

from handrail.specs.diagnostics import Diagnostic, error
from handrail.specs.loader import Document

NEW_BUSINESS = None  # the motion of a deal that matches no motion


def expand(doc: Document) -> tuple[Document, list[Diagnostic]]:
    """`doc` with `segments:` made from `sizes:` and `motions:` (unchanged when it has `segments:`)."""
    data = doc.data
    if "sizes" not in data:
        if "segments" in data:
            return doc, []
        return doc, [error("segments", "the spec has no segments: and no sizes:", hint=_HINT)]
    if "segments" in data:
        return doc, [
            error(
                "segments",
                "give either segments: or sizes: with motions:, not both",
                span=doc.key_span(("segments",)),
                hint=_HINT,
            )
        ]
    sizes = [s for s in data.get("sizes") or () if isinstance(s, dict) and "key" in s]
    motions = [m for m in data.get("motions") or () if isinstance(m, dict) and "key" in m]
    problems = _check(doc, sizes, motions)
    if problems:
        return doc, problems
    weights = {f.get("key"): f.get("weight") or 0 for f in data.get("fields") or () if isinstance(f, dict)}
    pairs = [(s, m) for m in motions for s in sizes] + [(s, NEW_BUSINESS) for s in sizes]
    groups = _groups(sizes, motions, pairs)
    segments, spans = [], dict(doc.spans)
    for i, (size, motion) in enumerate(pairs):
        segments.append(_segment(size, motion, data.get("fields") or (), weights))
        origin = ("sizes", sizes.index(size)) if motion is None else ("motions", motions.index(motion))
        spans[("segments", i)] = doc.span(origin)
    expanded = dict(data, segments=segments)
    expanded["fields"] = [_field(f, groups, pairs, weights) for f in data.get("fields") or ()]
    expanded["gates"] = [_refs(g, groups) for g in data.get("gates") or ()]
    if isinstance(data.get("automation"), dict):
        expanded["automation"] = _automation(data["automation"], groups)
    playbook = data.get("playbook")
    if isinstance(playbook, dict) and isinstance(playbook.get("post_sale_owner"), dict):
        expanded["playbook"] = dict(playbook, post_sale_owner=_refs(playbook["post_sale_owner"], groups))
    return replace(doc, data=expanded, spans=spans), []


_HINT = (
    "list sizes: (SMB, Mid-Market, Enterprise by acv) and motions: (expansion, renewal, channel, "
    "rapid close), or segments: as one ordered list; see README, The spec language"
)


def key(size: dict, motion: dict | None) -> str:
    return size["key"] if motion is None else f"{size['key']}_{motion['key']}"


def _label(item: dict) -> str:
    return str(item.get("label") or item["key"])  # a missing label is reported by the schema check


def _new_logo(motion: dict | None) -> bool:
    return motion is None or motion.get("new_logo", True) is not False


def _check(doc: Document, sizes: list[dict], motions: list[dict]) -> list[Diagnostic]:
    problems = []
    for i, s in enumerate(sizes):
        extra = sorted(set(s.get("match") or {}) - {"acv"})
        if extra:
            problems.append(
                error(
                    f"sizes[{i}].match",
                    f"size '{s['key']}' matches on {', '.join(extra)}: a size matches on acv only",
                    span=doc.span(("sizes", i, "match")),
                    hint="match deal type, partner source or sales cycle in motions:",
                )
            )
    for i, m in enumerate(motions):
        if "acv" in (m.get("match") or {}):
            problems.append(
                error(
                    f"motions[{i}].match.acv",
                    f"motion '{m['key']}' matches on acv: sizes decide by ACV",
                    span=doc.span(("motions", i, "match", "acv")),
                    hint="a rapid close of any size matches on sales_cycle_days alone",
                )
            )
    names = [s["key"] for s in sizes] + [m["key"] for m in motions]
    pairs = [key(s, m) for m in [*motions, None] for s in sizes]
    for name in sorted({n for n in names if names.count(n) > 1} | (set(names) & set(pairs[: -len(sizes)]))):
        problems.append(
            error(
                "motions",
                f"'{name}' names two things (a size, a motion or a size_motion pair)",
                span=doc.span(("motions",)),
                hint="give sizes and motions distinct keys",
            )
        )
    return problems


def _groups(sizes: list[dict], motions: list[dict], pairs: list) -> dict[str, list[str]]:
    """What each key stands for in references: a size its new-logo pairs, a motion all its pairs."""
    groups: dict[str, list[str]] = {key(s, m): [key(s, m)] for s, m in pairs}
    for s in sizes:
        groups[s["key"]] = [key(s, m) for size, m in pairs if size is s and _new_logo(m)]
    for m in motions:
        groups[m["key"]] = [key(s, motion) for s, motion in pairs if motion is m]
    return groups


def _expand(refs, groups: dict[str, list[str]]):
    """A list of keys with each size or motion replaced by its segments; 'all' and unknown keys kept (the
    reference checks report an unknown key where it is written)."""
    if not isinstance(refs, list):
        return refs
    out: list = []
    for ref in refs:
        for name in groups.get(ref, [ref]) if isinstance(ref, str) else [ref]:
            if name not in out:
                out.append(name)
    return out


def _refs(item, groups: dict[str, list[str]]):
    if isinstance(item, dict) and "segments" in item:
        return dict(item, segments=_expand(item["segments"], groups))
    return item


def _automation(auto: dict, groups: dict[str, list[str]]) -> dict:
    out = dict(auto)
    if isinstance(auto.get("on_stage_entry"), list):
        out["on_stage_entry"] = [_actions(e, groups) for e in auto["on_stage_entry"]]
    won = auto.get("on_closed_won")
    if isinstance(won, dict):
        won = _actions(won, groups)
        if isinstance(won.get("assign_csm"), list):
            won["assign_csm"] = [_refs(r, groups) for r in won["assign_csm"]]
        out["on_closed_won"] = won
    return out


def _actions(block, groups: dict[str, list[str]]):
    if not isinstance(block, dict):
        return block
    out = dict(block)
    for name in ("tasks", "notify"):
        if isinstance(block.get(name), list):
            out[name] = [_refs(item, groups) for item in block[name]]
    return out


def _scored(motion: dict | None, weights: dict[str, float]) -> list[str] | None:
    """The fields a motion scores instead of the size's, or None when it keeps the size's."""
    if motion is None:
        return None
    chosen = motion.get("scored_fields")
    if isinstance(chosen, dict) and isinstance(chosen.get("top"), int):  # ties keep spec order
        return [k for k, _ in sorted(((k, w) for k, w in weights.items() if w), key=lambda kw: -kw[1])][
            : chosen["top"]
        ]
    if isinstance(chosen, list):
        return chosen
    return None if _new_logo(motion) else list(motion.get("required_fields") or ())


def _keeps(size_requirement: str, motion: dict | None, weights: dict[str, float]) -> bool:
    """Whether a field the size requires stays required in the pair."""
    scored = _scored(motion, weights)
    return _new_logo(motion) and (scored is None or size_requirement in scored)


def _segment(size: dict, motion: dict | None, fields, weights: dict[str, float]) -> dict:
    out = {
        "key": key(size, motion),
        "label": _label(size) if motion is None else f"{_label(size)}, {_label(motion)}",
        "description": (motion or {}).get("description") or size.get("description", ""),
        "match": {**(size.get("match") or {}), **((motion or {}).get("match") or {})},
        "motion": (motion or {}).get("motion") or size.get("motion", "structured"),
        "sla": {**(size.get("sla") or {}), **((motion or {}).get("sla") or {})},
    }
    required = [k for k in size.get("required_fields") or () if _keeps(k, motion, weights)]
    required += [k for k in (motion or {}).get("required_fields") or () if k not in required]
    if required:
        out["required_fields"] = required
    scored = _scored(motion, weights)
    if scored is not None:
        out["scored_fields"] = scored
    elif "scored_fields" in size and _new_logo(motion):
        out["scored_fields"] = size["scored_fields"]
    if (motion or {}).get("pipelines"):
        out["pipelines"] = motion["pipelines"]
    csm = (motion or {}).get("csm_required_by") or (
        size.get("csm_required_by") if _new_logo(motion) else None
    )
    if csm:
        out["csm_required_by"] = csm
    return out


def _field(raw, groups: dict[str, list[str]], pairs: list, weights: dict[str, float]):
    """A field with required_in and applies_to naming segments; a size's requirement is dropped from the
    pairs whose motion does not keep it (see _keeps)."""
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    if "applies_to" in raw:
        out["applies_to"] = _expand(raw["applies_to"], groups)
    wanted = raw.get("required_in")
    if isinstance(wanted, list):
        kept = {key(s, m) for s, m in pairs if _keeps(raw.get("key"), m, weights)}
        sizes = {s["key"] for s, _ in pairs}
        expanded = []
        for ref in wanted:
            names = groups.get(ref, [ref]) if isinstance(ref, str) else [ref]
            for name in names:
                if ref in sizes and name not in kept:
                    continue
                if name not in expanded:
                    expanded.append(name)
        out["required_in"] = expanded
    return out
