"""The ledger red-flag rules (L001–L012) over the canonical tables of monitoring.schemas.

One SQL file per rule (DuckDB dialect, run on Spark through sqlglot) and its definition here.
Every rule returns the optional result columns of the engine (unit, vendor_id, occurred_on,
evidence_keys: keys of ``evidence_table``) where they make sense; see engine/__init__.py.

Normalisation for L008 is done in the rule's SQL (no intake change is needed): both engines
compare the same normalised values.

L001 (orders) and L001P (payments) are the two halves of 拆分采购, split so that each hit's
evidence points into one table.
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

PAYMENTS = "payments"
ORDERS = "purchase_orders"
VENDORS = "vendors"
EMPLOYEES = "employees"
CONTRACTS = "contracts"
AMENDMENTS = "contract_amendments"
TENDERS = "tenders"
BIDS = "bids"
CALENDAR = "non_working_days"

YUAN = 10**12  # upper bound for amounts in yuan


def _rule(code: str, inputs: tuple[str, ...], parameters: tuple[Parameter, ...],
          evidence: tuple[str, str] | None = None, **fields: object) -> Rule:
    table, key = evidence or ("", "")
    return Rule(
        code=code,
        sql_path=HERE / f"{code}.sql",
        inputs=inputs,
        parameters=parameters,
        tags=("ledger",),
        evidence_table=table,
        evidence_key=key,
        **fields,  # type: ignore[arg-type]
    )


def _split(code: str, table: str, key: str, noun: str) -> Rule:
    return _rule(
        code,
        (table,),
        (
            Parameter("threshold", ParameterKind.INTEGER, 50_000, "审批限额（元）",
                      f"单笔{noun}金额达到该限额须经审批；低于限额的{noun}合计达到限额即预警。",
                      minimum=1, maximum=YUAN),
            Parameter("window_days", ParameterKind.INTEGER, 30, "时间窗口（天）",
                      "窗口内首末两笔相隔少于该天数。", minimum=1, maximum=366),
            Parameter("min_count", ParameterKind.INTEGER, 2, f"最少{noun}笔数", minimum=2,
                      maximum=1000),
        ),
        (table, key),
        name_zh=f"拆分采购（{noun}）",
        name_en=f"Split purchases ({'orders' if table == ORDERS else 'payments'})",
        catches=f"把一笔应审批的采购拆成多笔低于审批限额的{noun}，规避审批或招标。",
        severity=Severity.HIGH,
        explanation=(f"{{unit}}在 {{window_days}} 天内向供应商{{vendor_id}}发出多笔低于审批限额"
                     f"（{{threshold}} 元）的{noun}，合计 {{value}} 元，达到限额，疑似拆分规避审批。"),
        groups=("Vendor",),
    )


EXCLUDED_METHODS = Parameter(
    "excluded_methods", ParameterKind.TEXT_SET, ("单一来源",), "不适用的采购方式",
    "这些采购方式（如单一来源）本来只有一家，不参与本规则。",
)

LEDGER_RULES: tuple[Rule, ...] = (
    _split("L001", ORDERS, "order_id", "订单"),
    _split("L001P", PAYMENTS, "payment_id", "付款"),
    _rule(
        "L002",
        (PAYMENTS,),
        (
            Parameter("window_days", ParameterKind.INTEGER, 7, "无发票时的时间窗口（天）",
                      "没有发票号码时，同一供应商同一金额的付款相隔不超过该天数即视为重复。",
                      minimum=0, maximum=366),
        ),
        (PAYMENTS, "payment_id"),
        name_zh="重复付款",
        name_en="Duplicate payments",
        catches="同一张发票或同一笔款项重复支付，多付的款项被截留或回流。",
        severity=Severity.HIGH,
        explanation=("向供应商{vendor_id}支付了金额、发票号码相同（或无发票且 {window_days} 天内金额相同）"
                     "的多笔款项，重复支付 {value} 元。"),
        groups=("Vendor",),
    ),
    _rule(
        "L003",
        (PAYMENTS,),
        (
            Parameter("multiple", ParameterKind.INTEGER, 10_000, "整数倍（元）", minimum=10,
                      maximum=YUAN),
            Parameter("min_amount", ParameterKind.INTEGER, 10_000, "起计金额（元）",
                      "只统计不低于该金额的付款。", minimum=0, maximum=YUAN),
            Parameter("share", ParameterKind.DECIMAL, 0.5, "整数金额占比上限", minimum=0,
                      maximum=1),
            Parameter("min_payments", ParameterKind.INTEGER, 10, "最少付款笔数", minimum=1,
                      maximum=10**9),
            Parameter("min_round", ParameterKind.INTEGER, 5, "最少整数金额笔数", minimum=1,
                      maximum=10**9),
        ),
        (PAYMENTS, "payment_id"),
        name_zh="整数金额付款",
        name_en="Round-amount payments",
        catches="虚构或估算的款项常是整数金额（如 5 万、10 万），真实交易很少恰好是整数。",
        severity=Severity.LOW,
        explanation=("供应商{subject}不低于 {min_amount} 元的付款中，{multiple} 元整数倍的占 {value}，"
                     "超过 {share}。"),
        groups=("Vendor",),
    ),
    _rule(
        "L004",
        (PAYMENTS,),
        (
            Parameter("min_payments", ParameterKind.INTEGER, 100, "最少付款笔数",
                      "笔数太少时首位数字分布没有统计意义。", minimum=30, maximum=10**9),
            Parameter("min_amount", ParameterKind.INTEGER, 10, "起计金额（元）",
                      "Nigrini 建议排除 10 元以下的小额。", minimum=1, maximum=YUAN),
            Parameter("mad_threshold", ParameterKind.DECIMAL, 0.015, "MAD 上限",
                      "Nigrini 首位数字检验：0.006 以下紧密符合，0.006–0.012 可接受，"
                      "0.012–0.015 勉强可接受，超过 0.015 不符合。", minimum=0, maximum=1),
            Parameter("chi_square_critical", ParameterKind.DECIMAL, 20.09, "卡方临界值",
                      "自由度 8、显著性 0.01 时为 20.09。", minimum=0, maximum=10**6),
        ),
        name_zh="本福特定律偏离",
        name_en="Benford's law deviation",
        catches="编造的金额不服从本福特定律：首位数字分布明显偏离，提示虚构交易或操纵金额。",
        severity=Severity.MEDIUM,
        explanation=("供应商{subject}付款金额的首位数字分布偏离本福特定律：平均绝对偏差 MAD = {value}"
                     "（> {mad_threshold}），卡方统计量超过 {chi_square_critical}（p < 0.01）。"),
        groups=("Vendor",),
        reference="Nigrini, Benford's Law (2012), ch. 5: first-digit MAD conformity ranges",
    ),
    _rule(
        "L005",
        (PAYMENTS, CALENDAR),
        (
            Parameter("min_amount", ParameterKind.INTEGER, 10_000, "起计金额（元）",
                      minimum=0, maximum=YUAN),
        ),
        (PAYMENTS, "payment_id"),
        name_zh="非工作日付款",
        name_en="Payments on non-working days",
        catches="在周末或法定节假日（调休上班日除外）付款，避开正常审批和监督。",
        severity=Severity.MEDIUM,
        explanation="付款{subject}（{value} 元，{unit}付给供应商{vendor_id}）发生在非工作日 {occurred_on}。",
        groups=("Payment",),
    ),
    _rule(
        "L006",
        (PAYMENTS,),
        (
            Parameter("top_share", ParameterKind.DECIMAL, 0.5, "最大供应商占比上限",
                      minimum=0, maximum=1),
            Parameter("hhi", ParameterKind.DECIMAL, 2500.0, "HHI 上限（0–10000）",
                      "赫芬达尔—赫希曼指数，2500 以上为高度集中。", minimum=0, maximum=10_000),
            Parameter("period", ParameterKind.TEXT, "year", "统计期间",
                      "year（年）、quarter（季度）或 month（月）。"),
            Parameter("min_payments", ParameterKind.INTEGER, 10, "最少付款笔数",
                      "期间内付款少于该笔数的单位不计算。", minimum=1, maximum=10**9),
        ),
        name_zh="供应商集中度过高",
        name_en="Vendor concentration",
        catches="采购长期集中于个别供应商，提示利益输送或排斥竞争。",
        severity=Severity.MEDIUM,
        explanation=("{unit}在期间“{subject}”的付款高度集中：最大供应商{vendor_id}的占比超过 {top_share}，"
                     "HHI = {value}（> {hhi}）。"),
        groups=("Unit",),
    ),
    _rule(
        "L007",
        (PAYMENTS, VENDORS),
        (
            Parameter("window_days", ParameterKind.INTEGER, 90, "新供应商期限（天）",
                      "自登记日期（或首次付款）起的天数。", minimum=1, maximum=3660),
            Parameter("amount", ParameterKind.INTEGER, 500_000, "大额付款合计（元）",
                      minimum=0, maximum=YUAN),
        ),
        (PAYMENTS, "payment_id"),
        name_zh="新供应商大额付款",
        name_en="New vendor with large payments",
        catches="新登记的供应商短期内收到大额款项，提示空壳公司或突击输送利益。",
        severity=Severity.HIGH,
        explanation=("供应商{subject}自登记（或首次付款）起 {window_days} 天内收款 {value} 元，"
                     "超过 {amount} 元。"),
        groups=("Vendor",),
    ),
    _rule(
        "L008",
        (VENDORS, EMPLOYEES),
        (),
        (EMPLOYEES, "employee_id"),
        name_zh="供应商与员工关联",
        name_en="Vendor–employee conflict of interest",
        catches="供应商与本单位员工共用电话、银行账号、地址，或法定代表人与员工同名，提示利益冲突或虚假供应商。",
        severity=Severity.HIGH,
        explanation="供应商与员工（{subject}）有 {value} 项信息相同（电话、银行账号、地址或法定代表人姓名）。",
        groups=("Vendor",),
    ),
    _rule(
        "L009",
        (TENDERS, BIDS),
        (EXCLUDED_METHODS,),
        (BIDS, "bid_id"),
        name_zh="单一投标",
        name_en="Single bidder",
        catches="竞争性采购只有一家投标，可能存在排斥潜在投标人或量身定制条件。",
        severity=Severity.MEDIUM,
        red_flag="OCP R018",
        explanation="招标项目{subject}只有一家投标人（{vendor_id}）。",
        groups=("Tender",),
    ),
    _rule(
        "L010",
        (TENDERS, BIDS),
        (
            Parameter("min_tenders", ParameterKind.INTEGER, 3, "最少共同投标次数", minimum=3,
                      maximum=10_000),
            Parameter("max_bidders", ParameterKind.INTEGER, 10, "投标人数上限",
                      "只看投标人数为 3 至该数的项目（人数多时组合太多、意义不大）。",
                      minimum=3, maximum=30),
        ),
        (TENDERS, "tender_id"),
        name_zh="围标轮流中标",
        name_en="Bid rotation",
        catches="几家投标人反复一起投标、轮流中标，外人从不中标，提示串通投标。",
        severity=Severity.HIGH,
        explanation="投标人{subject}共同投标 {value} 次，三家都曾中标且从无其他人中标，疑似轮流坐庄。",
        groups=("Bidders",),
    ),
    _rule(
        "L011",
        (TENDERS,),
        (
            Parameter("min_days", ParameterKind.INTEGER, 20, "最短投标期（天）",
                      "招标投标法第二十四条：自招标文件发出至投标截止不得少于二十日。",
                      minimum=0, maximum=3650),
            Parameter("method_days", ParameterKind.TEXT_TO_INTEGER,
                      {"竞争性磋商": 10, "竞争性谈判": 3, "询价": 3},
                      "按采购方式设定的最短天数", minimum=0, maximum=3650),
            EXCLUDED_METHODS,
        ),
        (TENDERS, "tender_id"),
        name_zh="投标期过短（台账）",
        name_en="Short tender period",
        catches="缩短投标期，使事先知情的投标人占先、排斥其他潜在投标人。",
        severity=Severity.MEDIUM,
        red_flag="OCP R003",
        explanation="招标项目{subject}从公告到投标截止只有 {value} 天，少于规定的最短期限。",
        groups=("Tender",),
    ),
    _rule(
        "L012",
        (CONTRACTS, AMENDMENTS),
        (
            Parameter("threshold", ParameterKind.DECIMAL, 0.2, "累计增值比例上限",
                      minimum=0, maximum=100),
        ),
        (AMENDMENTS, "amendment_id"),
        name_zh="合同变更增值",
        name_en="Contract value inflated by amendments",
        catches="低价中标后通过变更追加合同金额，规避竞争或输送利益。",
        severity=Severity.HIGH,
        explanation="合同{subject}经变更累计增值比例为 {value}，超过 {threshold}。",
        groups=("Contract",),
    ),
)

register(LEDGER_RULES)
