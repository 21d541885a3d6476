from django.urls import include, path

urlpatterns = [
    path("", include("qinglian.core.urls")),
    path("", include("qinglian.registry.urls")),
    path("evaluation/", include("qinglian.evaluation.urls")),
    path("declarations/", include("qinglian.declarations.urls")),
    path("screening/", include("qinglian.screening.urls")),
    path("risk/", include("qinglian.risk.urls")),
    path("credit/", include("qinglian.credit.urls")),
    path("api/v1/", include("qinglian.config.api_urls")),
]
