"""Choices shared by every app: the roles that decide what a user may see and do."""

from django.db import models


class Role(models.TextChoices):
    FEDERATION_OFFICER = "federation_officer", "工商联工作人员"
    CHAMBER_OFFICER = "chamber_officer", "商会/协会工作人员"
    ENTERPRISE_USER = "enterprise_user", "企业用户"
    DEPARTMENT_HANDLER = "department_handler", "部门经办人"
    AUDITOR = "auditor", "审计员"
    ADMIN = "admin", "平台管理员"


class AuditAction(models.TextChoices):
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    EVENT = "event", "事件"
