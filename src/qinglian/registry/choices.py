"""Kinds and states of the registry's nouns."""

from django.db import models


class OrganisationKind(models.TextChoices):
    FEDERATION = "federation", "工商联"
    CHAMBER = "chamber", "商会"
    ASSOCIATION = "association", "行业协会"
    ENTERPRISE = "enterprise", "企业"
    DEPARTMENT = "department", "政府部门"


HOST_KINDS = (OrganisationKind.FEDERATION, OrganisationKind.CHAMBER, OrganisationKind.ASSOCIATION)
BODY_KINDS = (OrganisationKind.CHAMBER, OrganisationKind.ASSOCIATION)


class ChamberKind(models.TextChoices):
    INDUSTRY = "industry", "行业商会"
    HOMETOWN = "hometown", "异地商会"
    COMPREHENSIVE = "comprehensive", "综合性商会"
    ASSOCIATION = "association", "行业协会"


class Ownership(models.TextChoices):
    STATE = "state", "国有"
    PRIVATE = "private", "民营"
    FOREIGN = "foreign", "外资"
    MIXED = "mixed", "混合所有制"


class EnterpriseSize(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class EnterpriseTag(models.TextChoices):
    LISTED = "listed", "上市企业"
    UNICORN = "unicorn", "独角兽企业"
    GAZELLE = "gazelle", "瞪羚企业"
    HIGH_TECH = "high_tech", "国家高新技术企业"
    KEY = "key", "重点企业"


class PartyOrgForm(models.TextChoices):
    NONE = "none", "未建立"
    OWN = "own", "单独组建"
    JOINT = "joint", "联合组建"
    ATTACHED = "attached", "挂靠组建"


#: A party organisation may be set up alone only with at least this many full members.
OWN_PARTY_ORG_MIN_MEMBERS = 3


class PositionTitle(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
    ENTREPRENEUR = "entrepreneur", "企业家（实际控制人）"
    LIAISON = "liaison", "党建联络员"
    PRESIDENT = "president", "会长"
    VICE_PRESIDENT = "vice_president", "副会长"
    CHIEF_SUPERVISOR = "chief_supervisor", "监事长"
    SECRETARY_GENERAL = "secretary_general", "秘书长"


LEADER_TITLES = (
    PositionTitle.PRESIDENT, PositionTitle.VICE_PRESIDENT, PositionTitle.CHIEF_SUPERVISOR,
    PositionTitle.SECRETARY_GENERAL,
)


class MembershipRole(models.TextChoices):
    PRESIDENT = "president", "会长单位"
    VICE_PRESIDENT = "vice_president", "副会长单位"
    DIRECTOR = "director", "理事单位"
    SUPERVISOR = "supervisor", "监事单位"
    MEMBER = "member", "会员单位"


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", "申请中"
    ADMITTED = "admitted", "已入会"
    SUSPENDED = "suspended", "暂停"
    WITHDRAWN = "withdrawn", "已退会"
    REVOKED = "revoked", "已取消资格"


ACTIVE_MEMBERSHIP = (MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED)
OPEN_MEMBERSHIP = (MembershipStatus.APPLIED, *ACTIVE_MEMBERSHIP)
TERMINAL_MEMBERSHIP = (MembershipStatus.WITHDRAWN, MembershipStatus.REVOKED)


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行"
    SUPERSEDED = "superseded", "已被新版本替代"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"
    UNKNOWN = "", "未填写"
