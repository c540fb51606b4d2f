"""The registry of documents: one module per document registers one exporter class.

Adding a report touches one file::

    @register
    class IdentificationReport(Exporter):
        key = "identification"
        title = "Справка о результатах выявления"
        formats = ("docx", "pdf")

        def render(self, fmt, **params):
            ...
            return Document(content, fmt, "Справка.docx")

Pages list the available documents from :func:`available` and fetch one with :func:`get`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Document:
    content: bytes
    fmt: str
    filename: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]


class Exporter:
    """A document that can be produced in one or more formats."""

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    formats: ClassVar[tuple[str, ...]] = ()

    def render(self, fmt: str, **params: Any) -> Document:  # pragma: no cover - abstract
        raise NotImplementedError


_REGISTRY: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator: make an exporter available under its key."""
    if not cls.key or not cls.formats:
        raise ValueError(f"{cls.__name__}: укажите key и formats.")
    if cls.key in _REGISTRY and _REGISTRY[cls.key] is not cls:
        raise ValueError(f"Документ с ключом «{cls.key}» уже зарегистрирован.")
    _REGISTRY[cls.key] = cls
    return cls


def get(key: str) -> Exporter:
    _load_builtin()
    try:
        return _REGISTRY[key]()
    except KeyError:
        raise KeyError(f"Документ «{key}» не найден.") from None


def available() -> list[type[Exporter]]:
    _load_builtin()
    return sorted(_REGISTRY.values(), key=lambda cls: cls.title)


def _load_builtin() -> None:
    """Import every module of this package once, so that each document's @register runs and
    adding a document stays a one-file change."""
    import importlib
    import pkgutil

    import opora.reports as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "registry":
            importlib.import_module(f"{package.__name__}.{module.name}")
