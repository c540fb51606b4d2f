"""Where a file's bytes come from and how they are spelled: spreadsheet or CSV, the text
encoding (UTF-8 with or without BOM, Windows-1251, anything else as a last resort) and the
CSV separator. Nothing here looks at the data rows."""

from __future__ import annotations

import codecs
import csv
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from opora.formats.headers import column_for_header

DELIMITERS = (";", ",", "\t")
_HEAD_BYTES = 1 << 16
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_GLOB_CHARS = set("*?[]{}'\\")

Source = str | Path | bytes | bytearray | memoryview | IO[bytes]


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is a Russian sentence for the user."""


@dataclass
class SourceFile:
    """A file given by path or by its bytes, with the name the user knows it by."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def head(self, size: int = _HEAD_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:size]
        assert self.path is not None
        with self.path.open("rb") as handle:
            return handle.read(size)

    def read_bytes(self) -> bytes:
        if self.data is None:
            assert self.path is not None
            self.data = self.path.read_bytes()
        return self.data

    def path_in(self, workdir: Path) -> Path:
        """A path DuckDB can read literally (no glob characters), copying bytes if needed."""
        if self.path is not None and not (_GLOB_CHARS & set(str(self.path))):
            return self.path
        target = workdir / "source.csv"
        if self.path is not None:
            shutil.copyfile(self.path, target)
        else:
            target.write_bytes(self.read_bytes())
        return target


def load_source(source: Source, filename: str | None) -> SourceFile:
    """Wrap a path, bytes or a binary file object.

    >>> load_source(b"a;b", "x.csv").name
    'x.csv'
    """
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise UnreadableFile(f"Файл «{path.name}» не найден.")
        return SourceFile(filename or path.name, path=path)
    if isinstance(source, bytes | bytearray | memoryview):
        return SourceFile(filename or "", data=bytes(source))
    data = source.read()
    return SourceFile(filename or str(getattr(source, "name", "")), data=data)


def is_spreadsheet(file: SourceFile) -> bool:
    """True for XLSX/XLS/ODS (by the file's signature, whatever its extension says).

    >>> is_spreadsheet(SourceFile("a.csv", data=b"PK\\x03\\x04..."))
    True
    """
    magic = file.head(4)
    return magic.startswith(_ZIP_MAGIC) or magic.startswith(_OLE_MAGIC)


def looks_utf8(file: SourceFile) -> bool:
    """Whether the beginning of the file is valid UTF-8 (a cut multi-byte tail is allowed).

    >>> looks_utf8(SourceFile("a", data="Код ОО".encode()))
    True
    >>> looks_utf8(SourceFile("a", data="Код ОО".encode("cp1251")))
    False
    """
    head = file.head()
    if head.startswith(_UTF16_BOMS):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes, kind: str) -> tuple[str, str]:
    """Decode a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, then Windows-1251; other
    encodings are guessed by charset-normalizer when Windows-1251 fails or gives a header with
    no known column. Returns the text (without BOM) and the encoding used.

    >>> decode_text("Код ОО;Год".encode("cp1251"), "context")
    ('Код ОО;Год', 'cp1251')
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and _recognised(kind, text) > 0:
        return text, "cp1251"
    guess = _guess(data)
    if guess is not None and (text is None or _recognised(kind, guess[0]) > 0):
        return guess
    if text is not None:
        return text, "cp1251"
    raise UnreadableFile(
        "Не удалось определить кодировку файла. Сохраните его как CSV в кодировке UTF-8."
    )


def _guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        return None
    return str(best), best.encoding


def _recognised(kind: str, text: str) -> int:
    headers, _ = header_fields(text, kind)
    return sum(column_for_header(kind, h) is not None for h in headers)


def header_fields(text: str, kind: str | None = None) -> tuple[list[str], str]:
    """The header cells of a CSV text and its separator: the separator that yields the most
    known columns of ``kind`` (then the most cells) wins.

    >>> header_fields('"Код ОО";Год;Участников\\r\\n1;2;3', "results")
    (['Код ОО', 'Год', 'Участников'], ';')
    """
    end = text.find("\n")
    line = (text if end < 0 else text[:end]).lstrip("\ufeff").rstrip("\r")
    best: tuple[tuple[int, int], list[str], str] | None = None
    for delimiter in DELIMITERS:
        fields = next(csv.reader([line], delimiter=delimiter), [])
        known = sum(column_for_header(kind, f) is not None for f in fields) if kind else 0
        score = (known, len(fields))
        if best is None or score > best[0]:
            best = (score, fields, delimiter)
    assert best is not None
    return best[1], best[2]


def head_text(file: SourceFile) -> str:
    """The beginning of a UTF-8 file as text (enough for the header line)."""
    head = file.head()
    return codecs.getincrementaldecoder("utf-8-sig")("replace").decode(head, final=False)
