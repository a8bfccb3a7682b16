"""Printable HTML pages: the one Jinja2 environment (autoescaped: what users typed comes out as
text) and the flow's chart pages as inline SVG, shared by the handbook and the case sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from sopflow.i18n import say
from sopflow.language.model import Flow
from sopflow.render.graphviz_run import run_dot
from sopflow.render.printing import PrintOptions, lay_out
from sopflow.render.svg import inline_svg

_ENV = Environment(
    loader=PackageLoader("sopflow.render", "templates"),
    autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_page(template: str, lang: str, **context: Any) -> str:
    def w(code: str, **params: object) -> str:
        return say(code, lang, **params)

    return _ENV.get_template(template).render(lang=lang, html_lang=say("html.lang", lang), w=w, **context)


@dataclass(frozen=True)
class ChartSheet:
    svg: Markup
    landscape: bool


def chart_sheets(
    flow: Flow, lang: str, *, organisation: str = "", date: str = ""
) -> tuple[list[ChartSheet], dict[str, tuple[int, ...]]]:
    """The flow's chart pages as inline SVG, and on which page(s) each step is drawn."""
    printed = lay_out(flow, lang, PrintOptions(organisation=organisation, date=date))
    sheets = []
    pages_of: dict[str, list[int]] = {}
    for page in printed.pages:
        number = page.page.number
        svg = inline_svg(run_dot(page.dot, "svg"), f"p{number}-")
        sheets.append(ChartSheet(Markup(svg), page.fit.landscape))  # noqa: S704 (dot's own output)
        for node in page.page.nodes:
            if node.id in flow.steps and node.kind != "connector":
                pages_of.setdefault(node.id, []).append(number)
    return sheets, {step: tuple(numbers) for step, numbers in pages_of.items()}
