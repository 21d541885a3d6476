"""Kinds and states of the integrity index (清廉指数)."""

from django.db import models


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FROZEN = "frozen", "已启用（冻结）"
    RETIRED = "retired", "已停用"


class ScoringMethod(models.TextChoices):
    BOOLEAN = "boolean", "是/否（须附佐证）"
    LEVELS = "levels", "分档评分"
    THRESHOLDS = "thresholds", "数值（阈值分档）"
    EFFICACY = "efficacy", "数值（功效系数法）"
    COMPUTED = "computed", "平台数据自动计算"


NUMERIC_METHODS = (ScoringMethod.THRESHOLDS, ScoringMethod.EFFICACY)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SELF_ASSESSMENT = "self_assessment", "企业自评"
    CHAMBER_REVIEW = "chamber_review", "商会初审"
    FEDERATION_REVIEW = "federation_review", "工商联复核"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已关闭"


class AssessmentStatus(models.TextChoices):
    PENDING = "pending", "未开始"
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回补充"
    REVIEWED = "reviewed", "商会已审"
    PUBLISHED = "published", "已发布"


#: The enterprise may still edit its answers in these states.
EDITABLE_ASSESSMENT = (AssessmentStatus.PENDING, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


class ReviewDecision(models.TextChoices):
    PENDING = "pending", "待审"
    ACCEPTED = "accepted", "认可"
    ADJUSTED = "adjusted", "调整"
    RETURNED = "returned", "退回补充佐证"


class FindingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已认定"
    WITHDRAWN = "withdrawn", "已撤销"


class RecheckStatus(models.TextChoices):
    FILED = "filed", "待处理"
    UPHELD = "upheld", "维持原结果"
    CHANGED = "changed", "已改正"


class ExemplarStatus(models.TextChoices):
    NOMINATED = "nominated", "已推荐"
    PUBLISHED = "published", "已公布"
    WITHDRAWN = "withdrawn", "已撤回"


class EligibilityPurpose(models.TextChoices):
    AWARD = "award", "评优评先"
    POLITICAL = "political", "政治安排（人大代表、政协委员推荐）"
    EXECUTIVE = "executive", "工商联执委/常委人选"
    FOUR_GOODS = "four_goods", "“四好”商会评选"
    OTHER = "other", "其他"


class NomineeKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    PERSON = "person", "个人"


#: The grade every veto yields, whatever the framework's bands are called otherwise.
FAIL_GRADE = "不达标"

DEFAULT_GRADE_BANDS = (("标杆", 800), ("优秀", 600), ("达标", 400), (FAIL_GRADE, 0))
