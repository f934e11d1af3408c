"""File names for downloads and the brief: ASCII slugs that say what is inside.

Kept apart from ``kuntadash.report.brief`` so that naming a file does not import the PDF machinery
(matplotlib, fpdf2: about 40 MiB per server process) on every page that offers a download.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pandas as pd

from kuntadash.i18n import translate
from kuntadash.store import Snapshot


def slugify(text: str) -> str:
    """ASCII-safe lower-case slug: 'Pedersören kunta' -> 'pedersoren-kunta'."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def municipality_name(snapshot: Snapshot, code: str, lang: str) -> str:
    """The municipality's name in ``lang``: Swedish in sv where it has one, else Finnish."""
    row = snapshot.municipalities.set_index("municipality_code").loc[code]
    name = row["name_sv"] if lang == "sv" and pd.notna(row["name_sv"]) else row["name_fi"]
    return str(name)


def brief_filename(snapshot: Snapshot, code: str, lang: str, day: date | None = None) -> str:
    """'kuntakatsaus-091-helsinki-2026-11-23-fi.pdf' (+ '-sample' for sample data)."""
    name = municipality_name(snapshot, code, lang)
    day = day or date.today()
    sample = "-sample" if snapshot.is_sample else ""
    stem = translate("brief.file_stem", lang)
    return f"{stem}-{code}-{slugify(name)}-{day.isoformat()}-{lang}{sample}.pdf"
