"""Loading rule files: find them, parse them keeping every node's position, merge, validate, check, hash.

``load_rules`` either returns rules that every later stage can trust, or raises ``RuleErrors`` with
every problem it found, each pointing at the file, line and column the author has to change.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import types
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import LiteralScalarString

from service.rules.checks import Unchecked, check_rules
from service.rules.env import expand, find_references, unresolved
from service.rules.errors import (
    Location,
    NodePath,
    NodePosition,
    RuleError,
    RuleErrors,
    SourceMap,
    did_you_mean,
)
from service.rules.models import AlertRule, CueLists, ItemSpec, LanguageCues, RuleSet, SubscriberSpec
from service.rules.yaml_limits import shape_error, size_error

SECTIONS = ("sources", "items", "alerts", "subscribers", "cues")
#: Sections that map names to definitions, and what one definition is called in messages.
NAMED_SECTIONS = {"sources": "source", "items": "item", "subscribers": "subscriber"}
RULE_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".test.yaml", ".test.yml")


@dataclass(frozen=True)
class LoadedRules:
    """A validated rule set, the files it came from, and a hash that identifies its content."""

    rules: RuleSet
    files: list[str]
    hash: str
    source_map: SourceMap = field(compare=False, repr=False)


#: A check that needs a later stage (rendering templates, loading apprise URLs): given the validated
#: rules (or the part that validated) and where each node was written, the problems it finds.
RuleCheck = Callable[[RuleSet, SourceMap], list[RuleError]]


def load_rules(
    paths: Sequence[str | Path], env: Mapping[str, str] | None = None, checks: Sequence[RuleCheck] = ()
) -> LoadedRules:
    """Load, merge and check the rule files at ``paths`` (files, or directories searched recursively).

    ``env`` fills ``${VAR}`` references (default: the process environment); ``checks`` run after the
    rule checks, on what validated. Raises RuleErrors with every problem found; nothing is returned, and
    so nothing changes, unless the rules are entirely valid.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    files, errors = rule_files(paths)
    merger = _Merger(os.environ if env is None else env)
    all_parsed = True
    for name in files:
        parsed = _parse(name)
        if isinstance(parsed, RuleError):
            errors.append(parsed)
            all_parsed = False
        else:
            merger.add_file(name, *parsed)
    errors.extend(merger.errors)
    try:
        rules = RuleSet.model_validate(merger.data)
    except ValidationError as exc:
        errors.extend(_translate(error, merger.source_map) for error in exc.errors())
        # Check what did validate too, so that one typo does not hide every other problem.
        valid = _valid_part(merger.data, exc)
        if valid is not None and all_parsed:
            errors.extend(check_rules(valid.rules, merger.source_map, unchecked=valid.unchecked))
            errors.extend(_run_checks(checks, valid.rules, merger.source_map))
        raise RuleErrors(errors) from None
    # Cross-references need every file: with one unparsed, they would blame names defined in it.
    if all_parsed:
        errors.extend(check_rules(rules, merger.source_map))
        errors.extend(_run_checks(checks, rules, merger.source_map))
    if errors:
        raise RuleErrors(errors)
    return LoadedRules(rules=rules, files=files, hash=rules_hash(rules), source_map=merger.source_map)


def _run_checks(checks: Sequence[RuleCheck], rules: RuleSet, where: SourceMap) -> list[RuleError]:
    errors: list[RuleError] = []
    for check in checks:
        errors.extend(check(rules, where))
    return errors


@dataclass(frozen=True)
class _ValidPart:
    rules: RuleSet
    unchecked: Unchecked


def _valid_part(data: dict[str, Any], failure: ValidationError) -> _ValidPart | None:
    """The rule set without what failed validation, and the names of the definitions that did.

    A definition with invalid fields is checked without them wherever that is sound, so that one typo
    does not hide the other problems of the same definition: an alert or subscriber is kept without its
    invalid fields; an item's patterns are checked (the item itself stays out: alerts cannot be judged
    against states or tags that did not validate).
    """
    broken: dict[Hashable, dict[Hashable, set[Hashable]]] = {section: {} for section in SECTIONS}
    for error in failure.errors():
        loc = error["loc"]
        if len(loc) < 2:
            return None
        fields = broken[loc[0]].setdefault(loc[1], set())
        fields.add(loc[2] if len(loc) > 2 and error["type"] != "missing" else "\x00whole")
    partial_items: dict[str, ItemSpec] = {}
    for name, fields in broken["items"].items():
        repaired = _without(data["items"][name], fields, ItemSpec, {"title": ""})
        if isinstance(repaired, ItemSpec) and "kind" not in fields:
            partial_items[str(name)] = repaired
    part: dict[str, Any] = {"items": {k: v for k, v in data["items"].items() if k not in broken["items"]}}
    part["sources"] = {k: v for k, v in data["sources"].items() if k not in broken["sources"]}
    part["subscribers"] = {}
    for name, value in data["subscribers"].items():
        kept = value if name not in broken["subscribers"] else _without(value, broken["subscribers"][name],
                                                                       SubscriberSpec, {})
        if kept is not None:
            part["subscribers"][name] = kept if isinstance(kept, dict) else kept.model_dump(by_alias=True)
    # A broken alert keeps its index (and so every position of the alerts after it): without its invalid
    # fields, or as a nameless one that matches nothing checkable.
    part["alerts"] = []
    for index, alert in enumerate(data["alerts"]):
        placeholder = {"name": f"\x00unchecked-{index}"}
        kept = alert if index not in broken["alerts"] else _without(alert, broken["alerts"][index], AlertRule,
                                                                   placeholder)
        part["alerts"].append(placeholder if kept is None else kept if isinstance(kept, dict)
                              else kept.model_dump(by_alias=True, exclude_unset=True))
    part["cues"] = {} if broken["cues"] else data["cues"]
    try:
        rules = RuleSet.model_validate(part)
    except ValidationError:
        return None
    unchecked = Unchecked(
        items=frozenset(map(str, broken["items"])),
        subscribers=frozenset(map(str, broken["subscribers"])),
        partial_items=partial_items,
        tags_known=all(str(name) in partial_items and "tags" not in fields for name, fields in broken["items"].items()),
    )
    return _ValidPart(rules, unchecked)


def _without(value: Any, fields: set[Hashable], model: type[BaseModel], defaults: dict[str, Any]) -> Any:
    """``value`` (a definition) validated as ``model`` without its invalid ``fields`` (required ones
    filled from ``defaults``), or None when that is not possible."""
    if not isinstance(value, dict) or "\x00whole" in fields and not defaults:
        return None
    kept = {key: item for key, item in value.items() if key not in fields}
    for key, default in defaults.items():
        kept.setdefault(key, default)
    try:
        return model.model_validate(kept)
    except (ValidationError, TypeError):
        return None


def rules_hash(rules: RuleSet) -> str:
    """The sha256 of the rule set's canonical JSON: equal for equal rules, whichever files held them.

    Subscriber URLs are hashed with their ``${VAR}`` references unexpanded, so neither secrets nor the
    machine's environment change it.
    """
    canonical = json.dumps(
        rules.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_rule_test_file(path: Path) -> bool:
    """Whether ``path`` is a rule test file (``*.test.yaml``), which ``vigil test`` runs."""
    return path.name.endswith(TEST_SUFFIXES)


def rule_files(paths: Sequence[str | Path]) -> tuple[list[str], list[RuleError]]:
    """The rule files named by ``paths``, directories expanded (sorted, recursive, skipping hidden
    entries and rule test files), and an error for every path that names none."""
    files: list[str] = []
    errors: list[RuleError] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                (candidate for candidate in path.rglob("*") if _is_rule_file(path, candidate)),
                key=lambda candidate: candidate.relative_to(path).parts,
            )
            if not found:
                errors.append(RuleError(str(path), 1, 1, "no rule files (*.yaml, *.yml) in this directory"))
        elif path.is_file():
            if is_rule_test_file(path):
                errors.append(RuleError(str(path), 1, 1, "this is a rule test file; run it with `vigil test`"))
                continue
            found = [path]
        else:
            errors.append(RuleError(str(path), 1, 1, "no such file or directory"))
            continue
        for candidate in found:
            if candidate.resolve() not in seen:
                seen.add(candidate.resolve())
                files.append(str(candidate))
    return files, errors


def _is_rule_file(root: Path, candidate: Path) -> bool:
    hidden = any(part.startswith(".") for part in candidate.relative_to(root).parts)
    return (
        not hidden and candidate.suffix in RULE_SUFFIXES and candidate.is_file() and not is_rule_test_file(candidate)
    )


def _parse(name: str) -> tuple[str, Any] | RuleError:
    """The file's text and its round-trip YAML tree (which knows every node's line and column)."""
    try:
        too_large = size_error(name, Path(name).stat().st_size)
        if too_large is not None:
            return too_large
        text = Path(name).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(exc.object[: exc.start].decode("utf-8", errors="replace"))
        return RuleError(name, line, col, "not UTF-8 text")
    except OSError as exc:
        return RuleError(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")
    bad_shape = shape_error(name, text)
    if bad_shape is not None:
        return bad_shape
    try:
        return text, YAML(typ="rt").load(text)
    except (RecursionError, MemoryError):  # the shape limits should prevent both; never a traceback
        return RuleError(name, 1, 1, "the file is too large or too deeply nested to load")
    except DuplicateKeyError as exc:
        return _duplicate_key_error(name, text, exc)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context
        if exc.context and exc.problem and exc.problem.startswith("but "):
            problem = f"{exc.context}, {exc.problem}"  # "expected a single document..., but found another"
        return RuleError(name, line, col, f"invalid YAML: {problem}")
    except ReaderError as exc:
        line, col = _line_col(text[: exc.position])
        return RuleError(name, line, col, f"invalid YAML: {exc.reason}")
    except YAMLError as exc:
        return RuleError(name, 1, 1, f"invalid YAML: {exc}")


def _line_col(before: str) -> tuple[int, int]:
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


#: Names and texts of the rules are recorded in the log, and PostgreSQL cannot store U+0000 in JSON.
_NUL_MESSAGE = "a NUL character (\\0) is not allowed here: the event log cannot record it"

_DUPLICATE = re.compile(r'found duplicate key "(?P<key>.*)" with value')


def _duplicate_key_error(name: str, text: str, exc: DuplicateKeyError) -> RuleError:
    mark, start = exc.problem_mark, exc.context_mark
    match = _DUPLICATE.search(exc.problem or "")
    if mark is None or match is None:
        return RuleError(name, 1, 1, f"invalid YAML: {exc.problem}")
    key = match["key"]
    message = f"duplicate key '{key}' in this mapping"
    # ruamel names the mapping, not the first key: find the first key at the same indentation.
    lines = text.splitlines()
    for number in range(start.line if start else 0, mark.line):
        written = lines[number]
        if re.match(re.escape(key) + r"\s*:", written[mark.column :]) and not written[: mark.column].strip(" -"):
            message += f" (first defined on line {number + 1})"
            break
    return RuleError(name, mark.line + 1, mark.column + 1, message)


class _Merger:
    """Turns parsed files into one plain-data rule set, recording positions and expanding ``${VAR}``."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.source_map = SourceMap()
        self.errors: list[RuleError] = []
        self.data: dict[str, Any] = {"sources": {}, "items": {}, "alerts": [], "subscribers": {}, "cues": {}}

    def add_file(self, name: str, text: str, root: Any) -> None:
        """Merge one parsed file into the rule set."""
        if root is None:
            return  # an empty file (or only comments) declares nothing, which is fine
        walker = _Walker(name, text.splitlines(), self.env, self.source_map, self.errors)
        if not isinstance(root, CommentedMap):
            self.errors.append(
                walker.location(_node_start(root)).error(
                    f"a rule file is a mapping of sections ({', '.join(SECTIONS)})"
                )
            )
            return
        for section in root:
            at = walker.location(_key_position(root, section))
            if section not in SECTIONS:
                self.errors.append(at.error(f"unknown section '{section}'{did_you_mean(section, SECTIONS)}"))
                continue
            self.source_map.add((section,), NodePosition(key=at, value=at, scalar=False))
            value = root[section]
            if value is None:
                continue
            if section in NAMED_SECTIONS:
                self._add_named(walker, section, value, at)
            elif section == "alerts":
                self._add_alerts(walker, value, at)
            else:
                self._add_cues(walker, value, at)

    def _add_named(self, walker: _Walker, section: str, value: Any, at: Location) -> None:
        kind = NAMED_SECTIONS[section]
        if not isinstance(value, CommentedMap):
            self.errors.append(at.error(f"'{section}' should be a mapping of {kind} names to {kind}s"))
            return
        merged = self.data[section]
        for key in value:
            key_at = walker.location(_key_position(value, key))
            name = _plain_key(key)
            if isinstance(name, str) and "\x00" in name:
                self.errors.append(key_at.error(_NUL_MESSAGE))
                continue
            if name in merged:
                first = self.source_map.key((section, name))
                self.errors.append(key_at.error(f"{kind} '{name}' is already defined at {first}"))
                continue
            merged[name] = walker.convert(value[key], (section, name), key_at, _value_position(value, key))

    def _add_alerts(self, walker: _Walker, value: Any, at: Location) -> None:
        if not isinstance(value, CommentedSeq):
            self.errors.append(at.error("'alerts' should be a list of alert rules"))
            return
        alerts = self.data["alerts"]
        for index, rule in enumerate(value):
            alerts.append(walker.convert(rule, ("alerts", len(alerts)), None, value.lc.item(index)))

    def _add_cues(self, walker: _Walker, value: Any, at: Location, language: str | None = None) -> None:
        """Merge one file's cue lists into the others' (English at the top, ``uk:`` and ``ru:`` inside)."""
        section = "cues" if language is None else f"cues.{language}"
        if not isinstance(value, CommentedMap):
            self.errors.append(at.error(f"'{section}' should be a mapping of cue lists"))
            return
        allowed = list(CueLists.model_fields if language is None else LanguageCues.model_fields)
        base: tuple[str, ...] = ("cues",) if language is None else ("cues", language)
        merged_lists = self.data["cues"] if language is None else self.data["cues"].setdefault(language, {})
        for key in value:
            key_at = walker.location(_key_position(value, key))
            if key not in allowed:
                self.errors.append(key_at.error(f"unknown cue list '{key}'{did_you_mean(key, allowed)}"))
                continue
            phrases = value[key]
            if phrases is None:
                continue
            if key in LANGUAGE_CUE_KEYS:
                self._add_cues(walker, phrases, key_at, key)
                continue
            if not isinstance(phrases, CommentedSeq):
                self.errors.append(key_at.error(f"'{key}' should be a list of phrases"))
                continue
            self.source_map.add((*base, key), NodePosition(key=key_at, value=key_at, scalar=False))
            merged = merged_lists.setdefault(key, [])
            for index, phrase in enumerate(phrases):
                merged.append(walker.convert(phrase, (*base, key, len(merged)), None, phrases.lc.item(index)))


#: The keys of ``cues:`` that hold another language's lists rather than phrases.
LANGUAGE_CUE_KEYS = frozenset(CueLists.model_fields) - frozenset(LanguageCues.model_fields)


class _Walker:
    """Converts one file's YAML nodes to plain Python values, recording where each was written."""

    def __init__(
        self, file: str, lines: list[str], env: Mapping[str, str], source_map: SourceMap, errors: list[RuleError]
    ) -> None:
        self.file = file
        self.lines = lines
        self.env = env
        self.source_map = source_map
        self.errors = errors
        self._open: set[int] = set()  # containers being converted, to stop at a recursive alias

    def location(self, position: tuple[int, int]) -> Location:
        """A 1-based Location from ruamel's 0-based (line, column)."""
        return Location(self.file, position[0] + 1, position[1] + 1)

    def convert(self, node: Any, path: NodePath, key: Location | None, position: tuple[int, int]) -> Any:
        """The plain value of ``node`` (at ``path``), whose value starts at ``position``."""
        at = self.location(position)
        if key is not None and isinstance(path[-1], str) and "\x00" in path[-1]:
            self.errors.append(key.error(_NUL_MESSAGE))  # a key at any depth, e.g. a state's name
        if isinstance(node, CommentedMap | CommentedSeq):
            if id(node) in self._open:
                self.errors.append((key or at).error("a YAML alias refers to itself"))
                return None
            self.source_map.add(path, NodePosition(key=key, value=at, scalar=False))
            self._open.add(id(node))
            try:
                if isinstance(node, CommentedMap):
                    return {
                        _plain_key(child): self.convert(
                            node[child], (*path, _plain_key(child)),
                            self.location(_key_position(node, child)), _value_position(node, child),
                        )
                        for child in node
                    }
                return [
                    self.convert(item, (*path, index), None, node.lc.item(index)) for index, item in enumerate(node)
                ]
            finally:
                self._open.discard(id(node))
        if node is None:
            # ruamel places a missing value after its key (often on the next line): blame the key.
            self.source_map.add(path, NodePosition(key=key, value=key or at, scalar=True))
            return None
        if isinstance(node, str):
            if "\x00" in node:
                self.errors.append(at.error(_NUL_MESSAGE))
            line, col = position
            # Block scalars continue on the following lines; one extra line per line break suffices.
            following: list[str] = []
            if isinstance(node, LiteralScalarString):
                following = self.lines[line + 1 : line + 2 + node.count("\n")]
            raw = "\n".join([self.lines[line][col:] if line < len(self.lines) else "", *following])
            self.source_map.add(path, NodePosition(key=key, value=at, scalar=True, text=str(node), raw=raw))
            return self._expand(str(node), path)
        self.source_map.add(path, NodePosition(key=key, value=at, scalar=True))
        return _plain_scalar(node)

    def _expand(self, text: str, path: NodePath) -> str:
        if not _holds_secrets(path):
            named = _operator_variables(self.env)
            refused = [reference for reference in find_references(text) if reference.name not in named]
            for reference in refused:
                self.errors.append(
                    self.source_map.within(path, reference.offset).error(
                        f"${{{reference.name}}} is not expanded here: environment variables fill only source and "
                        f"subscriber URLs (where secrets belong); list it in {RULE_VARIABLES} to use it elsewhere"
                    )
                )
            if refused:
                return text
        missing = unresolved(text, self.env)
        for reference in missing:
            self.errors.append(
                self.source_map.within(path, reference.offset).error(
                    f"environment variable {reference.name} is not set"
                )
            )
        if _is_subscriber_url(path):
            for reference in find_references(text):
                if reference.default is None and self.env.get(reference.name) == "":
                    self.errors.append(
                        self.source_map.within(path, reference.offset).error(
                            f"environment variable {reference.name} is empty"
                        )
                    )
            return text  # expanded only at send time, so secrets stay out of the log
        return text if missing else expand(text, self.env)


#: The environment variable in which the operator names the variables rules may use outside URLs.
RULE_VARIABLES = "VIGIL_RULE_VARIABLES"


def _operator_variables(env: Mapping[str, str]) -> set[str]:
    return {name.strip() for name in env.get(RULE_VARIABLES, "").split(",") if name.strip()}


def _holds_secrets(path: NodePath) -> bool:
    """Whether ``path`` is where a secret belongs: a source's URL or a subscriber's URL.

    Anywhere else (an item's title, a template, a pattern) a variable's value would be shown on the
    dashboard, in the Atom feed and in alerts: ``${VIGIL_API_TOKEN}`` in a title once was.
    """
    return _is_subscriber_url(path) or (len(path) == 3 and path[0] == "sources" and path[2] == "url")


def _is_subscriber_url(path: NodePath) -> bool:
    return len(path) == 4 and path[0] == "subscribers" and path[2] == "urls"


def _plain_key(key: Any) -> Hashable:
    return str(key) if isinstance(key, str) else _plain_scalar(key)


def _plain_scalar(value: Any) -> Any:
    # ruamel's round-trip scalars (HexInt, ScalarFloat, ...) carry formatting; the models want values.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _node_start(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    return (lc.line, lc.col) if lc is not None and lc.line is not None else (0, 0)


def _key_position(node: CommentedMap, key: Any) -> tuple[int, int]:
    try:
        return tuple(node.lc.key(key))  # type: ignore[return-value]
    except KeyError:  # a key merged in with "<<:" has no position of its own here
        return _node_start(node)


def _value_position(node: CommentedMap, key: Any) -> tuple[int, int]:
    try:
        return tuple(node.lc.value(key))  # type: ignore[return-value]
    except KeyError:
        return _node_start(node)


def _translate(error: ErrorDetails, source_map: SourceMap) -> RuleError:
    """A pydantic error as a RuleError at the node it is about, in the rule author's words."""
    loc: NodePath = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        return source_map.key(loc).error(f"{_describe(loc)}: the name {_message(error)}")
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = [info.alias or name for name, info in model.model_fields.items()] if model else []
        return source_map.key(loc).error(f"unknown key '{loc[-1]}'{did_you_mean(loc[-1], allowed)}")
    if kind == "missing":
        return source_map.where(loc[:-1]).error(f"{_describe(loc[:-1])} is missing required key '{loc[-1]}'")
    return source_map.where(loc).error(f"{_describe(loc)}: {_message(error)}")


def _describe(loc: NodePath) -> str:
    """What a path names, as an author would say it: "item 'ceasefire'", "'every'", "'scope[0][1]'"."""
    if len(loc) == 2 and loc[0] in NAMED_SECTIONS:
        return f"{NAMED_SECTIONS[str(loc[0])]} '{loc[1]}'"
    if len(loc) == 2 and loc[0] == "alerts":
        return "alert rule"
    if not loc:
        return "rule file"
    end = len(loc)
    while end > 1 and isinstance(loc[end - 1], int):
        end -= 1
    return "'" + str(loc[end - 1]) + "".join(f"[{index}]" for index in loc[end:]) + "'"


_MESSAGES = {
    "dict_type": "should be a mapping (key: value)",
    "model_type": "should be a mapping (key: value)",
    "model_attributes_type": "should be a mapping (key: value)",
    "list_type": "should be a list",
    "string_type": "should be text (quote it if YAML reads it as something else)",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    if kind == "too_short":
        count = context.get("min_length", 1)
        return f"should have at least {count} item{'s' if count != 1 else ''}"
    message = error["msg"].replace("Input should be", "should be")
    return message[:1].lower() + message[1:]


def _model_at(path: NodePath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for listing its allowed keys)."""
    current: Any = RuleSet
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {info.alias or name: info for name, info in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) is list:
            current = get_args(current)[0]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation
