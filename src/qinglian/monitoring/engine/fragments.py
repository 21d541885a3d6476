"""Shared SQL fragments of rules, expanded into a rule's SQL before it is parsed.

Several rules compute the same thing (the releases in scope, the quartile fence of a set of
values, split purchases over orders or over payments). The common SQL lives once, in a fragment
file beside the rules of its set, and a rule's SQL calls it where it is needed::

    -- rules/ocds/R048.sql
    WITH {{ release_scope() }},
    suppliers AS (...),
    vals AS (SELECT 1 AS grp, CAST(codes AS DOUBLE) AS v FROM suppliers),
    {{ upper_fence(values=vals) }}
    SELECT ... FROM suppliers AS s CROSS JOIN fence AS f WHERE ... >= f.upper_fence

A call ``{{ name(argument=identifier, ...) }}`` is replaced by the body of
``<the rule's folder>/fragments/<name>.sql`` (parentheses always, even without arguments), in
which each ``{{ argument }}`` is replaced by the identifier given for it. A fragment file is::

    -- What the fragment computes, what it reads and what it defines (documentation).
    -- @arguments values
    ranked AS (
      SELECT ... FROM {{ values }}
    ),
    ...

Its leading comment lines are the header: documentation, and the ``-- @arguments a, b`` line
that declares the arguments (none when absent). The header is not inserted; the rest, the body,
is inserted verbatim (trailing white space removed), so the rule writes the commas between
CTEs itself. A fragment may read the rule's ``$parameters`` (its header says which): they are
bound after expansion, like any other placeholder.

A fragment calls the fragments it reads in the same way (``single_award`` calls
``final_releases``, which calls ``release_scope``), so a rule calls only what it reads itself;
an argument of the fragment may be passed on (``{{ other(table={{ table }}) }}``). The CTEs of
a fragment and of everything it calls must not be defined again by the rule.

Only identifiers can be passed (``^[a-z_][a-z0-9_]*$``: table, CTE and column names), never an
expression or a value: the text that binding and the dialect transpiler see is plain SQL, so an
expanded rule runs on DuckDB and on Spark alike.

Anything wrong — an unknown fragment, a missing, repeated or unexpected argument, an argument
that is not an identifier, a fragment using an undeclared argument or declaring an unused one,
a fragment calling itself, a ``{{`` that is not a well-formed call — raises
:class:`FragmentError` naming the file and line, when the rule's SQL is first loaded
(``Rule.sql``).
"""

from __future__ import annotations

import re
from pathlib import Path

#: The folder of fragment files, beside the SQL files of a rule set.
FRAGMENTS_FOLDER = "fragments"

_NAME = r"[a-z_][a-z0-9_]*"
_IDENTIFIER = re.compile(rf"^{_NAME}$")
#: ``{{ name(arguments) }}`` in a rule's SQL; arguments may span lines.
_CALL = re.compile(rf"\{{\{{\s*({_NAME})\s*\(([^()]*)\)\s*\}}\}}")
#: ``{{ argument }}`` in a fragment's body.
_REFERENCE = re.compile(rf"\{{\{{\s*({_NAME})\s*\}}\}}")
_ARGUMENTS_LINE = re.compile(r"^--\s*@arguments\b(.*)$")


class FragmentError(ValueError):
    """A fragment call in a rule's SQL, or a fragment file, is not well formed."""


def load_rule_sql(sql_path: Path) -> str:
    """The SQL of the rule in ``sql_path`` with its fragment calls expanded."""
    return expand_fragments(
        sql_path.read_text(encoding="utf-8"),
        fragments_dir=sql_path.parent / FRAGMENTS_FOLDER,
        source=str(sql_path),
    )


def expand_fragments(
    sql: str, *, fragments_dir: Path, source: str, first_line: int = 1,
    calling: tuple[str, ...] = (),
) -> str:
    """``sql`` with every ``{{ name(...) }}`` replaced by that fragment of ``fragments_dir``
    (itself expanded); ``calling`` are the fragments being expanded, outermost first."""

    def where(position: int) -> str:
        line = first_line + sql.count("\n", 0, position)
        return f"{source}:{line}"

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in calling:
            chain = " → ".join((*calling, name))
            raise FragmentError(f"{where(match.start())}: fragment {name} calls itself ({chain})")
        arguments = _parse_arguments(match.group(2), where=where(match.start()))
        fragment = _read_fragment(fragments_dir, name, where=where(match.start()))
        return expand_fragments(
            fragment.expanded(arguments, where=where(match.start())),
            fragments_dir=fragments_dir, source=str(fragment.path),
            first_line=fragment.first_line, calling=(*calling, name),
        )

    calls = [match.span() for match in _CALL.finditer(sql)]
    for brace in re.finditer(r"\{\{", sql):
        if not any(start <= brace.start() < end for start, end in calls):
            text = sql[brace.start():].splitlines()[0].strip()
            raise FragmentError(
                f"{where(brace.start())}: “{text}” is not a fragment call; "
                "write {{ name(argument=identifier, ...) }}"
            )
    return _CALL.sub(expand, sql)


class _Fragment:
    """A fragment file: its declared arguments and its body."""

    def __init__(self, path: Path) -> None:
        self.path = path
        lines = path.read_text(encoding="utf-8").splitlines()
        header_length = 0
        declared: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped and not stripped.startswith("--"):
                break
            header_length += 1
            if found := _ARGUMENTS_LINE.match(stripped):
                declared += [name.strip() for name in found.group(1).split(",") if name.strip()]
        self.body = "\n".join(lines[header_length:]).rstrip()
        #: The line of the file the body starts on (for errors in the fragment's own calls).
        self.first_line = header_length + 1
        for name in declared:
            if not _IDENTIFIER.match(name):
                raise FragmentError(f"{path}: declared argument “{name}” is not an identifier")
        if len(set(declared)) != len(declared):
            raise FragmentError(f"{path}: an argument is declared twice in “@arguments”")
        self.arguments = frozenset(declared)
        if not self.body:
            raise FragmentError(f"{path}: the fragment has no SQL after its header")
        if "{{" in _REFERENCE.sub("", _CALL.sub("", self.body)):
            raise FragmentError(f"{path}: has a “{{{{” that is neither an argument {{{{ name }}}} nor a call")
        used = set(_REFERENCE.findall(self.body))
        if undeclared := sorted(used - self.arguments):
            raise FragmentError(
                f"{path}: uses {', '.join(undeclared)} not declared in “-- @arguments”"
            )
        if unused := sorted(self.arguments - used):
            raise FragmentError(f"{path}: declares {', '.join(unused)} but never uses it")

    def expanded(self, arguments: dict[str, str], *, where: str) -> str:
        name = self.path.stem
        if missing := sorted(self.arguments - arguments.keys()):
            raise FragmentError(f"{where}: fragment {name} needs argument {', '.join(missing)}")
        if extra := sorted(arguments.keys() - self.arguments):
            raise FragmentError(f"{where}: fragment {name} has no argument {', '.join(extra)}")
        return _REFERENCE.sub(lambda found: arguments[found.group(1)], self.body)


def _read_fragment(fragments_dir: Path, name: str, *, where: str) -> _Fragment:
    path = fragments_dir / f"{name}.sql"
    if not path.is_file():
        known = sorted(candidate.stem for candidate in fragments_dir.glob("*.sql"))
        raise FragmentError(
            f"{where}: unknown fragment {name} (no {path}; known: {', '.join(known) or 'none'})"
        )
    return _Fragment(path)


def _parse_arguments(text: str, *, where: str) -> dict[str, str]:
    arguments: dict[str, str] = {}
    if not text.strip():
        return arguments
    for item in text.split(","):
        name, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not _IDENTIFIER.match(name):
            raise FragmentError(f"{where}: “{item.strip()}” is not argument=identifier")
        if not _IDENTIFIER.match(value):
            raise FragmentError(
                f"{where}: the value of {name} (“{value}”) is not an identifier "
                "(lower-case letters, digits and _, not starting with a digit)"
            )
        if name in arguments:
            raise FragmentError(f"{where}: argument {name} is given twice")
        arguments[name] = value
    return arguments
