"""Who may change a public screen without a second person's approval (the review rule).

Nothing reaches a public screen before a second person approved it (源头审核), with two
documented exceptions (``docs/staff-panel.md``, 审核规则):

* ``DIRECT_PUBLISH_ROLES`` (admins and reviewers, the people who approve anyway) publish
  schedule entries and disclosure reports directly; an editor's schedule entry or stored
  disclosure report waits for one of them. Guides, notices, tickers, bundles and playlists
  go through ``services/review.py`` for everyone, admins included.
* Emergency alerts are immediate, by their own permission (``admin/alerts.py``).

``KIOSK_DIRECT_PUBLISH_ROLES`` may narrow the list (e.g. ``admin``, or empty for a strict
four-eyes hall where even an admin's schedule entry waits for a reviewer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DIRECT_PUBLISH_ROLES: frozenset[str] = frozenset({"admin", "reviewer"})
APPROVER_ROLES: frozenset[str] = frozenset({"admin", "reviewer"})


def direct_roles(config: Mapping[str, Any]) -> frozenset[str]:
    configured = config.get("DIRECT_PUBLISH_ROLES")
    if configured is None:
        return DIRECT_PUBLISH_ROLES
    return frozenset(configured) & DIRECT_PUBLISH_ROLES


def publishes_directly(role: str, config: Mapping[str, Any]) -> bool:
    return role in direct_roles(config)


class ApprovalError(Exception):
    """An approval the rules refuse (own change, wrong role, nothing waiting)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def check_approver(role: str, actor: str, proposer: str | None) -> None:
    if role not in APPROVER_ROLES:
        raise ApprovalError("只有审核人员或管理员可以审核 (only reviewers and admins approve)", 403)
    if proposer and actor == proposer:
        raise ApprovalError("不能审核自己提交的修改，请由另一位审核人员处理 "
                            "(a change is approved by someone other than its author)", 403)
