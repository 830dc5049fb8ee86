"""Password hashing off the event loop, and a policy against guessable passwords.

Hashing: scrypt (werkzeug) costs ~60 ms of CPU per check, by design. On the gevent loop that
is 60 ms during which no screen, kiosk or alert is served, so every hash and check goes
through :func:`~kiosk.services.security.offload.run_cpu`.

Policy: at least 10 characters with letters and digits (what staff were told before), and
not guessable: zxcvbn (Dropbox's estimator: dictionaries of common passwords, names, keyboard
walks, dates, l33t) must score it at least 3 of 4 ("safely unguessable: moderate protection
from offline slow-hash attacks"), with the account name and the hall's own words as context,
so ``password12``, ``qwerty1234``, ``zhang123456`` or ``laocheng2024`` are refused.
"""

from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from .offload import run_cpu

MIN_LENGTH = 10
MIN_SCORE = 3
# Words anyone would try first against a government hall's panel (pinyin and English).
CONTEXT_WORDS = ("zhengwu", "fuwu", "dating", "zhongxin", "laocheng", "laochengqu", "kiosk",
                 "admin", "guanli", "guanliyuan", "hall", "government", "zhengfu", "xinxi")


class PolicyError(ValueError):
    """The password breaks the policy; ``message`` tells staff, in Chinese, what to change."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    return run_cpu(generate_password_hash, password, "scrypt")


def check_password(stored_hash: str, password: str) -> bool:
    return run_cpu(check_password_hash, stored_hash, password or "")


def context_words(*extra: str | None) -> list[str]:
    """The account name and hall words, split into their Latin and digit runs."""
    words = set(CONTEXT_WORDS)
    for value in extra:
        for part in re.findall(r"[A-Za-z]+|\d+", value or ""):
            if len(part) >= 3:
                words.add(part.lower())
    return sorted(words)


def check_policy(password: str, *, user_name: str | None = None, hall: str | None = None) -> None:
    """Raise :class:`PolicyError` for a password that is too short, too plain or guessable."""
    if len(password) < MIN_LENGTH:
        raise PolicyError(f"密码至少 {MIN_LENGTH} 位 (password needs ≥{MIN_LENGTH} characters)")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise PolicyError("密码须同时包含字母和数字 (password needs letters and digits)")
    from zxcvbn import zxcvbn  # imported on first use: its dictionaries take a few MB

    result = zxcvbn(password[:100], user_inputs=context_words(user_name, hall))
    if result["score"] < MIN_SCORE:
        raise PolicyError("密码太容易被猜到（常见密码、键盘顺序、用户名或本单位名称加数字等），"
                          "请换一个更长、不常见的密码，例如几个不相关的词加数字 "
                          "(password is too easy to guess)")
