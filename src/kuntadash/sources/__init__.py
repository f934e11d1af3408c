"""Source adapters: one module per publisher, the only place with network code.

- ``http``: the shared fetcher (throttling, retries, raw cache, named errors)
- ``pxweb``: PxWeb API v1 (Statistics Finland, Traficom): metadata, batched queries, json-stat2
- ``statfi_wfs``: Statistics Finland WFS municipal boundaries
- ``statfi_classifications``: Statistics Finland classification API (municipality -> groupings)
- ``sotkanet``: THL Sotkanet data, regions and indicator metadata
- ``syke``: SYKE municipal greenhouse-gas emission CSVs
"""
