"""`python -m drumbeat` runs the `drumbeat` command."""

from drumbeat.cli import main

main()
