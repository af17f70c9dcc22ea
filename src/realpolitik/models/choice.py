"""``choice``: where an outcome lands, as a conditional-logit choice among the issue's options.

Most EU legislative outcomes are one of the positions the actors stated, not a point between
them: on the DEU III development split 65% of outcomes equal a stated position, issues have
2–4 distinct positions, and on two-option issues the outcomes pile up at the ends
(docs/specs/calibration.md §3). The weighted-mean ``compromise`` (Achen 2006) always lands in
between. ``choice`` models the outcome as a choice (McFadden 1974, "Conditional logit
analysis of qualitative choice behavior", in Zarembka (ed.), *Frontiers in Econometrics*)
among the issue's alternatives:

* alternative 0, "a compromise", at the compromise model's point CM, with utility u_0 = b0;
* one alternative per distinct stated position v_k, with utility

      u_k = b1·share_k + b2·|v_k − CM|/100 + b3·[Commission at v_k] + b4·[Parliament at v_k]
            + b5·[reference point = v_k] + b6·[v_k is the lowest or highest stated position]

  where share_k is the capability × salience share of the actors at v_k (the compromise
  model's weights, with its fallback to equal weights when every weight is 0).

P(k) = exp(u_k) / Σ_a exp(u_a). The predictive distribution is the mixture of point masses at
CM and the v_k with these probabilities, and the forecast is its median (the point that
minimises the expected absolute error; the lower median on a tie). Label probabilities come
for free: "position k" when the outcome is within 0.5 of v_k (the nearest if several),
"compromise" otherwise.

The coefficients are fitted by maximum likelihood (:func:`fit`, BFGS with the analytic
gradient of :func:`neg_log_likelihood`). The defaults in ``data/calibration/choice.json`` were
fitted on the bundled DEU III development split (``realpolitik fit choice``); option
``coefficients=FILE`` uses another fit.

Roles: the Commission and Parliament indicators are 1 for a position held by an actor whose
id is listed in option ``commission`` (default ``com``, the DEU id of the European
Commission) or ``parliament`` (default ``ep``, the European Parliament). A scenario without
such actors has these terms at 0; one whose actors play these roles under other ids names
them in its ``models`` entry (docs/scenario-format.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import field_validator
from scipy.optimize import minimize
from scipy.special import logsumexp

from realpolitik.errors import InputError
from realpolitik.models._registry import IssueInputs, IssueResult, ModelSpec, Options, RunContext
from realpolitik.models.static import compromise, weights

__all__ = [
    "COEFFICIENTS",
    "LABEL_TOLERANCE",
    "ChoiceOptions",
    "Alternatives",
    "Coefficients",
    "alternatives",
    "issue_alternatives",
    "probabilities",
    "observed_label",
    "design",
    "neg_log_likelihood",
    "fit",
    "mixture_median",
    "bundled_coefficients_path",
    "load_coefficients",
    "SPEC",
]

#: The coefficient names, in the order of the utility's terms.
COEFFICIENTS = (
    "compromise",
    "share",
    "distance",
    "commission",
    "parliament",
    "reference",
    "extreme",
)
#: An outcome within this distance of a stated position is "that position" (0–100 scale).
LABEL_TOLERANCE = 0.5
_SAME = 1e-9  # two stated positions closer than this are one alternative


@dataclass(frozen=True)
class Alternatives:
    """One issue's alternatives: ``values[A]`` on 0–100 (values[0] = CM, then the distinct
    stated positions ascending) and ``features[A, 7]`` (the terms of the utilities)."""

    values: np.ndarray
    features: np.ndarray


def issue_alternatives(
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    mask: np.ndarray,
    reference: float,
    actors: tuple[str, ...] = (),
    commission: tuple[str, ...] = ("com",),
    parliament: tuple[str, ...] = ("ep",),
) -> Alternatives:
    """The alternatives of one issue: ``x[n]``, ``s[n]``, ``c[n]``, ``mask[n]``, reference on
    0–100 (NaN for none); ``actors[n]`` ids for the Commission and Parliament roles."""
    m = np.asarray(mask, dtype=bool)
    cm = float(compromise(x[:, None], s[:, None], c, m[:, None])[0])
    w = weights(s[:, None], c, m[:, None])[:, 0]
    pos = np.asarray(x, dtype=float)[m]
    wm = w[m]
    ids = [a for a, keep in zip(actors or ("",) * len(m), m, strict=True) if keep]
    values = np.unique(np.round(pos / _SAME) * _SAME)
    lo, hi = values.min(), values.max()
    feats = np.zeros((values.size + 1, len(COEFFICIENTS)))
    feats[0, 0] = 1.0
    total = wm.sum()
    for k, v in enumerate(values, start=1):
        at = np.abs(pos - v) <= _SAME
        holders = {ids[i] for i in np.flatnonzero(at)}
        feats[k, 1] = wm[at].sum() / total
        feats[k, 2] = abs(v - cm) / 100.0
        feats[k, 3] = float(bool(holders & set(commission)))
        feats[k, 4] = float(bool(holders & set(parliament)))
        feats[k, 5] = float(np.isfinite(reference) and abs(reference - v) <= _SAME)
        feats[k, 6] = float(v == lo or v == hi)
    return Alternatives(values=np.r_[cm, values], features=feats)


def alternatives(
    inputs: IssueInputs,
    commission: tuple[str, ...] = ("com",),
    parliament: tuple[str, ...] = ("ep",),
) -> list[Alternatives | None]:
    """Each issue's alternatives (None for an issue on which no actor takes a position)."""
    out: list[Alternatives | None] = []
    for j in range(inputs.n_issues):
        mask = inputs.mask[:, j]
        if not mask.any():
            out.append(None)
            continue
        out.append(
            issue_alternatives(
                inputs.x[:, j],
                inputs.s[:, j],
                inputs.c,
                mask,
                float(inputs.reference[j]),
                inputs.actors,
                commission,
                parliament,
            )
        )
    return out


def probabilities(alt: Alternatives, coef: np.ndarray) -> np.ndarray:
    """P(alternative) under the conditional logit with coefficients ``coef[7]``."""
    u = alt.features @ np.asarray(coef, dtype=float)
    return np.exp(u - logsumexp(u))


def observed_label(alt: Alternatives, outcome: float) -> int:
    """The index of the outcome's alternative: the nearest stated position within
    :data:`LABEL_TOLERANCE`, else 0 (the compromise)."""
    d = np.abs(alt.values[1:] - outcome)
    k = int(np.argmin(d))
    return k + 1 if d[k] <= LABEL_TOLERANCE else 0


def design(
    alts: list[Alternatives], labels: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pad issues to one array: ``features[n, A, 7]``, ``valid[n, A]``, ``label[n]``."""
    a = max(alt.features.shape[0] for alt in alts)
    feats = np.zeros((len(alts), a, len(COEFFICIENTS)))
    valid = np.zeros((len(alts), a), dtype=bool)
    for i, alt in enumerate(alts):
        feats[i, : alt.features.shape[0]] = alt.features
        valid[i, : alt.features.shape[0]] = True
    return feats, valid, np.asarray(labels, dtype=np.intp)


def neg_log_likelihood(
    coef: np.ndarray, features: np.ndarray, valid: np.ndarray, label: np.ndarray
) -> tuple[float, np.ndarray]:
    """−log L and its gradient: L = Π_i P_i(label_i); ∂(−log L)/∂b = −Σ_i (z_i,label −
    Σ_a P_ia z_ia), the conditional logit's score (McFadden 1974)."""
    u = np.where(valid, features @ coef, -np.inf)
    lse = logsumexp(u, axis=1)
    p = np.exp(u - lse[:, None])
    rows = np.arange(label.size)
    nll = float(np.sum(lse - u[rows, label]))
    grad = -(features[rows, label] - np.einsum("ia,iak->ik", p, features)).sum(axis=0)
    return nll, grad


@dataclass(frozen=True)
class Coefficients:
    """A fit of ``choice``: the coefficients, their standard errors (inverse Hessian of the
    BFGS fit), −log L at the optimum, the number of issues, and where they came from."""

    values: np.ndarray
    se: np.ndarray
    nll: float
    n: int
    converged: bool
    source: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "choice",
            "coefficients": dict(zip(COEFFICIENTS, map(float, self.values), strict=True)),
            "standard_errors": dict(zip(COEFFICIENTS, map(float, self.se), strict=True)),
            "neg_log_likelihood": self.nll,
            "n_issues": self.n,
            "converged": self.converged,
            "source": dict(self.source),
        }


def fit(
    alts: list[Alternatives], outcomes: np.ndarray, source: dict[str, Any] | None = None
) -> Coefficients:
    """Maximum-likelihood coefficients from issues' alternatives and recorded outcomes (0–100).

    BFGS (scipy) from zero with the analytic gradient; the standard errors are the square
    roots of the diagonal of BFGS's inverse-Hessian estimate.
    """
    labels = [observed_label(a, float(y)) for a, y in zip(alts, outcomes, strict=True)]
    feats, valid, label = design(alts, labels)
    res = minimize(
        neg_log_likelihood,
        np.zeros(len(COEFFICIENTS)),
        args=(feats, valid, label),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-7, "maxiter": 1000},
    )
    se = np.sqrt(np.clip(np.diag(res.hess_inv), 0.0, None))
    return Coefficients(
        values=np.asarray(res.x, dtype=float),
        se=se,
        nll=float(res.fun),
        n=len(alts),
        converged=bool(res.success),
        source=dict(source or {}),
    )


def mixture_median(values: np.ndarray, probs: np.ndarray) -> float:
    """The (lower) median of point masses ``probs`` at ``values``."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(probs[order])
    return float(values[order][np.searchsorted(cum, 0.5 - 1e-12)])


# -- coefficients files ------------------------------------------------------------------------


def bundled_coefficients_path() -> Path:
    """The default coefficients, fitted on the bundled DEU III development split."""
    return Path(str(resources.files("realpolitik") / "data" / "calibration" / "choice.json"))


_CACHE: dict[tuple[str, str], np.ndarray] = {}


def load_coefficients(path: str | Path | None = None) -> np.ndarray:
    """The seven coefficients of a ``realpolitik fit choice`` file (default: the bundled one)."""
    p = Path(path) if path is not None else bundled_coefficients_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            file=str(p),
            field="choice.coefficients",
            problem=f"cannot read it ({exc.strerror})",
            expected="a coefficients file written by `realpolitik fit choice`",
        ) from None
    key = (str(p), hashlib.sha256(text.encode()).hexdigest())
    if key not in _CACHE:
        try:
            coef = json.loads(text)["coefficients"]
            _CACHE[key] = np.array([float(coef[n]) for n in COEFFICIENTS])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                file=str(p),
                field="choice.coefficients",
                problem=f"not a choice coefficients file ({type(exc).__name__}: {exc})",
                expected='JSON with "coefficients": {' + ", ".join(COEFFICIENTS) + "}",
            ) from None
    return _CACHE[key]


# -- registry entry ----------------------------------------------------------------------------


class ChoiceOptions(Options):
    """``coefficients``: a ``realpolitik fit choice`` file (default: fitted on the DEU dev
    split). ``commission``, ``parliament``: the actor ids that play these roles (a list, or
    ids joined by ``+`` on the command line)."""

    coefficients: str | None = None
    commission: tuple[str, ...] = ("com",)
    parliament: tuple[str, ...] = ("ep",)

    @field_validator("commission", "parliament", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v for v in value.split("+") if v)
        return value


def predictive(inputs: IssueInputs, options: ChoiceOptions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each issue's mixture as (values, probabilities); empty arrays where no actor has a
    position."""
    coef = load_coefficients(options.coefficients)
    out = []
    for alt in alternatives(inputs, options.commission, options.parliament):
        if alt is None:
            out.append((np.empty(0), np.empty(0)))
        else:
            out.append((alt.values, probabilities(alt, coef)))
    return out


def _run(inputs: IssueInputs, options: ChoiceOptions, ctx: RunContext) -> IssueResult:
    values = np.full(inputs.n_issues, np.nan)
    skipped: dict[int, str] = {}
    for j, (v, p) in enumerate(predictive(inputs, options)):
        if v.size == 0:
            skipped[j] = "no actor takes a position"
        else:
            values[j] = mixture_median(v, p)
    return IssueResult(values=values, skipped=skipped)


SPEC = ModelSpec(
    name="choice",
    kind="issue",
    summary="Conditional-logit choice among the stated positions and the compromise "
    "(median of the mixture).",
    citation="McFadden 1974; utilities of docs/specs/calibration.md §3",
    run=_run,
    options=ChoiceOptions,
)
