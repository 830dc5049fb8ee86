"""Public screen pages: ``/screen/<token>`` and its state fallback, layout assets."""

from flask import Blueprint

bp = Blueprint("display", __name__)

from . import routes  # noqa: E402,F401  (routes attach to bp)
