"""Flask-WTF forms of the staff panel. Validation is server-side; messages are in Chinese and
shown next to their field (``admin/_macros.html`` renders ``field.errors``)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from ..models import ROLES

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # pragma: no cover - older WTForms

    def choice(value: str, label: str):  # type: ignore[misc]
        return (value, label)
from ..services.security.passwords import MIN_LENGTH as MIN_PASSWORD

ROLE_LABELS = {"admin": "管理员", "reviewer": "审核员", "editor": "编辑", "viewer": "只读查看"}
ROLE_HELP = {
    "admin": "管理账户、令牌和全部设置",
    "reviewer": "审核并发布内容",
    "editor": "编写和修改内容",
    "viewer": "只能查看",
}
PASSWORD_HINT = f"至少 {MIN_PASSWORD} 位，须同时包含字母和数字，不能是常见密码或用户名加数字"


def plain_chinese(message: str) -> str:
    """``services.users`` messages end with an English gloss for the CLI: staff get the Chinese."""
    return re.sub(r"\s*\([ -~≥]*\)$", "", message)


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"请填写{what}")


class LoginForm(FlaskForm):
    name = StringField("用户名", validators=[_required("用户名"), Length(max=64, message="用户名最多 64 个字符")])
    password = PasswordField("密码", validators=[_required("密码"), Length(max=200, message="密码过长")])


class NewPasswordMixin:
    password = PasswordField("新密码", description=PASSWORD_HINT,
                             validators=[_required("密码"), Length(max=200, message="密码过长")])
    confirm = PasswordField("再输入一次", validators=[
        _required("确认密码"), EqualTo("password", message="两次输入的密码不一致")])


class UserCreateForm(NewPasswordMixin, FlaskForm):
    name = StringField("用户名", description="登录时使用，例如 zhangsan 或 张三",
                       validators=[_required("用户名"), Length(max=64, message="用户名最多 64 个字符")])
    role = SelectField("角色", choices=[choice(r, f"{ROLE_LABELS[r]}（{ROLE_HELP[r]}）") for r in ROLES],
                       default="editor", validate_choice=False)
    password = PasswordField("初始密码", description=PASSWORD_HINT,
                             validators=[_required("密码"), Length(max=200, message="密码过长")])

    def validate_role(self, field) -> None:
        if field.data not in ROLES:
            raise ValidationError("请选择一个角色")


class PasswordResetForm(NewPasswordMixin, FlaskForm):
    pass


class OwnPasswordForm(NewPasswordMixin, FlaskForm):
    old_password = PasswordField("当前密码", validators=[_required("当前密码")])


class TokenCreateForm(FlaskForm):
    user = SelectField("所属用户", coerce=str, description="令牌拥有该用户的角色权限",
                       validate_choice=False)
    label = StringField("用途说明", description="例如：叫号系统对接、数据同步脚本",
                        validators=[_required("用途说明"), Length(max=100, message="最多 100 个字符")])
    days = IntegerField("有效期（天）", description="到期后令牌自动失效；0 或留空 = 长期有效，直到撤销",
                        validators=[Optional(), NumberRange(0, 3650, message="请填写 0–3650 之间的整数")])
