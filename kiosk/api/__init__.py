"""JSON API v1 (bearer tokens). Errors are ``{"error": {"code", "message", "field"?}}``."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import alerts, bundles, disclosure, guides, screens  # noqa: E402,F401
