"""`handrail init`: the example spec, its JSON Schema and sample deals, written into a folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from handrail.generators.output.files import atomic_text
from handrail.specs.diagnostics import UsageProblem


def starter_files() -> dict[str, bytes]:
    examples = resources.files("handrail.specs.examples")
    return {
        "handoff.yaml": examples.joinpath("handoff.yaml").read_bytes(),
        "deals.csv": examples.joinpath("deals.csv").read_bytes(),
        "handoff.schema.json": resources.files("handrail.specs").joinpath("spec.schema.json").read_bytes(),
    }


def write_starter(directory: Path, force: bool) -> list[tuple[Path, bool]]:
    """Write the starter files; (path, written) for each. Files already there as init writes them are kept;
    files there with other content are refused (exit 2) unless `force`."""
    files = starter_files()
    same = {
        name
        for name, data in files.items()
        if (directory / name).is_file() and (directory / name).read_bytes() == data
    }
    differing = [name for name in files if name not in same and (directory / name).exists()]
    if differing and not force:
        raise UsageProblem(
            f"{', '.join(str(directory / n) for n in differing)} already exist with other "
            "content; pass --force to overwrite them"
        )
    done = []
    for name, data in files.items():
        if name not in same:
            with atomic_text(directory / name) as handle:
                handle.write(data.decode("utf-8"))
        done.append((directory / name, name not in same))
    return done
