"""The shared normalisers on real-looking pairs, and idempotence as a property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qinglian.core import normalise
from qinglian.core.normalise import company_name, regions_compatible
from qinglian.screening.synthetic import NameMaker

SAME_COMPANY = [
    # region prefix present or not, in full or short, in brackets
    ("杭州清风软件有限公司", "清风软件有限公司"),
    ("杭州市清风软件有限公司", "杭州清风软件有限公司"),
    ("浙江省杭州市西湖区清风软件有限公司", "清风软件有限公司"),
    ("清风软件（杭州）有限公司", "杭州清风软件有限公司"),
    ("阿里巴巴（中国）网络技术有限公司", "阿里巴巴网络技术有限公司"),
    # bracket styles
    ("清风软件(杭州)有限公司", "清风软件【杭州】有限公司"),
    ("杭州清风投资合伙企业〔有限合伙〕", "杭州清风投资合伙企业（有限合伙）"),
    # company-form suffix variants
    ("杭州清风软件股份有限公司", "杭州清风软件有限责任公司"),
    ("杭州清风软件集团有限公司", "杭州清风软件有限公司"),
    ("杭州清风机械厂", "杭州清风机械有限公司"),
    # traditional / simplified, full-width / half-width, spaces
    ("杭州清風軟體有限公司", "杭州清风软体有限公司"),
    ("臺灣積體電路製造股份有限公司", "台湾积体电路制造股份有限公司"),
    ("ＡＢＣ（杭州）科技有限公司", "ABC(杭州)科技有限公司"),
    ("杭州 清风 软件 有限公司", "杭州清风软件有限公司"),
    ("广西壮族自治区南宁市清风贸易有限公司", "南宁清风贸易有限公司"),
]

DIFFERENT_COMPANIES = [
    ("杭州清风软件有限公司", "杭州清风科技有限公司"),  # another trade
    ("杭州清风软件有限公司", "杭州清峰软件有限公司"),  # a homophone brand
    ("中国银行股份有限公司", "中国工商银行股份有限公司"),  # 中国 is part of these names
    ("杭州华信贸易有限公司", "杭州华兴贸易有限公司"),
    ("杭州瑞丰网络技术有限公司", "杭州瑞华网络技术有限公司"),
]


@pytest.mark.parametrize(("first", "second"), SAME_COMPANY)
def test_same_company_same_core(first: str, second: str) -> None:
    assert company_name(first).core == company_name(second).core


@pytest.mark.parametrize(("first", "second"), DIFFERENT_COMPANIES)
def test_look_alikes_keep_different_cores(first: str, second: str) -> None:
    assert company_name(first).core != company_name(second).core


def test_what_was_set_aside_is_remembered() -> None:
    name = company_name("浙江省杭州市清風軟件有限責任公司西湖分公司")
    assert name.core == "清风软件"
    assert name.regions == ("浙江省", "杭州市")
    assert name.forms == ("有限责任公司",)
    assert name.branch == "西湖分公司"
    assert name.traditional and not name.fullwidth
    assert name.set_aside() == ["地区前缀“浙江省”“杭州市”", "公司形式“有限责任公司”",
                                "分支机构“西湖分公司”"]
    assert name.key == "杭州|清风软件|西湖分公司"


def test_a_step_never_leaves_less_than_two_characters() -> None:
    assert company_name("杭州市有限公司").core == "杭州市"
    assert company_name("杭州鑫有限公司").core == "杭州鑫"


def test_bank_branches() -> None:
    name = company_name("中国银行股份有限公司杭州分行")
    assert (name.core, name.branch) == ("中国银行", "杭州分行")
    assert company_name("中国工商银行杭州分行").branch == "杭州分行"


def test_regions_compatible() -> None:
    assert regions_compatible("浙江", "杭州")
    assert regions_compatible("杭州市", "西湖区")
    assert not regions_compatible("杭州", "上海")
    assert not regions_compatible("西湖区", "宁波")
    assert regions_compatible("", "上海")


@pytest.mark.parametrize(("raw", "expected"), [
    ("+86 137-0571-0001", "13705710001"), ("0086 13705710001", "13705710001"),
    ("８６１３７０５７１０００１", "13705710001"), ("0571-8888 6666", "057188886666"),
    ("12345", ""), ("", ""),
])
def test_phone(raw: str, expected: str) -> None:
    assert normalise.phone(raw) == expected


def test_bank_account_and_person_name() -> None:
    assert normalise.bank_account("6222 0212-3456 7890") == "6222021234567890"
    assert normalise.bank_account("１２３４") == ""
    assert normalise.person_name(" 张 三 ") == "张三"
    assert normalise.person_name("阿卜杜·热合曼") == normalise.person_name("阿卜杜热合曼")
    assert normalise.person_name("陳淑華") == "陈淑华"


@pytest.mark.parametrize("variant", [
    "浙江省杭州市西湖区文三路一号3幢201房",
    "杭州市西湖区文三路1号3号楼201室",
    "文三路 1 号 3 栋 201 室",
    "文三路１号３座２０１室",
])
def test_address_variants(variant: str) -> None:
    assert normalise.address(variant) == "文三路1号3栋201室"


def test_addresses_that_differ_stay_different() -> None:
    assert normalise.address("文三路1号3栋201室") != normalise.address("文三路1号3栋202室")
    assert normalise.address("文三路十二号") == "文三路12号"


_ALPHABET = "杭州市浙江省西湖区清风軟件科技有限公司股份集团（）()【】 　ＡＢ12号楼幢栋室一二十百"
_maker = NameMaker(7)
_REAL = [_maker.name() for _ in range(200)] + [_maker.variant(_maker.name())[0] for _ in range(200)]
texts = st.one_of(st.sampled_from(_REAL), st.text(alphabet=_ALPHABET, max_size=24),
                  st.text(max_size=16))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_company_name_is_idempotent(text: str) -> None:
    once = company_name(text)
    assert company_name(once.text).text == once.text
    assert company_name(text).core == once.core  # and deterministic


@settings(max_examples=300, deadline=None)
@given(texts)
def test_other_normalisers_are_idempotent(text: str) -> None:
    for clean in (normalise.phone, normalise.bank_account, normalise.address,
                  normalise.person_name):
        once = clean(text)
        assert clean(once) == once, clean.__name__


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, max_size=8))
def test_batch_normalisation_equals_one_by_one(batch: list[str]) -> None:
    assert normalise.company_names(batch) == [company_name(t) for t in batch]
