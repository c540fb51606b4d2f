"""Engine glue: Arrow tables in, Narwhals lazy frames on DuckDB or PySpark, Arrow tables out.

DuckDB is the embedded default; PySpark runs the same analytics on national data. Only this
module knows which engine is underneath.

>>> import pyarrow as pa
>>> lf = to_lazy(pa.table({"school_id": ["01"], "year": [2024]}))
>>> collect(lf).num_rows
1
"""

from __future__ import annotations

import atexit
import importlib.abc
import os
import shutil
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import pyarrow as pa

ENGINES: tuple[str, ...] = ("duckdb", "pyspark")
# Arrow tables up to this many rows go to Spark inside the plan; bigger ones through Parquet.
SPARK_LOCAL_ROWS = 200_000

_lock = threading.Lock()
_duckdb: duckdb.DuckDBPyConnection | None = None
_per_thread = threading.local()
_spark: Any = None
_scratch_dir: Path | None = None


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB connection the analytics use unless given another one.

    One database for the process, one cursor per thread: a DuckDB connection must not run two
    queries at once, and the web server's threads, like the background steps of
    :func:`opora.analytics.identify.identify`, query at the same time.
    """
    global _duckdb
    cursor = getattr(_per_thread, "cursor", None)
    if cursor is None:
        with _lock:
            if _duckdb is None:
                _duckdb = duckdb.connect(":memory:")
            cursor = _per_thread.cursor = _duckdb.cursor()
    return cursor


def spark_session() -> Any:
    """A local SparkSession (``local[2]``), created on first use and then reused.

    Start-up takes ~10 s and needs Java 17+. When a session is already active (e.g. on a
    cluster) that one is used.
    """
    global _spark
    with _lock:
        if _spark is None:
            from pyspark.sql import SparkSession

            active = SparkSession.getActiveSession()
            if active is not None:
                _spark = active
            else:
                os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
                _spark = (
                    SparkSession.builder.master("local[2]")
                    .appName("opora-analytics")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                    .config("spark.driver.memory", os.environ.get("OPORA_SPARK_MEMORY", "2g"))
                    .getOrCreate()
                )
                _spark.sparkContext.setLogLevel("ERROR")
        return _spark


def to_lazy(
    table: pa.Table | nw.LazyFrame, engine: str = "duckdb", connection: Any = None
) -> nw.LazyFrame:
    """Wrap an Arrow table as a Narwhals lazy frame on the chosen engine.

    ``connection`` is a DuckDB connection or a SparkSession; by default the module's own.
    A lazy frame passed in is returned unchanged.

    >>> import pyarrow as pa
    >>> collect(to_lazy(pa.table({"a": [1, 2]})).select(nw.col("a").sum()), {"a": pa.int64()})["a"][0]
    <pyarrow.Int64Scalar: 3>
    """
    if isinstance(table, nw.LazyFrame):
        return table
    if engine == "duckdb":
        con = connection if connection is not None else duckdb_connection()
        return nw.from_native(con.from_arrow(table))
    if engine == "pyspark":
        spark = connection if connection is not None else spark_session()
        table = without_dictionaries(table)
        if table.num_rows == 0:
            # An empty Arrow table carries no rows to infer from; give Spark the schema.
            return nw.from_native(spark.createDataFrame([], _spark_schema(table.schema)))
        if table.num_rows > SPARK_LOCAL_ROWS:
            # A big table inside the query plan makes Spark slow and hungry: hand it over as a
            # Parquet file instead, which Spark reads in parallel.
            path = _scratch() / f"{uuid.uuid4().hex}.parquet"
            import pyarrow.parquet as pq  # only Spark needs it: not imported up front

            pq.write_table(table, path)
            return nw.from_native(spark.read.parquet(str(path)))
        return nw.from_native(spark.createDataFrame(table))
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")


def without_dictionaries(table: pa.Table) -> pa.Table:
    """Dictionary columns spelled out (Spark's conversion from Arrow, and Arrow's own table
    sort, take plain types only); a table without them is returned as it is."""
    plain = [
        f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
        for f in table.schema
    ]
    return table.cast(pa.schema(plain)) if plain != list(table.schema) else table


def collect(lf: nw.LazyFrame, schema: dict[str, pa.DataType] | None = None) -> pa.Table:
    """Run a lazy frame and return an Arrow table; ``schema`` casts the named columns.

    Engines differ in the integer widths they return (Spark ``int32`` ranks, DuckDB ``int64``);
    casting here keeps results identical row for row.
    """
    table = lf.collect("pyarrow").to_native()
    if any(not f.nullable for f in table.schema):
        # Spark marks computed columns NOT NULL, DuckDB does not: make both alike.
        table = table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))
    if schema:
        for name, dtype in schema.items():
            if name in table.column_names and table.schema.field(name).type != dtype:
                i = table.column_names.index(name)
                table = table.set_column(i, name, table.column(name).cast(dtype))
    return table


def distinct(lf: nw.LazyFrame, *columns: str) -> nw.LazyFrame:
    """The distinct rows of ``columns``, by a plain grouping: Narwhals' ``unique()`` numbers
    the rows of every group with a window function on DuckDB, several times slower.

    >>> import pyarrow as pa
    >>> sorted(collect(distinct(to_lazy(pa.table({"y": [2, 1, 2]})), "y"))["y"].to_pylist())
    [1, 2]
    """
    return lf.group_by(*columns).agg(nw.len().alias("__rows")).select(*columns)


def spare_pandas() -> None:
    """Keep pyarrow from importing pandas in a process that does not use it.

    The first time pyarrow converts a Python list it checks whether the list is a pandas
    object, and imports pandas for that when it is installed: a second of CPU on a cold
    start. Опора's own installation has no pandas (only the development one has it, for the
    tests and the benchmark's baseline). A command that runs alone in its process
    (``opora identify``) calls this first: pyarrow looks for pandas once, finds none and does
    not look again. pandas imported later (``to_pandas``) still works.
    """
    if "pandas" in sys.modules:
        return
    refuse = _RefusePandas()
    sys.meta_path.insert(0, refuse)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(refuse)


class _RefusePandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ImportError("pandas is not used here")
        return None


def _scratch() -> Path:
    """A temporary folder for Parquet hand-overs to Spark, removed when Python exits."""
    global _scratch_dir
    with _lock:
        if _scratch_dir is None:
            _scratch_dir = Path(tempfile.mkdtemp(prefix="opora-spark-"))
            atexit.register(shutil.rmtree, _scratch_dir, True)
        return _scratch_dir


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    def convert(dtype: pa.DataType) -> Any:
        if pa.types.is_boolean(dtype):
            return T.BooleanType()
        if pa.types.is_integer(dtype):
            return T.LongType()
        if pa.types.is_floating(dtype):
            return T.DoubleType()
        return T.StringType()

    return T.StructType([T.StructField(f.name, convert(f.type), True) for f in schema])
