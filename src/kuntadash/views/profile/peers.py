"""The most similar municipalities: who they are, why, and how similarity was measured (views
layer)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from kuntadash.domain.peers import DEFAULT_WEIGHTS, REGISTER_VARIABLES
from kuntadash.i18n import translate
from kuntadash.views.format import MISSING, Formatter
from kuntadash.views.profile.model import Peer
from kuntadash.views.profile.words import _span, _text


def register_label(variable: str, lang: str) -> str | None:
    """The name of a similarity variable read from the municipality register (population,
    density) in ``lang``; None for an indicator, which the catalogue names."""
    if variable in REGISTER_VARIABLES:
        return translate(f"comparison.var.{variable}", lang)
    return None


def peer_weights(
    weights: Mapping[str, float], variables: Iterable[str]
) -> tuple[Mapping[str, float], bool]:
    """The weights that measure similarity: the chosen ones, or the default ones (and True)
    when no variable has a weight above zero."""
    if any(weights.get(v, 0) > 0 for v in variables):
        return weights, False
    return dict(DEFAULT_WEIGHTS), True


def _variable_label(variable: str, fmt: Formatter, tr) -> str:
    if variable in REGISTER_VARIABLES:
        return tr(f"comparison.var.{variable}")
    return fmt.name(variable)


def _variable_value(variable: str, value: float, fmt: Formatter, tr) -> str:
    if variable == "population":
        return fmt.number(value, 0, tr("comparison.unit.residents"))
    if variable == "population_density":
        return fmt.number(value, 1, tr("comparison.unit.density"))
    return fmt.value(variable, value)


def _peers(peers, raw, code, name, names, municipalities, type_labels, fmt, tr) -> list[Peer]:
    result = []
    codes = peers["municipality_code"].tolist()
    # the rows read, as plain dicts: a frame lookup per reason cost more than its words
    rows = {
        c: dict(zip(raw.columns, values, strict=True))
        for c, values in zip([code, *codes], raw.loc[[code, *codes]].to_numpy(), strict=True)
    }
    own = rows[code]
    for peer, distance, similar_on in zip(
        codes, peers["distance"], peers["similar_on"], strict=True
    ):
        kind = municipalities.at[peer, "municipality_type"]
        reasons = tuple(
            tr(
                "comparison.reason_item",
                variable=_variable_label(v, fmt, tr),
                peer=_variable_value(v, rows[peer][v], fmt, tr),
                own=_variable_value(v, own[v], fmt, tr),
                name=name,
            )
            for v in similar_on
        )
        result.append(
            Peer(
                code=str(peer),
                name=names[peer],
                type_label=_text(type_labels.get(kind, kind) if pd.notna(kind) else None),
                distance=float(distance),
                reasons=reasons,
            )
        )
    return result


def _peer_table(peers, raw, code, names, fmt, tr) -> pd.DataFrame:
    codes = [code, *[str(c) for c in peers["municipality_code"]]]
    table = raw.reindex(codes)
    return pd.DataFrame(
        {
            tr("comparison.col.peer"): [names[c] for c in codes],
            tr("profile.col.difference"): [
                MISSING,
                *[fmt.number(d, 2) for d in peers["distance"]],
            ],
            **{
                _variable_label(v, fmt, tr): [_variable_value(v, x, fmt, tr) for x in table[v]]
                for v in table.columns
            },
        }
    )


def _peer_method(raw, weights, years, fmt, tr) -> str:
    structural = [v for v in raw.columns if v not in REGISTER_VARIABLES and v in years]
    span = [years[v] for v in structural]

    def weight(variable: str) -> str:
        value = float(weights.get(variable, 0))
        return fmt.number(value, 0 if value.is_integer() else 1)

    text = ", ".join(f"{_variable_label(v, fmt, tr)} {weight(v)}" for v in raw.columns)
    return tr("profile.peers_method", years=_span(span) if span else MISSING, weights=text)
