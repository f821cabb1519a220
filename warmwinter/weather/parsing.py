"""The one parser of weather warnings, for all three roads:

1. CAP 1.2 in the OASIS form (namespace urn:oasis:names:tc:emergency:cap:1.2: `sent`, `event`,
   `severity` Minor…Extreme, `area/geocode` with valueName/value);
2. CAP in the Chinese national form GB/T 35965.1 (often no namespace, `sendTime` such as
   "2020-02-05 10:45:00+08:00", `eventType` codes like 11B05, `severity` Blue…Red, geocodes
   carrying GB/T 2260 codes);
3. the plain signal text forecasters and WeChat posts use:
   「上海中心气象台2026年1月20日16时发布寒潮蓝色预警信号」.

Pure functions: bytes in, a `ParsedWarning` out, or `WarningRejectedError` with a sentence a person can
act on. XML goes through defusedxml with DTDs forbidden, so an XXE or "billion laughs" document
is refused before any entity is expanded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils.translation import gettext as _

from warmwinter.core import clock

OASIS_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CITY_CODES = frozenset({"310000", "310100"})
MAX_BYTES = 256 * 1024

#: GB/T 35965.1 / national early-warning release system event type codes.
EVENT_TYPE_CODES = {
    "11B04": "blizzard",
    "11B05": "cold_wave",
    "11B06": "gale",
    "11B16": "frost",
    "11B21": "road_icing",
}
#: Chinese names (longest first so that 道路结冰 wins over a shorter overlap) and English ones.
TYPE_NAMES = {
    "道路结冰": "road_icing",
    "强降温": "sharp_cooling",
    "寒潮": "cold_wave",
    "低温": "low_temperature",
    "暴雪": "blizzard",
    "霜冻": "frost",
    "大风": "gale",
}
ENGLISH_TYPE_NAMES = {
    "cold wave": "cold_wave",
    "road icing": "road_icing",
    "low temperature": "low_temperature",
    "blizzard": "blizzard",
    "snowstorm": "blizzard",
    "frost": "frost",
    "gale": "gale",
    "strong wind": "gale",
    "sharp cooling": "sharp_cooling",
}
SEVERITY_COLOURS = {
    "minor": "blue",
    "moderate": "yellow",
    "severe": "orange",
    "extreme": "red",
    "blue": "blue",
    "yellow": "yellow",
    "orange": "orange",
    "red": "red",
}
CHINESE_COLOURS = {"蓝": "blue", "黄": "yellow", "橙": "orange", "红": "red"}
MSG_TYPES = {"alert": "Alert", "update": "Update", "cancel": "Cancel"}


class WarningRejectedError(Exception):
    """The message cannot be ingested. `kind` is one of: empty, too_large, hostile, malformed,
    unknown_type, unknown_area, not_actual, no_reference, conflict."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ParsedWarning:
    source: str
    issuer: str
    sender: str
    identifier: str
    msg_type: str
    warning_type: str
    colour: str
    issued_at: datetime
    effective_at: datetime
    expires_at: datetime | None
    whole_city: bool
    district_codes: list[str]
    raw: str
    type_code: str = ""
    references: list[str] = field(default_factory=list)
    #: For signal-text updates: the (type, colour) the message says it replaces.
    replaces: tuple[str, str] | None = None
    headline: str = ""
    description: str = ""
    instruction: str = ""

    @property
    def fingerprint(self) -> str:
        """Equal for the same warning whichever road it came by: what, how severe, when, where."""
        area = "city" if self.whole_city else ",".join(sorted(self.district_codes))
        issued = self.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        key = f"{self.msg_type}|{self.warning_type}|{self.colour}|{issued}|{area}"
        return hashlib.sha256(key.encode()).hexdigest()


def parse_message(data: bytes | str, *, districts: Mapping[str, str]) -> ParsedWarning:
    """Parse one warning. `districts` maps district codes to names (310115 → 浦东新区)."""
    raw = _decode(data)
    text = raw.lstrip("\ufeff \t\r\n")
    if not text:
        raise WarningRejectedError("empty", _("消息为空"))
    if text.startswith("<"):
        return parse_cap(raw, districts=districts)
    return parse_signal_text(raw, districts=districts)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data.encode("utf-8", "replace")) > MAX_BYTES:
            raise WarningRejectedError("too_large", _("消息过大（上限 256 KB）"))
        return data
    if len(data) > MAX_BYTES:
        raise WarningRejectedError("too_large", _("消息过大（上限 256 KB）"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WarningRejectedError("malformed", _("消息编码无法识别（应为 UTF-8 或 GB18030）"))


# --- CAP ---------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: Element, *names: str) -> Element | None:
    for child in elem:
        if _local(child.tag) in names:
            return child
    return None


def _children(elem: Element, name: str) -> list[Element]:
    return [child for child in elem if _local(child.tag) == name]


def _text(elem: Element | None, *names: str) -> str:
    if elem is None:
        return ""
    found = _child(elem, *names)
    return (found.text or "").strip() if found is not None else ""


def parse_cap(raw: str, *, districts: Mapping[str, str]) -> ParsedWarning:
    try:
        root = safe_fromstring(raw.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException:
        raise WarningRejectedError(
            "hostile", _("拒绝处理：消息含有 DTD 或实体声明（可能是 XXE 或实体炸弹攻击）")
        ) from None
    except ParseError as exc:
        raise WarningRejectedError(
            "malformed", _("XML 格式错误或内容不完整：%(e)s") % {"e": exc}
        ) from None
    if _local(root.tag) != "alert":
        raise WarningRejectedError("malformed", _("不是 CAP 预警消息（根元素应为 alert）"))
    oasis = root.tag.startswith("{" + OASIS_NS + "}")
    source = "cap_oasis" if oasis else "cap_cn"

    identifier = _text(root, "identifier")
    sent = _text(root, "sent", "sendTime")
    msg_type_raw = _text(root, "msgType")
    missing = [
        name
        for name, value in (("identifier", identifier), ("sent", sent), ("msgType", msg_type_raw))
        if not value
    ]
    info = _child(root, "info")
    if info is None:
        missing.append("info")
    if missing:
        raise WarningRejectedError(
            "malformed", _("CAP 消息缺少必需的字段：%(f)s") % {"f": "、".join(missing)}
        )
    assert info is not None  # noqa: S101 - narrowed by the check above
    status = _text(root, "status") or "Actual"
    if status.lower() != "actual":
        raise WarningRejectedError(
            "not_actual", _("消息状态为 %(s)s（测试或演练），未入库") % {"s": status}
        )
    msg_type = MSG_TYPES.get(msg_type_raw.lower())
    if msg_type is None:
        raise WarningRejectedError(
            "malformed",
            _("不支持的消息类型：%(t)s（应为 Alert、Update 或 Cancel）") % {"t": msg_type_raw},
        )

    event = _text(info, "event", "eventType")
    codes = [_text(ec, "value") for ec in _children(info, "eventCode")]
    headline = _text(info, "headline")
    warning_type, type_code = _cap_type(event, codes, headline)
    colour = _cap_colour(_text(info, "severity"), f"{event} {headline}")

    issued_at = _parse_time(sent, "sent")
    effective_text = _text(info, "effective") or _text(info, "onset")
    effective_at = _parse_time(effective_text, "effective") if effective_text else issued_at
    expires_text = _text(info, "expires")
    expires_at = _parse_time(expires_text, "expires") if expires_text else None
    whole_city, district_codes = _cap_area(info, districts)

    references = []
    for token in _text(root, "references").split():
        parts = token.split(",")
        references.append(parts[1] if len(parts) >= 2 else parts[0])
    issuer = _text(info, "senderName") or _text(root, "senderName") or _text(root, "sender")
    return ParsedWarning(
        source=source,
        issuer=issuer[:100],
        sender=_text(root, "sender")[:200],
        identifier=identifier[:200],
        msg_type=msg_type,
        warning_type=warning_type,
        type_code=type_code,
        colour=colour,
        issued_at=issued_at,
        effective_at=effective_at,
        expires_at=expires_at,
        whole_city=whole_city,
        district_codes=district_codes,
        references=references,
        headline=headline[:300],
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
        raw=raw,
    )


def _cap_type(event: str, codes: list[str], headline: str) -> tuple[str, str]:
    for code in [event.upper(), *(c.upper() for c in codes)]:
        if code in EVENT_TYPE_CODES:
            return EVENT_TYPE_CODES[code], code
    reverse = {v: k for k, v in EVENT_TYPE_CODES.items()}
    for text in (event, headline):
        for name, kind in TYPE_NAMES.items():
            if name in text:
                return kind, reverse.get(kind, "")
        lowered = text.lower()
        for name, kind in ENGLISH_TYPE_NAMES.items():
            if name in lowered:
                return kind, reverse.get(kind, "")
    shown = event or ", ".join(c for c in codes if c) or "?"
    raise WarningRejectedError(
        "unknown_type", _("不认识的预警类型：%(t)s，未入库，响应等级不变") % {"t": shown}
    )


def _cap_colour(severity: str, text: str) -> str:
    colour = SEVERITY_COLOURS.get(severity.strip().lower())
    if colour:
        return colour
    for name, value in CHINESE_COLOURS.items():
        if f"{name}色" in text:
            return value
    raise WarningRejectedError(
        "malformed", _("无法确定预警颜色（severity 为 %(s)s）") % {"s": severity or "空"}
    )


def _cap_area(info: Element, districts: Mapping[str, str]) -> tuple[bool, list[str]]:
    whole_city = False
    codes: set[str] = set()
    names: list[str] = []
    for area in _children(info, "area"):
        names.append(_text(area, "areaDesc"))
        for geocode in _children(area, "geocode"):
            value = _text(geocode, "value") or (geocode.text or "").strip()
            digits = re.sub(r"\D", "", value)[:6]
            if digits in CITY_CODES:
                whole_city = True
            elif digits in districts:
                codes.add(digits)
    if not whole_city and not codes:
        found_city, found = _districts_named(" ".join(names), districts)
        whole_city, codes = found_city, set(found)
    if not whole_city and not codes:
        raise WarningRejectedError(
            "unknown_area",
            _("预警区域不在本市范围内，或无法识别：%(a)s")
            % {"a": "、".join(n for n in names if n) or "空"},
        )
    return whole_city, sorted(codes)


def _districts_named(text: str, districts: Mapping[str, str]) -> tuple[bool, list[str]]:
    if "全市" in text or text.strip() in {"上海", "上海市"}:
        return True, []
    return False, sorted(code for code, name in districts.items() if name and name in text)


def _parse_time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise WarningRejectedError(
            "malformed", _("时间格式不正确：%(n)s = %(v)s") % {"n": name, "v": value}
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=clock.SHANGHAI)


# --- signal text -------------------------------------------------------------------------

_TYPE_ALTERNATION = "|".join(TYPE_NAMES)
_SIGNAL_HEAD = re.compile(
    r"(?P<issuer>[\u4e00-\u9fa5]{2,20}?气象台)\s*"
    r"(?P<y>\d{4})年(?P<mo>\d{1,2})月(?P<d>\d{1,2})日(?P<h>\d{1,2})时(?:(?P<mi>\d{1,2})分)?"
)
_SIGNAL = re.compile(rf"(?P<type>{_TYPE_ALTERNATION})(?P<colour>[蓝黄橙红])色预警(?:信号)?")
_ANY_SIGNAL = re.compile(r"([\u4e00-\u9fa5]{2,4}?)([蓝黄橙红])色预警")


def parse_signal_text(raw: str, *, districts: Mapping[str, str]) -> ParsedWarning:
    text = raw.strip()
    head = _SIGNAL_HEAD.search(text)
    signals = list(_SIGNAL.finditer(text))
    if not signals:
        other = _ANY_SIGNAL.search(text)
        if head and other:
            raise WarningRejectedError(
                "unknown_type",
                _("不认识的预警类型：%(t)s，未入库，响应等级不变") % {"t": other.group(1)},
            )
        raise WarningRejectedError(
            "malformed",
            _(
                "无法识别的预警信号文本：应形如「上海中心气象台2026年1月20日16时发布寒潮蓝色预警信号」"
            ),
        )
    if head is None:
        raise WarningRejectedError(
            "malformed", _("预警信号文本缺少发布单位和发布时间（某某气象台某年某月某日某时）")
        )
    try:
        issued_at = datetime(
            int(head["y"]),
            int(head["mo"]),
            int(head["d"]),
            int(head["h"]),
            int(head["mi"] or 0),
            tzinfo=clock.SHANGHAI,
        )
    except ValueError:
        raise WarningRejectedError("malformed", _("预警信号文本中的发布时间无效")) from None

    statement = text[head.end() : signals[-1].end()]
    new = signals[-1]
    replaces = None
    if "解除" in statement:
        msg_type = "Cancel"
    elif len(signals) > 1 or re.search(r"更新|升级|降级|调整", statement):
        msg_type = "Update"
        if len(signals) > 1:
            old = signals[0]
            replaces = (TYPE_NAMES[old["type"]], CHINESE_COLOURS[old["colour"]])
    else:
        msg_type = "Alert"
    warning_type = TYPE_NAMES[new["type"]]
    colour = CHINESE_COLOURS[new["colour"]]
    whole_city, codes = _districts_named(text, districts)
    if not codes:
        whole_city = (
            True  # the city observatory's signals cover the city unless districts are named
        )
    reverse = {v: k for k, v in EVENT_TYPE_CODES.items()}
    headline = re.split(r"[。：:\n]", text, maxsplit=1)[0]
    identifier = f"signal-{issued_at:%Y%m%d%H%M}-{warning_type}-{colour}-{msg_type.lower()}"
    return ParsedWarning(
        source="signal_text",
        issuer=head["issuer"],
        sender="",
        identifier=identifier,
        msg_type=msg_type,
        warning_type=warning_type,
        type_code=reverse.get(warning_type, ""),
        colour=colour,
        issued_at=issued_at,
        effective_at=issued_at,
        expires_at=None,
        whole_city=whole_city,
        district_codes=codes,
        replaces=replaces,
        headline=headline[:300],
        description=text,
        raw=raw,
    )


def split_feed(data: bytes) -> list[str]:
    """A feed body is one CAP message or a container of `alert` elements; each is returned as
    its own document. Hostile or malformed feeds raise WarningRejectedError."""
    raw = _decode(data)
    try:
        root = safe_fromstring(raw.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException:
        raise WarningRejectedError("hostile", _("拒绝处理：订阅源含有 DTD 或实体声明")) from None
    except ParseError as exc:
        raise WarningRejectedError(
            "malformed", _("订阅源 XML 格式错误：%(e)s") % {"e": exc}
        ) from None
    if _local(root.tag) == "alert":
        return [raw]
    return [tostring(el, encoding="unicode") for el in root.iter() if _local(el.tag) == "alert"]
