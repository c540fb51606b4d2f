from django.contrib.auth import views as auth_views
from django.urls import path

from opora.web.views import downloads, imports, overview, schools

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", overview.home, name="home"),
    path("municipalities/<int:pk>/", overview.municipality_detail, name="municipality_detail"),
    path("schools/", schools.school_list, name="school_list"),
    path("schools/export.xlsx", schools.school_export, name="school_export"),
    path("schools/<str:code>/", schools.school_detail, name="school_detail"),
    path("import/", imports.import_start, name="import_start"),
    path("import/<str:token>/", imports.import_preview, name="import_preview"),
    path("import/<str:token>/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/<str:token>/cancel/", imports.import_cancel, name="import_cancel"),
    path("templates/", downloads.template_list, name="template_list"),
    path("templates/<str:kind>.xlsx", downloads.template_download, name="template_download"),
]
