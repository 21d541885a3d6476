"""Credit pages. Each views module owns its own urlpatterns; this file only joins them."""

from .views import (
    dashboard,
    documents,
    dual_publicity,
    listings,
    mine,
    objections,
    pledges,
    ratings,
    records,
    repairs,
    windows,
)

urlpatterns = [
    *dashboard.urlpatterns,
    *records.urlpatterns,
    *dual_publicity.urlpatterns,
    *windows.urlpatterns,
    *pledges.urlpatterns,
    *ratings.urlpatterns,
    *listings.urlpatterns,
    *mine.urlpatterns,
    *objections.urlpatterns,
    *repairs.urlpatterns,
    *documents.urlpatterns,
]
