from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("opora.api.urls")),
    path("identification/", include("opora.identification.urls")),
    path("programs/", include("opora.programs.urls")),
    path("", include("opora.web.urls")),
]
