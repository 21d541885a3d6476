"""Risk register pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import library, points, power_lists, register, rounds

urlpatterns = [
    *register.urlpatterns,
    *points.urlpatterns,
    *library.urlpatterns,
    *rounds.urlpatterns,
    *power_lists.urlpatterns,
]
