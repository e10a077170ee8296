"""Allow `python -m konpfoi`."""

from konpfoi.cli import main

main()
