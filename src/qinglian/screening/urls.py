"""Partner screening pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import compare, lists, screenings

urlpatterns = [
    *screenings.urlpatterns,
    *lists.urlpatterns,
    *compare.urlpatterns,
]
