"""The eleven OCDS red-flag indicators of the Open Contracting Partnership's Cardinal tool.

Each must give exactly the reference results (tests/fixtures/ocds). The definitions, settings
and defaults follow Cardinal's documentation (docs/cli/indicators/R/*.md) and its source
(src/indicators/*.rs) in the public repository open-contracting/cardinal-rs.

Settings shared by all indicators (Cardinal's ``[exclusions]`` and price-comparison settings)
are declared once below and added to the rules that use them.
"""

from __future__ import annotations

from pathlib import Path

from qinglian.monitoring.engine.definitions import (
    Parameter,
    ParameterKind,
    Rule,
    Severity,
    register,
)

HERE = Path(__file__).resolve().parent
REFERENCE = "https://github.com/open-contracting/cardinal-rs/tree/main/docs/cli/indicators/R"

RELEASES = "ocds_releases"
BIDS = "ocds_bids"
BID_TENDERERS = "ocds_bid_tenderers"
AWARDS = "ocds_awards"
AWARD_SUPPLIERS = "ocds_award_suppliers"
AWARD_ITEMS = "ocds_award_items"

EXCLUDED = Parameter(
    "excluded_procurement_method_details",
    ParameterKind.TEXT_SET,
    (),
    "排除的采购方式细目",
    "这些 tender/procurementMethodDetails 的项目不参与任何指标（Cardinal 的 [exclusions]）。",
)
PRICE_COMPARISON = Parameter(
    "price_comparison_procurement_methods",
    ParameterKind.TEXT_SET,
    (),
    "以价格比较的采购方式细目",
    "填写后只计算这些采购方式细目的项目；为空时计算除“不以价格比较”以外的全部。",
)
NO_PRICE_COMPARISON = Parameter(
    "no_price_comparison_procurement_methods",
    ParameterKind.TEXT_SET,
    (),
    "不以价格比较的采购方式细目",
    "这些采购方式细目（如抽签）不以价格定标，不计算与价格有关的指标。",
)
CURRENCY = Parameter(
    "currency",
    ParameterKind.TEXT,
    None,
    "币种",
    "只比较该币种的报价；不填时采用数据中最先出现的币种。",
    optional=True,
)
PRICE_SETTINGS = (PRICE_COMPARISON, NO_PRICE_COMPARISON)


def _rule(code: str, inputs: tuple[str, ...], parameters: tuple[Parameter, ...], **fields: object) -> Rule:
    return Rule(
        code=code,
        sql_path=HERE / f"{code}.sql",
        inputs=inputs,
        parameters=(*parameters, EXCLUDED),
        red_flag=f"OCP {code}",
        reference=f"{REFERENCE}/{code[1:]}.md",
        tags=("ocds",),
        **fields,  # type: ignore[arg-type]
    )


OCDS_RULES = (
    _rule(
        "R003",
        (RELEASES,),
        (
            Parameter("threshold", ParameterKind.INTEGER, 15, "最短投标期（天）", minimum=0, maximum=3650),
            Parameter(
                "procurement_methods",
                ParameterKind.TEXT_SET,
                (),
                "适用的采购方式",
                "为空时适用于全部采购方式（open、selective、limited、direct）。",
            ),
            Parameter(
                "procurement_method_details",
                ParameterKind.TEXT_TO_INTEGER,
                {},
                "按采购方式细目设定的最短投标期（天）",
                minimum=0,
                maximum=3650,
            ),
        ),
        name_zh="投标期过短（公共采购 OCDS）",
        name_en="Short submission period",
        catches="缩短投标期，使知情的投标人占先、排斥其他潜在投标人。",
        severity=Severity.MEDIUM,
        explanation="{group}“{subject}”的投标期短于 {threshold} 天（或该采购方式细目的规定天数）。",
        groups=("OCID",),
    ),
    _rule(
        "R018",
        (RELEASES,),
        (
            Parameter(
                "procurement_methods",
                ParameterKind.TEXT_SET,
                ("open", "selective"),
                "适用的采购方式",
            ),
        ),
        name_zh="仅收到一份投标",
        name_en="Single bid received",
        catches="竞争性采购只有一家投标，可能存在排斥潜在投标人或围标安排。",
        severity=Severity.MEDIUM,
        explanation="{group}“{subject}”采用竞争性方式（{procurement_methods}）却只收到一份投标。",
        groups=("OCID",),
    ),
    _rule(
        "R024",
        (RELEASES, BIDS, AWARDS),
        (
            Parameter(
                "threshold",
                ParameterKind.DECIMAL,
                None,
                "价差比例上限",
                "不填时按全部项目的下四分位栅栏（Q1 − 1.5×IQR）计算。",
                minimum=0,
                maximum=100,
                optional=True,
            ),
            *PRICE_SETTINGS,
            CURRENCY,
        ),
        name_zh="中标价与次低价过于接近",
        name_en="Price close to winning bid",
        catches="陪标：陪标人报价仅略高于中标人，制造竞争假象。",
        severity=Severity.HIGH,
        explanation="{group}“{subject}”的中标价与次低有效报价的差距（比例 {value}）异常小。",
        groups=("OCID", "Tenderer"),
    ),
    _rule(
        "R025",
        (RELEASES, BIDS, AWARDS),
        (
            Parameter("percentile", ParameterKind.INTEGER, 75, "投标次数百分位", minimum=0, maximum=100),
            Parameter(
                "threshold",
                ParameterKind.DECIMAL,
                None,
                "中标率下限",
                "不填时按全部投标人的下四分位栅栏（Q1 − 1.5×IQR）计算。",
                minimum=0,
                maximum=1,
                optional=True,
            ),
        ),
        name_zh="投标失败比例过高",
        name_en="Excessive unsuccessful bids",
        catches="职业陪标人：频繁投标却极少中标。",
        severity=Severity.MEDIUM,
        explanation="{group}“{subject}”投标次数多，但中标比例仅为 {value}。",
        groups=("Tenderer",),
    ),
    _rule(
        "R028",
        (RELEASES, BIDS, BID_TENDERERS),
        PRICE_SETTINGS,
        name_zh="报价完全相同",
        name_en="Identical bid prices",
        catches="串通投标：不同投标人的报价一模一样。",
        severity=Severity.HIGH,
        explanation="{group}“{subject}”涉及不同投标人提交了金额和币种完全相同的报价。",
        groups=("OCID", "Tenderer"),
    ),
    _rule(
        "R030",
        (RELEASES, BIDS, BID_TENDERERS, AWARDS, AWARD_SUPPLIERS),
        (),
        name_zh="逾期投标中标",
        name_en="Late bid won",
        catches="为特定投标人开后门：投标截止后提交的投标仍被接受并中标。",
        severity=Severity.HIGH,
        explanation="{group}“{subject}”涉及在投标截止后提交的有效投标中标。",
        groups=("OCID", "Tenderer"),
    ),
    _rule(
        "R035",
        (RELEASES, BIDS, BID_TENDERERS, AWARDS, AWARD_SUPPLIERS),
        (Parameter("threshold", ParameterKind.INTEGER, 1, "被取消资格的投标人数下限", minimum=1, maximum=1000),),
        name_zh="除中标人外全部被取消资格",
        name_en="All except winning bid disqualified",
        catches="以资格审查排除竞争者，保送特定投标人中标。",
        severity=Severity.HIGH,
        explanation="{group}“{subject}”中除中标人以外的投标人全部被取消资格（{value} 家）。",
        groups=("OCID", "Tenderer"),
    ),
    _rule(
        "R036",
        (RELEASES, BIDS, AWARDS),
        (*PRICE_SETTINGS, CURRENCY),
        name_zh="最低价投标被取消资格",
        name_en="Lowest bid disqualified",
        catches="以价格为唯一标准时，最低报价却被取消资格，可能为保送高价投标人。",
        severity=Severity.HIGH,
        explanation="{group}“{subject}”的最低报价被取消资格，而另有有效报价。",
        groups=("OCID",),
    ),
    _rule(
        "R038",
        (RELEASES, BIDS, BID_TENDERERS),
        (
            Parameter(
                "threshold",
                ParameterKind.DECIMAL,
                None,
                "取消资格比例上限",
                "不填时按每类主体的上四分位栅栏（Q3 + 1.5×IQR）计算。",
                minimum=0,
                maximum=1,
                optional=True,
            ),
            Parameter("minimum_submitted_bids", ParameterKind.INTEGER, 2, "投标人最少投标数", minimum=1, maximum=100000),
            Parameter(
                "minimum_contracting_processes",
                ParameterKind.INTEGER,
                2,
                "采购人/代理机构最少投标数",
                "按收到的投标总数计（与 Cardinal 相同）。",
                minimum=1,
                maximum=100000,
            ),
        ),
        name_zh="取消资格比例过高",
        name_en="Excessive disqualified bids",
        catches="采购人或代理机构惯于取消投标资格以操纵结果；或投标人屡被取消资格（陪标）。",
        severity=Severity.MEDIUM,
        explanation="{group}“{subject}”的投标被取消资格的比例为 {value}，明显高于同类。",
        groups=("Buyer", "ProcuringEntity", "Tenderer"),
    ),
    _rule(
        "R048",
        (RELEASES, AWARDS, AWARD_ITEMS),
        (
            Parameter("digits", ParameterKind.INTEGER, 2, "分类代码位数", minimum=1, maximum=20),
            Parameter(
                "threshold",
                ParameterKind.INTEGER,
                None,
                "分类数上限",
                "不填时按上四分位栅栏（Q3 + 1.5×IQR）计算。",
                minimum=0,
                maximum=100000,
                optional=True,
            ),
            Parameter(
                "minimum_contracting_processes",
                ParameterKind.INTEGER,
                20,
                "供应商最少中标项目数",
                minimum=1,
                maximum=100000,
            ),
        ),
        name_zh="供应商经营范围异常庞杂",
        name_en="Heterogeneous supplier",
        catches="空壳或“万能”供应商：跨越众多无关品类中标，可能是利益输送的通道。",
        severity=Severity.MEDIUM,
        explanation="{group}“{subject}”中标的物品跨越 {value} 个不同分类（前 {digits} 位）。",
        groups=("Tenderer",),
    ),
    _rule(
        "R058",
        (RELEASES, BIDS, AWARDS),
        (
            Parameter(
                "threshold",
                ParameterKind.DECIMAL,
                None,
                "价差比例下限",
                "不填时按全部项目的上四分位栅栏（Q3 + 1.5×IQR）计算。",
                minimum=0,
                maximum=1000000,
                optional=True,
            ),
            *PRICE_SETTINGS,
            CURRENCY,
        ),
        name_zh="中标价远低于其他报价",
        name_en="Heavily discounted bid",
        catches="低价中标、事后通过变更或验收放水补回差价。",
        severity=Severity.MEDIUM,
        explanation="{group}“{subject}”的中标价远低于次低有效报价（差距比例 {value}）。",
        groups=("OCID", "Tenderer"),
    ),
)

#: Cardinal reports the tenderers of a flagged process beside the process itself, with the value
#: 0.0: a flag, not a measure (tests/fixtures/ocds/R035.expected: ``"Tenderer": {"V": 0.0}``).
#: Their explanation says what the tenderer did; the measure is on the process's own alert.
GROUP_EXPLANATIONS: dict[tuple[str, str], str] = {
    ("R024", "Tenderer"): ("{group}“{subject}”是某采购项目的中标人或次低有效报价人，"
                           "该项目中标价与次低有效报价异常接近（差距比例见该采购项目的预警）。"),
    ("R035", "Tenderer"): ("{group}“{subject}”中标的采购项目中，其他投标人全部被取消资格"
                           "（被取消资格的家数见该采购项目的预警）。"),
    ("R058", "Tenderer"): ("{group}“{subject}”以远低于次低有效报价的价格中标"
                           "（差距比例见该采购项目的预警）。"),
}

register(OCDS_RULES)
