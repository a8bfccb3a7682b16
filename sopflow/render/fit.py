"""Fitting a chart on paper, and whether it can still be read there.

A page is readable when its smallest text, after the drawing is scaled to fit inside the page's
margins, is at least 9 pt. The drawing's natural size comes from `dot`'s own layout (see
graphviz_run.measure); this module only does the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

POINTS_PER_INCH = 72.0
MIN_READABLE_PT = 9.0
MARGIN_PT = 36.0  # half an inch all round

PAPERS = {"a4": (595.28, 841.89), "a3": (841.89, 1190.55)}


@dataclass(frozen=True)
class Fit:
    """How a drawing of `natural` size (points) sits on the paper."""

    paper: str
    landscape: bool
    natural: tuple[float, float]
    scale: float
    smallest_pt: float

    @property
    def page_pt(self) -> tuple[float, float]:
        width, height = PAPERS[self.paper]
        return (height, width) if self.landscape else (width, height)

    @property
    def readable(self) -> bool:
        return self.smallest_pt >= MIN_READABLE_PT - 1e-6

    @property
    def size_in(self) -> tuple[float, float]:
        """Graphviz `size`: the whole page, in inches (the drawing plus its padding fill it)."""
        page_w, page_h = self.page_pt
        return (page_w / POINTS_PER_INCH, page_h / POINTS_PER_INCH)

    @property
    def pad_in(self) -> tuple[float, float]:
        """Graphviz `pad` around the drawing, in inches before scaling, such that Graphviz, scaling
        drawing and padding together to `size`, scales by exactly `scale` and centres the drawing
        on the page. (Graphviz's `margin` is not honoured per axis by its PDF output.)"""
        page_w, page_h = self.page_pt
        width, height = self.natural
        return (
            max(page_w - width * self.scale, 0) / 2 / self.scale / POINTS_PER_INCH,
            max(page_h - height * self.scale, 0) / 2 / self.scale / POINTS_PER_INCH,
        )


def fit(
    natural: tuple[float, float], smallest_font_pt: float, paper: str = "a4", *, landscape: bool = False
) -> Fit:
    """Scale a drawing down (never up) to fit inside the margins of the paper."""
    page_w, page_h = PAPERS[paper]
    if landscape:
        page_w, page_h = page_h, page_w
    width, height = natural
    usable_w, usable_h = page_w - 2 * MARGIN_PT, page_h - 2 * MARGIN_PT
    scale = min(1.0, usable_w / width if width else 1.0, usable_h / height if height else 1.0)
    return Fit(paper, landscape, natural, scale, smallest_font_pt * scale)


def fit_limit(smallest_font_pt: float, paper: str = "a4") -> tuple[float, float]:
    """The largest drawing (width, height in points) whose smallest text, `smallest_font_pt`
    as drawn, prints readably on a portrait page of `paper` (the inverse of `fit`)."""
    page_w, page_h = PAPERS[paper]
    least_scale = min(1.0, MIN_READABLE_PT / smallest_font_pt)
    return ((page_w - 2 * MARGIN_PT) / least_scale, (page_h - 2 * MARGIN_PT) / least_scale)


def best_fit(
    natural: tuple[float, float], smallest_font_pt: float, paper: str = "a4", landscape: bool | None = None
) -> Fit:
    """Portrait when it prints readably, so that pages turn only where they must; else portrait or
    landscape, whichever prints larger (unless the user chose)."""
    if landscape is not None:
        return fit(natural, smallest_font_pt, paper, landscape=landscape)
    portrait = fit(natural, smallest_font_pt, paper, landscape=False)
    if portrait.readable:
        return portrait
    return max(
        (fit(natural, smallest_font_pt, paper, landscape=o) for o in (False, True)), key=lambda f: f.scale
    )
