"""The coordinate reference systems of the package (a shared bottom module, importable from
every layer): geometry is stored and served in WGS84 degrees, and measured, simplified, tiled
and drawn in the Finnish national grid, in metres.
"""

from __future__ import annotations

# EPSG:4326, longitude / latitude in degrees: the snapshot's boundaries and tiles, GeoJSON, and
# what the Statistics Finland WFS is asked for.
WGS84 = 4326
# EPSG:3067, ETRS-TM35FIN: Finland's national grid (metres, north up, little distortion within
# the country), used wherever a distance, an area or a shape on screen matters.
NATIONAL_GRID = 3067
