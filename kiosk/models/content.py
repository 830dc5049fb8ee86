"""Content citizens read: departments, service guides (办事指南), bundles (一件事), notices, ticker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import PUBLISHED, TimestampMixin, UTCDateTime


class Department(TimestampMixin, db.Model):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(60))

    guides: Mapped[list[Guide]] = relationship(back_populates="department")


class Guide(TimestampMixin, db.Model):
    """One service item's guide, with the national element list of a 办事指南."""

    __tablename__ = "guide"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # 实施编码
    name: Mapped[str] = mapped_column(String(200))  # 事项名称
    item_type: Mapped[str] = mapped_column(String(40))  # 事项类型
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))  # 实施主体
    basis: Mapped[str] = mapped_column(Text, default="")  # 设定依据
    conditions: Mapped[str] = mapped_column(Text, default="")  # 受理条件
    process: Mapped[list[str]] = mapped_column(JSON, default=list)  # 办理流程
    legal_limit_days: Mapped[int | None] = mapped_column(Integer)  # 法定时限（工作日）
    promised_limit_days: Mapped[int | None] = mapped_column(Integer)  # 承诺时限（工作日）
    case_type: Mapped[str] = mapped_column(String(10))  # 即办件 / 承诺件
    fee: Mapped[str] = mapped_column(Text, default="不收费")  # 收费
    location: Mapped[str] = mapped_column(Text, default="")  # 办理地点
    window: Mapped[str] = mapped_column(String(100), default="")  # 办理窗口
    hours: Mapped[str] = mapped_column(Text, default="")  # 办理时间
    phone: Mapped[str] = mapped_column(String(60), default="")  # 咨询电话
    complaint_phone: Mapped[str] = mapped_column(String(60), default="")  # 监督投诉电话
    visits: Mapped[int] = mapped_column(Integer, default=1)  # 到现场次数
    online: Mapped[bool] = mapped_column(Boolean, default=False)  # 是否网办
    online_url: Mapped[str | None] = mapped_column(String(500))  # 网办地址
    scope: Mapped[str] = mapped_column(String(40), default="")  # 通办范围
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)  # 服务对象 自然人/法人
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)  # 主题分类
    faq: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # 常见问题
    # 事项俗称 / 关键词: what citizens call it (结婚证补办); searched like the name, reviewed like
    # every other field
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text, default="")  # name + pinyin forms, see search.py
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED)

    department: Mapped[Department] = relationship(back_populates="guides")
    materials: Mapped[list[Material]] = relationship(
        back_populates="guide", order_by="Material.position", cascade="all, delete-orphan"
    )


class Material(db.Model):
    """An application material (申请材料) of a guide."""

    __tablename__ = "material"
    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guide.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    form: Mapped[str] = mapped_column(String(20))  # 原件 / 复印件 / 电子 (may combine: 原件/复印件)
    copies: Mapped[int] = mapped_column(Integer, default=1)
    necessity: Mapped[str] = mapped_column(String(10))  # 必要 / 容缺
    blank_form: Mapped[str | None] = mapped_column(String(300))  # 空表 attachment path
    sample_form: Mapped[str | None] = mapped_column(String(300))  # 样表 attachment path
    note: Mapped[str | None] = mapped_column(Text)

    guide: Mapped[Guide] = relationship(back_populates="materials")


class BundleGuide(db.Model):
    __tablename__ = "bundle_guide"
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundle.id", ondelete="CASCADE"), primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guide.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    guide: Mapped[Guide] = relationship()


class Bundle(TimestampMixin, db.Model):
    """一件事一次办: several guides across departments handled as one."""

    __tablename__ = "bundle"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    promised_limit_days: Mapped[int | None] = mapped_column(Integer)
    visits: Mapped[int] = mapped_column(Integer, default=1)
    window: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED)
    links: Mapped[list[BundleGuide]] = relationship(
        order_by="BundleGuide.position", cascade="all, delete-orphan"
    )

    @property
    def guides(self) -> list[Guide]:
        return [link.guide for link in self.links]

    def merged_materials(self, guides: list[Guide] | None = None) -> list[dict[str, Any]]:
        """One material list for the whole bundle: the same document is asked for once.

        Materials are merged by name; the merged entry is 必要 when any guide requires it, keeps
        the largest number of copies and lists the guides that need it. ``guides`` narrows the
        members (the public API passes the published ones only).
        """
        merged: dict[str, dict[str, Any]] = {}
        for guide in self.guides if guides is None else guides:
            for m in guide.materials:
                entry = merged.get(m.name)
                if entry is None:
                    merged[m.name] = {
                        "name": m.name,
                        "form": m.form,
                        "copies": m.copies,
                        "necessity": m.necessity,
                        "for": [guide.name],
                    }
                    continue
                entry["copies"] = max(entry["copies"], m.copies)
                if m.necessity == "必要":
                    entry["necessity"] = "必要"
                if guide.name not in entry["for"]:
                    entry["for"].append(guide.name)
        return list(merged.values())


class Notice(TimestampMixin, db.Model):
    """通知公告 / 特色宣传: sanitised rich text with an optional image."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="notice")  # notice / publicity
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")  # already sanitised by nh3
    image: Mapped[str | None] = mapped_column(String(300))
    publish_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED)


class TickerLine(TimestampMixin, db.Model):
    """One line of the scrolling ticker (走马灯), optionally for some groups only."""

    __tablename__ = "ticker_line"
    __table_args__ = (UniqueConstraint("code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = every group
    publish_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED)
