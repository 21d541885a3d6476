"""URLs of the early-warning app (/monitoring/): each page module owns its urlpatterns."""

from __future__ import annotations

from django.urls import URLPattern

from .views import alerts, dashboard, datasets, runs

urlpatterns: list[URLPattern] = [
    *datasets.urlpatterns,
    *runs.urlpatterns,
    *alerts.urlpatterns,
    *dashboard.urlpatterns,
]
