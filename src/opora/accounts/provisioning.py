"""Creating users from the command line and the demo: a role plus a territory named in words."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from opora.accounts.audit import record
from opora.accounts.models import Role, User
from opora.territory.models import Municipality, Region, School


class ProvisioningError(Exception):
    """The role or territory cannot be used: a Russian sentence saying what to fix."""


def provision_user(
    username: str,
    *,
    role: str,
    password: str,
    territory: str | None = None,
    schools: Sequence[str] = (),
    actor: User | None = None,
    encoded_password: str | None = None,
) -> tuple[User, bool]:
    """Create or update the user `username` with `role` on `territory`: a region name (or
    code), a municipality name or a school code; a curator gets the schools listed by code.
    `encoded_password` (from `make_password(password)`) saves hashing the same password again
    for many users. Returns (user, created)."""
    username = username.strip()
    if not username:
        raise ProvisioningError("укажите логин пользователя.")
    if role not in Role.values:
        raise ProvisioningError(f"неизвестная роль «{role}». Роли: {', '.join(Role.values)}.")
    if not password:
        raise ProvisioningError("укажите пароль пользователя.")
    fields: dict[str, object] = {"region": None, "municipality": None, "school": None}
    curated: list[School] = []
    if role == Role.REGION:
        fields["region"] = _region(territory)
    elif role == Role.MUNICIPALITY:
        fields["municipality"] = _municipality(territory)
    elif role == Role.SCHOOL:
        fields["school"] = _school(territory)
    else:
        curated = _curated(schools)
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        for name, value in fields.items():
            setattr(user, name, value)
        user.role = role
        user.is_active = True
        if encoded_password is not None:
            user.password = encoded_password
        else:
            user.set_password(password)
        user.save()
        if role == Role.CURATOR:
            user.curated_schools.set(curated)
        else:
            user.curated_schools.clear()
        verb = "добавлен" if created else "изменён"
        record(
            actor,
            "user.add" if created else "user.change",
            f"Пользователь «{user.username}» {verb}: {user.get_role_display()}, "
            f"{user.territory_label}.",
            obj=user,
        )
    return user, created


def _region(territory: str | None) -> Region:
    if territory:
        name = territory.strip()
        found = Region.objects.filter(name=name).first() or Region.objects.filter(code=name).first()
        if found is None:
            raise ProvisioningError(
                f"регион «{name}» не найден. Сначала загрузите реестр школ (opora import schools …)."
            )
        return found
    regions = list(Region.objects.all()[:2])
    if len(regions) == 1:
        return regions[0]
    raise ProvisioningError("укажите регион: --territory «Название региона».")


def _municipality(territory: str | None) -> Municipality:
    if not territory:
        raise ProvisioningError("укажите муниципалитет: --territory «Название муниципалитета».")
    name = territory.strip()
    found = list(Municipality.objects.filter(name=name).select_related("region")[:2])
    if not found:
        found = list(Municipality.objects.filter(name__iexact=name).select_related("region")[:2])
    if not found:
        raise ProvisioningError(
            f"муниципалитет «{name}» не найден. Проверьте название (как в реестре школ)."
        )
    if len(found) > 1:
        raise ProvisioningError(
            f"муниципалитет «{name}» есть в нескольких регионах. Обратитесь к администратору."
        )
    return found[0]


def _school(territory: str | None) -> School:
    if not territory:
        raise ProvisioningError("укажите код школы: --territory 0101001.")
    school = School.objects.filter(code=territory.strip()).first()
    if school is None:
        raise ProvisioningError(f"школа с кодом «{territory.strip()}» не найдена в реестре.")
    return school


def _curated(codes: Sequence[str]) -> list[School]:
    wanted = [code.strip() for code in codes if code.strip()]
    if not wanted:
        raise ProvisioningError(
            "укажите курируемые школы: --schools 0101001,0101002 (коды через запятую)."
        )
    found = {s.code: s for s in School.objects.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ProvisioningError(f"школы не найдены в реестре: {', '.join(missing)}.")
    return [found[code] for code in wanted]
