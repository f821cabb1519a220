"""Chinese personal names for record linkage: pinyin with the surname's own reading, homophones,
similar-looking characters, nicknames (老王, 阿强, 小李), given names alone, traditional forms and
pinyin typed in place of characters.

pypinyin 0.55 has no surname mode (`lazy_pinyin("单田芳")` gives "dan"), so the surname readings
below are our own table, checked against 《百家姓》 readings; the given name goes through
pypinyin's phrase dictionary as usual. The traditional→simplified map and the similar-looking
groups are deliberately small: the characters that occur in names and are confused in street
records, not a general converter (OpenCC would be the full answer; it is not a dependency).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

#: Surnames whose reading differs from the character's most common reading.
SURNAME_READINGS: dict[str, list[str]] = {
    "单": ["shan"],
    "曾": ["zeng"],
    "解": ["xie"],
    "仇": ["qiu"],
    "区": ["ou"],
    "查": ["zha"],
    "朴": ["piao"],
    "盖": ["ge"],
    "乐": ["yue"],
    "缪": ["miao"],
    "覃": ["qin"],
    "翟": ["zhai"],
    "秘": ["bi"],
    "种": ["chong"],
    "繁": ["po"],
    "员": ["yun"],
    "召": ["shao"],
    "折": ["she"],
    "隗": ["wei"],
    "句": ["gou"],
    "冼": ["xian"],
    "洗": ["xian"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "单于": ["chan", "yu"],
    "长孙": ["zhang", "sun"],
    "澹台": ["tan", "tai"],
}

COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
        "司徒", "夏侯", "令狐", "万俟", "单于", "端木", "独孤", "南宫", "西门", "轩辕", "澹台",
        "呼延", "申屠", "闻人",
    }
)  # fmt: skip

#: Traditional → simplified for characters common in names.
TRADITIONAL: dict[str, str] = dict(
    zip(
        "張陳劉黃趙吳鄭孫馬楊國華偉強東麗紅軍龍鳳輝蘭雲銀寶貴豐葉許鄧馮蔣韓盧錢湯羅謝莊蕭顧萬學寧濤亞慶義進傑誠賢鵬飛劍勝嬌鳴廣長單曾區歐陽維興雙鐵鋼順愛蓮芳麥蘇譚閻關鍾魯衛賀範嚴聶遲項陸瑋瑩靜嘉覺榮達偉鈞賓",
        "张陈刘黄赵吴郑孙马杨国华伟强东丽红军龙凤辉兰云银宝贵丰叶许邓冯蒋韩卢钱汤罗谢庄萧顾万学宁涛亚庆义进杰诚贤鹏飞剑胜娇鸣广长单曾区欧阳维兴双铁钢顺爱莲芳麦苏谭阎关钟鲁卫贺范严聂迟项陆玮莹静嘉觉荣达伟钧宾",
        strict=True,
    )
)

#: Characters confused by shape in handwritten or hastily typed records.
SIMILAR_LOOKING: tuple[str, ...] = (
    "己已巳", "未末", "王玉主", "戊戌戍", "日曰", "土士", "人入八", "大太犬", "天夭",
    "千干于", "田由甲申", "刀力", "贝见", "侯候", "宇字", "晴睛", "杨扬", "斌彬", "李季",
    "崔崖", "辛幸", "兵乒乓", "末未", "冶治", "候侯", "折拆", "徐涂", "孟盂",
)  # fmt: skip

_LOOKALIKE: dict[str, str] = {}
for _group in SIMILAR_LOOKING:
    for _ch in _group:
        _LOOKALIKE[_ch] = _LOOKALIKE.get(_ch, "") + _group.replace(_ch, "")

NICKNAME_PREFIXES = ("老", "小", "阿")
NICKNAME_SUFFIXES = ("哥", "姐", "叔", "伯", "婆", "爷", "师傅")
_STRIP = re.compile(r"[\s·•.\-_'’]+")
_PINYIN = re.compile(r"^[a-zA-Züv:\s'\-1-5]+$")


def simplify(name: str) -> str:
    return "".join(TRADITIONAL.get(ch, ch) for ch in _STRIP.sub("", name or ""))


def is_pinyin(text: str) -> bool:
    return bool(text) and bool(_PINYIN.match(text.strip()))


def pinyin_text(text: str) -> str:
    """Typed pinyin without spaces, tones or apostrophes: "Zhang Wei3" → "zhangwei"."""
    return re.sub(r"[^a-z]", "", text.lower().replace("ü", "v").replace("u:", "v"))


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a simplified full name."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=65536)
def surname_syllables(surname: str) -> tuple[str, ...]:
    if surname in SURNAME_READINGS:
        return tuple(SURNAME_READINGS[surname])
    return tuple(lazy_pinyin(surname, style=Style.NORMAL, v_to_u=False))


@lru_cache(maxsize=65536)
def given_syllables(given: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(given, style=Style.NORMAL, v_to_u=False)) if given else ()


@dataclass(frozen=True)
class NameForm:
    """How a name was written, and what it says.

    `kind` is "full" (surname + given name), "nickname_surname" (老王, 小李, 王哥: only the
    surname is known), "nickname_given" (阿强: only a given-name character is known), "pinyin"
    (typed pinyin) or "empty". A two- or three-character "full" name may still be a given
    name alone; the matcher tries that reading too.
    """

    raw: str
    kind: str
    text: str = ""  # simplified characters
    surname: str = ""
    given: str = ""
    pinyin: str = ""  # full pinyin without spaces, surname reading applied

    @property
    def surname_pinyin(self) -> str:
        return "".join(surname_syllables(self.surname)) if self.surname else ""

    @property
    def given_pinyin(self) -> str:
        return "".join(given_syllables(self.given)) if self.given else ""


@lru_cache(maxsize=262144)
def name_form(raw: str) -> NameForm:
    raw = (raw or "").strip()
    if not raw:
        return NameForm(raw, "empty")
    if is_pinyin(raw):
        return NameForm(raw, "pinyin", pinyin=pinyin_text(raw))
    text = simplify(raw)
    if not text:
        return NameForm(raw, "empty")
    if len(text) == 2 and text[0] in ("老", "小") and text[1] not in ("老", "小"):
        return NameForm(raw, "nickname_surname", text, surname=text[1], pinyin=full_pinyin(text[1]))
    if len(text) == 2 and text[0] == "阿":
        return NameForm(raw, "nickname_given", text, given=text[1], pinyin=full_pinyin(text[1]))
    for suffix in NICKNAME_SUFFIXES:
        if text.endswith(suffix) and 1 <= len(text) - len(suffix) <= 2:
            surname = text[: -len(suffix)]
            if len(surname) == 1 or surname in COMPOUND_SURNAMES:
                return NameForm(
                    raw, "nickname_surname", text, surname=surname, pinyin=full_pinyin(surname)
                )
    surname, given = split_name(text)
    return NameForm(raw, "full", text, surname, given, full_pinyin(text))


@lru_cache(maxsize=65536)
def full_pinyin(simplified_name: str) -> str:
    surname, given = split_name(simplified_name)
    return "".join(surname_syllables(surname) + given_syllables(given))


def lookalike_variants(text: str, limit: int = 12) -> list[str]:
    """Names that differ from `text` by one similar-looking character."""
    found: list[str] = []
    for i, ch in enumerate(text):
        for alt in _LOOKALIKE.get(ch, ""):
            found.append(text[:i] + alt + text[i + 1 :])
            if len(found) >= limit:
                return found
    return found


def blocking_keys(form: NameForm) -> set[str]:
    """Index keys a candidate must share with the query (see PersonNameKey)."""
    keys: set[str] = set()
    if form.kind == "full":
        # not the bare surname: "张伟" must not pull in every 张 (the nickname forms do that)
        keys.add(f"p:{form.pinyin}")
        if form.given:
            # another record may give the given name alone (国强 for 曾国强) ...
            keys.add(f"p:{form.given_pinyin}")
            # ... or this text may be a given name alone
            keys.add(f"g:{''.join(given_syllables(form.text))}")
        for variant in lookalike_variants(form.text):
            keys.add(f"p:{full_pinyin(variant)}")
    elif form.kind == "nickname_surname":
        keys.add(f"s:{form.surname_pinyin}")
        if form.text.startswith("小"):  # 小明 is as often a given name as 小李 a surname
            keys.add(f"l:{form.pinyin}")
    elif form.kind == "nickname_given":
        keys.add(f"l:{form.pinyin}")
    elif form.kind == "pinyin":
        keys.add(f"p:{form.pinyin}")
        keys.add(f"g:{form.pinyin}")
    return {k for k in keys if not k.endswith(":")}


def stored_keys(name: str, aliases: list[str]) -> set[str]:
    """The keys a person file is indexed under: its name and every alias."""
    keys: set[str] = set()
    for written in [name, *aliases]:
        form = name_form(written)
        if form.kind == "full":
            keys.add(f"p:{form.pinyin}")
            keys.add(f"s:{form.surname_pinyin}")
            if form.given:
                keys.add(f"g:{form.given_pinyin}")
                keys.add(f"l:{''.join(given_syllables(form.given[-1]))}")
        elif form.kind == "nickname_surname":
            keys.add(f"s:{form.surname_pinyin}")
        elif form.kind == "nickname_given":
            keys.add(f"l:{form.pinyin}")
    return {k for k in keys if not k.endswith(":")}


def split_aliases(text: str) -> list[str]:
    return [a for a in re.split(r"[,，、;；\s]+", text or "") if a]
