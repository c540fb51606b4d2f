"""Support programs: regional, municipal and school levels, roadmaps, indicators, monitoring."""

from opora.programs.models.causes import CauseAnalysis, CauseRating
from opora.programs.models.indicators import (
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
)
from opora.programs.models.monitoring import ProgressReport
from opora.programs.models.programs import Level, Program, ProgramStatus, ReviewComment
from opora.programs.models.roadmaps import Activity, DuePoint, PointStatus, Section

__all__ = [
    "Activity",
    "CauseAnalysis",
    "CauseRating",
    "DuePoint",
    "Indicator",
    "IndicatorSource",
    "IndicatorTarget",
    "IndicatorUnit",
    "IndicatorValue",
    "Level",
    "PointStatus",
    "Program",
    "ProgramStatus",
    "ProgressReport",
    "ReviewComment",
    "Section",
]
