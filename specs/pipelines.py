"""Several pipelines: HubSpot deal pipelines by id, Salesforce record types with their sales processes.

One pipeline is the default: its stage values are the stages' own `salesforce:`/`hubspot:` values, so a
spec without `pipelines:` is one default pipeline with no record type and no pipeline id, and compiles
exactly as before. Another pipeline maps the spec stages it has to its own values (`stages:`); a stage it
leaves out is not in it. Gates and segments may name pipelines; a gate naming none applies to every
pipeline that has its stage, a segment naming none matches deals of any pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handrail.specs.diagnostics import Diagnostic, error, format_path
from handrail.specs.loader import Document
from handrail.specs.record import record
from handrail.specs.schema_check import short, suggest

if TYPE_CHECKING:
    from handrail.specs.model import Gate, Model, Stage


@record
class PipelineStage:
    """A spec stage as one pipeline names it in each CRM."""

    stage: str  # spec stage key
    salesforce: str | None  # StageName value in this pipeline
    hubspot: str | None  # HubSpot stage id in this pipeline


@record
class Pipeline:
    """A sales pipeline (a Salesforce sales process, a HubSpot pipeline) and its stages."""

    key: str
    label: str
    default: bool
    stages: tuple[PipelineStage, ...]  # in spec stage order
    record_type: str | None = None  # Opportunity RecordType DeveloperName
    business_process: str | None = None
    hubspot_id: str | None = None
    span: object = None

    def stage(self, key: str) -> PipelineStage | None:
        return next((s for s in self.stages if s.stage == key), None)

    def value(self, stage_key: str, platform: str) -> str | None:
        s = self.stage(stage_key)
        return getattr(s, platform) if s else None

    def stage_for(self, value: str, platform: str) -> str | None:
        """The spec stage key whose value in this pipeline is ``value``."""
        return next((s.stage for s in self.stages if getattr(s, platform) == value), None)


def resolve_pipelines(data: dict, stages: tuple[Stage, ...], doc: Document) -> tuple[Pipeline, ...]:
    raw = data.get("pipelines") or ()
    single = len(raw) == 1
    out = []
    for i, p in enumerate(raw):
        default = bool(p.get("default")) or single
        sf, hs = p.get("salesforce") or {}, p.get("hubspot") or {}
        if default:
            mapped = tuple(PipelineStage(s.key, s.salesforce, s.hubspot) for s in stages)
        else:
            own = p.get("stages") or {}
            mapped = tuple(
                PipelineStage(s.key, own[s.key].get("salesforce"), own[s.key].get("hubspot"))
                for s in stages
                if s.key in own
            )
        out.append(
            Pipeline(
                key=p["key"],
                label=p.get("label") or p["key"].replace("_", " ").capitalize(),
                default=default,
                stages=mapped,
                record_type=sf.get("record_type"),
                business_process=sf.get("business_process"),
                hubspot_id=hs.get("id"),
                span=doc.span(("pipelines", i)),
            )
        )
    return tuple(out)


def pipelines_of(model: Model) -> tuple[Pipeline, ...]:
    """The spec's pipelines, or the one implicit default pipeline of a spec without `pipelines:`."""
    if model.pipelines:
        return model.pipelines
    cache = model.__dict__.setdefault("_indexes", {})
    if "implicit_pipeline" not in cache:
        stages = tuple(PipelineStage(s.key, s.salesforce, s.hubspot) for s in model.stages)
        cache["implicit_pipeline"] = (Pipeline("default", "Default", True, stages),)
    return cache["implicit_pipeline"]


def gate_pipelines(model: Model, gate: Gate) -> tuple[Pipeline, ...]:
    """The pipelines a gate applies to: those it names, else every pipeline that has its stage."""
    named = gate.pipelines
    return tuple(
        p for p in pipelines_of(model) if (p.key in named if named else p.stage(gate.stage) is not None)
    )


def stage_values(model: Model, stage_keys, platform: str, pipelines=None) -> list[str]:
    """Every value (StageName or stage id) the given stages have in the given pipelines, in order, once."""
    out: list[str] = []
    for p in pipelines if pipelines is not None else pipelines_of(model):
        for key in stage_keys:
            v = p.value(key, platform)
            if v and v not in out:
                out.append(v)
    return out


def stage_of(model: Model, value: str | None, platform: str, pipeline: str | None = None) -> str | None:
    """The spec stage key of a deal's stage value, through its pipeline's mapping (record type
    DeveloperName or HubSpot pipeline id); an unknown or missing pipeline reads the default's."""
    if value is None:
        return None
    ps = pipelines_of(model)
    chosen = deal_pipeline(model, pipeline, platform)
    found = chosen.stage_for(value, platform) if chosen else None
    if found is None and not model.pipelines:
        found = ps[0].stage_for(value, platform)
    return found


def deal_pipeline(model: Model, ident: str | None, platform: str) -> Pipeline | None:
    """The pipeline of a deal from its record type DeveloperName (salesforce) or pipeline id (hubspot)."""
    ps = pipelines_of(model)
    attr = "record_type" if platform == "salesforce" else "hubspot_id"
    if ident:
        for p in ps:
            if getattr(p, attr) == ident:
                return p
    return next((p for p in ps if p.default), None)


def check_pipelines(doc: Document) -> list[Diagnostic]:
    """Located errors: duplicate keys or ids, defaults, unknown stages, unknown pipeline references."""
    data = doc.data if isinstance(doc.data, dict) else {}
    raw = data.get("pipelines")
    out: list[Diagnostic] = []

    def err(code, message, path, hint=""):
        out.append(error(code, message, path=format_path(path), span=doc.span(path), hint=hint))

    items = [(i, p) for i, p in enumerate(raw or ()) if isinstance(p, dict) and isinstance(p.get("key"), str)]
    keys = dict.fromkeys(p["key"] for _, p in items)
    stage_keys = dict.fromkeys(
        s["key"] for s in data.get("stages") or () if isinstance(s, dict) and isinstance(s.get("key"), str)
    )
    seen: dict[tuple, int] = {}
    defaults = [i for i, p in items if p.get("default")]
    for i in defaults[1:]:
        err(
            "pipeline-default",
            f"pipelines[{defaults[0]}] is already the default",
            ("pipelines", i, "default"),
        )
    if len(items) > 1 and not defaults:
        err(
            "pipeline-default",
            "several pipelines and none is the default",
            ("pipelines",),
            "mark the pipeline whose stage values are the stages' own with default: true",
        )
    for i, p in items:
        for what, ident in (
            ("key", p["key"]),
            ("record type", (p.get("salesforce") or {}).get("record_type")),
            ("HubSpot pipeline id", (p.get("hubspot") or {}).get("id")),
        ):
            if ident is None:
                continue
            if (what, ident) in seen:
                err(
                    "duplicate-key",
                    f"pipeline {what} {short(ident)} is already used by pipelines[{seen[(what, ident)]}]",
                    ("pipelines", i),
                )
            seen.setdefault((what, ident), i)
        is_default = bool(p.get("default")) or len(items) == 1
        own = p.get("stages")
        if is_default and own:
            err(
                "pipeline-stages",
                "the default pipeline's stage values are the stages' own salesforce:/hubspot: values",
                ("pipelines", i, "stages"),
                "move these values onto the stages, or make another pipeline the default",
            )
            continue
        if not is_default and not own:
            err(
                "pipeline-stages",
                f"pipeline {short(p['key'])} maps no stages",
                ("pipelines", i),
                "add stages:",
            )
        for stage, values in (own or {}).items() if isinstance(own, dict) else ():
            path = ("pipelines", i, "stages", stage)
            if stage not in stage_keys:
                err("unknown-reference", f"unknown stage {short(stage)}", path, suggest(stage, stage_keys))
            values = values if isinstance(values, dict) else {}
            if values.get("salesforce") and not (p.get("salesforce") or {}).get("record_type"):
                err("pipeline-record-type", "a Salesforce stage value needs salesforce.record_type", path)
            if values.get("hubspot") and not (p.get("hubspot") or {}).get("id"):
                err("pipeline-hubspot-id", "a HubSpot stage id needs hubspot.id", path)
    _check_refs(data, keys, items, err)
    return out


def _check_refs(data: dict, keys: dict, items, err) -> None:
    has_stage = {
        p["key"]: set(data_stage_keys(data))
        if (p.get("default") or len(items) == 1)
        else set(p.get("stages") or ())
        for _, p in items
    }
    # segments made from sizes: and motions: carry their motion's pipelines; report those at the motion
    for path, item in _naming_items(data):
        named = item["pipelines"] if isinstance(item["pipelines"], list) else []
        if not keys:
            err(
                "unknown-reference",
                "pipelines: names pipelines but the spec declares none",
                (*path, "pipelines"),
                "declare them under pipelines:",
            )
            continue
        for j, name in enumerate(named):
            if isinstance(name, str) and name not in keys:
                err(
                    "unknown-reference",
                    f"unknown pipeline {short(name)}",
                    (*path, "pipelines", j),
                    suggest(name, keys),
                )
        stage = item.get("stage") if path[0] == "gates" else None
        if stage and named and all(n in keys and stage not in has_stage[n] for n in named):
            err(
                "pipeline-stage",
                f"none of the gate's pipelines has stage {short(stage)}",
                (*path, "pipelines"),
                "map the stage in one of them, or name a pipeline that has it",
            )


def _naming_items(data: dict):
    """(path, item) for every gate, segment or motion, task and notification that has `pipelines:`."""
    found = []
    for section in ("gates", "motions") if "motions" in data else ("gates", "segments"):
        found += [((section, i), item) for i, item in enumerate(data.get(section) or ())]
    automation = data.get("automation") if isinstance(data.get("automation"), dict) else {}
    won = automation.get("on_closed_won") if isinstance(automation.get("on_closed_won"), dict) else {}
    for kind in ("tasks", "notify"):
        found += [(("automation", "on_closed_won", kind, i), t) for i, t in enumerate(won.get(kind) or ())]
    for i, entry in enumerate(automation.get("on_stage_entry") or ()):
        for kind in ("tasks", "notify") if isinstance(entry, dict) else ():
            found += [
                (("automation", "on_stage_entry", i, kind, j), t) for j, t in enumerate(entry.get(kind) or ())
            ]
    return [(path, item) for path, item in found if isinstance(item, dict) and "pipelines" in item]


def data_stage_keys(data: dict) -> list[str]:
    return [
        s["key"] for s in data.get("stages") or () if isinstance(s, dict) and isinstance(s.get("key"), str)
    ]
