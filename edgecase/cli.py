"""Command line: ``edgecase demo | generate | train | stress | quality``.

Bad input prints one clear line on stderr and exits with status 2 (add
``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from edgecase.errors import EdgecaseError

__all__ = ["main", "build_parser"]


def _available_stages() -> list[tuple[str, bool]]:
    stages = ["datasets", "fraud", "market", "train", "stress", "quality", "parallel"]
    return [(s, importlib.util.find_spec(f"edgecase.{s}") is not None) for s in stages]


def _cmd_demo(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("edgecase.demo") is not None:
        from edgecase.demo import run_demo

        return run_demo(out=args.out, progress=not args.no_progress)
    from edgecase.datasets import list_keel, load_market

    print("The end-to-end demo ships with the stress harness; it is not built yet.")
    print("Stages available in this build:")
    for stage, ok in _available_stages():
        print(f"  {stage:<10} {'yes' if ok else 'not yet'}")
    sp = load_market("sp500")
    print(
        f"Offline data: {len(list_keel())} KEEL sets; S&P 500 {sp.index[0].date()}..{sp.index[-1].date()} ({len(sp)} days)."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edgecase", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the end-to-end demo and write edgecase-report/")
    demo.add_argument(
        "--out", default="edgecase-report", help="output folder (default: edgecase-report)"
    )
    demo.add_argument("--no-progress", action="store_true", help="hide progress bars")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except EdgecaseError as exc:
        if args.debug:
            raise
        print(f"edgecase: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
