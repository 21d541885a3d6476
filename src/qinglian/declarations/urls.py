"""Declaration pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import declarations, registers, roster, rounds, thresholds

urlpatterns = [
    *declarations.urlpatterns,
    *registers.urlpatterns,
    *thresholds.urlpatterns,
    *rounds.urlpatterns,
    *roster.urlpatterns,
]
