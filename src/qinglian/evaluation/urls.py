"""Integrity-index pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import assessments, campaigns, eligibility, frameworks, results

urlpatterns = [
    *frameworks.urlpatterns,
    *campaigns.urlpatterns,
    *assessments.urlpatterns,
    *results.urlpatterns,
    *eligibility.urlpatterns,
]
