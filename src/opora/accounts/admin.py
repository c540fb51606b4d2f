"""Admin for users (role and territory) and the read-only audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q

from opora.accounts.models import AuditEvent, User
from opora.territory.admin import TerritoryScopedAdmin


def users_of_region(region_id: int) -> Q:
    return (
        Q(region_id=region_id)
        | Q(municipality__region_id=region_id)
        | Q(school__municipality__region_id=region_id)
        | Q(curated_schools__municipality__region_id=region_id)
    )


@admin.register(User)
class UserAdmin(TerritoryScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "territory", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "region", "municipality")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("curated_schools", "groups", "user_permissions")
    raw_id_fields = ("school",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Личные данные", {"fields": ("last_name", "first_name", "email")}),
        (
            "Роль и территория",
            {
                "fields": ("role", "region", "municipality", "school", "curated_schools"),
                "description": "Регион — для роли «регион», муниципалитет — для «муниципалитет», "
                "школа — для «школа»; куратору укажите курируемые школы.",
            },
        ),
        (
            "Права",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Даты", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "role",
                    "region",
                    "municipality",
                    "school",
                ),
            },
        ),
    )
    region_may_add = True
    region_may_change = True

    @admin.display(description="территория")
    def territory(self, user: User) -> str:
        return user.territory_label

    def scope(self, request, queryset):
        return queryset.filter(
            users_of_region(request.user.region_id), is_superuser=False
        ).distinct()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A region user manages accounts of its region, never raises anyone's privileges.
            fields += [
                "is_staff",
                "is_superuser",
                "groups",
                "user_permissions",
                "last_login",
                "date_joined",
            ]
        return fields


@admin.register(AuditEvent)
class AuditEventAdmin(TerritoryScopedAdmin):
    list_display = ("at", "user", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "user__username")
    date_hierarchy = "at"
    readonly_fields = ("at", "user", "action", "object_type", "object_id", "summary", "details")

    def scope(self, request, queryset):
        region_users = User.objects.filter(users_of_region(request.user.region_id))
        return queryset.filter(user__in=region_users)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
