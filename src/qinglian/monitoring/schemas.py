"""The ledger kinds an organisation loads, and the documented schema of each.

Every kind has canonical columns (lower-case English identifiers, what the rules read) with a
Chinese label, a type and the header spellings accepted for it (Chinese and English; matching
ignores case, spaces, underscores and full-width forms). The intake maps an uploaded file's
headers to these columns (the mapping is saved per organisation and kind), converts and checks
every value, and writes the canonical table as Parquet. The rules read only canonical columns.

Types:
  text     trimmed text (empty → NULL)
  code     an identifier: trimmed, full-width → half-width, upper-cased (USCC, invoice numbers)
  integer  whole number
  amount   money in yuan, DECIMAL(18,2): thousands separators, ￥/¥/元, and 万 / 亿 handled
  date     a calendar date: 2026-03-01, 2026/3/1, 2026年3月1日, 20260301, Excel serials
  boolean  是/否, true/false, 1/0, Y/N
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


class DatasetKind(models.TextChoices):
    VENDORS = "vendors", "供应商"
    EMPLOYEES = "employees", "员工"
    PURCHASE_ORDERS = "purchase_orders", "采购订单"
    PAYMENTS = "payments", "付款记录"
    CONTRACTS = "contracts", "合同"
    CONTRACT_AMENDMENTS = "contract_amendments", "合同变更"
    TENDERS = "tenders", "招标项目"
    BIDS = "bids", "投标记录"
    OCDS = "ocds", "公共采购数据（OCDS）"


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Schema:
    kind: str
    columns: tuple[Column, ...]
    #: Columns whose combination must be unique within one load (duplicate keys are errors).
    key: tuple[str, ...] = ()
    #: The date column the dataset page reports a range for.
    date_column: str = ""
    formats: tuple[str, ...] = field(default=("csv", "xlsx", "parquet"))

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, label: str, type_: str, *aliases: str, required: bool = False,
       help: str = "") -> Column:
    return Column(name, label, type_, required, (label, *aliases), help)


SCHEMAS: dict[str, Schema] = {
    DatasetKind.VENDORS: Schema(
        DatasetKind.VENDORS,
        (
            _c("vendor_id", "供应商编号", "code", "供应商代码", "vendor id", "supplier_id",
               required=True),
            _c("name", "供应商名称", "text", "名称", "单位名称", "vendor name", "supplier",
               required=True),
            _c("uscc", "统一社会信用代码", "code", "信用代码", "uscc", "credit code"),
            _c("legal_representative", "法定代表人", "text", "法人", "legal representative"),
            _c("phone", "联系电话", "text", "电话", "手机", "phone", "telephone"),
            _c("bank_account", "银行账号", "text", "收款账号", "账号", "bank account"),
            _c("address", "地址", "text", "注册地址", "经营地址", "address"),
            _c("registered_on", "登记日期", "date", "建档日期", "准入日期", "registered on",
               "created"),
        ),
        key=("vendor_id",), date_column="registered_on",
    ),
    DatasetKind.EMPLOYEES: Schema(
        DatasetKind.EMPLOYEES,
        (
            _c("employee_id", "工号", "code", "员工编号", "employee id", "staff id", required=True),
            _c("name", "姓名", "text", "员工姓名", "name", required=True),
            _c("department", "部门", "text", "所属部门", "department"),
            _c("post", "岗位", "text", "职务", "position", "post"),
            _c("phone", "联系电话", "text", "电话", "手机", "phone"),
            _c("bank_account", "银行账号", "text", "工资卡号", "账号", "bank account"),
            _c("address", "住址", "text", "地址", "家庭住址", "address"),
            _c("hired_on", "入职日期", "date", "hired on", "hire date"),
        ),
        key=("employee_id",), date_column="hired_on",
    ),
    DatasetKind.PURCHASE_ORDERS: Schema(
        DatasetKind.PURCHASE_ORDERS,
        (
            _c("order_id", "订单编号", "code", "采购订单号", "order id", "po number",
               required=True),
            _c("unit", "采购单位", "text", "需求部门", "部门", "buying unit", "unit",
               required=True),
            _c("vendor_id", "供应商编号", "code", "供应商代码", "vendor id", required=True),
            _c("amount", "订单金额", "amount", "金额", "amount", required=True),
            _c("ordered_on", "下单日期", "date", "订单日期", "日期", "order date",
               required=True),
            _c("approver", "审批人", "text", "approver"),
            _c("description", "采购内容", "text", "摘要", "description"),
        ),
        key=("order_id",), date_column="ordered_on",
    ),
    DatasetKind.PAYMENTS: Schema(
        DatasetKind.PAYMENTS,
        (
            _c("payment_id", "付款编号", "code", "付款单号", "凭证号", "payment id",
               required=True),
            _c("unit", "付款单位", "text", "部门", "buying unit", "unit", required=True),
            _c("vendor_id", "供应商编号", "code", "收款方编号", "vendor id", required=True),
            _c("amount", "付款金额", "amount", "金额", "amount", required=True),
            _c("paid_on", "付款日期", "date", "日期", "payment date", "paid on",
               required=True),
            _c("invoice_no", "发票号码", "code", "发票号", "invoice number", "invoice no"),
            _c("order_id", "订单编号", "code", "采购订单号", "order id"),
            _c("description", "摘要", "text", "付款事由", "description"),
        ),
        key=("payment_id",), date_column="paid_on",
    ),
    DatasetKind.CONTRACTS: Schema(
        DatasetKind.CONTRACTS,
        (
            _c("contract_id", "合同编号", "code", "contract id", required=True),
            _c("unit", "签约单位", "text", "采购单位", "unit", required=True),
            _c("vendor_id", "供应商编号", "code", "vendor id", required=True),
            _c("amount", "合同金额", "amount", "金额", "amount", required=True),
            _c("signed_on", "签订日期", "date", "签约日期", "signed on", required=True),
            _c("tender_id", "招标项目编号", "code", "项目编号", "tender id"),
            _c("title", "合同名称", "text", "title"),
        ),
        key=("contract_id",), date_column="signed_on",
    ),
    DatasetKind.CONTRACT_AMENDMENTS: Schema(
        DatasetKind.CONTRACT_AMENDMENTS,
        (
            _c("amendment_id", "变更编号", "code", "amendment id", required=True),
            _c("contract_id", "合同编号", "code", "contract id", required=True),
            _c("amount_change", "变更金额", "amount", "增减金额", "amount change",
               required=True, help="增加为正，减少为负"),
            _c("amended_on", "变更日期", "date", "amended on", required=True),
            _c("reason", "变更原因", "text", "reason"),
        ),
        key=("amendment_id",), date_column="amended_on",
    ),
    DatasetKind.TENDERS: Schema(
        DatasetKind.TENDERS,
        (
            _c("tender_id", "招标项目编号", "code", "项目编号", "tender id", required=True),
            _c("unit", "采购单位", "text", "招标人", "unit", "buyer", required=True),
            _c("title", "项目名称", "text", "title"),
            _c("method", "采购方式", "text", "招标方式", "procurement method"),
            _c("published_on", "公告日期", "date", "发布日期", "published on", required=True),
            _c("deadline_on", "投标截止日期", "date", "截止日期", "deadline", required=True),
            _c("budget", "预算金额", "amount", "预算", "budget"),
            _c("awarded_vendor_id", "中标供应商编号", "code", "中标人编号", "winner id"),
            _c("awarded_amount", "中标金额", "amount", "成交金额", "award amount"),
        ),
        key=("tender_id",), date_column="published_on",
    ),
    DatasetKind.BIDS: Schema(
        DatasetKind.BIDS,
        (
            _c("bid_id", "投标编号", "code", "bid id", required=True),
            _c("tender_id", "招标项目编号", "code", "项目编号", "tender id", required=True),
            _c("vendor_id", "投标人编号", "code", "供应商编号", "vendor id", required=True),
            _c("amount", "投标报价", "amount", "报价", "金额", "bid amount", required=True),
            _c("submitted_on", "投标日期", "date", "递交日期", "submitted on"),
            _c("won", "是否中标", "boolean", "中标", "won", "winner"),
        ),
        key=("bid_id",), date_column="submitted_on",
    ),
    DatasetKind.OCDS: Schema(DatasetKind.OCDS, (), formats=("jsonl",)),
}
