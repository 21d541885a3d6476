"""The registry: organisations, people and their positions, memberships, commitments."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from . import industries
from .choices import (
    OPEN_MEMBERSHIP,
    OWN_PARTY_ORG_MIN_MEMBERS,
    ChamberKind,
    CommitmentStatus,
    EnterpriseSize,
    Gender,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Ownership,
    PartyOrgForm,
    PositionTitle,
)
from .identifiers import name_initials, name_pinyin
from .regions import region_name


class Tag(models.Model):
    """Enterprise tags: listed, unicorn, gazelle, national high-tech, key enterprise."""

    code = models.CharField("代码", max_length=32, primary_key=True)
    name = models.CharField("名称", max_length=32, unique=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "企业标签"
        verbose_name_plural = "企业标签"
        ordering = ("sort", "code")

    def __str__(self) -> str:
        return self.name


class Organisation(TimeStampedModel):
    """A federation, chamber, association, member enterprise or government department."""

    kind = models.CharField("类型", max_length=16, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField("名称", max_length=128)
    short_name = models.CharField("简称", max_length=32, blank=True)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, null=True, blank=True,
        help_text="18 位，末位为校验码（GB 32100-2015）",
    )
    name_initials = models.CharField(max_length=128, db_index=True, editable=False)
    name_pinyin = models.CharField(max_length=512, db_index=True, editable=False)
    federation = models.ForeignKey(
        "self", verbose_name="所属工商联", null=True, blank=True, on_delete=models.PROTECT,
        related_name="jurisdiction", limit_choices_to={"kind": OrganisationKind.FEDERATION},
    )
    region = models.CharField("所在地区（行政区划代码）", max_length=6, blank=True, db_index=True)
    address = models.CharField("地址", max_length=255, blank=True)
    chamber_kind = models.CharField(
        "商会类别", max_length=16, choices=ChamberKind.choices, blank=True,
    )
    hometown_region = models.CharField("籍贯地区（异地商会）", max_length=6, blank=True)
    industry = models.CharField(
        "行业（国民经济行业大类）", max_length=2, choices=industries.DIVISION_CHOICES, blank=True,
        db_index=True,
    )
    industry_section = models.CharField(
        "行业门类", max_length=1, choices=industries.SECTION_CHOICES, blank=True, editable=False,
        db_index=True,
    )
    ownership = models.CharField(
        "所有制", max_length=16, choices=Ownership.choices, blank=True, db_index=True,
    )
    size = models.CharField("企业规模", max_length=8, choices=EnterpriseSize.choices, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="企业标签", blank=True, related_name="+")
    established_on = models.DateField("成立日期", null=True, blank=True)
    employee_count = models.PositiveIntegerField("从业人数", null=True, blank=True)
    party_org_form = models.CharField(
        "党组织组建方式", max_length=16, choices=PartyOrgForm.choices, default=PartyOrgForm.NONE,
    )
    party_member_count = models.PositiveIntegerField("正式党员人数", default=0)
    party_liaison = models.ForeignKey(
        "Person", verbose_name="党建联络员", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="liaison_for",
    )
    is_group_member = models.BooleanField("工商联团体会员", default=False)
    contact_phone = models.CharField("办公电话", max_length=32, blank=True)
    description = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        ordering = ("kind", "name_pinyin")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.ENTERPRISE) | Q(uscc__isnull=False),
                name="enterprise_has_uscc",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["kind", "federation", "name_pinyin"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_name(self) -> str:
        return region_name(self.region) or ""

    @property
    def industry_name(self) -> str:
        return industries.DIVISIONS.get(self.industry, "")

    @property
    def is_enterprise(self) -> bool:
        return self.kind == OrganisationKind.ENTERPRISE

    @property
    def is_host(self) -> bool:
        return self.kind in (
            OrganisationKind.FEDERATION, OrganisationKind.CHAMBER, OrganisationKind.ASSOCIATION,
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == OrganisationKind.ENTERPRISE and not self.uscc:
            errors["uscc"] = "企业必须填写统一社会信用代码"
        if self.region and region_name(self.region) is None:
            errors["region"] = f"“{self.region}”不是有效的现行行政区划代码"
        if self.hometown_region and region_name(self.hometown_region) is None:
            errors["hometown_region"] = f"“{self.hometown_region}”不是有效的现行行政区划代码"
        if self.kind != OrganisationKind.FEDERATION and self.federation_id is None:
            errors["federation"] = "请选择所属工商联"
        if (
            self.party_org_form == PartyOrgForm.OWN
            and self.party_member_count < OWN_PARTY_ORG_MIN_MEMBERS
        ):
            errors["party_org_form"] = (
                f"正式党员不足 {OWN_PARTY_ORG_MIN_MEMBERS} 人，不能单独组建党组织，"
                "应联合组建或挂靠组建"
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_initials = name_initials(self.name)
        self.name_pinyin = name_pinyin(self.name)
        self.industry_section = industries.SECTION_OF.get(self.industry, "")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Person(TimeStampedModel):
    """An entrepreneur, legal representative, liaison officer or chamber leader.

    The ID number and phone are stored SM4-GCM encrypted, with a keyed hash for exact search
    and a mask for display; the clear values are shown only to roles allowed to unmask.
    """

    name = models.CharField("姓名", max_length=64)
    name_initials = models.CharField(max_length=64, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, blank=True)
    federation = models.ForeignKey(
        Organisation, verbose_name="所属工商联", on_delete=models.PROTECT, related_name="+",
    )
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=20, blank=True, editable=False)
    is_party_member = models.BooleanField("中共党员", default=False)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ("name_initials", "id")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["federation", "id_number_hash"], condition=~Q(id_number_hash=""),
                name="person_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_initials = name_initials(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Position(TimeStampedModel):
    """A person's post in an organisation (legal representative, president, liaison…)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE,
                               related_name="positions")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="positions")
    title = models.CharField("职务", max_length=32, choices=PositionTitle.choices)
    start_on = models.DateField("任职日期", null=True, blank=True)
    end_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ("organisation", "title")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person", "organisation", "title"], condition=Q(end_on__isnull=True),
                name="position_unique_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_title_display()} {self.person}"

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "离任日期不能早于任职日期"})


class Membership(TimeStampedModel):
    """An enterprise's membership of a chamber (or a chamber's group membership of the federation).

    applied → admitted → suspended ↔ admitted → withdrawn / revoked; admission needs a signed
    integrity commitment (see actions.do_admit_member).
    """

    member = models.ForeignKey(Organisation, verbose_name="会员", on_delete=models.PROTECT,
                               related_name="memberships")
    organisation = models.ForeignKey(Organisation, verbose_name="所属商会/协会",
                                     on_delete=models.PROTECT, related_name="member_links")
    role = models.CharField("会员职务", max_length=16, choices=MembershipRole.choices,
                            default=MembershipRole.MEMBER)
    status = models.CharField("状态", max_length=16, choices=MembershipStatus.choices,
                              default=MembershipStatus.APPLIED, db_index=True)
    joined_on = models.DateField("入会日期", null=True, blank=True)
    left_on = models.DateField("退会日期", null=True, blank=True)
    applied_at = models.DateTimeField("申请时间", null=True, blank=True)
    admitted_at = models.DateTimeField("入会时间", null=True, blank=True)
    suspended_at = models.DateTimeField("暂停时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("退会时间", null=True, blank=True)
    revoked_at = models.DateTimeField("取消资格时间", null=True, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)

    class Meta:
        verbose_name = "会员资格"
        verbose_name_plural = "会员资格"
        ordering = ("-id",)
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["member", "organisation"],
                condition=Q(status__in=[s.value for s in OPEN_MEMBERSHIP]),
                name="membership_one_open_per_pair",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["member", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.organisation}"


class Commitment(TimeStampedModel):
    """A version of a chamber's integrity commitment letter (清廉企业共建承诺书)."""

    organisation = models.ForeignKey(Organisation, verbose_name="商会/协会",
                                     on_delete=models.PROTECT, related_name="commitments")
    version = models.PositiveIntegerField("版本号")
    title = models.CharField("标题", max_length=128, default="清廉企业共建承诺书")
    body = models.TextField("正文")
    status = models.CharField("状态", max_length=16, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.DRAFT)
    text_sha256 = models.CharField("正文 SHA-256", max_length=64, editable=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("替代时间", null=True, blank=True)

    class Meta:
        verbose_name = "清廉企业共建承诺书"
        verbose_name_plural = "清廉企业共建承诺书"
        ordering = ("organisation", "-version")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "version"],
                                    name="commitment_unique_version"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status=CommitmentStatus.PUBLISHED),
                name="commitment_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.title}（第 {self.version} 版）"

    @staticmethod
    def digest(title: str, body: str) -> str:
        return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()

    def save(self, *args: object, **kwargs: object) -> None:
        self.text_sha256 = self.digest(self.title, self.body)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def signature_scan_path(instance: Signature, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"signatures/{instance.commitment.organisation_id}/{instance.member_id}-v{instance.commitment.version}.{ext}"


class Signature(models.Model):
    """An enterprise's signature of one exact commitment version, with the hash of what it signed."""

    commitment = models.ForeignKey(Commitment, verbose_name="承诺书", on_delete=models.PROTECT,
                                   related_name="signatures")
    member = models.ForeignKey(Organisation, verbose_name="签署企业", on_delete=models.PROTECT,
                               related_name="signatures")
    signer_name = models.CharField("签署人", max_length=64)
    signer_title = models.CharField("签署人职务", max_length=32, blank=True)
    signer_person = models.ForeignKey(Person, verbose_name="签署人（人员库）", null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField("签署时间")
    text_sha256 = models.CharField("所签正文 SHA-256", max_length=64)
    scan = models.FileField("签字盖章扫描件", upload_to=signature_scan_path, blank=True)

    class Meta:
        verbose_name = "承诺书签署"
        verbose_name_plural = "承诺书签署"
        ordering = ("-signed_at",)
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["commitment", "member"], name="signature_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} 签署 {self.commitment}"
