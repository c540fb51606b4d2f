"""Admin for the territory, and the mixin that scopes every admin page to the user's region.

The admin is for superusers and region staff (role «регион» with «is_staff»); a region user
sees and edits only the objects of the region, like everywhere else in Опора.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from opora.accounts.audit import record
from opora.territory.models import Municipality, Region, School
from opora.territory.selectors import visible_municipalities, visible_schools

admin.site.site_header = "Опора: администрирование"
admin.site.site_title = "Опора"
admin.site.index_title = "Справочники, данные и пользователи"


def is_region_staff(user) -> bool:
    return bool(
        user.is_active and user.is_staff and user.role == "region" and user.region_id is not None
    )


class TerritoryScopedAdmin(admin.ModelAdmin):
    """Restricts querysets and choices to the user's region; permissions by role, not by
    Django's per-model permissions (a region user may manage its region's data).

    Subclasses override ``scope`` and set ``region_may_change``/``region_may_add``.
    """

    region_may_add = False
    region_may_change = False
    region_may_delete = False

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.none()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not is_region_staff(request.user):
            return queryset.none()
        return self.scope(request, queryset)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or is_region_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser or is_region_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return self._may(request, self.region_may_add)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request, self.region_may_change)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request, self.region_may_delete)

    def _may(self, request: HttpRequest, region_may: bool) -> bool:
        return request.user.is_superuser or (region_may and is_region_staff(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if not user.is_superuser:
            related = db_field.related_model
            if related is Region:
                kwargs["queryset"] = Region.objects.filter(pk=user.region_id)
            elif related is Municipality:
                kwargs["queryset"] = visible_municipalities(user)
            elif related is School:
                kwargs["queryset"] = visible_schools(user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.related_model is School:
            kwargs["queryset"] = visible_schools(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(TerritoryScopedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")

    def scope(self, request, queryset):
        return queryset.filter(pk=request.user.region_id)


@admin.register(Municipality)
class MunicipalityAdmin(TerritoryScopedAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name",)
    region_may_add = True
    region_may_change = True

    def scope(self, request, queryset):
        return queryset.filter(region_id=request.user.region_id)


@admin.register(School)
class SchoolAdmin(TerritoryScopedAdmin):
    list_display = ("code", "name", "municipality", "settlement", "kind", "students", "is_archived")
    list_filter = ("is_archived", "settlement", "kind", "municipality")
    search_fields = ("code", "name")
    list_select_related = ("municipality",)
    actions = ("archive_schools", "restore_schools")
    region_may_add = True
    region_may_change = True
    # Schools are never deleted: archive them so that their history stays.
    region_may_delete = False

    def scope(self, request, queryset):
        return queryset.filter(pk__in=visible_schools(request.user).values("pk"))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Перевести выбранные школы в архив")
    def archive_schools(self, request, queryset):
        self._set_archived(request, queryset, True)

    @admin.action(description="Вернуть выбранные школы из архива")
    def restore_schools(self, request, queryset):
        self._set_archived(request, queryset, False)

    def _set_archived(self, request, queryset, archived: bool) -> None:
        with transaction.atomic():
            schools = list(queryset.filter(is_archived=not archived))
            for school in schools:
                school.is_archived = archived
                school.save(update_fields=["is_archived"])
                record(
                    request.user,
                    "school.archive" if archived else "school.restore",
                    f"Школа {school.code} {'переведена в архив' if archived else 'возвращена из архива'}",
                    obj=school,
                )
        verb = "переведено в архив" if archived else "возвращено из архива"
        self.message_user(request, f"Школ {verb}: {len(schools)}.", messages.SUCCESS)
