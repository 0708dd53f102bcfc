"""The jinja2 environment reports and briefs render with: packaged templates, user overrides, filters.

A template in the user's folder wins over the packaged one of the same name. HTML templates
(`*.html.j2`) autoescape; Markdown ones do not. Undefined variables are errors, so a typo in an
override is reported with its file and line instead of rendering an empty gap.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    select_autoescape,
)

from handrail.specs.diagnostics import InputError

ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")  # `&lt;` in data must show as typed, not as `<`


def environment(user_dir: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(user_dir))] if user_dir else []
    loaders.append(PackageLoader("handrail.generators", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
    )
    env.filters.update(num=format_number, pct=format_percent, md=markdown_text)
    return env


def render(env: Environment, name: str, **context: Any) -> str:
    """Render `name`; template mistakes become an InputError naming the template file and line."""
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise InputError(
            f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except TemplateNotFound as exc:
        raise InputError(f"template '{exc.name}' not found (needed by {name})") from None
    except TemplateError as exc:
        raise InputError(f"template {name}{_line_of(exc)}: {exc}") from None


def _line_of(exc: BaseException) -> str:
    """Where in a template a runtime error happened: jinja rewrites its traceback onto template lines."""
    tb, where = exc.__traceback__, ""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where = f" ({tb.tb_frame.f_code.co_filename}:{tb.tb_lineno})"
        tb = tb.tb_next
    return where


def format_number(value: Any, places: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{places}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_percent(value: Any, places: int = 1) -> str:
    return "-" if value is None else f"{format_number(float(value), places)}%"


def markdown_text(value: Any) -> str:
    """A field value inside Markdown: characters that would start markup are escaped, line breaks kept.

    HTML is written as entities (`&lt;img onerror=...&gt;`): a backslash before `<` is not an escape in every
    renderer (Python-Markdown keeps it and passes the tag through), an entity is text in all of them.
    """
    text = str(value).replace("\\", "\\\\")
    text = ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_`[]|":
        text = text.replace(ch, "\\" + ch)
    lines = [line.strip() for line in text.strip().splitlines()]
    return "  \n".join("\\" + line if line[:1] in "#-+" and line else line for line in lines)
