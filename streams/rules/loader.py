"""Loading rule files: safe YAML with line numbers, validated into a RuleSet.

Every error names the file, the line and the field, and says what was expected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from streams.errors import RuleError
from streams.rules.model import (
    ROLE_OPERATORS,
    AllCond,
    AllowEntry,
    AnyCond,
    CountryInCond,
    CurrencyCond,
    Macro,
    MacroCond,
    MemberOfCond,
    NamedSet,
    NotCond,
    Rule,
    RuleFile,
    TextMatchCond,
)

__all__ = [
    "RuleSet", "RuleSetInvalid", "line_of", "load_ruleset", "parse_yaml_model", "rule_files",
    "ruleset_version", "walk_conditions",
]

M = TypeVar("M", bound=BaseModel)
SKIPPED_DIRS = frozenset({"tests", "lists"})
BUILTIN_SETS = frozenset({"nk_banks"})


class RuleSetInvalid(RuleError):
    """A rule directory with one or more invalid files; `errors` lists every one."""

    def __init__(self, errors: list[RuleError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.reason, first.line, first.field)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(Exception.__str__(e) for e in self.errors)


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys (a silent override hides mistakes)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class _Source:
    """One parsed file: its path, node tree (for line numbers) and validated content."""

    path: Path
    node: yaml.Node | None
    content: RuleFile
    text: str


@dataclass(frozen=True)
class RuleSet:
    """The validated rules, sets, macros and allow entries of one rule directory."""

    rules: tuple[Rule, ...]
    sets: dict[str, NamedSet]
    macros: dict[str, Macro]
    allow: tuple[AllowEntry, ...]
    version: str
    files: tuple[Path, ...] = field(default=())

    @property
    def enabled_rules(self) -> tuple[Rule, ...]:
        """The rules that are evaluated."""
        return tuple(r for r in self.rules if r.enabled)


def rule_files(directory: Path) -> list[Path]:
    """The YAML files of a rule directory, sorted, without tests/ and lists/."""
    if not directory.is_dir():
        raise RuleError(str(directory), "not a directory of rule files")
    found = []
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if path.suffix in (".yaml", ".yml") and path.is_file() and not (
            set(rel.parts[:-1]) & SKIPPED_DIRS
        ):
            found.append(path)
    return found


def ruleset_version(directory: Path) -> str:
    """The content hash of the rule files: `sha256:` and 16 hex digits."""
    return _content_hash(directory, [(p, p.read_text(encoding="utf-8"))
                                     for p in rule_files(directory)])


def _content_hash(directory: Path, texts: list[tuple[Path, str]]) -> str:
    digest = hashlib.sha256()
    for path, text in texts:
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(text.encode("utf-8") + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest node that `loc` reaches in the YAML node tree."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    node, line = value_node, key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
    return line


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        text = f"[{part}]" if isinstance(part, int) else str(part)
        if parts and parts[-1] == text:
            continue  # pydantic repeats the union tag of a condition
        parts.append(text)
    return ".".join(parts).replace(".[", "[")


def parse_yaml_model(path: Path, model: type[M]) -> tuple[M, yaml.Node | None, str]:
    """Safe-load one YAML file into `model`; RuleSetInvalid names file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetInvalid([RuleError(str(path), f"cannot read: {exc}")]) from exc
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RuleSetInvalid([RuleError(str(path), f"not valid YAML: {exc}", line)]) from exc
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        keys = ", ".join(model.model_fields)
        raise RuleSetInvalid([RuleError(str(path), f"expected a mapping with keys {keys}", 1)])
    try:
        content = model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = _field_path(loc)
            got = "" if err["type"] == "missing" else f" (got {err.get('input')!r:.60})"
            errors.append(RuleError(str(path), f"{err['msg']}{got}", line_of(node, loc), where))
        raise RuleSetInvalid(errors) from exc
    return content, node, text


def _parse_file(path: Path) -> _Source:
    content, node, text = parse_yaml_model(path, RuleFile)
    return _Source(path, node, content, text)


def walk_conditions(
    cond: BaseModel, loc: tuple[Any, ...]
) -> Iterator[tuple[BaseModel, tuple[Any, ...]]]:
    """Every condition inside `cond` (itself first) with its location."""
    yield cond, loc
    if isinstance(cond, (AllCond, AnyCond)):
        items = cond.all if isinstance(cond, AllCond) else cond.any
        op = "all" if isinstance(cond, AllCond) else "any"
        for i, sub in enumerate(items):
            yield from walk_conditions(sub, (*loc, op, i))
    elif isinstance(cond, NotCond):
        yield from walk_conditions(cond.not_, (*loc, "not"))


def _check_references(sources: list[_Source]) -> list[RuleError]:
    errors: list[RuleError] = []
    sets: dict[str, NamedSet] = {}
    macros: dict[str, Macro] = {}
    seen: dict[tuple[str, str], Path] = {}

    def err(src: _Source, loc: tuple[Any, ...], reason: str) -> None:
        errors.append(RuleError(str(src.path), reason, line_of(src.node, loc), _field_path(loc)))

    for src in sources:
        for kind, names in (("set", src.content.sets), ("macro", src.content.macros)):
            for name in names:
                if (kind, name) in seen:
                    err(src, (kind + "s", name), f"{kind} {name!r} is already defined in "
                        f"{seen[kind, name]}")
                seen[kind, name] = src.path
        sets.update(src.content.sets)
        macros.update(src.content.macros)
        for i, rule in enumerate(src.content.rules):
            if ("rule", rule.id) in seen:
                err(src, ("rules", i, "id"), f"rule id {rule.id!r} is already used in "
                    f"{seen['rule', rule.id]}")
            seen["rule", rule.id] = src.path

    wanted = {CountryInCond: ("countries",), TextMatchCond: ("keywords",),
              CurrencyCond: ("currencies",), MemberOfCond: ("names", "bics", "countries")}
    for src in sources:
        roots: list[tuple[BaseModel, tuple[Any, ...], bool]] = [
            (rule.when, ("rules", i, "when"), bool(rule.roles))
            for i, rule in enumerate(src.content.rules)]
        roots += [(m.condition, ("macros", n, "condition"), True)
                  for n, m in src.content.macros.items()]
        for root, base, has_roles in roots:
            for cond, loc in walk_conditions(root, base):
                op = next(iter(type(cond).model_fields))
                op_key = "not" if op == "not_" else op
                if op_key in ROLE_OPERATORS and not has_roles:
                    err(src, loc, f"operator {op_key!r} looks at a role: give the rule `roles`")
                if isinstance(cond, MacroCond) and cond.use not in macros:
                    err(src, (*loc, "use"), f"no macro named {cond.use!r}; expected one of "
                        f"{sorted(macros) or 'none defined'}")
                spec = getattr(cond, op, None)
                set_name = getattr(spec, "set", None)
                if set_name is None or type(cond) not in wanted:
                    continue
                if isinstance(cond, MemberOfCond) and (
                        set_name in BUILTIN_SETS or set_name.startswith("list:")):
                    continue
                kinds = wanted[type(cond)]
                if set_name not in sets:
                    err(src, (*loc, op_key, "set"), f"no set named {set_name!r}; expected a set "
                        f"of {' or '.join(kinds)} defined under `sets:`"
                        + (", `nk_banks` or `list:<list id>`"
                           if isinstance(cond, MemberOfCond) else ""))
                elif sets[set_name].kind not in kinds:
                    err(src, (*loc, op_key, "set"), f"set {set_name!r} holds "
                        f"{sets[set_name].kind}; expected {' or '.join(kinds)}")
    errors += _macro_cycles(macros, sources)
    return errors


def _macro_cycles(macros: dict[str, Macro], sources: list[_Source]) -> list[RuleError]:
    def uses(name: str) -> set[str]:
        found = walk_conditions(macros[name].condition, ())
        return {c.use for c, _ in found if isinstance(c, MacroCond)}

    for name in macros:
        stack, seen = [name], set()
        while stack:
            current = stack.pop()
            for used in uses(current) & set(macros):
                if used == name:
                    src = next(s for s in sources if name in s.content.macros)
                    return [RuleError(str(src.path), f"macro {name!r} uses itself",
                                      line_of(src.node, ("macros", name)), f"macros.{name}")]
                if used not in seen:
                    seen.add(used)
                    stack.append(used)
    return []


def load_ruleset(directory: Path | str) -> RuleSet:
    """Load and validate every rule file of a directory; raise RuleSetInvalid listing all errors."""
    directory = Path(directory)
    files = rule_files(directory)
    errors: list[RuleError] = []
    sources: list[_Source] = []
    for path in files:
        try:
            sources.append(_parse_file(path))
        except RuleSetInvalid as exc:
            errors += exc.errors
    errors += _check_references(sources)
    if errors:
        raise RuleSetInvalid(errors)
    return RuleSet(
        rules=tuple(r for s in sources for r in s.content.rules),
        sets={k: v for s in sources for k, v in s.content.sets.items()},
        macros={k: v for s in sources for k, v in s.content.macros.items()},
        allow=tuple(a for s in sources for a in s.content.allow),
        version=_content_hash(directory, [(s.path, s.text) for s in sources]),
        files=tuple(files),
    )
