"""Entry point of the ``kiosk`` console script.

It lives outside the ``kiosk`` package on purpose: gevent must monkey-patch the standard
library *before* Flask (which imports ``ssl``) is imported, and importing anything inside
the package would run ``kiosk/__init__.py`` first.  Every command is patched, not only
``serve``: the cost is a few milliseconds and it keeps one code path.
"""

from __future__ import annotations


def main() -> None:
    from gevent import monkey

    monkey.patch_all()
    from kiosk.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
