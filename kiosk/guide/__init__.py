"""The public mobile guide page a citizen opens from a QR code: ``/g/<code>``."""

from flask import Blueprint

bp = Blueprint("guide", __name__)

from . import routes  # noqa: E402,F401
