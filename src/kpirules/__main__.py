"""``python -m kpirules`` runs the command line."""

from .cli import main

main()
