"""Score a Parquet file of units on a Spark cluster with one call: ``kpirules.sql.score_dataframe``.

    spark-submit docs/examples/spark_score.py rulesets/bishan_2022.toml units.parquet scores.parquet

``units.parquet`` has one row per unit: a ``unit`` column and one column per input measure, named as
the measure (its type, decimal, integer, double, string or boolean, is read from the file's schema).
``scores.parquet`` (a folder of part files, as Spark writes Parquet) gets ``unit``, every
indicator's score, ``total``, ``grade`` and ``error``: NULL for a scored unit, else why it was not
scored. Only the driver needs kpirules and sqlglot (``pip install "kpirules[sql]"``): the ruleset
is compiled there to one Spark SQL query, which the executors run like any other. Exit status 0
when every unit was scored, 1 when some were not (their ``error`` says why), 2 for a ruleset that
does not load or that the SQL path cannot score.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import kpirules
from kpirules.sql import score_dataframe


def score(spark: Any, ruleset: str, units: str, scores: str) -> tuple[int, int]:
    """Score the Parquet file ``units`` into ``scores`` (replaced); the numbers of units and of
    units not scored."""
    rules = kpirules.load(ruleset)
    result = score_dataframe(rules, spark.read.parquet(units))
    result.write.mode("overwrite").parquet(scores)
    written = spark.read.parquet(scores)
    return written.count(), written.where("error IS NOT NULL").count()


def main(argv: list[str] | None = None, spark: Any = None) -> int:
    parser = argparse.ArgumentParser(description="Score a Parquet file of units with a kpirules ruleset on Spark.")
    parser.add_argument("ruleset", help="the ruleset file (.toml)")
    parser.add_argument("units", help="the Parquet file of units: a unit column and one column per input measure")
    parser.add_argument("scores", help="where to write the scores (a Parquet folder, replaced)")
    args = parser.parse_args(argv)
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.appName("kpirules").getOrCreate()
    try:
        units, failed = score(spark, args.ruleset, args.units, args.scores)
    except kpirules.KpiRulesError as err:
        print(err.render_one(), file=sys.stderr)
        return 2
    print(f"scored {units - failed:,} of {units:,} units into {args.scores}", file=sys.stderr)
    if failed:
        print(f"{failed:,} units could not be scored: their `error` column says why", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
