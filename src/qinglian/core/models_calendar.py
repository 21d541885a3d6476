from django.db import models


class WorkdayOverride(models.Model):
    """A day the federation declares a holiday or a make-up working day (调休上班日)."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=64, blank=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ("day",)

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_workday else '休息'}"
