"""Bundles (一件事) and playlists in the review workflow: form checks, snapshots, applying.

Kept apart from guides, notices and ticker lines (:mod:`review_validate`, :mod:`review_apply`)
because these two kinds are *compositions*: a bundle lists guides, a playlist lists content
references. Their rules are about references, each of which must name content that exists —
when the form is saved, and again when an approved version is applied (the content may have
gone in between). A playlist's ``code`` in the snapshot is its name: the natural key the
schedule and screen groups use, so the shared workflow (keyed by ``data["code"]``) needs no
special case. The merged material list of a bundle is not stored: like the importer and the
slide, it is always computed from the bundled guides (:meth:`Bundle.merged_materials`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import (
    PUBLISHED,
    Bundle,
    BundleGuide,
    Department,
    DisclosureReport,
    Guide,
    Notice,
    Playlist,
    PlaylistItem,
)
from . import popular
from .disclosure.playlists import refusals
from .importer.errors import Where
from .importer.fields import Entry
from .review_validate import Errors, _check, _datetimes, check_code

KINDS = ("bundle", "playlist")
BUNDLE_LABELS: dict[str, str] = {
    "code": "一件事编码", "name": "名称", "description": "简介", "guides": "联办事项（按顺序）",
    "promised_limit_days": "承诺时限（工作日）", "visits": "到现场次数", "window": "办理窗口",
    "publish_from": "生效时间", "expire_at": "下线时间",
}
PLAYLIST_LABELS: dict[str, str] = {
    "code": "播放列表名称", "title": "标题", "items": "播放内容（按顺序）", "publish_from": "生效时间",
}
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 3, 600, 15
MAX_ROWS = 100
# playlist names are keys in URLs, the schedule and screens.yaml: no spaces, slashes or colons
_NAME = re.compile(r"^[^\s/\\:?#%]{1,64}$")


class RefLabels(dict[str, str]):
    """Reference → label, plus ``refused``: the references that exist but may not be put in
    a playlist now (a disclosure report whose checks fail without a reviewer's override),
    each with the message to show on the item. It travels with the labels, so every caller
    that validates a playlist with :func:`ref_labels` refuses them."""

    refused: dict[str, str]


# -- what exists ---------------------------------------------------------------------------------
def guide_names(session: Session) -> dict[str, str]:
    """``{实施编码: 事项名称}`` of every stored guide (the codes a bundle may list)."""
    return dict(session.execute(select(Guide.code, Guide.name).order_by(Guide.name)).all())


def ref_labels(session: Session) -> RefLabels:
    """Every content reference a playlist may use now, with a label staff recognise.

    The same forms the importer accepts (``docs/content-format.md``); any stored row counts,
    whatever its status, because the slide renderer skips what is not published. A
    disclosure report whose checks fail without an override is listed (staff should find
    it) but marked, and named in ``refused``."""
    out = RefLabels({f"guide:{code}": f"办事指南：{name}" for code, name in guide_names(session).items()})
    out.refused = refusals(session)
    for code, name in session.execute(select(Bundle.code, Bundle.name).order_by(Bundle.name)):
        out[f"bundle:{code}"] = f"一件事：{name}"
    for code, title in session.execute(select(Notice.code, Notice.title).order_by(Notice.code)):
        out[f"notice:{code}"] = f"通知公告：{title}"
    for code, agency, year in session.execute(
            select(DisclosureReport.code, DisclosureReport.agency, DisclosureReport.year)
            .order_by(DisclosureReport.year.desc())):
        ref = f"disclosure:{code}"
        out[ref] = f"政府信息公开年报：{agency} {year}年" + ("（校验未通过，须先放行）" if ref in out.refused else "")
    out["evaluation:hall"] = "好差评：全厅"
    for code, name in session.execute(select(Department.code, Department.name).order_by(Department.name)):
        out[f"evaluation:department:{code}"] = f"好差评：{name}"
    out.update(popular.labels())
    return out


# -- form checks ----------------------------------------------------------------------------------
def _limit_rows(errors: Errors, key: str, rows: list[Any]) -> list[Any]:
    if len(rows) > MAX_ROWS:
        errors.setdefault(key, f"最多 {MAX_ROWS} 项")
        return rows[:MAX_ROWS]
    return rows


def bundle_snapshot(raw: Mapping[str, Any], tz: tzinfo, guides: Mapping[str, str]) -> tuple[dict[str, Any], Errors]:
    """``raw["guides"]`` is the ordered list of 实施编码 typed or chosen (blank rows removed);
    ``guides`` maps every stored guide code to its name."""
    errors: Errors = {}
    data = {
        "name": raw.get("name"), "description": raw.get("description"), "window": raw.get("window"),
        "promised_limit_days": (raw.get("promised_limit_days") or "").strip() or None,
        "visits": (raw.get("visits") or "").strip() or None,
    }
    e = Entry(Where("表单"), data)
    snap: dict[str, Any] = {"code": check_code(errors, raw.get("code", ""))}
    snap["name"] = _check(errors, "name", lambda: e.text("name", required=True, max_len=200), "")
    if errors.get("name") in ("缺少必填字段", "不能为空"):
        errors["name"] = "请填写名称"
    snap["description"] = _check(errors, "description", lambda: e.text("description", max_len=2000), "")
    snap["promised_limit_days"] = _check(errors, "promised_limit_days", lambda: e.integer("promised_limit_days"))
    snap["visits"] = _check(errors, "visits", lambda: e.integer("visits", default=1), 1)
    snap["window"] = _check(errors, "window", lambda: e.text("window", max_len=100), "")
    codes: list[str] = []
    for n, value in enumerate(_limit_rows(errors, "guides", list(raw.get("guides") or [])), 1):
        code = (str(value).split() or [""])[0]  # "CODE 名称" pasted from a list is fine too
        if code not in guides:
            errors[f"guides.{n}"] = f"没有实施编码为“{code}”的办事指南"
        elif code in codes:
            errors[f"guides.{n}"] = f"与第 {codes.index(code) + 1} 项重复：{guides[code]}"
        codes.append(code)
    if not codes:
        errors["guides"] = "请至少选择一项办事指南"
    snap["guides"] = codes
    snap.update(_datetimes(e, errors, raw, tz))
    return snap, errors


def playlist_snapshot(raw: Mapping[str, Any], tz: tzinfo, refs: Mapping[str, str]) -> tuple[dict[str, Any], Errors]:
    """``raw["items"]`` is the ordered list of ``{ref, duration}`` rows; ``refs`` are the
    references that exist now (:func:`ref_labels`; its ``refused`` ones are refused on their
    item). No ``expire_at``: a playlist leaves the screens when the schedule stops choosing
    it, and its row has no status to expire."""
    errors: Errors = {}
    refused: Mapping[str, str] = getattr(refs, "refused", {})
    name = (raw.get("code") or "").strip()
    if not name:
        errors["code"] = "请填写播放列表名称"
    elif not _NAME.match(name):
        errors["code"] = "名称最多 64 个字符，不能含空格和 / \\ : ? # %"
    e = Entry(Where("表单"), {"title": raw.get("title")})
    snap: dict[str, Any] = {"code": name}
    snap["title"] = _check(errors, "title", lambda: e.text("title", max_len=200), "")
    items = []
    for n, row in enumerate(_limit_rows(errors, "items", list(raw.get("items") or [])), 1):
        ref = (str(row.get("ref") or "").split() or [""])[0]
        if not ref:
            errors[f"items.{n}.ref"] = "请选择播放内容"
        elif ref.startswith(f"{popular.KIND}:") and popular.ref_error(ref):
            errors[f"items.{n}.ref"] = popular.ref_error(ref)
        elif ref not in refs:
            kind = ref.partition(":")[0]
            errors[f"items.{n}.ref"] = (f"引用的内容不存在：“{ref}”" if kind in ("guide", "bundle", "notice", "disclosure", "evaluation")
                                        else f"不是有效的内容引用“{ref}”，应为 guide:编码、bundle:编码、notice:编码、popular:数量 等")
        elif ref in refused:
            errors[f"items.{n}.ref"] = refused[ref]
        duration = (str(row.get("duration") or "")).strip()
        seconds = DURATION_DEFAULT
        if duration:
            if not re.fullmatch(r"\d{1,6}", duration):
                errors[f"items.{n}.duration"] = "时长应为整数秒"
            else:
                seconds = int(duration)
                if not DURATION_MIN <= seconds <= DURATION_MAX:
                    errors[f"items.{n}.duration"] = f"时长应在 {DURATION_MIN}–{DURATION_MAX} 秒之间"
        items.append({"ref": ref, "duration": seconds})
    if not items:
        errors["items"] = "请至少添加一项播放内容"
    snap["items"] = items
    snap.update(_datetimes(e, errors, {"publish_from": raw.get("publish_from")}, tz))
    snap["expire_at"] = None
    errors.pop("expire_at", None)
    return snap, errors


# -- live rows ------------------------------------------------------------------------------------
def live_row(session: Session, object_type: str, key: str):
    if object_type == "bundle":
        return session.scalar(select(Bundle).where(Bundle.code == key).options(
            selectinload(Bundle.links).selectinload(BundleGuide.guide)))
    return session.scalar(select(Playlist).where(Playlist.name == key).options(selectinload(Playlist.items)))


def snapshot_of(row, object_type: str) -> dict[str, Any]:
    """The editable fields of a live bundle or playlist, in the snapshot format of the forms."""
    if object_type == "bundle":
        snap = {k: getattr(row, k) for k in ("code", "name", "description", "promised_limit_days",
                                             "visits", "window")}
        snap["guides"] = [link.guide.code for link in row.links]
    else:
        snap = {"code": row.name, "title": row.title,
                "items": [{"ref": item.ref, "duration": item.duration} for item in row.items]}
    snap["publish_from"] = snap["expire_at"] = None
    return snap


def _guides(session: Session, codes: list[str]) -> dict[str, Guide]:
    return {g.code: g for g in session.scalars(
        select(Guide).where(Guide.code.in_(codes))
        .options(selectinload(Guide.materials), selectinload(Guide.department)))}


def build_transient(session: Session, object_type: str, data: dict[str, Any]):
    """An unsaved bundle carrying ``data`` (preview, merged materials): never added to the
    session, and linked to the live guides without backref events."""
    if object_type != "bundle":
        raise ValueError("只有一件事有屏幕预览")
    bundle = Bundle(code=data["code"], name=data.get("name") or "", description=data.get("description") or "",
                    promised_limit_days=data.get("promised_limit_days"), visits=data.get("visits"),
                    window=data.get("window") or "", status=PUBLISHED)
    found = _guides(session, list(data.get("guides") or []))
    links = []
    for i, code in enumerate(data.get("guides") or [], 1):
        if code in found:
            link = BundleGuide(position=i)
            set_committed_value(link, "guide", found[code])
            links.append(link)
    set_committed_value(bundle, "links", links)
    return bundle


def _check_refs(session: Session, refs: list[str]) -> None:
    """Again at approval: the content may have gone, or a disclosure report may have lost
    its override (new figures), since the form was saved."""
    known = ref_labels(session)
    missing = [r for r in refs if r not in known]
    if missing:
        raise ValueError(f"播放内容已不存在：{'、'.join(missing[:5])}，请修改后重新提交")
    refused = [known.refused[r] for r in refs if r in known.refused]
    if refused:
        raise ValueError(f"{refused[0]}，请修改后重新提交")


def apply(session: Session, object_type: str, data: dict[str, Any]):
    """Copy an approved snapshot onto the live bundle or playlist (creating it)."""
    row = live_row(session, object_type, data["code"])
    if object_type == "bundle":
        codes = list(data.get("guides") or [])
        found = _guides(session, codes)
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValueError(f"没有实施编码为 {'、'.join(missing[:5])} 的办事指南")
        if row is None:
            row = Bundle(code=data["code"])
            session.add(row)
        for k in ("name", "description", "window"):
            setattr(row, k, data.get(k) or "")
        row.promised_limit_days = data.get("promised_limit_days")
        row.visits = data.get("visits") if data.get("visits") is not None else 1
        if [link.guide_id for link in row.links] != [found[c].id for c in codes]:
            # reuse the link rows of guides that stay: their key is (bundle, guide), and a
            # delete + insert of the same key in one flush would collide
            kept = {link.guide_id: link for link in row.links}
            links = []
            for i, code in enumerate(codes, 1):
                link = kept.get(found[code].id) or BundleGuide(guide=found[code])
                link.position = i
                links.append(link)
            row.links = links
        row.status = PUBLISHED
    else:
        items = [(i["ref"], int(i["duration"])) for i in data.get("items") or []]
        _check_refs(session, [ref for ref, _ in items])
        if row is None:
            row = Playlist(name=data["code"])
            session.add(row)
        row.title = data.get("title") or ""
        if [(item.ref, item.duration) for item in row.items] != items:
            row.items = [PlaylistItem(position=i, ref=ref, duration=d) for i, (ref, d) in enumerate(items, 1)]
    session.flush()
    return row
