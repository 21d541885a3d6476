"""Normalising what people type about companies and people, so that two spellings of one thing
compare equal: company names, person names, phones, bank accounts and addresses.

Shared by partner screening and data monitoring (vendors tied to staff); no business nouns.

Company names (``company_name``) go through, in order:

1. NFKC (全角 → 半角: ＡＢＣ１２３（） → ABC123()), Latin letters upper-cased;
2. traditional → simplified characters (OpenCC's ``t2s``, phrase-aware: 乾隆 stays, 乾燥 → 干燥);
3. every bracket style — （）()【】[]〔〕「」 — as ``( )``; spaces and punctuation dropped;
4. bracketed qualifiers: a region (（杭州）, （中国）) or a company form (（有限合伙）, （集团）) is set
   aside and remembered; any other bracketed text stays in the name without its brackets;
5. a branch qualifier after the company form (…有限公司西湖分公司, …银行杭州分行) set aside;
6. trailing company forms (有限公司, 有限责任公司, 股份有限公司, 集团有限公司, 厂, 合作社 …);
7. leading region names: every province, prefecture and county name in python-stdnum's table of
   administrative divisions (the registry's source), current and former, in full (浙江省, 杭州市,
   西湖区); provinces and prefectures also without their suffix (浙江, 杭州, 广西, 延边).

What is left is the **core** (brand + trade, 清风软件). A step never leaves fewer than two
characters, so 杭州市有限公司 keeps 杭州市 as its core. Everything set aside is remembered, so a
match can say why two names are the same ("去除地区前缀“杭州”、公司形式“有限公司”后相同").

Every normaliser is idempotent: normalising its own output changes nothing (property-tested).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

# --- characters ------------------------------------------------------------------------------

_OPEN = "(（【〔［[｛{「『〈《"
_CLOSE = ")）】〕］]｝}」』〉》"
#: Kept in names: letters, digits, CJK ideographs and the unified brackets.
_DROP = re.compile(r"[^0-9A-Z()\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_DROP_BUT_LINES = re.compile(_DROP.pattern.replace("[^", "[^\\n", 1))
_BRACKETS = str.maketrans({**dict.fromkeys(_OPEN, "("), **dict.fromkeys(_CLOSE, ")")})


@cache
def _converter() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC t2s, phrase-aware)."""
    return str(_converter().convert(text)) if text else text


def simplified_many(texts: Sequence[str]) -> list[str]:
    """``simplified`` over many texts in one call (a million names convert in about a second)."""
    if not texts:
        return []
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    return str(_converter().convert(joined)).split("\n")


def _characters(text: str, *, converted: str | None = None) -> str:
    """NFKC, simplified, upper case, one bracket style, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = simplified(text) if converted is None else converted
    text = unicodedata.normalize("NFKC", text).upper().translate(_BRACKETS)
    return _DROP.sub("", text)


# --- region names ----------------------------------------------------------------------------

#: Peoples named in autonomous divisions' names (延边朝鲜族自治州, 新疆维吾尔自治区).
_PEOPLES = ("壮族", "回族", "维吾尔", "藏族", "蒙古族", "蒙古", "哈萨克族", "哈萨克", "朝鲜族",
            "土家族", "苗族", "彝族", "布依族", "侗族", "白族", "傣族", "景颇族", "傈僳族", "哈尼族",
            "羌族", "黎族", "柯尔克孜", "瑶族", "水族", "畲族", "满族", "仡佬族", "纳西族", "拉祜族",
            "佤族", "土族", "撒拉族", "保安族", "东乡族", "裕固族", "仫佬族", "毛南族", "达斡尔族",
            "鄂温克族", "鄂伦春族", "锡伯族", "普米族", "怒族", "独龙族", "各族")
#: Suffixes of division names; what remains is the short name people use.
_DIVISION_SUFFIX = re.compile(
    rf"(?:(?:{'|'.join(_PEOPLES)})*(?:自治区|自治州|自治县|自治旗)|特别行政区|地区|省|市|盟|区|县|旗)$")
#: Table rows that are groupings, not places.
_NOT_PLACES = re.compile(r"^(?:市辖区|县|市|林区|矿区)$|直辖|办事处|委员会|群岛|岛礁")
#: Short prefecture names that are far more often part of a trade name than a place: kept.
_KEEP_SHORT = frozenset({"阿里", "中山", "大同", "普洱", "红河", "玉溪", "黄山", "白山", "海西"})
_extra_regions: set[str] = set()


def _division_names() -> Iterable[tuple[str, bool, str]]:
    """(name, is province or prefecture, code prefix: 33 / 3301 / 330106) for every current
    and former division."""
    from stdnum import numdb

    for _, province, _, props, children in numdb.get("cn/loc").prefixes:
        yield props["province"], True, province
        for _, low, _, county_props, _ in children:
            code = province + (low[:2] if low.endswith("00") else low)
            for part in county_props.get("county", "").split(","):
                name = re.sub(r"^\[[^\]]*\]", "", part).strip()
                if name:
                    yield name, low.endswith("00"), code


#: Named in brackets only: a leading 中国 is part of the name (中国银行).
_NATIONAL = frozenset({"中国", "中华人民共和国"})


@cache
def _region_codes() -> dict[str, frozenset[str]]:
    """Every region name to strip (full, and short for provinces and prefectures) → the code
    prefixes it can stand for (朝阳区 is in Beijing and in Changchun)."""
    codes: dict[str, set[str]] = {}
    for raw, upper_level, code in _division_names():
        name = _characters(raw)
        if not name or _NOT_PLACES.search(name):
            continue
        codes.setdefault(name, set()).add(code)
        short = _DIVISION_SUFFIX.sub("", name)
        if name.startswith("内蒙古"):  # the peoples' alternation would also eat 蒙古 of its name
            short = "内蒙古"
        if upper_level and len(short) >= 2 and short != name and short not in _KEEP_SHORT:
            codes.setdefault(short, set()).add(code)
    return {name: frozenset(found) for name, found in codes.items()}


def regions_compatible(first: str, second: str) -> bool:
    """Whether two region names can be the same place or one inside the other (浙江 / 杭州
    yes, 杭州 / 上海 no). Unknown names (supplements, 中国) are compatible with everything."""
    if not first or not second:
        return True
    table = _region_codes()
    left, right = table.get(first), table.get(second)
    if left is None or right is None:
        return True
    return any(a.startswith(b) or b.startswith(a) for a in left for b in right)


@cache
def _regions() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Region names to strip (full names, and short ones of provinces and prefectures), and
    the same names by their first two characters, longest first (for fast prefix look-ups)."""
    names = set(_region_codes()) | _extra_regions
    by_start: dict[str, list[str]] = {}
    for name in names:
        by_start.setdefault(name[:2], []).append(name)
    return frozenset(names), {k: tuple(sorted(v, key=len, reverse=True))
                              for k, v in by_start.items()}


def add_region_names(names: Iterable[str]) -> None:
    """Divisions newer than python-stdnum's table (the registry keeps them as a supplement)."""
    _extra_regions.update(_characters(n) for n in names)
    _regions.cache_clear()


def is_region(text: str) -> bool:
    return text in _regions()[0] or text in _NATIONAL


def _leading_region(text: str) -> str:
    """The longest region name at the start of the text that leaves ≥ 2 characters, or ""."""
    for name in _regions()[1].get(text[:2], ()):
        if len(text) - len(name) >= 2 and text.startswith(name):
            return name
    return ""


# --- company forms ---------------------------------------------------------------------------

#: Company forms (组织形式) at the end of a name, longest first.
COMPANY_FORMS = tuple(sorted({
    "集团股份有限公司", "集团有限责任公司", "股份有限公司", "有限责任公司", "集团有限公司",
    "股份合作公司", "有限公司", "集团公司", "股份公司", "总公司", "公司", "有限合伙", "普通合伙",
    "特殊普通合伙", "合伙企业", "个人独资企业", "个体工商户", "专业合作社", "合作社", "集团",
    "总厂", "厂", "商行", "经营部", "门市部", "有限", "企业",
}, key=len, reverse=True))
_FORMS = frozenset(COMPANY_FORMS)
_FORMS_BY_END: dict[str, tuple[str, ...]] = {
    end: tuple(f for f in COMPANY_FORMS if f.endswith(end)) for end in {f[-1] for f in COMPANY_FORMS}}
#: Words ending a branch's name (分支机构), after the parent's name.
_BRANCH_END = re.compile(r"(?:分公司|分行|支行|分店|分厂|营业部|办事处|分部|分所|分中心|营业厅)$")
_BRANCH_LAST = frozenset("司行店厂部处所心厅")


def _split_branch(text: str) -> tuple[str, str]:
    """(parent, branch): 清风软件有限公司西湖分公司 → (清风软件有限公司, 西湖分公司)."""
    if text[-1:] not in _BRANCH_LAST or not _BRANCH_END.search(text):
        return text, ""
    for form in COMPANY_FORMS:
        at = text.rfind(form)
        if at >= 2 and at + len(form) < len(text) and form not in ("有限", "企业", "厂"):
            cut = at + len(form)
            return text[:cut], text[cut:]
    end = _BRANCH_END.search(text)
    assert end is not None
    head = text[: end.start()]
    names = _regions()[0]
    for size in range(min(12, len(head) - 2), 1, -1):
        if head[-size:] in names:
            return head[:-size], text[len(head) - size:]
    return text, ""


# --- the normalised name ---------------------------------------------------------------------


class NormalisedName(NamedTuple):
    """A company name taken apart. ``text`` is the whole name after character normalisation;
    ``core`` what is compared; the rest says what was set aside on the way. (A named tuple:
    a million of them are made, and read, in one screening run.)"""

    original: str
    text: str
    core: str
    regions: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    branch: str = ""
    traditional: bool = False  # traditional characters were converted
    fullwidth: bool = False  # full-width characters were converted

    @property
    def region(self) -> str:
        """The most specific region named (杭州 for 浙江省杭州市…), or ""."""
        return self.regions[-1] if self.regions else ""

    @property
    def key(self) -> str:
        """Identity of the name for remembering decisions about it: region, core and branch."""
        return f"{short_region(self.region)}|{self.core}|{self.branch}"

    def set_aside(self) -> list[str]:
        """What was removed, in words: 地区前缀“杭州”, 公司形式“有限公司”, 分支机构“西湖分公司”."""
        parts = []
        if self.regions:
            parts.append("地区前缀" + "".join(f"“{r}”" for r in self.regions))
        if self.forms:
            parts.append("公司形式" + "".join(f"“{f}”" for f in self.forms))
        if self.branch:
            parts.append(f"分支机构“{self.branch}”")
        return parts


def short_region(name: str) -> str:
    """杭州市 → 杭州, 浙江省 → 浙江; a county keeps its full name (西湖区)."""
    short = _DIVISION_SUFFIX.sub("", name)
    return short if short != name and len(short) >= 2 and name[-1] in "省市盟" else name


def _take_brackets(text: str) -> tuple[str, list[str], list[str]]:
    """Bracketed regions and forms set aside; other bracketed text kept without brackets."""
    regions: list[str] = []
    forms: list[str] = []
    if "(" not in text and ")" not in text:
        return text, regions, forms

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner in _FORMS:
            forms.append(inner)
            return ""
        if is_region(inner):
            regions.append(inner)
            return ""
        return inner

    text = re.sub(r"\(([^()]*)\)", replace, text)
    return text.replace("(", "").replace(")", ""), regions, forms


def _strip_forms(text: str) -> tuple[str, list[str]]:
    forms: list[str] = []
    stripped = True
    while stripped:
        stripped = False
        for form in _FORMS_BY_END.get(text[-1:], ()):
            if text.endswith(form) and len(text) - len(form) >= 2:
                text, stripped = text[: -len(form)], True
                forms.insert(0, form)
                break
    return text, forms


def _strip_regions(text: str) -> tuple[str, list[str]]:
    regions: list[str] = []
    while region := _leading_region(text):
        regions.append(region)
        text = text[len(region):]
    return text, regions


#: What is left of 江苏银行, 南京银行, 浙江医药 once the region goes: a trade, not a name. For
#: such names the region IS the distinguishing part, so it stays in the core.
GENERIC_CORES = frozenset({
    "银行", "农商银行", "农村商业银行", "商业银行", "农村信用社", "信用社", "证券", "保险", "信托",
    "医药", "电气", "电力", "燃气", "水务", "能源", "钢铁", "铜业", "化工", "建工", "建设", "城投",
    "交通", "交投", "机场", "地铁", "港口", "港务", "日报", "广电", "文旅", "旅游", "投资", "国投",
    "控股", "实业", "发展", "置业", "地产", "物流", "航空", "通信", "电信", "移动", "联通", "烟草",
})


def _take_apart(original: str, widened: str, simple: str, chars: str) -> NormalisedName:
    body, bracket_regions, bracket_forms = _take_brackets(chars)
    body, branch = _split_branch(body)
    body, forms = _strip_forms(body)
    body, regions = _strip_regions(body)
    if body in GENERIC_CORES and regions:
        body, regions = "".join(regions) + body, []
    return NormalisedName(
        original=original, text=chars.replace("(", "").replace(")", ""), core=body,
        regions=(*regions, *bracket_regions), forms=(*bracket_forms, *forms), branch=branch,
        traditional=simple != widened, fullwidth=widened != original.replace("\n", " "),
    )


def company_name(text: str) -> NormalisedName:
    """The name taken apart (see the module docstring)."""
    return company_names([text])[0]


def company_names(texts: Sequence[str]) -> list[NormalisedName]:
    """``company_name`` over many names. The character steps (NFKC, traditional → simplified,
    case, brackets, punctuation) run once over all the names joined by line breaks, each a C
    call over one long string; only taking the names apart is done name by name."""
    if not texts:
        return []
    joined = unicodedata.normalize("NFKC", "\n".join(t.replace("\n", " ") for t in texts))
    simple = str(_converter().convert(joined))
    chars = _DROP_BUT_LINES.sub("", unicodedata.normalize("NFKC", simple).upper().translate(_BRACKETS))
    return [_take_apart(*parts) for parts in zip(
        texts, joined.split("\n"), simple.split("\n"), chars.split("\n"), strict=True)]


# --- people, phones, bank accounts, addresses ------------------------------------------------

_NAME_DOTS = re.compile(r"[\s·•・.．\-]")


def person_name(text: str) -> str:
    """A person's name: NFKC, simplified, upper-case Latin, no spaces or middle dots."""
    text = simplified(unicodedata.normalize("NFKC", text or "")).upper()
    text = _NAME_DOTS.sub("", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFKC", text)


def phone(text: str) -> str:
    """Digits of a phone number without the country code (+86 / 0086) or separators;
    "" when it has fewer than 7 digits. Landlines keep their area code (0571…)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))
    international = False
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif digits.startswith("86") and len(digits) in (12, 13):  # +86 mobile, or landline with area code
        digits, international = digits[2:], True
    if international and not digits.startswith(("0", "1")):
        digits = "0" + digits  # +86 571 … is 0571 … at home
    return digits if len(digits) >= 7 else ""


def bank_account(text: str) -> str:
    """An account number without spaces or dashes, letters upper-cased; "" if under 8 long."""
    value = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())
    return value if len(value) >= 8 else ""


_NUMERALS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"([〇零一二两三四五六七八九十百]+)(?=[号弄栋层室单元楼座#])")
#: Building words that mean the same: 幢 / 号楼 / 座 / # as 栋; 房 / 房间 as 室.
_ADDRESS_UNITS = ((re.compile(r"(\d+)(?:号楼|幢|座|#楼?)"), r"\1栋"),
                  (re.compile(r"(\d+)(?:房间|房)"), r"\1室"))


def _chinese_number(text: str) -> str:
    """一百零三 → 103, 十二 → 12, 二 → 2 (the numbers addresses use)."""
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = digit * 10 + _NUMERALS[char] if digit else _NUMERALS[char]
    return str(total + digit)


def address(text: str) -> str:
    """An address compared loosely: NFKC, simplified, no spaces or punctuation, numbers as
    digits, 幢 / 号楼 / 座 as 栋 and 房 as 室, and without its leading province, city and
    district names (so 浙江省杭州市西湖区文三路 1 号 and 文三路一号 are equal)."""
    text = simplified(unicodedata.normalize("NFKC", text or "")).upper()
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[^0-9A-Z#\-\u3400-\u4dbf\u4e00-\u9fff]", "", text)
    text = _CN_NUMBER.sub(lambda m: _chinese_number(m.group(1)), text)
    for pattern, replacement in _ADDRESS_UNITS:
        text = pattern.sub(replacement, text)
    text, _ = _strip_regions(text)
    return text.strip("-")
