"""Extension objects, created unbound; ``create_app`` binds them (cookiecutter-flask style)."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model (typed SQLAlchemy 2.0 mappings)."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
login_manager = LoginManager()  # staff panel sessions (kiosk/admin/auth.py)
csrf = CSRFProtect()  # every form; the bearer-token JSON API is exempt (register_auth)
