"""SQL engines that run the compiled query."""
