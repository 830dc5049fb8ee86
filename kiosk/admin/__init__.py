"""The staff panel under ``/admin/`` (server-rendered, Simplified Chinese).

Adding a page: write the view in a module of this package (or any blueprint) with
``@role_required(...)`` from :mod:`kiosk.admin.auth`, give it a template that extends
``admin/base.html``, and, if it belongs in the left navigation, call :func:`nav_item`.
A view of this blueprint without ``@role_required`` or ``@public`` is refused to everyone
(default deny), and ``tests/admin/test_access.py`` fails until its rule is listed there.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint

bp = Blueprint("admin", __name__)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[str]
    order: int
    prefix: str  # the item is highlighted for every endpoint starting with this


NAV: list[NavItem] = []


def nav_item(endpoint: str, label: str, roles, *, order: int = 100, prefix: str | None = None) -> None:
    """Show ``label`` in the left navigation, to users whose role is in ``roles``."""
    if any(item.endpoint == endpoint for item in NAV):
        return
    NAV.append(NavItem(endpoint, label, frozenset(roles), order, prefix or endpoint))
    NAV.sort(key=lambda item: (item.order, item.label))


from . import (  # noqa: E402,F401  (routes attach to bp)
    alerts,
    audit,
    auth,
    content,
    content_bundles,
    content_files,
    content_playlists,
    content_preview,
    content_review,
    content_versions,
    demand,
    disclosure,
    excel,
    schedule,
    screens,
    search_lexicon,
    tokens,
    users,
    views,
)
