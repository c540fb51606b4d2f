from django.urls import path

from opora.programs.views import (
    causes,
    files,
    indicators,
    monitoring,
    programs,
    reports,
    roadmap,
    workflow,
)

app_name = "programs"

urlpatterns = [
    path("", programs.index, name="index"),
    path("new/", programs.create, name="create"),
    path("monitoring/", monitoring.overview, name="monitoring"),
    path("causes/", causes.index, name="causes"),
    path("causes/<str:code>/<int:year>/", causes.edit, name="cause_form"),
    path("<int:pk>/", programs.detail, name="detail"),
    path("<int:pk>/passport/", programs.edit_passport, name="edit_passport"),
    path("<int:pk>/participants/", programs.participants, name="participants"),
    path(
        "<int:pk>/participants/from-run/",
        programs.participants_from_run,
        name="participants_from_run",
    ),
    path("<int:pk>/sections/new/", roadmap.add_section, name="add_section"),
    path("<int:pk>/activities/new/", roadmap.add_activity, name="add_activity"),
    path("<int:pk>/activities/<int:activity_id>/", roadmap.edit_activity, name="edit_activity"),
    path(
        "<int:pk>/activities/<int:activity_id>/delete/",
        roadmap.delete_activity,
        name="delete_activity",
    ),
    path("<int:pk>/points/<int:point_id>/", roadmap.update_point, name="update_point"),
    path("<int:pk>/submit/", workflow.submit, name="submit"),
    path("<int:pk>/review/", workflow.review, name="review"),
    path("<int:pk>/comment/", workflow.comment, name="comment"),
    path("<int:pk>/revise/", workflow.revise, name="revise"),
    path("<int:pk>/diff/", workflow.diff, name="diff"),
    path("<int:pk>/history/", workflow.history, name="history"),
    path("<int:pk>/indicators/", indicators.indicators, name="indicators"),
    path("<int:pk>/indicators/preset/", indicators.add_preset, name="add_preset"),
    path(
        "<int:pk>/indicators/<int:indicator_id>/report/", indicators.report, name="indicator_report"
    ),
    path(
        "<int:pk>/indicators/<int:indicator_id>/<int:year>/",
        indicators.drill,
        name="indicator_drill",
    ),
    path("<int:pk>/monitoring/", monitoring.program_periods, name="program_monitoring"),
    path("<int:pk>/report.<str:fmt>", reports.monitoring_report, name="monitoring_report"),
    path("<int:pk>/export.docx", files.export_docx, name="export_docx"),
    path("<int:pk>/export.xlsx", files.export_xlsx, name="export_xlsx"),
    path("<int:pk>/import/", files.import_start, name="import_start"),
    path("<int:pk>/import/<str:token>/", files.import_preview, name="import_preview"),
    path("<int:pk>/import/<str:token>/cancel/", files.import_cancel, name="import_cancel"),
]
