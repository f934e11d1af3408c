"""The municipality brief: a 2–4 page A4 PDF for meetings (report layer, no streamlit).

Built offline from the served snapshot: headline figures against the comparison group, the
four-dimension view, key trends, strongest and weakest indicators, every indicator's figures,
and the data sources with licences and the snapshot's date. Charts are drawn with matplotlib
(charts.static); text uses DejaVu Sans, bundled with matplotlib, so ä, ö and å embed offline.
Sample data are marked on every page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kuntadash import resources
from kuntadash.charts.static import (
    TrendPanel,
    build_positions_figure,
    build_trend_panels_figure,
    render_figure,
)
from kuntadash.domain.catalogue import DIMENSIONS, format_value
from kuntadash.domain.groups import DEFAULT_KIND, ComparisonGroup, describe_group
from kuntadash.domain.population import population_history, population_in
from kuntadash.domain.scores import score_dimensions
from kuntadash.domain.stats import (
    compute_profile,
    latest_common_year,
    reference_table,
    strengths_and_weaknesses,
)
from kuntadash.i18n import translate
from kuntadash.naming import municipality_name as _municipality_name
from kuntadash.store import Snapshot

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
PRIMARY_RGB = (29, 79, 145)
WARN_RGB = (179, 88, 6)
GREY_RGB = (90, 90, 90)
LIGHT_RGB = (242, 244, 247)
PAGE_WIDTH_MM = 210
MARGIN_MM = 15
CONTENT_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM

# Curated headline indicators per dimension, in the order shown; missing ones are skipped and
# a dimension without any falls back to its first indicator with data.
HEADLINE_INDICATORS: dict[str, tuple[str, ...]] = {
    "economic": ("unemployment_rate", "annual_margin_per_resident", "median_income"),
    "social": ("population_change", "morbidity_index", "tertiary_education_share"),
    "ecological": ("ghg_emissions_per_resident", "passenger_cars_per_1000"),
    "technological": ("broadband_100mbit_share", "electric_car_share"),
}


def _tr(key: str, lang: str, **values: object) -> str:
    return translate(key, lang, **values)


def default_group(snapshot: Snapshot, code: str, lang: str) -> ComparisonGroup:
    """The default comparison group: the app's default grouping (municipality type)."""
    return describe_group(snapshot.municipalities, code, DEFAULT_KIND, lang)


def population_fact(snapshot: Snapshot, code: str, lang: str) -> str:
    """The municipality's latest population figure and its date, or a word saying it lacks."""
    history = population_history(snapshot.values)
    population = population_in(history, pd.Index([code]))
    value = population.values.get(code)
    if value is None or pd.isna(value) or population.label_year is None:
        return _tr("common.population_missing", lang)
    number = format_value(value, 0, lang)
    return _tr("common.population_value", lang, value=number, year=population.label_year)


def reference_years(snapshot: Snapshot) -> dict[str, int]:
    """Each indicator's latest year with data for at least half the municipalities."""
    years = {
        ident: latest_common_year(snapshot.values, ident)
        for ident in snapshot.values["indicator_id"].unique()
    }
    return {ident: year for ident, year in years.items() if year is not None}


def dimension_view(
    snapshot: Snapshot, code: str, members: pd.Index, years: dict[str, int]
) -> pd.DataFrame:
    """The four-dimension view: one row per dimension with the municipality's score within
    ``members`` (domain.scores: mean direction-adjusted percentile, 0–100, NaN when coverage
    is too low), the indicators available and in total, and the group's median score."""
    wide = snapshot.values.pivot_table(
        index=["municipality_code", "year"], columns="indicator_id", values="value", dropna=False
    )
    reference = reference_table(wide, years)
    return score_dimensions(reference, snapshot.catalogue, members).for_municipality(code)


def headline_indicators(snapshot: Snapshot, profile: pd.DataFrame) -> list[str]:
    with_value = set(profile.loc[profile["value"].notna(), "indicator_id"])
    chosen: list[str] = []
    for dimension in DIMENSIONS:
        picks = [i for i in HEADLINE_INDICATORS.get(dimension, ()) if i in with_value]
        if not picks:
            picks = (
                profile.loc[
                    (profile["dimension"] == dimension) & profile["value"].notna(), "indicator_id"
                ]
                .head(1)
                .tolist()
            )
        chosen.extend(picks)
    return chosen


class _BriefPDF(FPDF):
    """A4 portrait with a footer naming the municipality, the page and the sample flag."""

    def __init__(self, footer_text: str, page_label: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.page_label = page_label
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_margins(MARGIN_MM, 14, MARGIN_MM)
        self.set_auto_page_break(True, margin=16)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY_RGB)
        self.cell(CONTENT_MM * 0.8, 5, self.footer_text)
        self.cell(CONTENT_MM * 0.2, 5, self.page_label.format(page=self.page_no()), align="R")
        self.set_text_color(0, 0, 0)


class _Writer:
    """Layout helpers over one _BriefPDF."""

    def __init__(self, pdf: _BriefPDF) -> None:
        self.pdf = pdf

    def heading(self, text: str, size: float = 13) -> None:
        pdf = self.pdf
        if pdf.get_y() > 250:
            pdf.add_page()
        pdf.ln(2.5)
        pdf.set_font(FONT, "B", size)
        pdf.set_text_color(*PRIMARY_RGB)
        pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "", 9)

    def paragraph(self, text: str, size: float = 9, style: str = "", colour=(0, 0, 0)) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "", 9)

    def banner(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_fill_color(254, 224, 182)
        pdf.set_draw_color(*WARN_RGB)
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
        self.pdf.image(io.BytesIO(data), w=width, x=(PAGE_WIDTH_MM - width) / 2)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        align: Sequence[str],
        size: float = 8,
    ) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "", size)
        pdf.set_draw_color(200, 200, 200)
        with pdf.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            line_height=size * 0.5,
            headings_style=_headings_style(size),
            cell_fill_color=LIGHT_RGB,
            cell_fill_mode="ROWS",
            padding=(0.8, 1.2),
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            row = table.row()
            for text in header:
                row.cell(text)
            for values in rows:
                row = table.row()
                if len(values) == 1:  # a section row across the table
                    row.cell(values[0], colspan=len(header), style=_section_style(size))
                    continue
                for text in values:
                    row.cell(text)
        pdf.set_font(FONT, "", 9)


def _section_style(size: float):
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=PRIMARY_RGB, fill_color=(255, 255, 255), size_pt=size)


def _headings_style(size: float):
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=PRIMARY_RGB, size_pt=size)


def build_brief(
    snapshot: Snapshot,
    code: str,
    lang: str,
    *,
    group: ComparisonGroup | None = None,
    years: dict[str, int] | None = None,
    today: date | None = None,
) -> bytes:
    """The brief of municipality ``code`` in ``lang`` as PDF bytes."""
    group = group or default_group(snapshot, code, lang)
    years = years if years is not None else reference_years(snapshot)
    today = today or date.today()
    name = _municipality_name(snapshot, code, lang)
    catalogue = snapshot.catalogue
    profile = compute_profile(snapshot.values, catalogue, code, group.members, years)
    info = snapshot.municipalities.set_index("municipality_code").loc[code]
    created = str(snapshot.manifest.get("created", ""))[:10]

    meta = catalogue.set_index("id")

    def fmt(indicator_id: str, value: float, with_unit: bool = True) -> str:
        unit = str(meta.at[indicator_id, f"unit_{lang}"]) if with_unit else ""
        return format_value(value, int(meta.at[indicator_id, "decimals"]), lang, unit)

    def iname(indicator_id: str) -> str:
        return str(meta.at[indicator_id, f"name_{lang}"])

    sample_mark = f" · {_tr('brief.sample_short', lang)}" if snapshot.is_sample else ""
    pdf = _BriefPDF(
        footer_text=f"{_tr('brief.title', lang)}: {name} · {_tr('brief.data_date', lang)} "
        f"{created}{sample_mark}",
        page_label=_tr("brief.page", lang),
    )
    pdf.set_title(f"{_tr('brief.title', lang)}: {name}")
    pdf.set_author("kuntadash")
    pdf.set_lang(lang)
    pdf.set_creation_date(pd.Timestamp(today).to_pydatetime())
    write = _Writer(pdf)
    pdf.add_page()

    # --- title and key facts ------------------------------------------------------------------
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*GREY_RGB)
    pdf.cell(0, 5, _tr("brief.title", lang).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 22)
    pdf.set_text_color(*PRIMARY_RGB)
    pdf.cell(0, 11, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    write.paragraph(
        _tr(
            "brief.subtitle",
            lang,
            code=code,
            group=group.label,
            n=len(group.members),
            created=created,
            today=today.isoformat(),
        ),
        size=9,
        colour=GREY_RGB,
    )
    pdf.ln(1.5)
    if snapshot.is_sample:
        write.banner(_tr("brief.sample_banner", lang))
    facts = [
        (_tr("common.population", lang), population_fact(snapshot, code, lang)),
        (_tr("common.municipality_type", lang), default_group(snapshot, code, lang).label),
        (_tr("common.region", lang), str(info[f"region_name_{lang}"])),
        (_tr("common.wellbeing_county", lang), str(info[f"wellbeing_county_name_{lang}"])),
    ]
    pdf.set_font(FONT, "", 9.5)
    for label, value in facts:
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(58, 5.2, f"{label}:")
        pdf.set_font(FONT, "", 9.5)
        pdf.cell(0, 5.2, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # --- four dimensions ------------------------------------------------------------------------
    write.heading(_tr("brief.dimensions", lang))
    dims = dimension_view(snapshot, code, group.members, years)
    labels = [
        f"{_tr(f'dimension.{d}', lang)} ({a}/{n})"
        for d, a, n in zip(dims["dimension"], dims["available"], dims["total"], strict=True)
    ]
    chart = build_positions_figure(
        labels,
        dims["score"].tolist(),
        axis_label=_tr("brief.position_axis", lang),
        middle_label=_tr("brief.group_median", lang),
        missing_label=_tr("brief.score_missing", lang),
        width_in=7.4,
    )
    write.image(render_figure(chart), width=CONTENT_MM * 0.92)
    write.paragraph(
        _tr("brief.dimensions_note", lang, group=group.label) + " " + group.definition,
        size=8,
        colour=GREY_RGB,
    )

    # --- headline figures -----------------------------------------------------------------------
    write.heading(_tr("brief.headline", lang))
    headline = headline_indicators(snapshot, profile)
    by_id = profile.set_index("indicator_id")
    header = [
        _tr("common.indicator", lang),
        _tr("common.year", lang),
        name,
        _tr("brief.group_median_short", lang),
        _tr("brief.country_median_short", lang),
        _tr("brief.rank_in_group", lang),
    ]
    rows = []
    for ident in headline:
        row = by_id.loc[ident]
        rows.append(
            [
                f"{iname(ident)} ({meta.at[ident, f'unit_{lang}']})",
                str(int(row["year"])),
                fmt(ident, row["value"], with_unit=False),
                fmt(ident, row["group_median"], with_unit=False),
                fmt(ident, row["country_median"], with_unit=False),
                f"{int(row['rank'])}/{int(row['of'])}" if pd.notna(row["rank"]) else "–",
            ]
        )
    write.table(
        header,
        rows,
        (64, 12, 24, 25, 25, 20),
        ("LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT", "CENTER"),
    )
    write.paragraph(_tr("brief.headline_note", lang, group=group.label), size=7.5, colour=GREY_RGB)

    # --- strongest and weakest ------------------------------------------------------------------
    pdf.add_page()
    strongest, weakest = strengths_and_weaknesses(profile)
    write.heading(_tr("brief.strengths_weaknesses", lang))
    write.paragraph(_tr("brief.position_note", lang, group=group.label), size=8, colour=GREY_RGB)
    for title_key, frame in (("brief.strongest", strongest), ("brief.weakest", weakest)):
        pdf.ln(1)
        write.paragraph(_tr(title_key, lang), size=10, style="B")
        if frame.empty:
            write.paragraph(_tr("common.no_data", lang))
        for _, row in frame.iterrows():
            ident = row["indicator_id"]
            write.paragraph(
                "• "
                + _tr(
                    "brief.position_line",
                    lang,
                    indicator=iname(ident),
                    value=fmt(ident, row["value"]),
                    year=int(row["year"]),
                    percentile=round(row["percentile"]),
                    median=fmt(ident, row["group_median"]),
                ),
                size=8.5,
            )

    # --- trends ---------------------------------------------------------------------------------
    write.heading(_tr("brief.trends", lang))
    group_label = _tr("common.median_of", lang, group=group.label)
    country_label = _tr("common.median_of", lang, group=_tr("common.whole_country", lang))
    panels = []
    for dimension in DIMENSIONS:
        picks = [i for i in headline if meta.at[i, "dimension"] == dimension]
        if not picks:
            continue
        ident = picks[0]
        values = snapshot.values[snapshot.values["indicator_id"] == ident]
        own = values[values["municipality_code"] == code]
        in_group = values[values["municipality_code"].isin(group.members)]
        data = pd.concat(
            [
                own.assign(series=name)[["series", "year", "value"]],
                in_group.groupby("year", as_index=False)["value"]
                .median()
                .assign(series=group_label),
                values.groupby("year", as_index=False)["value"]
                .median()
                .assign(series=country_label),
            ],
            ignore_index=True,
        )
        panels.append(
            TrendPanel(
                title=f"{_tr(f'dimension.{dimension}', lang)}\n{iname(ident)}",
                data=data,
                unit=str(meta.at[ident, f"unit_{lang}"]),
                decimals=int(meta.at[ident, "decimals"]),
                references=(group_label, country_label),
            )
        )
    if panels:
        write.image(render_figure(build_trend_panels_figure(panels, lang=lang)))
        write.paragraph(_tr("brief.trends_note", lang), size=7.5, colour=GREY_RGB)

    # --- every indicator ------------------------------------------------------------------------
    pdf.add_page()
    write.heading(_tr("brief.all_indicators", lang))
    rows = []
    for dimension in DIMENSIONS:
        rows.append([_tr(f"dimension.{dimension}", lang)])
        for _, row in profile[profile["dimension"] == dimension].iterrows():
            ident = row["indicator_id"]
            rows.append(
                [
                    iname(ident),
                    str(meta.at[ident, f"unit_{lang}"]),
                    str(int(row["year"])),
                    fmt(ident, row["value"], with_unit=False),
                    fmt(ident, row["group_median"], with_unit=False),
                    f"{round(row['percentile'])}" if pd.notna(row["percentile"]) else "–",
                ]
            )
    write.table(
        [
            _tr("common.indicator", lang),
            _tr("common.unit", lang),
            _tr("common.year", lang),
            name,
            _tr("brief.group_median_short", lang),
            _tr("brief.position_short", lang),
        ],
        rows,
        (74, 32, 11, 20, 23, 20),
        ("LEFT", "LEFT", "CENTER", "RIGHT", "RIGHT", "CENTER"),
        size=6.8,
    )

    # --- sources --------------------------------------------------------------------------------
    if pdf.get_y() > 200:  # keep the sources together on a page of their own
        pdf.add_page()
    write.heading(_tr("brief.sources", lang))
    sources = resources.read_sources_document() or {}
    used = sorted(set(meta.loc[profile["indicator_id"], "publisher"]))
    for publisher in used:
        entry = sources.get(publisher) or {}
        publisher_name = (entry.get("name") or {}).get(lang, publisher)
        licences = sorted(
            set(catalogue.loc[catalogue["publisher"] == publisher, "licence"].dropna())
        )
        licence = ", ".join(licences) or str(entry.get("licence", ""))
        url = entry.get("licence_url") or entry.get("url") or ""
        write.paragraph(
            f"• {publisher_name} — {_tr('brief.licence', lang)} {licence}"
            + (f" ({url})" if url else ""),
            size=8.5,
        )
    for source in snapshot.manifest.get("sources", []):
        write.paragraph(
            f"• {source.get('publisher', '')} — {_tr('brief.licence', lang)} "
            f"{source.get('licence', '')}" + (f" ({source['url']})" if source.get("url") else ""),
            size=8.5,
        )
    pdf.ln(1.5)
    write.paragraph(
        _tr(
            "brief.snapshot_line",
            lang,
            kind=_tr("common.kind_sample" if snapshot.is_sample else "common.kind_official", lang),
            created=created,
            version=snapshot.version or "–",
            division=snapshot.division_year,
        ),
        size=8.5,
    )
    if snapshot.is_sample:
        pdf.ln(1)
        write.banner(_tr("brief.sample_banner", lang))
    write.paragraph(_tr("brief.method_note", lang), size=7.5, colour=GREY_RGB)
    return bytes(pdf.output())
