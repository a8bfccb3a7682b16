"""Printable charts: lay a flow out on as many pages as it needs to stay readable, and write files.

The rule from the county's aim ("understand at a glance"): the smallest text on paper is at least
9 pt. A flow that does not fit one page that way is split the sensible way first (the main line,
then each group such as the fever branch on a page of its own); a part still too big for a page is
cut in reading order into runs that each fit (found by bisection). Text is never shrunk below the
limit: a single step (or a title block) too big for a page even on its own is printed as small as it
has to be and reported in `PrintedChart.too_big`, for the caller to warn about.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from sopflow.errors import RenderError
from sopflow.i18n import say
from sopflow.language.model import Flow
from sopflow.render import graphviz_run
from sopflow.render.chart import Chart, ChartPage, build_chart, overview_steps, split_by_group
from sopflow.render.dot import BOXES, SMALLEST_PT, Highlight, Layout, page_dot
from sopflow.render.fit import Fit, best_fit, fit_limit
from sopflow.render.mermaid import chart_mermaid
from sopflow.render.output import output_folder, write_file

TRIAL_SUBTITLE = "9/9"  # as long as a part's number in its title, for trying a page on its own
TRIAL_PAGE = 99  # the page number connectors show while a page is tried on its own


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "a4"
    landscape: bool | None = None  # None: whichever prints larger
    organisation: str = ""
    date: str = ""
    highlight: Highlight | None = None
    heading: str = ""  # put before the flow's title, e.g. the case id on a case chart


@dataclass(frozen=True)
class PrintedPage:
    page: ChartPage
    fit: Fit
    dot: str  # with size and margins for the paper


@dataclass(frozen=True)
class TooBig:
    """A page whose smallest text is below 9 pt because one element does not fit a page at 9 pt
    on its own: a step (`step` is its id) or, with `step` None, the title block."""

    page: int
    element: str  # the step's name as printed, or "" for the title block
    step: str | None
    smallest_pt: float


@dataclass(frozen=True)
class PrintedChart:
    chart: Chart
    pages: tuple[PrintedPage, ...]
    too_big: tuple[TooBig, ...] = ()
    flow: Flow | None = field(default=None, repr=False, compare=False)  # what was laid out, and how:
    options: PrintOptions = field(default_factory=PrintOptions, repr=False, compare=False)  # see only_pages

    @property
    def readable(self) -> bool:
        return all(p.fit.readable for p in self.pages)


def lay_out(flow: Flow, lang: str, options: PrintOptions | None = None) -> PrintedChart:
    """The chart of `flow` on readable pages (measured with the real `dot`)."""
    options = options or PrintOptions()
    pages: list[list[str]] = [list(flow.steps)]
    subtitles = [""]
    printed = _print(flow, lang, pages, subtitles, options)
    if printed.readable:
        return printed
    if flow.groups:
        return _overview_and_groups(flow, lang, options)
    title_fits = _title_block_alone(flow, lang, options).readable
    if not title_fits:  # no split helps: every page carries the title block
        return _too_big(flow, printed, title_fits=False)
    return _too_big(flow, _in_runs(flow, lang, ([list(flow.steps)], [""]), printed, options), title_fits=True)


def _overview_and_groups(flow: Flow, lang: str, options: PrintOptions) -> PrintedChart:
    """A big flow with groups: an overview page (the whole flow, each group one box), then each
    group on a page of its own, cut into runs where one page would not be readable."""
    pages, subtitles = split_by_group(flow, lang)
    if pages and flow.steps[pages[0][0]].group is None:  # the main line is drawn on the overview
        pages, subtitles = pages[1:], subtitles[1:]
    pages = [overview_steps(flow), *pages]
    subtitles = [say("chart.overview", lang), *subtitles]
    printed = _print(flow, lang, pages, subtitles, options, overview=True)
    if printed.readable:
        return _packed(flow, lang, printed, options)
    if not printed.pages[0].fit.readable:  # no overview then: the main line, then each group
        pages, subtitles = split_by_group(flow, lang)
        printed = _print(flow, lang, pages, subtitles, options)
        if printed.readable:
            return _packed(flow, lang, printed, options)
    title_fits = _title_block_alone(flow, lang, options).readable
    if not title_fits:
        return _too_big(flow, printed, title_fits=False)
    in_runs = _in_runs(flow, lang, (pages, subtitles), printed, options)
    return _too_big(flow, _packed(flow, lang, in_runs, options), title_fits=True)


def _packed(flow: Flow, lang: str, printed: PrintedChart, options: PrintOptions) -> PrintedChart:
    """The chart with pages that have room to spare sharing a page, where together they still
    print readably: the short end of a group cut in two, a group of two steps. Each keeps its
    group's frame; the page's title names them all, and it is placed where the first of them was
    (see _packs: the end of a group cut in two still comes after its start)."""
    overview = printed.pages[0].page.overview
    packs = _packs(flow, lang, printed, options)
    if len(packs) == len(printed.pages):
        return printed
    pages = [[s for i in pack for s in _steps_on(printed.pages[i])] for pack in packs]
    subtitles = [" · ".join(printed.pages[i].page.subtitle for i in pack) for pack in packs]
    again = _print(flow, lang, pages, subtitles, options, overview=overview)
    # numbered for real ("see page 3, 12"), a page can print a little wider than when tried
    unreadable = sum(not p.fit.readable for p in printed.pages)
    return again if sum(not p.fit.readable for p in again.pages) <= unreadable else printed


def _packs(flow: Flow, lang: str, printed: PrintedChart, options: PrintOptions) -> list[list[int]]:
    """Which pages (by index) share a page: each page with the later ones that still fit beside
    it, portrait staying portrait (pages whose heights together, less one title block, could not
    fit are not tried). A shared page takes the place of its first page, so a later part of a
    group cut in two only ever leads one (it is never moved before its group's start). The
    overview, a page not readable, and the first part of a group cut in two (full already)
    keep a page of their own."""
    pages = printed.pages
    groups = [{flow.steps[s].group for s in _steps_on(p)} for p in pages]
    alone = {i for i in range(len(pages) - 1) if groups[i] & groups[i + 1]}
    alone |= {i for i, p in enumerate(pages) if p.page.overview or not p.fit.readable}
    later_parts = {j for j in range(1, len(pages)) if groups[j - 1] & groups[j]}
    title_height = _title_block_alone(flow, lang, options).natural[1]
    tallest = fit_limit(SMALLEST_PT, options.paper)[1]
    packs: list[list[int]] = []
    used: set[int] = set()
    for i in range(len(pages)):
        if i in used:
            continue
        pack, height = [i], pages[i].fit.natural[1]
        for j in range(i + 1, len(pages)):
            if {i, j} & (alone | used) or j in later_parts:
                continue
            if height + pages[j].fit.natural[1] - title_height > tallest:
                continue
            steps = [s for k in (*pack, j) for s in _steps_on(pages[k])]
            title = " · ".join(pages[k].page.subtitle for k in (*pack, j))
            tried = _print(flow, lang, [steps], [title], options, elsewhere=TRIAL_PAGE).pages[0].fit
            if tried.readable and (not tried.landscape or any(pages[k].fit.landscape for k in (*pack, j))):
                pack.append(j)
                height = tried.natural[1]
                used.add(j)
        packs.append(pack)
    return packs


def _steps_on(page: PrintedPage) -> list[str]:
    """The steps a page prints (not its connectors, start, group boxes or notes)."""
    return [n.id for n in page.page.nodes if n.is_step]


def _in_runs(
    flow: Flow,
    lang: str,
    plan: tuple[list[list[str]], list[str]],
    printed: PrintedChart,
    options: PrintOptions,
) -> PrintedChart:
    """The chart with each page that is not readable cut into runs that are (an overview page is
    kept whole: it is the flow on one page, or nothing)."""
    pages, subtitles = plan
    final_pages: list[list[str]] = []
    final_titles: list[str] = []
    for steps, subtitle, page in zip(pages, subtitles, printed.pages, strict=True):
        whole = page.fit.readable or page.page.overview
        runs = [steps] if whole else _readable_runs(flow, lang, (steps, subtitle), options)
        final_pages += runs
        numbered = [f"{subtitle} {n}/{len(runs)}".strip() for n in range(1, len(runs) + 1)]
        final_titles += [subtitle] if len(runs) == 1 else numbered
    overview = printed.pages[0].page.overview
    return _print(flow, lang, final_pages, final_titles, options, overview=overview)


def _too_big(flow: Flow, printed: PrintedChart, *, title_fits: bool) -> PrintedChart:
    """The chart with its pages below 9 pt named: the one step on it (a run is cut down to a single
    step only when that step alone does not fit), or the title block."""
    too_big = []
    for page in printed.pages:
        if page.fit.readable:
            continue
        steps = [n for n in page.page.nodes if n.kind not in ("connector", "start", "interrupt")]
        if title_fits and len(steps) == 1:
            too_big.append(TooBig(page.page.number, steps[0].title, steps[0].id, page.fit.smallest_pt))
        else:
            too_big.append(TooBig(page.page.number, "", None, page.fit.smallest_pt))
    return replace(printed, too_big=tuple(too_big))


def _title_block_alone(flow: Flow, lang: str, options: PrintOptions) -> Fit:
    """How the title block prints on a page of its own (with a continuation title)."""
    chart = build_chart(
        flow, lang, [[]], subtitles=[TRIAL_SUBTITLE], organisation=options.organisation, date=options.date
    )
    if options.heading:
        chart = replace(chart, title=f"{options.heading} · {chart.title}")
    [page] = chart.pages
    source = page_dot(chart, page, Layout(paper=options.paper))
    return best_fit(graphviz_run.measure(source), SMALLEST_PT, options.paper, options.landscape)


def _readable_runs(
    flow: Flow, lang: str, page: tuple[list[str], str], options: PrintOptions
) -> list[list[str]]:
    """Cut a page's steps, in reading order, into runs each as long as still prints readably
    (bisection: a few layouts per page), so that one crowded step does not make every page
    small. Cutting greedily can leave a short last run; runs of even length, one fewer, are
    tried as well. Each run is tried under the title it will have (a long one wraps)."""
    steps, subtitle = page
    title = f"{subtitle} {TRIAL_SUBTITLE}".strip()

    def readable(run: list[str]) -> bool:
        return _print(flow, lang, [run], [title], options, elsewhere=TRIAL_PAGE).readable

    runs: list[list[str]] = []
    start = 0
    while start < len(steps):
        fits, tried_up_to = start + 1, len(steps)  # steps[start:fits] fits, or is a single step
        while fits < tried_up_to:
            middle = (fits + tried_up_to + 1) // 2
            if readable(steps[start:middle]):
                fits = middle
            else:
                tried_up_to = middle - 1
        runs.append(steps[start:fits])
        start = fits
    if len(runs) > 2:
        count = len(runs) - 1
        cuts = [round(n * len(steps) / count) for n in range(count + 1)]
        even = [steps[cuts[n] : cuts[n + 1]] for n in range(count)]
        if all(readable(run) for run in even):
            return even
    return runs


def _print(
    flow: Flow,
    lang: str,
    pages: list[list[str]],
    subtitles: list[str],
    options: PrintOptions,
    *,
    elsewhere: int | None = None,
    overview: bool = False,
) -> PrintedChart:
    chart = build_chart(
        flow,
        lang,
        pages,
        subtitles=subtitles,
        organisation=options.organisation,
        date=options.date,
        elsewhere=elsewhere,
        overview=overview,
    )
    if options.heading:
        chart = replace(chart, title=f"{options.heading} · {chart.title}")
    printed = []
    for page in chart.pages:
        fitted, trial = _best_layout(chart, page, options)
        layout = replace(trial, size_in=fitted.size_in, pad_in=fitted.pad_in, landscape=fitted.landscape)
        printed.append(PrintedPage(page, fitted, page_dot(chart, page, layout, options.highlight)))
    return PrintedChart(chart, tuple(printed), flow=flow, options=options)


def _best_layout(chart: Chart, page: ChartPage, options: PrintOptions) -> tuple[Fit, Layout]:
    """How `page` prints largest: running down or across (a wide fan-out prints larger left to
    right), and, where the usual boxes do not fit a portrait page, with low boxes, then narrow
    ones (Layout.boxes). A readable portrait page first, so that pages turn to landscape only
    where they must; then the boxes tried first where they are readable. An overview keeps its
    usual boxes (which list each group's entries and ends) wherever they are readable."""
    choices = []
    for boxes in BOXES:
        for rankdir in ("TB", "LR"):
            trial = Layout(rankdir=rankdir, paper=options.paper, boxes=boxes)
            natural = graphviz_run.measure(page_dot(chart, page, trial, options.highlight))
            choices.append((best_fit(natural, SMALLEST_PT, options.paper, options.landscape), trial))
        if any(fitted.readable and not fitted.landscape for fitted, _ in choices):
            break  # these boxes print readably on a portrait page

    def preference(choice: tuple[Fit, Layout]) -> tuple[bool, bool, int, float]:
        fitted, layout = choice
        tried_first = -BOXES.index(layout.boxes) if fitted.readable else 0
        portrait = fitted.readable and not fitted.landscape
        if page.overview:  # its group boxes' entries and ends are worth a turned page
            return (fitted.readable, tried_first == 0, portrait, fitted.scale)
        return (portrait, fitted.readable, tried_first, fitted.scale)

    return max(choices, key=preference)


def only_pages(printed: PrintedChart, numbers: Collection[int]) -> PrintedChart:
    """The chart with only the pages numbered `numbers`, each holding the same steps as before, but
    numbered 1, 2, ... of their own, their "see page N" pointing at these numbers (and at no page
    left out): a case chart prints the pages the case was on as a chart of its own."""
    if printed.flow is None:
        raise ValueError("only_pages needs a chart laid out by lay_out")
    kept = [page for page in printed.pages if page.page.number in numbers]
    if len(kept) == len(printed.pages):
        return printed
    flow, lang = printed.flow, printed.chart.lang
    steps = [_steps_on(page) for page in kept]
    subtitles = [page.page.subtitle for page in kept]
    overview = kept[0].page.overview
    printed_again = _print(flow, lang, steps, subtitles, printed.options, overview=overview)
    return _too_big(flow, printed_again, title_fits=True)


def write_chart(printed: PrintedChart, fmt: str, folder: Path, stem: str) -> list[Path]:
    """Write the chart as `fmt` into `folder`: one PDF with all pages, one DOT file holding every
    page's graph, a Markdown file of Mermaid blocks, or an SVG/PNG per page."""
    output_folder(folder)
    if fmt == "dot":
        return [write_file(folder / f"{stem}.dot", "\n".join(p.dot for p in printed.pages))]
    if fmt == "mermaid":
        return [write_file(folder / f"{stem}.md", chart_mermaid(printed.chart))]
    if fmt not in graphviz_run.FORMATS:
        raise RenderError("render.bad_format", format=fmt, formats="pdf, svg, png, dot, mermaid")
    if fmt == "pdf":
        pages = [(p.dot, p.fit.page_pt) for p in printed.pages]
        return [graphviz_run.write_pdf(pages, folder / f"{stem}.pdf")]
    single = len(printed.pages) == 1
    return [
        graphviz_run.write(
            p.dot, fmt, folder / (f"{stem}.{fmt}" if single else f"{stem}-{p.page.number}.{fmt}")
        )
        for p in printed.pages
    ]
