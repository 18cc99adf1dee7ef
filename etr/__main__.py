"""``python -m etr``: the same command line as the ``etr`` script."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main(prog_name="etr")
