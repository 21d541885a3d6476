"""Realistic, reproducible Chinese company names for the benchmark and the tests.

A name is region prefix + brand (字号) + trade (行业) + company form, e.g. 杭州瑞丰软件有限公司.
``variants`` makes the near-duplicates screening must find: region prefix dropped or moved into
brackets, bracket style changed, company form changed, one character changed, traditional
characters, full-width letters.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache
from typing import Any

REGIONS = (
    "杭州", "杭州市", "浙江", "浙江省", "宁波", "宁波市", "温州", "上海", "上海市", "北京", "北京市",
    "深圳", "深圳市", "广州", "南京", "苏州", "成都", "武汉", "西安", "重庆", "天津", "长沙", "郑州",
    "合肥", "福州", "厦门", "济南", "青岛", "昆明", "南宁", "沈阳", "大连", "哈尔滨", "广东省",
    "江苏省", "四川省", "浙江省杭州市", "杭州市西湖区", "杭州市余杭区", "宁波市鄞州区",
)
BRAND_CHARACTERS = (
    "瑞丰华信宏达恒远鑫泰金盛嘉禾永安兴隆天成博雅中和国泰新源正元明德创联卓越银河东方海纳百川"
    "融汇通达汇丰德胜万达宝利安康富华长城润发盈科腾飞星辰蓝海绿洲阳光鸿运锦程祥瑞龙腾凤鸣云帆"
    "启航远航致远博远广源合力同创众诚立信诚信佳和美乐欣悦宜家安居乐业顺达捷通速达迅捷精工匠心"
    "智慧数智云智慧联科创赛博凯旋骏马雄鹰麒麟凌云青松翠竹红枫紫荆白鹭飞燕金鹏银鹰铭泰铂锐钧晟"
    "煜炜烨焱森淼鑫垚磊犇昊昱晖曦晨旭朗逸尚品优选臻享悦享乐享臣弘毅厚德载物"
)
TRADES = (
    "软件", "科技", "网络技术", "信息技术", "电子商务", "建筑工程", "装饰工程", "贸易", "进出口",
    "餐饮管理", "物流", "供应链管理", "医疗器械", "生物科技", "机械制造", "房地产开发", "物业管理",
    "环保科技", "新材料", "食品", "服装", "纺织", "文化传媒", "广告", "投资管理", "企业管理咨询",
    "汽车销售", "农业开发", "化工", "电气", "新能源", "光电科技", "智能科技", "教育科技", "人力资源",
    "劳务", "建材", "五金", "家具", "印刷", "包装", "酒店管理", "旅游开发", "园林绿化", "市政工程",
    "水利工程", "安防科技", "通信技术", "半导体", "精密机械",
)
FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司",
         "（有限合伙）", "厂")


@cache
def common_characters() -> str:
    """The 3,755 level-1 characters of GB 2312 (the common ones), in its order."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


class NameMaker:
    """Draws names and variants from one seeded random stream."""

    def __init__(self, seed: int = 2026, *, common_share: float = 0.5) -> None:
        self.random = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.common_share = common_share

    def brand(self) -> str:
        """Two to four characters: from the favourites of trade names, and (``common_share``
        of them) from all common characters — real trade names are skewed, not uniform."""
        size = self.random.choice((2, 2, 3, 3, 4))
        pools = (BRAND_CHARACTERS, common_characters())
        return "".join(self.random.choice(pools[self.random.random() < self.common_share])
                       for _ in range(size))

    def name(self) -> str:
        region = self.random.choice(REGIONS) if self.random.random() < 0.8 else ""
        trade = self.random.choice(TRADES)
        return f"{region}{self.brand()}{trade}{self.random.choice(FORMS)}"

    def names(self, count: int) -> list[str]:
        return [self.name() for _ in range(count)]

    def variant(self, name: str) -> tuple[str, str]:
        """(variant, how it was made) of a name: what a counterparty list would hold."""
        how, change = self.random.choice(tuple(_VARIANTS.items()))
        return change(self, name), how


def _without_region(maker: NameMaker, name: str) -> str:
    for region in sorted(REGIONS, key=len, reverse=True):
        if name.startswith(region):
            return name[len(region):]
    return maker.random.choice(REGIONS) + name


def _bracket_region(maker: NameMaker, name: str) -> str:
    bare = _without_region(maker, name)
    region = maker.random.choice(("杭州", "上海", "北京", "深圳"))
    for form in ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司"):
        if bare.endswith(form):
            return f"{bare[:-len(form)]}（{region}）{form}"
    return f"{bare}（{region}）"


def _bracket_style(maker: NameMaker, name: str) -> str:
    opening, closing = maker.random.choice((("(", ")"), ("【", "】"), ("[", "]"), ("〔", "〕")))
    return name.replace("（", opening).replace("）", closing) if "（" in name else f"{opening}{name}{closing}"


def _other_form(maker: NameMaker, name: str) -> str:
    for form in ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "（有限合伙）", "厂"):
        if name.endswith(form):
            return name[:-len(form)] + maker.random.choice(
                [f for f in ("有限公司", "有限责任公司", "股份有限公司") if f != form])
    return name + "有限公司"


def _one_changed(maker: NameMaker, name: str) -> str:
    at = maker.random.randrange(len(name))
    return name[:at] + maker.random.choice(BRAND_CHARACTERS) + name[at + 1:]


@cache
def _s2t() -> Any:
    from opencc import OpenCC

    return OpenCC("s2t")


def _traditional(maker: NameMaker, name: str) -> str:
    return str(_s2t().convert(name))


def _fullwidth(maker: NameMaker, name: str) -> str:
    return name.replace("(", "（").replace(")", "）") + "　"


_VARIANTS: dict[str, Callable[[NameMaker, str], str]] = {
    "去掉或加上地区前缀": _without_region,
    "地区写在括号中": _bracket_region,
    "括号样式不同": _bracket_style,
    "公司形式不同": _other_form,
    "改动一个字": _one_changed,
    "繁体字": _traditional,
    "全角空格与括号": _fullwidth,
}
VARIANT_KINDS = tuple(_VARIANTS)
