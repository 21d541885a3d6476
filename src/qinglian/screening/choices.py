"""Kinds and states of partner screening (尽职调查)."""

from django.db import models


class ListKind(models.TextChoices):
    OWN = "own", "本单位限制名单"
    EXTERNAL = "external", "外部名单"


class InputKind(models.TextChoices):
    SINGLE = "single", "单个录入"
    PASTE = "paste", "粘贴名单"
    UPLOAD = "upload", "上传文件"


class HitMethod(models.TextChoices):
    USCC = "uscc", "统一社会信用代码"
    NAME = "name", "名称相似"


class HitStatus(models.TextChoices):
    OPEN = "open", "待复核"
    CONFIRMED = "confirmed", "确认命中"
    FALSE_POSITIVE = "false_positive", "误报"


REVIEWED = frozenset({HitStatus.CONFIRMED, HitStatus.FALSE_POSITIVE})
