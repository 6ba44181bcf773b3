"""Run carta as `python -m generator`."""

from .app.cli import main

main()
