"""Kinds and states of the risk register's nouns, and the level bands of the 5 × 5 matrix."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class BusinessArea(models.TextChoices):
    """The business areas where integrity risk points typically sit (SZDB/Z 245-2017 practice)."""

    PROCUREMENT = "procurement", "物资采购"
    TENDERING = "tendering", "招标投标"
    FINANCE = "finance", "财务管理"
    CONSTRUCTION = "construction", "工程建设"
    QUALITY = "quality", "质量管理"
    SALES = "sales", "市场营销"
    PERSONNEL = "personnel", "选人用人"
    PROPERTY_TRANSFER = "property_transfer", "产权转让"
    ASSET_LEASING = "asset_leasing", "资产租赁"
    RECEIVABLES = "receivables", "应收账款"
    INVESTMENT = "investment", "投资担保"
    RELATED_PARTY = "related_party", "关联交易"
    MAJOR_DECISIONS = "major_decisions", "“三重一大”决策"


class RiskLevel(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"
    MAJOR = "major", "重大"


@dataclass(frozen=True)
class LevelBand:
    level: RiskLevel
    min_score: int
    colour: str


#: Likelihood × impact (each 1–5) → level. The lowest score that reaches each band, highest
#: first: 1–4 低, 5–9 中, 10–16 高, 20–25 重大 (no product of two numbers 1–5 lies in 17–19).
LEVEL_BANDS: tuple[LevelBand, ...] = (
    LevelBand(RiskLevel.MAJOR, 20, "#9e1b1b"),
    LevelBand(RiskLevel.HIGH, 10, "#e0734a"),
    LevelBand(RiskLevel.MEDIUM, 5, "#f0c24b"),
    LevelBand(RiskLevel.LOW, 1, "#8cc49a"),
)
LEVEL_COLOURS = {band.level.value: band.colour for band in LEVEL_BANDS}
#: Highest level first, as tables and exports list them.
LEVEL_ORDER = [band.level.value for band in LEVEL_BANDS]

LIKELIHOOD_LABELS = {1: "极少发生", 2: "不太可能", 3: "可能", 4: "很可能", 5: "几乎确定"}
IMPACT_LABELS = {1: "轻微", 2: "较小", 3: "中等", 4: "较大", 5: "严重"}
SCALE = (1, 2, 3, 4, 5)


class PointStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    RETIRED = "retired", "已撤销"


class ControlStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"


class RoundKind(models.TextChoices):
    YEARLY = "yearly", "年度评估"
    AD_HOC = "ad_hoc", "专项评估"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_PROGRESS = "in_progress", "评估中"
    SUBMITTED = "submitted", "待审批"
    APPROVED = "approved", "已批准"
    RETURNED = "returned", "已退回"


#: A round in one of these states blocks a new round of the same organisation.
OPEN_ROUND = (RoundStatus.DRAFT, RoundStatus.IN_PROGRESS, RoundStatus.SUBMITTED,
              RoundStatus.RETURNED)
#: Items may be assessed in these states.
ASSESSABLE_ROUND = (RoundStatus.IN_PROGRESS, RoundStatus.RETURNED)


class ListKind(models.TextChoices):
    POWER = "power", "权力清单"
    NEGATIVE = "negative", "负面清单"


class ListStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行"
    SUPERSEDED = "superseded", "已替代"


#: Review cycles offered on the forms, in months.
REVIEW_CYCLES = ((3, "每季度"), (6, "每半年"), (12, "每年"), (24, "每两年"))
