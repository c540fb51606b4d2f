"""The command line's own words in Russian: error messages, the usage line, value types.

Typer keeps a private copy of Click whose messages are English f-strings («Missing option
'--results'.»); the panel titles are Russian already (``opora.cli``). :func:`russian` turns the
known messages into Russian and leaves any other one as it is.

>>> russian("Missing option '--results'.")
'Не указан обязательный параметр «--results».'
>>> russian("No such option: --shools (Possible options: --schools, --students)")
'Нет такого параметра: --shools. Возможно, имелось в виду: --schools, --students.'
>>> russian("Invalid value for '--year': 'abc' is not a valid integer.")
'Неверное значение параметра «--year»: «abc» — не целое число.'
"""

from __future__ import annotations

import re

_KINDS = {"option": "параметр", "argument": "аргумент", "parameter": "параметр"}


def _missing(match: re.Match[str]) -> str:
    kind = _KINDS.get(match["kind"], "параметр")
    hint = _unquote(match["hint"].strip())
    tail = f" {match['tail'].strip()}" if match["tail"] and match["tail"].strip() else ""
    return f"Не указан обязательный {kind} «{hint}».{tail}"


def _no_option(match: re.Match[str]) -> str:
    text = f"Нет такого параметра: {match['name']}."
    if match["options"]:
        text += f" Возможно, имелось в виду: {match['options']}."
    return text


def _invalid(match: re.Match[str]) -> str:
    value = _value_words(match["message"].strip())
    hint = match["hint"]
    if hint is None:
        return f"Неверное значение: {value}"
    return f"Неверное значение параметра «{_unquote(hint)}»: {value}"


_VALUE_WORDS: tuple[tuple[str, str], ...] = (
    (r"^(?:Value )?'(?P<v>.*)' is not a valid (?:integer|int)\.?$", "«{v}» — не целое число."),
    (r"^(?:Value )?'(?P<v>.*)' is not a valid (?:float|number)\.?$", "«{v}» — не число."),
    (r"^(?:Value )?'(?P<v>.*)' is not a valid boolean\.?$", "«{v}» — не «да» или «нет»."),
    (r"^'(?P<v>.*)' is not one of (?P<c>.*)\.$", "«{v}» — нет среди допустимых: {c}."),
    (r"^\w+ '(?P<v>.*)' does not exist\.$", "«{v}» не существует."),
    (r"^\w+ '(?P<v>.*)' is a directory\.$", "«{v}» — это папка, а нужен файл."),
    (r"^\w+ '(?P<v>.*)' is a file\.$", "«{v}» — это файл, а нужна папка."),
)


def _value_words(message: str) -> str:
    for pattern, words in _VALUE_WORDS:
        found = re.match(pattern, message)
        if found:
            return words.format(**found.groupdict())
    return message


_MESSAGES: tuple[tuple[str, object], ...] = (
    (r"^Missing (?P<kind>option|argument|parameter):? (?P<hint>[^.]+)\.(?P<tail>.*)$", _missing),
    (r"^No such option: (?P<name>\S+?)(?: \(Possible options: (?P<options>.*)\))?$", _no_option),
    (r"^No such command '(?P<name>.*)'\.$", "Нет такой команды «{name}». Список команд: opora -h."),
    (r"^Missing command\.$", "Не указана команда. Список команд: opora -h."),
    (
        r"^Option '(?P<name>.*)' requires an argument\.$",
        "У параметра «{name}» не указано значение.",
    ),
    (
        r"^Option '(?P<name>.*)' requires (?P<n>\d+) arguments\.$",
        "У параметра «{name}» должно быть значений: {n}.",
    ),
    (r"^Option '(?P<name>.*)' does not take a value\.$", "Параметр «{name}» пишется без значения."),
    (
        r"^Got unexpected extra arguments? \((?P<extra>.*)\)$",
        "Лишние аргументы: {extra}. Проверьте кавычки вокруг путей с пробелами.",
    ),
    (r"^Invalid value(?: for (?P<hint>.+?))?: (?P<message>.*)$", _invalid),
)


def russian(message: str) -> str:
    """The Russian words of one of Click's messages (any other message unchanged)."""
    for pattern, words in _MESSAGES:
        found = re.match(pattern, message, re.DOTALL)
        if found:
            if callable(words):
                return words(found)
            return str(words).format(**found.groupdict())
    return message


def usage_words(usage: str) -> str:
    """«Usage: opora identify [OPTIONS]» → «Запуск: opora identify [ПАРАМЕТРЫ]»."""
    usage = re.sub(r"^(\s*)Usage:", r"\1Запуск:", usage)
    words = {"[OPTIONS]": "[ПАРАМЕТРЫ]", "COMMAND": "КОМАНДА", "[ARGS]...": "[АРГУМЕНТЫ]..."}
    for english, russian_word in words.items():
        usage = usage.replace(english, russian_word)
    return usage


_TYPES = {
    "int": "целое",
    "integer": "целое",
    "float": "число",
    "str": "текст",
    "text": "текст",
    "path": "путь",
    "file": "файл",
    "directory": "папка",
    "bool": "да/нет",
}


def type_words(shown: str) -> str:
    """The value type of an option in the help, in Russian: «<int>» → «<целое>»; a type
    without a Russian word (a list of choices …) stays as it is.

    >>> type_words("<path>"), type_words("<int>..."), type_words("<mark_2|below_min>")
    ('<путь>', '<целое>...', '<mark_2|below_min>')
    """
    found = re.fullmatch(r"<(?P<name>[a-z]+)>(?P<tail>(?:\.\.\.)?)", shown)
    if found is None or found["name"] not in _TYPES:
        return shown
    return f"<{_TYPES[found['name']]}>{found['tail']}"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text
