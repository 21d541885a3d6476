"""Registry pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import commitments, dashboard, imports, memberships, organisations, people

urlpatterns = [
    *dashboard.urlpatterns,
    *organisations.urlpatterns,
    *people.urlpatterns,
    *memberships.urlpatterns,
    *commitments.urlpatterns,
    *imports.urlpatterns,
]
