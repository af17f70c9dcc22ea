"""The supplied city: what the airlift's tons become in its stores, and what it consumes.

Spec: docs/specs/airlift.md, "the city"; :class:`realpolitik.contracts.airlift.City`. Two ways to consume:

* **need** (no ``ration``): the city eats its minimum need every day while its stocks are
  above ``reserve_days`` of it, ``short_consumption_share`` of it below, and never more than
  it holds. A city that consumes its need from stocks runs out whenever the lift is short
  for long enough.
* **ration** (allotments by period): the city consumes what the authorities allot -- the ration
  scales and the coal allocations of each period -- and never more than it holds. What it
  lacks against its allotment is ``ration_shortfall``; the shortfall against the minimum
  need (``need - tons``) is a separate output, the West's cost in the crisis model.

How the day's tons split into cargoes (``loading``): ``mix`` -- each aircraft carries its
type's mix; ``priority`` -- the planners' order: the food allotment first, then the fuel
allotment, and what is left is split by the mix of the aircraft that flew that day.
"""

from __future__ import annotations

import numpy as np

from realpolitik.contracts.airlift import CARGOES, City

__all__ = ["allotments", "load_cargo", "city_stocks"]


def allotments(city: City, dates: np.ndarray) -> dict[str, np.ndarray]:
    """The allotment (t/day) of each cargo with a need on each day (step, held).

    Before the first ration point, and without one, the allotment is the need.
    """
    n = dates.shape[0]
    out = {c: np.full(n, float(v)) for c, v in city.need.items()}
    current = {c: float(v) for c, v in city.need.items()}
    for point in city.ration:
        day = int((np.datetime64(point.date) - dates[0]).astype(int))
        for cargo in city.need:
            value = getattr(point, cargo)
            if value is not None:
                current[cargo] = float(value)
            out[cargo][max(day, 0) :] = current[cargo]
    return out


def load_cargo(
    city: City, tons: np.ndarray, mix_tons: np.ndarray, allot: dict[str, np.ndarray]
) -> np.ndarray:
    """Tons by cargo, ``[len(CARGOES), days]``, of the day's ``tons``.

    ``mix_tons[k, day]`` is what the aircraft's own mixes give (cargo ``k``); under
    ``loading: priority`` the food allotment is filled first, then fuel's, and the rest is
    split in the proportions of ``mix_tons``.
    """
    if city.loading == "mix":
        return mix_tons
    zero = np.zeros_like(tons)
    left = tons.astype(float).copy()
    out = np.zeros_like(mix_tons)
    for cargo in ("food", "fuel"):
        k = CARGOES.index(cargo)
        take = np.minimum(left, allot.get(cargo, zero))
        out[k] += take
        left -= take
    share = mix_tons / np.maximum(tons, 1e-12)[None, :]
    out += share * left[None, :]
    return out


def city_stocks(
    city: City, delivered: dict[str, np.ndarray], allot: dict[str, np.ndarray] | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Stocks at the end of each day and what was consumed, by cargo with a need.

    Each day the city receives what was delivered and consumes (see the module): its
    allotment with a ``ration``, else its need (less when below ``reserve_days``); never
    more than it holds, so stocks never go below zero.
    """
    stocks, consumed = {}, {}
    for cargo, need in city.need.items():
        stock = city.stocks_days.get(cargo, 0.0) * need
        got = delivered[cargo].tolist()
        path, used = np.empty(len(got)), np.empty(len(got))
        if city.ration:
            wants = allot[cargo].tolist() if allot is not None else [need] * len(got)
        else:
            wants = None
        reserve = city.reserve_days * need
        for i, x in enumerate(got):
            if wants is not None:
                want = wants[i]
            else:
                want = need if stock > reserve else city.short_consumption_share * need
            eat = min(want, stock + x)
            stock = stock + x - eat
            path[i], used[i] = stock, eat
        stocks[cargo], consumed[cargo] = path, used
    return stocks, consumed
