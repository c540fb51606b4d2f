from django.urls import path

from opora.identification import views

app_name = "identification"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/approve/", views.approve, name="approve"),
    path("runs/<int:pk>/compare/", views.compare_choose, name="compare_choose"),
    path("runs/<int:pk>/compare/<int:other_pk>/", views.compare, name="compare"),
    path("runs/<int:pk>/schools/<str:code>/", views.verdict_detail, name="verdict"),
    path("runs/<int:pk>/report.<str:fmt>", views.report, name="report"),
    path("runs/<int:pk>/selection/", views.selection, name="selection"),
    path("runs/<int:pk>/partners/", views.partners, name="partners"),
]
