"""The public disclosure portal (信用信息公示): anonymous, read-only, allow-listed fields."""

from .views import pages, reports

urlpatterns = [*pages.urlpatterns, *reports.urlpatterns]
