"""Readers of statistical tables, one module per file format (importing layer, pure pandas).

``common`` holds what every reader shares (the result type, area resolution, cell parsing and
checks); ``tidy``, ``pxweb``, ``sotkanet`` and ``syke`` each recognise and read one publisher's
or user's layout; ``catalogue`` reads the sidecars that describe new indicators.
``pipeline.importing`` tries the formats in order, so adding a format is one module here and one
entry in its table.

Every reader returns values keyed by municipality code, possibly of an earlier division (the
pipeline harmonises them); rows that match no municipality, or several, are problems, never
silently dropped. Area rows that are aggregates (whole country, regions) are skipped and counted.
"""
