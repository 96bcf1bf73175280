"""The version of kpirules, in one place: the package (``kpirules.__version__``), the CLI, the SQL
cache's key and the wheel's metadata (``pyproject.toml`` reads it from here) all take it from this
module, which imports nothing, so no module needs the package root for it."""

__version__ = "0.1.0"
