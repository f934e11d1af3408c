"""The one path data takes into a snapshot (pipeline layer).

raw → tidy → derived → harmonised → checked → snapshot. ``data update`` fetches with the
source steps registered in resources/sources.yaml (:mod:`.steps`), ``data import`` and
``data official`` read files with the importer's readers; both hand their tidy values to the
same tail (:mod:`.assemble`): derivations declared in the catalogue (:mod:`.derive`),
harmonisation to the division with the data's own population, the merge with the snapshot
already there, boundaries and tiles, the manifest, validation.
"""
