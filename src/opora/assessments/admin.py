"""Admin for procedures, subjects and the loaded data (mostly for looking, not editing:
data change through imports, which check and audit every row)."""

from __future__ import annotations

from django.contrib import admin

from opora.assessments.models import Procedure, Result, SchoolContext, StudentResult, Subject
from opora.territory.admin import TerritoryScopedAdmin
from opora.territory.selectors import visible_schools


class ReferenceAdmin(TerritoryScopedAdmin):
    """Procedures and subjects are shared reference data a region may extend."""

    region_may_add = True
    region_may_change = True

    def scope(self, request, queryset):
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(ReferenceAdmin):
    list_display = ("name", "full_name", "scoring")
    search_fields = ("name", "full_name")


@admin.register(Subject)
class SubjectAdmin(ReferenceAdmin):
    list_display = ("name",)
    search_fields = ("name",)


class SchoolDataAdmin(TerritoryScopedAdmin):
    """Rows that belong to a school: visible when the school is."""

    list_select_related = ("school",)
    search_fields = ("school__code", "school__name")
    raw_id_fields = ("school",)

    def scope(self, request, queryset):
        return queryset.filter(school__in=visible_schools(request.user))


@admin.register(Result)
class ResultAdmin(SchoolDataAdmin):
    list_display = (
        "school",
        "year",
        "procedure",
        "subject",
        "grade",
        "participants",
        "mark_2",
        "below_min",
        "mean_score",
    )
    list_filter = ("year", "procedure", "grade", "subject")
    list_select_related = ("school", "procedure", "subject")


@admin.register(SchoolContext)
class SchoolContextAdmin(SchoolDataAdmin):
    list_display = ("school", "year", "low_income", "large_families", "social_index")
    list_filter = ("year",)


@admin.register(StudentResult)
class StudentResultAdmin(SchoolDataAdmin):
    list_display = (
        "student_id",
        "school",
        "year",
        "procedure",
        "subject",
        "grade",
        "mark",
        "score",
    )
    list_filter = ("year", "procedure", "grade")
    search_fields = ("student_id", "school__code")
    list_select_related = ("school", "procedure", "subject")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
