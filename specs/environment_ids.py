"""HubSpot pipeline and stage ids per environment: a sandbox or second portal whose pipelines were
created again got ids of their own.

    environments:
      hubspot_test:
        target: hubspot
        hubspot_pipelines:
          renewals: {id: "98765", stages: {negotiation: "1234567", closed_won: "1234568"}}

`plan` compiles the spec for the environment with those ids in place of the spec's (the model is
rewritten before rendering, so every workflow, formula, branch and pipeline-rule set reads the same id);
`build` uses the spec's own. The default pipeline's stage ids are the stages' `hubspot:` values, so an
entry for it rewrites those. Errors (located at the environment): an unknown pipeline or stage, a stage
the pipeline does not have.
"""

from __future__ import annotations

import dataclasses
from difflib import get_close_matches

from handrail.specs.diagnostics import Diagnostic, error
from handrail.specs.model import Environment, Model


def for_environment(model: Model, env: Environment) -> Model:
    """The model with the environment's HubSpot pipeline and stage ids (unchanged without any)."""
    if not env.hubspot_pipelines or not model.pipelines:
        return model
    overrides = {key: (pid, dict(stages)) for key, pid, stages in env.hubspot_pipelines}
    pipelines, stages = [], list(model.stages)
    for p in model.pipelines:
        pid, stage_ids = overrides.get(p.key, (None, {}))
        mapped = tuple(
            dataclasses.replace(s, hubspot=stage_ids.get(s.stage, s.hubspot)) if s.hubspot else s
            for s in p.stages
        )
        pipelines.append(dataclasses.replace(p, hubspot_id=pid or p.hubspot_id, stages=mapped))
        if p.default and stage_ids:  # the default pipeline's values are the stages' own
            stages = [dataclasses.replace(s, hubspot=stage_ids.get(s.key, s.hubspot)) for s in stages]
    return dataclasses.replace(model, pipelines=tuple(pipelines), stages=tuple(stages))


def check(model: Model) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    known = {p.key: p for p in model.pipelines}
    for env in model.environments:
        where = f"environments.{env.name}.hubspot_pipelines"
        platform = env.get("platform") if env.target == "snapshot" else env.target
        if env.hubspot_pipelines and platform == "salesforce":
            message = f"hubspot_pipelines names HubSpot ids; '{env.name}' is a Salesforce environment"
            out.append(error("hubspot-only", message, path=where, span=env.span))
            continue
        for key, _, stage_ids in env.hubspot_pipelines:
            pipeline = known.get(key)
            if pipeline is None:
                close = get_close_matches(key, list(known), 1)
                hint = f"did you mean `{close[0]}`?" if close else "name a key of pipelines:"
                out.append(
                    error("unknown-reference", f"{where}: unknown pipeline '{key}'", span=env.span, hint=hint)
                )
                continue
            has = (
                {s.stage for s in pipeline.stages} if not pipeline.default else {s.key for s in model.stages}
            )
            for stage, _ in stage_ids:
                if stage not in has:
                    close = get_close_matches(stage, sorted(has), 1)
                    out.append(
                        error(
                            "unknown-reference",
                            f"{where}.{key}: pipeline '{key}' has no stage '{stage}'",
                            span=env.span,
                            hint=f"did you mean `{close[0]}`?"
                            if close
                            else f"its stages: {', '.join(sorted(has))}",
                        )
                    )
    return out
