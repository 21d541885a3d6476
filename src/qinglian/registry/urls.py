"""Registry pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import commitments, imports, memberships, organisations, people

urlpatterns = [
    *organisations.urlpatterns,
    *people.urlpatterns,
    *memberships.urlpatterns,
    *commitments.urlpatterns,
    *imports.urlpatterns,
]
