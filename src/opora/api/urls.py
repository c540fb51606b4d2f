"""`/api/v1/` endpoints and the OpenAPI description (`/api/schema/`, `/api/docs/`, `/api/redoc/`)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from opora.api import programs_views, views
from opora.api.schema import SCHEMA_SETTINGS

router = DefaultRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("results", views.ResultViewSet, basename="result")
router.register("context", views.SchoolContextViewSet, basename="context")
router.register("procedures", views.ProcedureViewSet, basename="procedure")
router.register("subjects", views.SubjectViewSet, basename="subject")
router.register("programs", programs_views.ProgramViewSet, basename="program")
router.register("indicators", programs_views.IndicatorViewSet, basename="indicator")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(custom_settings=SCHEMA_SETTINGS), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
