"""Run carta as `python -m generator`."""

from .cli import main

main()
