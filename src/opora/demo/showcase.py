"""What a demo visitor expects to find beyond the data: an approved identification list and
a regional and a municipal support program started from the seed templates.

Everything goes through the ordinary services (rights, audit), as the region and the first
municipality would do it by hand. Re-running adds nothing when the showcase is already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from opora.accounts.models import User
from opora.territory.models import Region

ORDER_NUMBER = "01-07/412"
ORDER_DATE = dt.date(2026, 9, 1)
REGIONAL_TEMPLATE = "altai_2020"
MUNICIPAL_TEMPLATE = "krasnokutsky_2021"


@dataclass
class Showcase:
    run_id: int | None = None
    regional_program_id: int | None = None
    municipal_program_id: int | None = None
    created: bool = False


def populate_showcase(region: Region, region_user: User, municipal_user: User) -> Showcase:
    """Approve an identification run and start the regional and a municipal program."""
    from opora.identification.models import IdentificationRun
    from opora.identification.services import approve_run, run_identification
    from opora.programs.models import Program
    from opora.programs.participants import fill_from_approved_run
    from opora.programs.seed_templates import start_from_template

    shown = Showcase()
    run = IdentificationRun.objects.filter(region=region, status="approved").order_by("-pk").first()
    if run is None:
        run = run_identification(region_user, region=region)
        approve_run(region_user, run, ORDER_NUMBER, ORDER_DATE)
        shown.created = True
    shown.run_id = run.pk

    regional = Program.objects.filter(region=region, template_key=REGIONAL_TEMPLATE).first()
    if regional is None:
        regional = start_from_template(
            region_user,
            REGIONAL_TEMPLATE,
            name=f"Региональная программа поддержки ШНОР и ШНСУ «{region.name}» на 2026–2028 годы",
            period_start=dt.date(2026, 9, 1),
            period_end=dt.date(2028, 12, 31),
            order_number=ORDER_NUMBER,
            order_date=ORDER_DATE,
            # The template names real Altai institutions; the demo region is fictional.
            coordinator="ГАУ ДПО «Северо-Озёрский институт развития образования»",
            funding="За счёт средств областного бюджета и в рамках текущего финансирования "
            "образовательных организаций.",
        )
        fill_from_approved_run(region_user, regional, include_adverse_context=True)
        shown.created = True
    shown.regional_program_id = regional.pk

    municipal = Program.objects.filter(
        municipality=municipal_user.municipality, template_key=MUNICIPAL_TEMPLATE
    ).first()
    if municipal is None:
        municipal = start_from_template(
            municipal_user,
            MUNICIPAL_TEMPLATE,
            name=f"Адресная программа поддержки ШНОР: {municipal_user.municipality}, 2026–2028",
            period_start=dt.date(2026, 9, 1),
            period_end=dt.date(2028, 12, 31),
            parent=regional,
            order_number="214",
            order_date=dt.date(2026, 9, 15),
        )
        try:
            fill_from_approved_run(municipal_user, municipal)
        except ValidationError:
            pass  # a municipality without ШНОР keeps an empty, hand-made list
        shown.created = True
    shown.municipal_program_id = municipal.pk
    return shown
