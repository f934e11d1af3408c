"""The municipality brief: an A4 PDF for meetings, laid out from a ProfileView (report layer).

Everything printed comes from :class:`kuntadash.views.profile.ProfileView`, the same view the
profile page draws, so the brief and the page never disagree. Page one answers like the page's
first screen: where the municipality stands in each dimension, its strengths and weak spots with
their numbers, and what changed most; then the trends, every indicator, the ranks in every
grouping, the most similar municipalities, and the sources with their licences. A link and a QR
code lead to the municipality's baked static page when that is served, with the exact view the
brief was made from as a second link, else to that view alone (kuntadash.links decides); when
an address works only on the machine that made the brief, the brief says so beside it. Charts
are drawn with matplotlib (charts.static); text uses DejaVu Sans, bundled with matplotlib, so
ä, ö and å embed offline.
Sample data are marked on every page.
"""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib
import pandas as pd
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace, TTFFont
from fpdf.image_datastructures import ImageCache
from fpdf.image_parsing import preload_image

from kuntadash.charts.palette import (
    BETTER,
    FAINT_TEXT,
    MISSING_COLOUR,
    MUTED_COLOUR,
    PRIMARY,
    WORSE,
    WORSE_TINT,
)
from kuntadash.charts.static import (
    TrendPanel,
    build_positions_figure,
    build_trend_panels_figure,
    render_figure,
)
from kuntadash.domain.catalogue import DIMENSIONS
from kuntadash.domain.groups import ComparisonGroup
from kuntadash.domain.small_numbers import SMALL_POPULATION
from kuntadash.links import holder_warning, public_base_url, qr_png, shared_profile_url
from kuntadash.store import Snapshot
from kuntadash.urlkeys import (
    DATASET_KEY,
    GROUP_KEY,
    LANG_KEY,
    MUNICIPALITY_KEY,
    SAMPLE_DATASET,
)
from kuntadash.views.profile import (
    CHANGE_PERIOD,
    ProfileInputs,
    ProfileView,
    build_profile_view,
)
from kuntadash.views.small import marked

PAGE_PATH = "municipality"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_MM = 15
TOP_MM = 14
BOTTOM_MM = 16  # the footer sits below
CONTENT_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM
QR_MM = 26
# Colours from the one palette (fpdf2 takes "#rrggbb"); black text on white paper as grey levels.
BLACK, WHITE = 0, 255
GREY = FAINT_TEXT
LIGHT = MUTED_COLOUR  # every other table row
RULE = MISSING_COLOUR  # the table's lines
WARN_FILL, WARN_LINE = WORSE_TINT, WORSE
BLUE = PRIMARY
TREND_COLOURS = {"better": BETTER, "worse": WORSE}


def build_brief(
    snapshot: Snapshot,
    code: str,
    lang: str,
    *,
    group: ComparisonGroup | None = None,
    years: dict[str, int] | None = None,
    today: date | None = None,
    link: str = "",
) -> bytes:
    """The brief of municipality ``code`` in ``lang`` as PDF bytes, from a view built here
    (the app passes the view it drew to :func:`brief_pdf` instead)."""
    view = build_profile_view(snapshot, code, lang, group, ProfileInputs(years=years))
    return brief_pdf(view, link=link, today=today)


def profile_link(view: ProfileView, base: str | None = None) -> str:
    """The profile's address for ``view``: ``base`` or the public address
    (:func:`kuntadash.links.public_base_url`), with the municipality, language and group in
    the query."""
    base = (base or public_base_url()).rstrip("/")
    params = {LANG_KEY: view.lang, MUNICIPALITY_KEY: view.code, GROUP_KEY: view.group.kind}
    if view.is_sample:
        params[DATASET_KEY] = SAMPLE_DATASET
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{base}/{PAGE_PATH}?{query}"


@functools.cache
def _faces() -> dict[str, TTFFont]:
    """The brief's three type faces (DejaVu Sans regular, bold and oblique) as fpdf2 parsed
    them, once per process (about 0.1 s a face): laying out text reads them and never changes
    them. Each document takes a copy (:class:`_BriefPDF`)."""
    holder = FPDF()
    holder.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    holder.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    holder.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    return dict(holder.fonts)


def _read_images(images: Sequence[bytes]) -> ImageCache:
    """``images`` (PNG bytes) as fpdf2 reads them into a document (decoded, compressed again),
    once per brief however many times its pages are laid out, in the order the pages show them
    (their numbers in the document follow it). Each layout takes a copy (:class:`_BriefPDF`)."""
    read = ImageCache()
    for data in images:
        preload_image(read, io.BytesIO(data))
    return read


class _BriefPDF(FPDF):
    """A4 portrait with a footer naming the municipality, the page and the sample flag."""

    def __init__(self, footer_text: str, page_label: str, images: ImageCache) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        # The images already read (:func:`_read_images`), each counted as used by none of
        # this document's pages yet: fpdf2 counts the uses and embeds what is used.
        self.image_cache = ImageCache(
            images={name: type(info)(info, usages=0) for name, info in images.images.items()},
            icc_profiles=dict(images.icc_profiles),
            image_filter=images.image_filter,
        )
        self.footer_text = footer_text
        self.page_label = page_label
        self.content_ends: list[float] = []
        # A copy of each face (fpdf2's own copy: the parsed font shared, what this document
        # uses of it its own), in the order add_font gives them.
        self.fonts.update({key: copy.deepcopy(face) for key, face in _faces().items()})
        self.set_margins(MARGIN_MM, TOP_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=BOTTOM_MM)

    def written(self) -> bytes:
        """The document's bytes. Writing subsets each face's font tables in place (fpdf2), and
        those are the ones every copy of :func:`_faces` shares: this document's faces read their
        files again first (lazily, only what the subset needs), so the shared parse stays whole
        for the next document."""
        for face in self.fonts.values():
            face.ttfont = TTFont(face.ttffile, recalcTimestamp=False, lazy=True)
        return bytes(self.output())

    def footer(self) -> None:
        # Called as each page closes, before anything moves: where its content ended.
        self.content_ends.append(self.get_y())
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(GREY)
        self.cell(CONTENT_MM * 0.8, 5, self.footer_text)
        self.cell(CONTENT_MM * 0.2, 5, self.page_label.format(page=self.page_no()), align="R")
        self.set_text_color(BLACK)


@dataclass(frozen=True)
class _Note:
    """A table row of plain words across every column (why a section has no rows)."""

    text: str


class _Writer:
    """Layout helpers over one _BriefPDF."""

    def __init__(self, pdf: _BriefPDF, scale: float = 1.0) -> None:
        self.pdf = pdf
        self.scale = scale  # type sizes and widths of what follows, times this

    def room(self) -> float:
        """Millimetres left on the page above the bottom margin."""
        return PAGE_HEIGHT_MM - BOTTOM_MM - self.pdf.get_y()

    def heading(self, text: str, size: float = 12.5, keep: float = 30) -> None:
        """A section heading, moved to the next page when less than ``keep`` mm would follow
        it on this one."""
        pdf = self.pdf
        if self.room() < keep:
            pdf.add_page()
        size *= self.scale
        pdf.ln(2.5 * self.scale)
        pdf.set_font(FONT, "B", size)
        pdf.set_text_color(BLUE)
        pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.8)
        pdf.set_text_color(BLACK)
        pdf.set_font(FONT, "", 9)

    def paragraph(self, text: str, size: float = 9, style: str = "", colour=BLACK) -> None:
        pdf = self.pdf
        size *= self.scale
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(colour)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(BLACK)
        pdf.set_font(FONT, "", 9)

    def bullet(self, title: str, text: str, size: float = 8.6) -> None:
        """'• Title: text' with the title in bold, wrapped under itself."""
        pdf = self.pdf
        size *= self.scale
        pdf.set_font(FONT, "", size)
        pdf.set_x(MARGIN_MM + 1)
        pdf.cell(4, size * 0.5, "•")
        pdf.set_font(FONT, "", size)
        pdf.multi_cell(
            CONTENT_MM - 5,
            size * 0.5,
            f"**{_escape(title)}**: {_escape(text)}",
            markdown=True,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(0.6 * self.scale)

    def banner(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_fill_color(WARN_FILL)
        pdf.set_draw_color(WARN_LINE)
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(
            0,
            4.8,
            text,
            border=1,
            fill=True,
            padding=2,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_font(FONT, "", 9)
        pdf.ln(1)

    def image(self, data: bytes, width: float = CONTENT_MM) -> None:
        width *= self.scale
        self.pdf.image(io.BytesIO(data), w=width, x=(PAGE_WIDTH_MM - width) / 2)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str] | _Note],
        widths: Sequence[float],
        align: Sequence[str],
        size: float = 8,
    ) -> None:
        pdf = self.pdf
        size *= self.scale
        pdf.set_font(FONT, "", size)
        pdf.set_draw_color(RULE)
        pdf.set_fill_color(LIGHT)
        with pdf.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD", color=WHITE, fill_color=BLUE, size_pt=size),
            cell_fill_color=LIGHT,
            cell_fill_mode="ROWS",
            padding=(0.8, 1.2),
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            row = table.row()
            for text in header:
                row.cell(text)
            section = FontFace(emphasis="BOLD", color=BLUE, fill_color=WHITE, size_pt=size)
            note = FontFace(color=GREY, fill_color=WHITE, size_pt=size)
            for values in rows:
                row = table.row()
                if isinstance(values, _Note):  # a remark across the table
                    row.cell(values.text, colspan=len(header), style=note)
                    continue
                if len(values) == 1:  # a section row across the table
                    row.cell(values[0], colspan=len(header), style=section)
                    continue
                for text in values:
                    row.cell(text)
        pdf.set_font(FONT, "", 9)


def _escape(text: str) -> str:
    """``text`` for fpdf2's markdown: its markers (**, __, --) printed as typed."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("**", "\\*\\*")
        .replace("__", "\\_\\_")
        .replace("--", "\\-\\-")
    )


# Type scales tried for the pages after the first, in order, until no page is mostly empty: as
# designed, then tighter (pulls a short last page back), then looser (fills one out).
SCALES = (1.0, 0.93, 0.86, 1.08, 1.16)
MIN_FILL = 0.5  # a page whose content ends above its middle is "mostly empty"


@dataclass(frozen=True)
class _Charts:
    """The brief's chart images, drawn once however many times the pages are laid out."""

    positions: bytes
    positions_ratio: float  # height / width
    trends: bytes | None
    trends_ratio: float


@dataclass(frozen=True)
class _Links:
    """What the brief links to: ``shared`` (the QR code's; the baked page when it is served,
    else the view) and ``interactive`` (the view the brief was made from)."""

    shared: str
    interactive: str
    qr: bytes  # the QR code of ``shared`` (PNG)


def brief_pdf(view: ProfileView, *, link: str = "", today: date | None = None) -> bytes:
    """``view`` laid out as the brief: PDF bytes. ``link`` is the address of the view the brief
    was made from (default: :func:`profile_link`), printed and drawn as a QR code, or printed
    second when the municipality's baked page is served
    (:func:`kuntadash.links.shared_profile_url`), which the QR code then shows.

    The pages after the first flow; when one of them ends up mostly empty, the detail is laid
    out again at another type scale (``SCALES``), and the layout with the fullest pages wins.
    """
    today = today or date.today()
    interactive = link or profile_link(view)
    shared = shared_profile_url(view.code, view.lang, view.names, interactive)
    links = _Links(shared, interactive, qr_png(shared))
    charts = _charts(view)
    images = _read_images([links.qr, charts.positions, *filter(None, [charts.trends])])
    best: tuple[float, _BriefPDF] | None = None
    for scale in SCALES:
        pdf = _layout(view, links, today, charts, images, scale)
        emptiest = min(page_fills(pdf)[1:], default=1.0)
        if emptiest >= MIN_FILL:
            return pdf.written()
        if best is None or emptiest > best[0]:
            best = (emptiest, pdf)
    assert best is not None
    return best[1].written()


def page_fills(pdf: _BriefPDF) -> list[float]:
    """How far down each page of a laid-out ``pdf`` its content reaches, 0 (empty) – 1 (to the
    bottom margin): the pages closed so far (their footers recorded where each ended), then
    the last one, still open, to where its content has come (where its footer will record)."""
    usable = PAGE_HEIGHT_MM - BOTTOM_MM - TOP_MM
    ends = [*pdf.content_ends, pdf.get_y()]
    return [max(0.0, min(1.0, (end - TOP_MM) / usable)) for end in ends]


def _charts(view: ProfileView) -> _Charts:
    fmt = view.formatter
    labels = [
        f"{d.label} ({d.available}/{d.total})" if d.total else d.label for d in view.dimensions
    ]
    positions = build_positions_figure(
        labels,
        [d.score for d in view.dimensions],
        axis_label=view.tr("brief.position_axis"),
        middle_label=view.tr("brief.group_median"),
        missing_label=view.tr("brief.score_missing"),
        width_in=7.4,
    )
    panels = [
        TrendPanel(
            title=f"{view.tr(f'dimension.{_dimension(view, ident)}')}\n{fmt.name(ident)}",
            data=view.trend_series(ident),
            unit=fmt.unit(ident),
            decimals=fmt.decimals.get(ident, 1),
            references=view.reference_series(),
        )
        for ident in view.chart_ids()
    ]
    trends = build_trend_panels_figure(panels, lang=view.lang) if panels else None
    return _Charts(
        positions=render_figure(positions),
        positions_ratio=positions.get_figheight() / positions.get_figwidth(),
        trends=render_figure(trends) if trends is not None else None,
        trends_ratio=trends.get_figheight() / trends.get_figwidth() if trends else 0.0,
    )


def _layout(
    view: ProfileView, links: _Links, today: date, charts: _Charts, images: ImageCache, scale: float
) -> _BriefPDF:
    def tr(key: str, **values: object) -> str:
        return view.tr(key, **values)

    sample_mark = f" · {tr('brief.sample_short')}" if view.is_sample else ""
    pdf = _BriefPDF(
        footer_text=f"{tr('brief.title')}: {view.name} · {tr('brief.data_date')} "
        f"{view.created}{sample_mark}",
        page_label=tr("brief.page"),
        images=images,
    )
    pdf.set_title(f"{tr('brief.title')}: {view.name}")
    pdf.set_author("kuntadash")
    pdf.set_lang(view.lang)
    pdf.set_creation_date(pd.Timestamp(today).to_pydatetime())
    write = _Writer(pdf)
    pdf.add_page()
    _first_page(view, write, tr, links, today)
    write.scale = scale
    _detail_pages(view, write, tr, charts)
    return pdf


# --- page one: the answer ------------------------------------------------------------------------


def _first_page(view: ProfileView, write: _Writer, tr, links: _Links, today: date) -> None:
    """The answer on one page: title and link, facts, each dimension's standing, then the
    strengths, weak spots and largest changes."""
    _title_block(view, write, tr, links, today)
    _facts(view, write)
    _standing(view, write, tr)
    _highlights(view, write, tr)


def _title_block(view: ProfileView, write: _Writer, tr, links: _Links, today: date) -> None:
    """The QR code, the title, the municipality's name, what it is compared with, and the links
    (with a warning when one works only on this machine); the sample banner below."""
    pdf = write.pdf
    text_width = CONTENT_MM - QR_MM - 4
    pdf.image(
        io.BytesIO(links.qr),
        x=PAGE_WIDTH_MM - MARGIN_MM - QR_MM,
        y=TOP_MM - 2,
        w=QR_MM,
        h=QR_MM,
        link=links.shared,
    )
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(GREY)
    pdf.cell(text_width, 5, tr("brief.title").upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 22)
    pdf.set_text_color(BLUE)
    pdf.multi_cell(text_width, 10, view.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(GREY)
    pdf.set_font(FONT, "", 8.5)
    pdf.multi_cell(
        text_width,
        4.2,
        align="L",
        text=tr(
            "brief.subtitle",
            code=view.code,
            group=view.group.label,
            n=len(view.group.members),
            created=view.created,
            today=today.isoformat(),
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(FONT, "", 7.5)
    printed = [("brief.link", links.interactive)]
    if links.shared != links.interactive:
        printed = [("brief.link_page", links.shared), ("brief.link_interactive", links.interactive)]
    for key, url in printed:
        pdf.multi_cell(
            text_width,
            3.8,
            f"{tr(key)} {url}",
            link=url,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    warning = holder_warning(links.shared, view.lang, "brief") or holder_warning(
        links.interactive, view.lang, "brief"
    )
    if warning:
        pdf.set_font(FONT, "B", 7.5)
        pdf.set_text_color(BLACK)
        pdf.multi_cell(text_width, 3.8, warning, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(BLACK)
    pdf.set_y(max(pdf.get_y(), TOP_MM + QR_MM) + 1.5)
    if view.is_sample:
        write.banner(tr("brief.sample_banner"))


def _facts(view: ProfileView, write: _Writer) -> None:
    """The municipality's facts in two columns, and the note on its type."""
    pdf = write.pdf
    half = CONTENT_MM / 2
    facts = view.facts
    pdf.set_font(FONT, "B", 8.5)
    # As wide as the longest label (Swedish ones run long), at most half the column.
    label_mm = min(half / 2, max(pdf.get_string_width(f"{f.label}:") for f in facts) + 4)
    # A long label or value wraps within its cell (never cut short: "Wellbeing services coun…");
    # a row is as tall as its tallest cell.
    for index in range(0, len(facts), 2):
        top = bottom = pdf.get_y()
        for position, fact in enumerate(facts[index : index + 2]):
            left = MARGIN_MM + position * half
            cells = (
                (left, label_mm, "B", f"{fact.label}:"),
                (left + label_mm, half - label_mm - 1, "", fact.value),
            )
            for x, width, style, text in cells:
                pdf.set_font(FONT, style, 8.5)
                pdf.set_xy(x, top)
                pdf.multi_cell(width - 1, 4.2, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                bottom = max(bottom, pdf.get_y())
        pdf.set_y(bottom + 0.4)
    if view.type_note:
        write.paragraph(view.type_note, size=7.5, colour=GREY)


def _standing(view: ProfileView, write: _Writer, tr) -> None:
    """Where the municipality stands, dimension by dimension: score, reading and trend."""
    pdf = write.pdf
    write.heading(tr("brief.where_it_stands"), keep=60)
    write.paragraph(view.intro, size=8.5, colour=GREY)
    pdf.ln(1)
    for summary in view.dimensions:
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(CONTENT_MM * 0.62, 5, summary.label)
        pdf.set_text_color(BLUE)
        pdf.cell(CONTENT_MM * 0.38, 5, summary.score_text, align="R")
        pdf.set_text_color(BLACK)
        pdf.ln(5)
        write.paragraph(summary.reading_in_full, size=8.5)
        if summary.trend_text:
            colour = TREND_COLOURS.get(summary.trend, GREY)
            write.paragraph(summary.trend_text, size=8, colour=colour)
        pdf.ln(1.2)


def _highlights(view: ProfileView, write: _Writer, tr) -> None:
    """The clearest strengths, the weakest spots and the largest changes."""
    for title, items, empty in (
        (tr("profile.strengths_title"), view.strengths, tr("profile.no_strengths")),
        (tr("profile.weaknesses_title"), view.weaknesses, tr("profile.no_weaknesses")),
    ):
        write.heading(title, size=10.5, keep=20)
        if not items:
            write.paragraph(empty, size=8.5)
        for item in items:
            write.bullet(item.name, item.text)
    write.heading(tr("profile.changes_title", years=CHANGE_PERIOD), size=10.5, keep=20)
    if not view.changes:
        write.paragraph(view.changes_note, size=8.5)
    for change in view.changes:
        write.bullet(change.name, change.text)
    notes = (tr("profile.highlights_note"), view.highlights_note, tr("profile.changes_note"))
    write.paragraph(" ".join(note for note in notes if note), size=7, colour=GREY)


# --- the detail ------------------------------------------------------------------------------


def _detail_pages(view: ProfileView, write: _Writer, tr, charts: _Charts) -> None:
    """The pages after the first: charts, every indicator, ranks, similar municipalities and
    sources, flowing from one page to the next."""
    _charts_section(view, write, tr, charts)
    _indicators_section(view, write, tr)
    _ranks_section(view, write, tr)
    _peers_section(view, write, tr)
    _sources_section(view, write, tr)


def _charts_section(view: ProfileView, write: _Writer, tr, charts: _Charts) -> None:
    """The scores against the group's middle, then the trends of the indicators that moved."""
    width = CONTENT_MM * 0.86
    write.heading(tr("brief.dimensions"), keep=width * write.scale * charts.positions_ratio + 22)
    write.image(charts.positions, width=width)
    write.paragraph(
        tr("brief.dimensions_note", group=view.group.label) + " " + view.group.definition,
        size=7.5,
        colour=GREY,
    )
    if charts.trends is not None:
        height = CONTENT_MM * write.scale * charts.trends_ratio
        write.heading(tr("brief.trends"), keep=height + 12)
        write.image(charts.trends)
        write.paragraph(tr("brief.trends_note"), size=7.5, colour=GREY)


def _indicators_section(view: ProfileView, write: _Writer, tr) -> None:
    """Every indicator, dimension by dimension: value, group median and position."""
    write.heading(tr("brief.all_indicators"), keep=40)
    write.table(
        [
            tr("common.indicator"),
            tr("common.unit"),
            tr("common.year"),
            view.name,
            tr("brief.group_median_short"),
            tr("profile.col.better_than"),
        ],
        _indicator_rows(view),
        (70, 32, 11, 20, 22, 25),
        ("LEFT", "LEFT", "CENTER", "RIGHT", "RIGHT", "CENTER"),
        size=6.8,
    )
    if view.small_note:
        write.paragraph(view.small_note, size=7, colour=GREY)
    write.paragraph(tr("profile.position_note"), size=7, colour=GREY)


def _indicator_rows(view: ProfileView) -> list[Sequence[str] | _Note]:
    """The indicator table's rows: a section row per dimension, then its indicators (or why
    it has none)."""
    fmt = view.formatter
    rows: list[Sequence[str] | _Note] = []
    for table in view.indicator_tables:
        rows.append([table.label])
        by_id = view.profile.set_index("indicator_id")
        if not table.ids:
            summary = next(d for d in view.dimensions if d.dimension == table.dimension)
            rows.append(_Note(summary.reading_in_full))
            continue
        for ident in table.ids:
            row = by_id.loc[ident]
            rows.append(
                [
                    fmt.name(ident),
                    fmt.unit(ident),
                    str(int(row["year"])),
                    marked(
                        fmt.value(ident, row["value"], with_unit=False),
                        row.get(SMALL_POPULATION, False),
                        view.lang,
                    ),
                    fmt.value(ident, row["group_median"], with_unit=False),
                    "–" if pd.isna(row["percentile"]) else fmt.number(row["percentile"], 0, "%"),
                ]
            )
    return rows


def _ranks_section(view: ProfileView, write: _Writer, tr) -> None:
    """The rank in every grouping, dimension by dimension."""
    write.heading(tr("comparison.ranks_title"), keep=45)
    write.table(
        [
            tr("comparison.col.group"),
            tr("comparison.col.members"),
            *[tr(f"brief.dim_short.{d}") for d in DIMENSIONS],
        ],
        [
            [
                f"{r.kind_label}: {r.group_label}",
                str(r.members),
                *[r.ranks[d] for d in DIMENSIONS],
            ]
            for r in view.ranks
        ],
        (64, 20, 24, 24, 24, 24),
        ("LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "CENTER"),
        size=6.8,
    )
    write.paragraph(tr("comparison.ranks_note"), size=7, colour=GREY)


def _peers_section(view: ProfileView, write: _Writer, tr) -> None:
    """The most similar municipalities and why (nothing when there are none)."""
    if not view.peers:
        return
    write.heading(tr("profile.section.peers"), keep=40)
    for position, peer in enumerate(view.peers, start=1):
        write.bullet(
            f"{position}. {peer.name} ({peer.type_label})",
            f"{tr('profile.similar_reason')} " + "; ".join(peer.reasons),
            size=7.6,
        )
    write.paragraph(view.peer_method, size=7, colour=GREY)


def _sources_section(view: ProfileView, write: _Writer, tr) -> None:
    """The sources with their licences, the snapshot the figures come from, the method."""
    pdf = write.pdf
    write.heading(tr("brief.sources"), keep=40)
    for line in view.sources:
        write.paragraph(f"• {line}", size=7.8)
    pdf.ln(1)
    write.paragraph(
        tr(
            "brief.snapshot_line",
            kind=tr("common.kind_sample" if view.is_sample else "common.kind_official"),
            created=view.created,
            version=view.version,
            division=view.division_year,
        ),
        size=8,
    )
    if view.is_sample:
        pdf.ln(1)
        write.banner(tr("brief.sample_banner"))
    write.paragraph(tr("brief.method_note"), size=7, colour=GREY)


def _dimension(view: ProfileView, indicator_id: str) -> str:
    rows = view.profile[view.profile["indicator_id"] == indicator_id]
    return str(rows["dimension"].iloc[0]) if len(rows) else DIMENSIONS[0]
