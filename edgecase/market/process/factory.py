"""`make_process`: a univariate :class:`~edgecase.market.Process` from names, like ``arch_model``."""

from __future__ import annotations

from typing import Any

from edgecase._validate import check_choice
from edgecase.errors import InvalidParameterError
from edgecase.market.process.dynamics import EGARCH, GARCH, GJRGARCH, ConstantVolatility, Heston
from edgecase.market.process.jumps import KouJumps, MertonJumps
from edgecase.market.process.process import Process
from edgecase.market.process.regimes import MarkovSwitching
from edgecase.market.process.shocks import Bootstrap, Normal, SkewT, StudentT

__all__ = ["make_process"]

_VOLS = ("constant", "garch", "gjr", "egarch", "heston")
_DISTS = ("normal", "t", "skewt", "bootstrap")
_JUMPS = ("none", "merton", "kou")


def make_process(
    vol: str = "garch",
    dist: str = "normal",
    jumps: str | None = None,
    *,
    mu: float = 0.0,
    regimes: MarkovSwitching | None = None,
    **params: Any,
) -> Process:
    """Build a univariate :class:`Process` from names, like ``arch_model(vol=..., dist=...)``.

    ``params`` go to the part that owns them: ``sigma`` (constant); ``omega, alpha,
    gamma, beta, allow_nonstationary, initial_variance`` (garch/gjr; egarch takes the
    first four); ``kappa, theta,
    xi, rho, v0, dt, scheme`` (heston); ``nu, lam, residuals`` (shocks); ``intensity,
    jump_mean, jump_std`` (merton); ``intensity, p_up, eta_up, eta_down`` (kou).

    Examples
    --------
    >>> p = make_process("gjr", "t", "merton", nu=6, intensity=0.004)
    >>> p.simulate(10, 20, random_state=0).returns.shape
    (10, 20, 1)
    """
    vol = check_choice(vol, "vol", _VOLS)
    dist = check_choice(dist, "dist", _DISTS)
    jumps = check_choice("none" if jumps is None else jumps, "jumps", _JUMPS)

    def take(*names: str) -> dict[str, Any]:
        return {n: params.pop(n) for n in names if n in params}

    if vol == "constant":
        dyn = ConstantVolatility(**take("sigma"))
    elif vol == "garch":
        dyn = GARCH(**take("omega", "alpha", "beta", "allow_nonstationary", "initial_variance"))
    elif vol == "gjr":
        dyn = GJRGARCH(
            **take("omega", "alpha", "gamma", "beta", "allow_nonstationary", "initial_variance")
        )
    elif vol == "egarch":
        dyn = EGARCH(**take("omega", "alpha", "gamma", "beta"))
    else:
        dyn = Heston(**take("kappa", "theta", "xi", "rho", "v0", "dt", "scheme"))
    if dist == "normal":
        sh = Normal()
    elif dist == "t":
        sh = StudentT(**take("nu"))
    elif dist == "skewt":
        sh = SkewT(**take("nu", "lam"))
    else:
        if "residuals" not in params:
            raise InvalidParameterError(
                "dist='bootstrap' needs residuals=<standardised residuals>."
            )
        sh = Bootstrap(params.pop("residuals"))
    jp = None
    if jumps == "merton":
        kw = take("intensity")
        if "jump_mean" in params:
            kw["mean"] = params.pop("jump_mean")
        if "jump_std" in params:
            kw["std"] = params.pop("jump_std")
        jp = MertonJumps(**kw)
    elif jumps == "kou":
        jp = KouJumps(**take("intensity", "p_up", "eta_up", "eta_down"))
    if params:
        raise InvalidParameterError(
            f"unknown or unused parameter(s) {sorted(params)} for vol={vol!r}, dist={dist!r}, "
            f"jumps={jumps!r}."
        )
    return Process(dynamics=dyn, shocks=sh, jumps=jp, regimes=regimes, mu=mu)
