from django.urls import include, path

urlpatterns = [
    path("", include("qinglian.core.urls")),
    path("", include("qinglian.registry.urls")),
    path("evaluation/", include("qinglian.evaluation.urls")),
    path("declarations/", include("qinglian.declarations.urls")),
    path("screening/", include("qinglian.screening.urls")),
    path("risk/", include("qinglian.risk.urls")),
    path("credit/", include("qinglian.credit.urls")),
    path("monitoring/", include("qinglian.monitoring.urls")),
    path("portal/", include("qinglian.portal.urls")),
    path("api/v1/", include("qinglian.config.api_urls")),
]

# The public portal's own 404/500 look under /portal/; the site-wide templates elsewhere.
handler404 = "qinglian.portal.views.errors.not_found"
handler500 = "qinglian.portal.views.errors.server_error"
