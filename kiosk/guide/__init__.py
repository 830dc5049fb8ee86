"""The public mobile guide page a citizen opens from a QR code (``/g/<code>``) and the
approved 空表 / 样表 files it links (``/files/<name>``)."""

from flask import Blueprint

bp = Blueprint("guide", __name__)

from . import files, routes  # noqa: E402,F401
