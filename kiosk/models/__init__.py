"""All models, imported here so that ``db.create_all()`` and Alembic see every table."""

from .alert_delivery import AlertDelivery
from .base import PUBLISHED, STATUSES, utcnow
from .content import Bundle, BundleGuide, Department, Guide, Material, Notice, TickerLine
from .feedback import CHANNELS, Evaluation
from .pairing import PairingCode
from .popular import PopularGuide
from .review import ContentVersion
from .screens import (
    ALERT_LEVELS,
    DEFAULT_IDLE_SECONDS,
    DEFAULT_LAYOUTS,
    IDLE_SECONDS_RANGE,
    KINDS,
    Alert,
    Playlist,
    PlaylistItem,
    ScheduleEntry,
    Screen,
    ScreenGroup,
)
from .search import GuideViewCount, SearchTerm
from .stats import LEVEL_LABELS, LEVELS, DisclosureReport, EvaluationStat
from .users import ROLES, ApiToken, AuditLog, LoginThrottle, StaffSession, User
from .visits import VISIT_EVENT_KINDS, VisitEvent

__all__ = [
    "ALERT_LEVELS", "CHANNELS", "DEFAULT_IDLE_SECONDS", "DEFAULT_LAYOUTS", "IDLE_SECONDS_RANGE",
    "KINDS", "LEVELS", "LEVEL_LABELS", "PUBLISHED", "ROLES", "STATUSES", "VISIT_EVENT_KINDS",
    "Alert", "AlertDelivery", "ApiToken", "AuditLog", "Bundle", "BundleGuide", "ContentVersion",
    "Department", "DisclosureReport", "Evaluation", "EvaluationStat", "Guide", "GuideViewCount",
    "Material", "Notice", "SearchTerm",
    "PairingCode", "Playlist", "PopularGuide", "PlaylistItem", "ScheduleEntry", "Screen", "ScreenGroup",
    "LoginThrottle", "StaffSession", "TickerLine", "User", "VisitEvent", "utcnow",
]
