"""Shared fixtures of the analytics tests: every test that takes ``engine`` runs on DuckDB and on
PySpark and must give the same figures on both.

The Spark session is started once per test session (start-up takes ~10 s). PySpark tests are
marked ``spark`` (deselect with ``-m "not spark"``) and are skipped, with the reason printed,
only when Java is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(home) / "bin" / "java")] if home else []
    candidates.append(shutil.which("java") or "")
    for java in candidates:
        if java and Path(java).exists():
            try:
                subprocess.run([java, "-version"], capture_output=True, check=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                continue
            return java
    return None


def pytest_configure(config: pytest.Config) -> None:
    # PySpark warns about pandas 3 on every Arrow conversion; the analytics never use pandas.
    config.addinivalue_line(
        "filterwarnings", "ignore:PySpark does not yet fully support pandas:FutureWarning"
    )
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:pyspark")


@pytest.fixture(scope="session")
def spark_session():
    """The shared local SparkSession (``local[2]``) of the analytics."""
    if _java() is None:
        pytest.skip("PySpark нужна Java 17+: java не найдена (установите openjdk-17-jre-headless)")
    from opora.analytics.frames import spark_session as start

    return start()


@pytest.fixture(params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> str:
    """The name of the engine a test runs on: "duckdb" and "pyspark"."""
    if request.param == "pyspark":
        request.getfixturevalue("spark_session")
    return request.param
