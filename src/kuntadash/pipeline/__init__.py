"""The one path data takes into a snapshot (pipeline layer).

raw → tidy → derived → harmonised → checked → snapshot. The entries: ``data update``
(:mod:`.update`) fetches with the source steps registered in resources/sources.yaml
(:mod:`.steps`); ``data import`` (:mod:`.importing`, and the Data page's uploads through
:mod:`.uploads` and :mod:`.worker`) and ``data official`` (:mod:`.official`) read files with the
readers of ``kuntadash.importing``; all hand their tidy values to the same tail
(:mod:`.assemble`): derivations declared in the catalogue (:mod:`.derive`), harmonisation to the
division with the data's own population, the merge with the snapshot already there, boundaries
and tiles, the manifest. ``data sample`` (:mod:`.sample`) builds the synthetic snapshot. Every
entry ends in :func:`.finish.finish`, the one writer: validate → lock → write → swap.

Below the pipeline: sources, importing (the readers), store, domain; above it only the entry
points (the CLI, the Data page). ``tests/house/test_layers.py`` checks both.
"""
