"""Synthetic sample values: domain layer, pure numpy/pandas.

The committed sample snapshot must make a fresh offline machine show a working app without
shipping anyone's data. Values are drawn from each catalogue entry's ``sample`` block:

    value = mean + sd * (urban * U + prosperity * P + rest * E)
            + trend * (year - last_year) + wobble

where U (urbanity) and P (prosperity) are standardised latent factors of the municipality, E its
own standard-normal deviation, ``rest = sqrt(1 - urban² - prosperity²)``, and the wobble a small
year-to-year noise. Values are clipped to the indicator's plausible range and rounded to its
decimals; a share of cells is left missing (more often in the smallest municipalities, as in real
statistics where small counts are suppressed). Everything is seeded: same input, same output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

SAMPLE_SEED = 20250101
_WOBBLE = 0.12  # year-to-year noise, in indicator standard deviations
_SMALL_POPULATION = 2_000
_SMALL_MISSING_FACTOR = 3.0
_GROUP_URBANITY = {1: 0.8, 2: 0.0, 3: -0.5}


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else values * 0.0


def compute_latent_factors(municipalities: pd.DataFrame, seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """Urbanity U and prosperity P for each municipality (standardised, seeded)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    population = municipalities["population"].astype("float64").clip(lower=50).to_numpy()
    area = municipalities["land_area_km2"].astype("float64").clip(lower=1).to_numpy()
    group = municipalities["urban_rural_group"].astype("float64").to_numpy()
    density = population / area
    urban = _standardise(
        0.55 * _standardise(np.log(population))
        + 0.35 * _standardise(np.log(density))
        + np.array([_GROUP_URBANITY.get(int(g), 0.0) if g == g else 0.0 for g in group])
    )
    prosperity = _standardise(0.55 * urban + 0.83 * rng.standard_normal(len(urban)))
    return pd.DataFrame(
        {"urban": urban, "prosperity": prosperity, "population": population},
        index=municipalities["municipality_code"].to_numpy(),
    )


def generate_sample_values(
    municipalities: pd.DataFrame,
    indicators: Sequence[Mapping[str, Any]],
    years: Sequence[int],
    seed: int = SAMPLE_SEED,
) -> pd.DataFrame:
    """Tidy synthetic values for every indicator with a ``sample`` block, over ``years``."""
    factors = compute_latent_factors(municipalities, seed)
    codes = factors.index.to_numpy()
    small = municipalities["population"].astype("float64").fillna(0).to_numpy() < _SMALL_POPULATION
    years_arr = np.asarray(sorted(years), dtype="int64")
    last = years_arr.max()
    frames = []
    # NOTE: independent streams via SeedSequence.spawn; default_rng([seed, 0]) would equal
    # default_rng(seed) (numpy pads seeds with zeros) and repeat the latent factors' draws.
    streams = np.random.SeedSequence(seed).spawn(len(indicators) + 1)[1:]
    for stream, entry in zip(streams, indicators, strict=True):
        params = entry.get("sample")
        if not params:
            continue
        rng = np.random.default_rng(stream)
        values = _draw_indicator(entry, params, factors, years_arr, last, rng)
        missing_rate = float(params.get("missing", 0.0))
        rate = np.where(small, missing_rate * _SMALL_MISSING_FACTOR, missing_rate)[:, None]
        values[rng.random(values.shape) < rate] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "municipality_code": np.repeat(codes, len(years_arr)),
                    "indicator_id": entry["id"],
                    "year": np.tile(years_arr, len(codes)),
                    "value": values.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _draw_indicator(
    entry: Mapping[str, Any],
    params: Mapping[str, Any],
    factors: pd.DataFrame,
    years: np.ndarray,
    last: int,
    rng: np.random.Generator,
) -> np.ndarray:
    if params.get("scale") == "register_population":
        return _draw_population(entry, params, factors, years, last, rng)
    mean, sd = float(params["mean"]), float(params["sd"])
    urban, prosperity = float(params.get("urban", 0.0)), float(params.get("prosperity", 0.0))
    rest = np.sqrt(max(0.0, 1.0 - urban**2 - prosperity**2))
    own = rng.standard_normal(len(factors))
    level = mean + sd * (
        urban * factors["urban"].to_numpy()
        + prosperity * factors["prosperity"].to_numpy()
        + rest * own
    )
    trend = float(params.get("trend", 0.0)) * (years - last)
    wobble = _WOBBLE * sd * rng.standard_normal((len(factors), len(years)))
    values = level[:, None] + trend[None, :] + wobble
    low, high = entry["valid_range"]
    return np.round(np.clip(values, float(low), float(high)), int(entry.get("decimals", 1)))


def _draw_population(
    entry: Mapping[str, Any],
    params: Mapping[str, Any],
    factors: pd.DataFrame,
    years: np.ndarray,
    last: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """A population series around each municipality's rounded population in the last year:
    growth per year = ``trend`` + 1 % per unit of urbanity, plus a little noise."""
    base = factors["population"].to_numpy()
    growth = float(params.get("trend", 0.0)) + 0.01 * factors["urban"].to_numpy()
    growth = growth[:, None] + 0.002 * rng.standard_normal((len(factors), len(years)))
    values = base[:, None] * (1.0 + growth) ** (years - last)[None, :]
    low, high = entry["valid_range"]
    return np.round(np.clip(values, float(low), float(high)), 0)
