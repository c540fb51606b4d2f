"""The demo region: a seeded generator of a fictional Russian region (no Django).

The public API lives in :mod:`opora.demo.generator`; it is re-exported lazily so that
``python -m opora.demo.generator`` does not import the module twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opora.demo.generator import (
        Region,
        RegionSpec,
        generate_region,
        national_spec,
        write_region,
    )

__all__ = ["Region", "RegionSpec", "generate_region", "national_spec", "write_region"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from opora.demo import generator

        return getattr(generator, name)
    raise AttributeError(f"module 'opora.demo' has no attribute {name!r}")
