"""All models, imported here so that ``db.create_all()`` and Alembic see every table."""

from .alert_delivery import AlertDelivery
from .base import PUBLISHED, STATUSES, utcnow
from .content import Bundle, BundleGuide, Department, Guide, Material, Notice, TickerLine
from .pairing import PairingCode
from .review import ContentVersion
from .screens import (
    ALERT_LEVELS,
    DEFAULT_LAYOUTS,
    KINDS,
    Alert,
    Playlist,
    PlaylistItem,
    ScheduleEntry,
    Screen,
    ScreenGroup,
)
from .stats import LEVEL_LABELS, LEVELS, DisclosureReport, EvaluationStat
from .users import ROLES, ApiToken, AuditLog, User

__all__ = [
    "ALERT_LEVELS", "DEFAULT_LAYOUTS", "KINDS", "LEVELS", "LEVEL_LABELS", "PUBLISHED", "ROLES",
    "STATUSES", "Alert", "AlertDelivery", "ContentVersion", "ApiToken", "AuditLog", "Bundle", "BundleGuide", "Department",
    "DisclosureReport", "EvaluationStat", "Guide", "Material", "Notice", "PairingCode", "Playlist",
    "PlaylistItem", "ScheduleEntry", "Screen", "ScreenGroup", "TickerLine", "User", "utcnow",
]
