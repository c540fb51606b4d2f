"""The assessments services other layers call: import a file (plan, then apply) and export.

plan = plan_import("results", path, filename=path.name, user=request.user)
plan = apply_import("results", path, filename=path.name, user=request.user)  # or ImportRejected
table = export_table("results", request.user)
"""

from __future__ import annotations

from opora.assessments.exporting import export_table
from opora.assessments.importing import apply_import, plan_import
from opora.assessments.plans import ImportPlan, ImportRejected
from opora.formats.columns import KIND_TITLES, KINDS

__all__ = [
    "KINDS",
    "KIND_TITLES",
    "ImportPlan",
    "ImportRejected",
    "apply_import",
    "export_table",
    "plan_import",
]
