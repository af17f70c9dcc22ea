"""KTAB's pseudo-random number generator, bit for bit (docs/specs/smp.md §7).

KTAB (``kutils/libsrc/prng.cpp``) draws from ``std::mt19937_64`` seeded with a 64-bit seed and
transforms each raw output ``m`` into ``q(m) = (m + 0xE08C1D668B756F83)·(2m + 3) mod 2⁶⁴``; a
uniform draw on [0, 1] is ``double(q) / double(2⁶⁴ − 1)``. numpy has no 64-bit Mersenne
twister, so the engine is written out here (C++ standard [rand.eng.mers] and
[rand.predef]; Matsumoto & Nishimura 1998, Nishimura 2000). SMP draws only N numbers per turn,
so a plain-Python engine costs nothing measurable.
"""

from __future__ import annotations

__all__ = ["MT19937_64", "KtabPRNG", "KTAB_DEFAULT_SEED"]

#: KTAB's ``KBase::dSeed``, used by ``smpc`` when no seed is given (spec §1).
KTAB_DEFAULT_SEED = 0xD67CC16FE69C185C

_MASK = (1 << 64) - 1
_N, _M = 312, 156
_MATRIX_A = 0xB5026F5AA96619E9
_UPPER = 0xFFFFFFFF80000000
_LOWER = 0x000000007FFFFFFF
_F = 6364136223846793005


class MT19937_64:
    """The 64-bit Mersenne twister ``std::mt19937_64``.

    With the default seed 5489 its 10 000th output is 9981545732273789042, the value the C++
    standard requires ([rand.predef]/4).
    """

    def __init__(self, seed: int = 5489) -> None:
        mt = [0] * _N
        mt[0] = seed & _MASK
        for i in range(1, _N):
            prev = mt[i - 1]
            mt[i] = (_F * (prev ^ (prev >> 62)) + i) & _MASK
        self._mt = mt
        self._index = _N

    def _twist(self) -> None:
        mt = self._mt
        for i in range(_N):
            x = (mt[i] & _UPPER) | (mt[(i + 1) % _N] & _LOWER)
            xa = x >> 1
            if x & 1:
                xa ^= _MATRIX_A
            mt[i] = mt[(i + _M) % _N] ^ xa
        self._index = 0

    def next_u64(self) -> int:
        """The next raw 64-bit output."""
        if self._index >= _N:
            self._twist()
        y = self._mt[self._index]
        self._index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & _MASK


class KtabPRNG:
    """KTAB's ``KBase::PRNG``: mt19937_64 plus the output transform of spec §7."""

    def __init__(self, seed: int = KTAB_DEFAULT_SEED) -> None:
        self._engine = MT19937_64(seed & _MASK)

    def uint64(self) -> int:
        """``q(m) = (m + 0xE08C1D668B756F83)·(2m + 3) mod 2⁶⁴`` of the next raw output m."""
        m = self._engine.next_u64()
        return ((m + 0xE08C1D668B756F83) * (2 * m + 3)) & _MASK

    def uniform(self) -> float:
        """A draw on [0, 1]: ``double(q) / double(2⁶⁴ − 1)`` (both conversions round to nearest)."""
        return float(self.uint64()) / float(_MASK)
