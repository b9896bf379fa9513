"""`Process`: dynamics x shocks x jumps x regimes (x copula), simulated vectorised over paths.

The composition follows arch's: ``HARX.simulate`` asks the distribution for a
``size -> draws`` callable and hands it to the volatility recursion. Here each
block of ``BLOCK_SIZE`` paths first draws everything random (:class:`Draws`),
then one time loop per asset runs the recursion over the whole chunk.
Every part is called only through the interface written in
:mod:`edgecase.market.process.base`, so any object that follows it plugs in.
"""

from __future__ import annotations

import inspect
import numbers
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from edgecase import parallel
from edgecase._random import BLOCK_SIZE, RandomStateLike, as_seed_sequence, block_rngs
from edgecase._validate import check_memory, check_scalar
from edgecase.errors import InvalidParameterError
from edgecase.market.paths import Paths
from edgecase.market.process import _threads
from edgecase.market.process._checks import real
from edgecase.market.process._regime_rows import RegimeRows
from edgecase.market.process.base import (
    Copula,
    Dynamics,
    JumpProcess,
    Overlay,
    RegimeProcess,
    ShockDistribution,
    implements,
)
from edgecase.market.process.copulas import push_latent
from edgecase.market.process.draws import Draws, _as_3d, _merge, reuse_buffer
from edgecase.market.process.dynamics import ConstantVolatility
from edgecase.market.process.margins import U_CLIP, MarginMap, margin_map
from edgecase.market.process.shocks import Normal

__all__ = ["Process", "AssetParts", "Draws", "CHUNK_PATHS"]

# Paths per vectorised time loop: big enough that numpy's per-call overhead is
# amortised, small enough that the chunk's buffers stay ~10 MB each at 252 steps
# (10,000 was 5% faster but 20 MB more peak memory at 100k paths).
CHUNK_PATHS = 5 * BLOCK_SIZE
# Spawn-key offset of the scenario streams: scenarios draw from their own streams so
# that severity 0 reproduces the base process bit for bit.
_SCENARIO_KEY = 0x5CE7


@dataclass(frozen=True)
class AssetParts:
    """The parts driving one asset of a :class:`Process` (read-only)."""

    dynamics: Any
    shocks: Any
    jumps: Any
    mu: float
    ar: float


def _per_asset(value: Any, d: int, name: str) -> list:
    if isinstance(value, list | tuple):
        if len(value) != d:
            raise InvalidParameterError(f"{name} has {len(value)} entries for {d} assets.")
        return list(value)
    return [value] * d


def _check_part(value: Any, interface: type, name: str, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not implements(value, interface):
        methods = ", ".join(sorted(interface.__abstractmethods__))
        raise InvalidParameterError(
            f"{name} must follow edgecase.market.process.base.{interface.__name__} "
            f"(subclass it or provide {methods}); got {value!r}."
        )


class Process:
    """A return process composed of dynamics x shocks x jumps x regimes (x copula).

    Any part may be a built-in one or your own: an object that subclasses the
    matching base class of :mod:`edgecase.market.process.base` or simply has its
    abstract methods (duck typing; optional hooks such as ``drift`` or
    ``prepare`` default to none).

    Parameters
    ----------
    dynamics : Dynamics, or a list (one per asset)
        E.g. ConstantVolatility, GARCH, GJRGARCH, EGARCH or Heston (default
        ``ConstantVolatility()``).
    shocks : ShockDistribution, or a list
        E.g. Normal, StudentT, SkewT or Bootstrap (default Normal). With several
        assets each needs ``ppf``.
    jumps : JumpProcess, None, or a list
        E.g. MertonJumps or KouJumps.
    regimes : RegimeProcess, optional
        E.g. MarkovSwitching; one chain shared by all assets (a market-wide regime).
    mu : float or list
        Mean log return per step.
    ar : float or list
        AR(1) coefficient of the mean, ``r_t = mu + ar (r_{t-1} - mu) + ...`` (|ar| < 1),
        like arch's ``mean="AR"``; daily index returns have a small negative one.
    copula : Copula, required with several assets
        E.g. GaussianCopula or StudentTCopula.
    assets : list of str, optional

    Examples
    --------
    >>> from edgecase.market import GJRGARCH, KouJumps, SkewT
    >>> p = Process(dynamics=GJRGARCH(), shocks=SkewT(7, -0.1), jumps=KouJumps())
    >>> paths = p.simulate(100, 252, random_state=0)
    >>> paths.returns.shape, bool(abs(paths.returns.std() - 0.01) < 0.003)
    ((100, 252, 1), True)
    """

    def __init__(
        self,
        *,
        dynamics: Any = None,
        shocks: Any = None,
        jumps: Any = None,
        regimes: Any = None,
        mu: Any = 0.0,
        ar: Any = 0.0,
        copula: Any = None,
        assets: Sequence[str] | None = None,
    ) -> None:
        self.dynamics = dynamics
        self.shocks = shocks
        self.jumps = jumps
        self.regimes = regimes
        self.mu = mu
        self.ar = ar
        self.copula = copula
        self.assets = assets
        self._validate()

    def _count_assets(self) -> int:
        if self.copula is not None:
            _check_part(self.copula, Copula, "copula")
            d = getattr(self.copula, "n_assets", None)
            if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1:
                raise InvalidParameterError(
                    f"copula must have an integer n_assets >= 1; got {d!r} from {self.copula!r}."
                )
            return int(d)
        for name, v in (
            ("dynamics", self.dynamics),
            ("shocks", self.shocks),
            ("jumps", self.jumps),
            ("mu", self.mu),
        ):
            if isinstance(v, list | tuple):
                if len(v) > 1:
                    raise InvalidParameterError(
                        f"{name} has {len(v)} entries (one per asset): {len(v)} assets need a "
                        "copula (GaussianCopula or StudentTCopula) to tie them together."
                    )
                return len(v) or 1
        return 1

    def _validate(self) -> None:
        d = self._count_assets()
        dyn = _per_asset(
            self.dynamics if self.dynamics is not None else ConstantVolatility(), d, "dynamics"
        )
        sh = _per_asset(self.shocks if self.shocks is not None else Normal(), d, "shocks")
        jp = _per_asset(self.jumps, d, "jumps")
        mu = [real(m, "mu", low=-1.0, high=1.0) for m in _per_asset(self.mu, d, "mu")]
        self._ar = [
            real(v, "ar", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False)
            for v in _per_asset(self.ar, d, "ar")
        ]
        for x in dyn:
            _check_part(x, Dynamics, "dynamics")
        for x in sh:
            _check_part(x, ShockDistribution, "shocks")
            if d > 1 and not callable(getattr(x, "ppf", None)):
                raise InvalidParameterError(
                    f"shocks {x!r} has no ppf(u); with several assets the copula needs one."
                )
        # Dynamics whose moments depend on the shock law (GJR persistence, EGARCH E[s2])
        # get a copy bound to the shocks actually simulated; a non-stationary pair fails here.
        dyn = [
            x.with_shocks(s) if callable(getattr(x, "with_shocks", None)) else x
            for x, s in zip(dyn, sh, strict=True)
        ]
        for x in jp:
            _check_part(x, JumpProcess, "jumps", optional=True)
        _check_part(self.regimes, RegimeProcess, "regimes", optional=True)
        assets = self.assets if self.assets is not None else [f"asset{i}" for i in range(d)]
        if len(assets) != d:
            raise InvalidParameterError(f"assets has {len(assets)} names for {d} assets.")
        self.n_assets = d
        self._dyn, self._shocks, self._jumps, self._mu = dyn, sh, jp, mu
        self._shared: dict | None = None
        self._assets = [str(a) for a in assets]

    @property
    def asset_parts(self) -> tuple[AssetParts, ...]:
        """The validated parts of each asset, in asset order (read-only)."""
        return tuple(
            AssetParts(*parts)
            for parts in zip(self._dyn, self._shocks, self._jumps, self._mu, self._ar, strict=True)
        )

    @property
    def asset_names(self) -> tuple[str, ...]:
        """The asset names (``assets``, default ``asset0, asset1, ...``)."""
        return tuple(self._assets)

    def __repr__(self) -> str:
        parts = [f"dynamics={self._dyn[0]!r}", f"shocks={self._shocks[0]!r}"]
        if self._jumps[0] is not None:
            parts.append(f"jumps={self._jumps[0]!r}")
        if self.regimes is not None:
            parts.append(f"regimes={self.regimes!r}")
        if self.copula is not None:
            parts.append(f"copula={self.copula!r}")
        return f"Process({', '.join(parts)}, n_assets={self.n_assets})"

    # -- public -------------------------------------------------------------------
    @contextmanager
    def shared_draws(self) -> Iterator[Process]:
        """Inside this block, simulations with the same seed reuse each block's base draws.

        The regime states, shocks, extra normals and jumps of a block depend only on its
        stream, not on a scenario that leaves the copula alone (crash, vol_spike,
        liquidity_gap, flash_crash only add overlays drawn from their own streams). So a
        sweep over scenarios and severities with one seed (common random numbers) draws
        them once; the paths are byte for byte those of separate calls. The draws are
        kept until the block ends (~8 bytes x n_paths x n_steps x n_assets per seed).
        """
        outer = self._shared
        if outer is None:
            self._shared = {}
        try:
            yield self
        finally:
            if outer is None:
                self._shared = None

    def simulate(
        self,
        n_paths: int,
        n_steps: int = 252,
        random_state: RandomStateLike = None,
        *,
        scenario: Any = None,
        chunk_paths: int = CHUNK_PATHS,
        client: Any = None,
        out: str | os.PathLike[str] | None = None,
        overwrite: bool = False,
        progress: bool = True,
    ) -> Paths | parallel.ParquetOutput:
        """Simulate ``n_paths`` paths of ``n_steps`` daily log returns.

        Parameters
        ----------
        n_paths, n_steps : int
        random_state : None, int, Generator or SeedSequence
        scenario : object, optional
            Has ``overlay(rng, n, n_steps, n_assets) -> Overlay`` (see
            :mod:`edgecase.market.scenarios`); it draws from its own streams, so a
            scenario at severity 0 gives exactly the base paths.
        chunk_paths : int, default 5,000
            Paths simulated together (a multiple of 1,000): the width of the
            vectorised time loop and, with ``client`` or ``out``, the paths per task.
        client : distributed.Client, scheduler address or False, optional
            Run the chunks as tasks on Dask (see :func:`edgecase.parallel.resolve_client`;
            ``False`` runs the tasks here).
        out : path, optional
            Stream the paths to Parquet parts in this folder, one per chunk, as long
            rows (path, step, one column per asset); returns a
            :class:`~edgecase.parallel.ParquetOutput`.
        overwrite : bool, default False
            Empty a non-empty ``out`` folder first.
        progress : bool, default True
            A progress bar over the tasks (with ``client`` or ``out`` only).

        Returns
        -------
        Paths or ParquetOutput
            The same bytes for the same seed whatever ``chunk_paths``, here or on Dask.
        """
        n_paths = int(check_scalar(n_paths, "n_paths", kind=numbers.Integral, low=1, high=10**8))
        n_steps = int(check_scalar(n_steps, "n_steps", kind=numbers.Integral, low=1, high=10**6))
        chunk_paths = int(
            check_scalar(chunk_paths, "chunk_paths", kind=numbers.Integral, low=BLOCK_SIZE)
        )
        if chunk_paths % BLOCK_SIZE:
            raise InvalidParameterError(
                f"chunk_paths must be a multiple of BLOCK_SIZE={BLOCK_SIZE}; got {chunk_paths}."
            )
        ss = as_seed_sequence(random_state)
        if client is not None or out is not None:
            result = parallel.run_chunks(
                _paths_chunk, n_paths, chunk_size=chunk_paths, random_state=ss, client=client,
                out=out, overwrite=overwrite, progress=progress,
                to_frame=partial(_paths_frame, assets=self._assets),
                process=self, n_steps=n_steps, scenario=scenario,
            )  # fmt: skip
            if isinstance(result, parallel.ParquetOutput):
                return result
            returns = np.concatenate(result)
        else:
            check_memory(
                (n_paths, n_steps, self.n_assets),
                what="n_paths x n_steps x n_assets",
                hint="lower n_paths or n_steps, or write chunks to Parquet with out=.",
            )
            returns = np.empty((n_paths, n_steps, self.n_assets))
            self._simulate_chunks(ss, returns, chunk_paths, scenario)
        meta = {"process": repr(self)}
        if scenario is not None:
            meta.update(getattr(scenario, "meta", {}))
        return Paths(returns, assets=self._assets, meta=meta)

    def _simulate_chunks(
        self, ss: np.random.SeedSequence, returns: np.ndarray, chunk_paths: int, scenario: Any
    ) -> None:
        """Fill ``returns`` chunk by chunk; with several chunks, two chunks at a time.

        A chunk drawn in parallel blocks still runs its time loop, merge and transpose
        in one thread; running whole chunks in :data:`_threads.N_THREADS` threads keeps
        both cores busy throughout. Every chunk writes only its own rows from its own
        streams, so the bytes do not depend on the threads.
        """
        n_paths, n_steps = returns.shape[:2]
        starts = range(0, n_paths, chunk_paths)
        # Each thread reuses its chunk-wide buffers from one chunk to the next (fresh ones
        # of ~10 MB each page-faulted on every chunk); they go with this call.
        local = threading.local()

        def one_chunk(start: int, blocks_in_pool: bool) -> None:
            stop = min(start + chunk_paths, n_paths)
            scratch = local.__dict__
            self._range(
                ss, start, stop, n_steps, scenario, returns[start:stop], blocks_in_pool, scratch
            )

        if len(starts) > 1 and _threads.N_THREADS > 1:
            # its own pool: a chunk must not wait on blocks queued behind other chunks
            with ThreadPoolExecutor(max_workers=_threads.N_THREADS) as pool:
                for _ in pool.map(partial(one_chunk, blocks_in_pool=False), starts):
                    pass
        else:
            for start in starts:
                one_chunk(start, True)

    def simulate_range(
        self,
        seed_seq: np.random.SeedSequence,
        start: int,
        stop: int,
        n_steps: int,
        *,
        scenario: Any = None,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Paths ``[start, stop)`` of the job seeded by ``seed_seq``, shape (stop-start, n_steps, d).

        ``start`` must be a multiple of ``BLOCK_SIZE``: path ``i`` always takes its
        random numbers from block ``i // BLOCK_SIZE``, so any chunking of a job
        gives identical bytes.
        """
        if start % BLOCK_SIZE or stop <= start:
            raise InvalidParameterError(
                f"start must be a multiple of {BLOCK_SIZE} and stop > start; got [{start}, {stop})."
            )
        return self._range(seed_seq, start, stop, n_steps, scenario, out, True)

    def _range(
        self,
        seed_seq: np.random.SeedSequence,
        start: int,
        stop: int,
        n_steps: int,
        scenario: Any,
        out: np.ndarray | None,
        blocks_in_pool: bool,
        scratch: dict | None = None,
    ) -> np.ndarray:
        """:meth:`simulate_range`, its blocks drawn in the block pool or in this thread.

        ``scratch``: this thread's buffers from its previous chunk, reused for the merged
        draws and the time-major buffer when their shapes match (filled before read).
        """
        first = start // BLOCK_SIZE
        n_blocks = -(-(stop - start) // BLOCK_SIZE)
        rngs = block_rngs(seed_seq, first, n_blocks)
        scn_rngs = None
        if scenario is not None:
            scn_ss = np.random.SeedSequence(
                entropy=seed_seq.entropy,
                spawn_key=(*seed_seq.spawn_key, _SCENARIO_KEY),
                pool_size=seed_seq.pool_size,
            )
            scn_rngs = block_rngs(scn_ss, first, n_blocks)
        n_chunk = stop - start
        job = (str(seed_seq.entropy), tuple(seed_seq.spawn_key), seed_seq.pool_size, n_steps)

        def one_block(b: int) -> Draws:
            nb = min(BLOCK_SIZE, n_chunk - b * BLOCK_SIZE)
            ov = None
            if scn_rngs is not None:
                ov = scenario.overlay(scn_rngs[b], nb, n_steps, self.n_assets)
            scn_rng = scn_rngs[b] if scn_rngs is not None else None
            return self._draw_block(rngs[b], nb, n_steps, ov, (*job, first + b, nb), scn_rng)

        if blocks_in_pool and n_blocks > 1 and _threads.N_THREADS > 1:
            blocks = _threads.block_pool().map(one_block, range(n_blocks))
        else:
            blocks = map(one_block, range(n_blocks))
        draws = _merge(blocks, n_chunk, scratch)
        if out is None:
            out = np.empty((n_chunk, n_steps, self.n_assets))
        # The time loop writes a contiguous time-major buffer; one cache-blocked transpose
        # then fills the path-major output (per-step strided writes were 5x slower).
        buf = reuse_buffer(scratch, "time_major", (n_steps, n_chunk, self.n_assets), np.float64)
        self._recursion(draws, n_steps, buf)
        for j in range(0, n_chunk, 256):
            out[j : j + 256] = buf[:, j : j + 256].transpose(1, 0, 2)
        return out

    # -- internals ----------------------------------------------------------------
    def _stress_weight(self, states: Any) -> np.ndarray | None:
        """Per path-step weight of the copula's stress correlation (None: calm only)."""
        if states is None or getattr(self.copula, "stress_corr", None) is None:
            return None
        mask = getattr(self.regimes, "stress_mask", None)
        hit = mask(states) if mask is not None else states == self.regimes.stress_state
        return hit.astype(float)

    def _correlated_shocks(
        self, rng: np.random.Generator, size: tuple[int, int], states: Any, ov: Overlay | None
    ) -> tuple[np.ndarray, tuple | None]:
        """The shocks of a block and, for a copula with ``latent_parts``, its latent parts."""
        w = self._stress_weight(states)
        maps = self._margin_maps()
        if self._split_push():
            z, scale = self.copula.latent_parts(rng, size, w)
            x = z if scale is None else z / scale
            return _mapped(maps, x), (z, scale)
        push = ov.corr_weight if ov is not None else None
        draw = self.copula.uniforms if maps is None else self.copula.latent
        if push is None:
            x = draw(rng, size, w)
        elif "push" in inspect.signature(draw).parameters:
            x = draw(rng, size, w, push=push, target=ov.stress_corr)
        else:
            # A copula without ``push``: mix toward the scenario's matrix with one weight.
            w = np.clip(push, 0.0, 1.0) if w is None else np.maximum(w, np.clip(push, 0.0, 1.0))
            x = draw(rng, size, w, ov.stress_corr)
        if maps is not None:
            return _mapped(maps, x), None
        # Keep uniforms strictly inside (0, 1) so every ppf stays finite.
        u = np.clip(x, U_CLIP, 1 - U_CLIP)
        return np.stack([self._shocks[a].ppf(u[..., a]) for a in range(self.n_assets)], -1), None

    def _split_push(self) -> bool:
        """Whether a copula push draws from the scenario's stream, on top of the base draws.

        With the built-in copulas (``latent_parts``) and tabulated margins the push only
        re-maps the path-steps it touches, from normals of the scenario's own stream; the
        base draws, and every other path-step, stay those of the base process.
        """
        return (
            self.n_assets > 1
            and self._margin_maps() is not None
            and callable(getattr(self.copula, "latent_parts", None))
        )

    def _pushed_shocks(
        self, z0: np.ndarray, latent: tuple, ov: Overlay, rng: np.random.Generator
    ) -> np.ndarray:
        """The block's shocks with the scenario's copula push on the path-steps it touches."""
        push = np.asarray(ov.corr_weight, dtype=float)
        hit = push > 0
        if not hit.any():
            return z0
        z, scale = latent
        d = self.n_assets
        target = ov.stress_corr if ov.stress_corr is not None else np.ones((d, d))
        x = push_latent(rng, z[hit], push[hit], target)
        if scale is not None:
            x /= scale[hit]
        out = z0.copy()
        out[hit] = _mapped(self._margin_maps(), x)
        return out

    def _margin_maps(self) -> list[MarginMap] | None:
        """Per asset the tabulated latent -> shock map (see :mod:`.margins`), if all have one."""
        if not hasattr(self, "_maps"):
            maps = [margin_map(self.copula, sh) for sh in self._shocks]
            self._maps = None if any(m is None for m in maps) else maps
        return self._maps

    def _draw_block(
        self,
        rng: np.random.Generator,
        n: int,
        n_steps: int,
        ov: Overlay | None,
        key: tuple,
        scn_rng: np.random.Generator | None = None,
    ) -> Draws:
        """The block's base draws (shared under :meth:`shared_draws`) plus the overlay."""
        push = ov.corr_weight if ov is not None else None
        split = self._split_push()
        # A push inside the base draws (a copula of your own) changes them: never shared.
        cache = self._shared if push is None or split else None
        entry = cache.get(key) if cache is not None else None
        if entry is None:
            entry = self._base_draws(rng, n, n_steps, None if split else ov)
            if cache is not None:
                cache[key] = entry
        base, latent = entry
        draws = replace(base)  # a shallow copy: the shared arrays are only read
        if push is not None and split:
            draws.z = self._pushed_shocks(base.z, latent, ov, scn_rng)
        if ov is not None:
            size = (n_steps, n)
            draws.additive, draws.vol_mult, draws.ar = (
                _as_3d(x, size, self.n_assets) for x in (ov.additive, ov.vol_mult, ov.ar)
            )
            draws.freeze = ov.freeze.astype(bool) if ov.freeze is not None else None
        return draws

    def _base_draws(
        self, rng: np.random.Generator, n: int, n_steps: int, ov: Overlay | None
    ) -> tuple[Draws, tuple | None]:
        """The block's draws from its own stream, and the copula's latent parts (or None)."""
        # The order of the draws below is part of the seeding contract: do not reorder.
        d = self.n_assets
        size = (n_steps, n)
        states = self.regimes.simulate_states(rng, n_steps, n) if self.regimes is not None else None
        latent = None
        if d == 1:
            z = self._shocks[0].sampler(rng)(size)[..., None]
        else:
            z, latent = self._correlated_shocks(rng, size, states, ov)
        extra = None
        if any(getattr(dy, "n_extra", 0) for dy in self._dyn):
            extra = rng.standard_normal((n_steps, n, d))
        jumps = None
        if any(j is not None for j in self._jumps):
            jumps = np.zeros((n_steps, n, d))
            for a, j in enumerate(self._jumps):
                if j is not None:
                    jumps[..., a] = j.draw(rng, size)
        return Draws(z=z, extra=extra, jumps=jumps, states=states), latent

    def _recursion(self, dr: Draws, n_steps: int, out: np.ndarray) -> None:
        reg = None
        if dr.states is not None:
            means = self.regimes.means
            reg = RegimeRows(dr.states, np.sqrt(self.regimes.multipliers), means)
        # A multiplier never below 1 (a crash's aftershock) damps nothing: the noise fed
        # back is then eps * 1.0 = eps, so the per-step minimum and product are skipped.
        damp = dr.vol_mult is not None and not dr.vol_mult.min() >= 1.0
        for k in range(self.n_assets):
            self._asset_loop(k, dr, reg, damp, n_steps, out)

    def _asset_loop(
        self,
        k: int,
        dr: Draws,
        reg: RegimeRows | None,
        damp: bool,
        n_steps: int,
        out: np.ndarray,
    ) -> None:
        """The time loop of asset ``k`` over the chunk, writing ``out[:, :, k]``."""
        dyn, mu, base_ar = self._dyn[k], self._mu[k], self._ar[k]
        n = dr.z.shape[1]
        state = dyn.start(n)
        prev = np.full(n, mu)
        track = base_ar != 0.0 or dr.ar is not None
        acc = np.zeros(n) if dr.freeze is not None else None
        prepare = getattr(dyn, "prepare", None)
        drift = getattr(dyn, "drift", _no_drift)
        # Dynamics that need sqrt(s2) in their update take the one computed here.
        update_sd = getattr(dyn, "update_sd", None)
        for t in range(n_steps):
            extra = dr.extra[t, :, k] if dr.extra is not None else None
            if prepare is not None:
                state = prepare(state, extra)
            s2 = dyn.variance(state)
            zt = dr.z[t, :, k]
            sd = np.sqrt(s2)
            eps = sd * zt
            r = _scaled_noise(dr, reg, t, k, eps) + (mu + drift(s2, state))
            r, fed = _add_shocks(dr, reg, damp, t, k, r, eps)
            if base_ar != 0.0:
                r = r + base_ar * (prev - mu)
            if dr.ar is not None:
                r = r + dr.ar[t, :, k] * prev
            if track:
                prev = r
            if update_sd is not None:
                state = update_sd(state, fed, zt, extra, sd)
            else:
                state = dyn.update(state, fed, zt, extra)
            if acc is not None:
                acc = acc + r
                frozen = dr.freeze[t]
                r = np.where(frozen, 0.0, acc)
                acc = np.where(frozen, acc, 0.0)
            out[t, :, k] = r


def _mapped(maps: list[MarginMap], x: np.ndarray) -> np.ndarray:
    """Each asset's latent column through its margin map, stacked on the last axis."""
    return np.stack([m(x[..., a]) for a, m in enumerate(maps)], axis=-1)


def _no_drift(s2: np.ndarray, state: Any = None) -> float:
    return 0.0


def _scaled_noise(dr: Draws, reg: RegimeRows | None, t: int, k: int, eps: np.ndarray) -> np.ndarray:
    """The step's noise in the output: scaled by the regime and a scenario's vol multiplier."""
    r = eps if reg is None else eps * reg.sd_row(t)
    if dr.vol_mult is not None:
        r = r * dr.vol_mult[t, :, k]
    return r


def _add_shocks(
    dr: Draws,
    reg: RegimeRows | None,
    damp: bool,
    t: int,
    k: int,
    r: np.ndarray,
    eps: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Add regime means, jumps and scenario shocks; return (return, innovation fed back)."""
    mu_row = reg.mu_row(t) if reg is not None else None
    if mu_row is not None:
        r = r + mu_row
    if dr.jumps is not None:
        r = r + dr.jumps[t, :, k]
    fed = eps
    if damp:
        # Damped noise (crisis replay) is fed as damped; amplified noise is not fed
        # back, so a vol spike cannot make the recursion explode.
        fed = eps * np.minimum(dr.vol_mult[t, :, k], 1.0)
    if dr.additive is not None:
        r = r + dr.additive[t, :, k]
        fed = fed + dr.additive[t, :, k]
    return r, fed


def _paths_chunk(
    seed_seq: np.random.SeedSequence,
    start: int,
    stop: int,
    *,
    process: Process,
    n_steps: int,
    scenario: Any,
) -> np.ndarray:
    """The chunk task of :meth:`Process.simulate` with ``client=`` or ``out=``."""
    return process.simulate_range(seed_seq, start, stop, n_steps, scenario=scenario)


def _paths_frame(returns: np.ndarray, chunk: parallel.Chunk, *, assets: list[str]) -> pd.DataFrame:
    """Long rows (path, step, one column per asset) of a chunk of paths, for Parquet."""
    n, n_steps, _ = returns.shape
    frame = pd.DataFrame(returns.reshape(-1, returns.shape[2]), columns=assets)
    frame.insert(0, "step", np.tile(np.arange(n_steps, dtype=np.int32), n))
    frame.insert(0, "path", np.repeat(np.arange(chunk.start, chunk.stop, dtype=np.int64), n_steps))
    return frame
