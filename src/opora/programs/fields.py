"""The editable fields of a program passport and of a roadmap activity: one list for the
services, forms, views and revision diffs."""

PASSPORT_FIELDS = (
    "name",
    "order_number",
    "order_date",
    "order_url",
    "period_start",
    "period_end",
    "goal",
    "tasks",
    "expected_results",
    "coordinator",
    "working_group",
    "funding",
)
ACTIVITY_FIELDS = (
    "number",
    "title",
    "deadline",
    "responsible",
    "expected_result",
    "quality_indicator",
    "cause",
)
