"""Allow `python -m konpfoi`."""

from konpfoi.cli.main import main

main()
