"""Loading rule files: safe YAML, validation errors with file, line and field, the version hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.rules.loader import RuleSetInvalid, load_ruleset

GOOD = """\
rules:
  - id: text-rule
    version: 1
    description: mentions a word
    severity: low
    action: review
    roles: [text]
    when:
      text_match: {keywords: [widget]}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def errors_of(directory: Path) -> list:
    with pytest.raises(RuleSetInvalid) as info:
        load_ruleset(directory)
    return info.value.errors


def test_good_file_loads_with_a_content_hash(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    ruleset = load_ruleset(tmp_path)
    assert [r.id for r in ruleset.rules] == ["text-rule"]
    assert ruleset.version.startswith("sha256:") and len(ruleset.version) == 23
    write(tmp_path, "a.yaml", GOOD.replace("widget", "gadget"))
    assert load_ruleset(tmp_path).version != ruleset.version


def test_tests_and_lists_directories_are_not_rule_files(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "tests/case.yaml", "cases: []")
    write(tmp_path, "lists/custom.yaml", "list_id: x")
    assert len(load_ruleset(tmp_path).files) == 1


def test_unknown_field_names_file_line_and_field(tmp_path):
    text = GOOD.replace("severity: low", "severity: low\n    colour: red")
    path = write(tmp_path, "a.yaml", text)
    [error] = errors_of(tmp_path)
    assert error.path == str(path)
    assert error.line == 6
    assert error.field == "rules[0].colour"
    assert "Extra inputs are not permitted" in error.reason


def test_bad_enum_value_says_what_was_expected(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("action: review", "action: freeze"))
    [error] = errors_of(tmp_path)
    assert (error.line, error.field) == (6, "rules[0].action")
    assert "'block', 'hold' or 'review'" in error.reason and "freeze" in error.reason


def test_unknown_operator_lists_the_operators(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("text_match: {keywords: [widget]}",
                                           "all:\n        - run_python: {code: 1}"))
    [error] = errors_of(tmp_path)
    assert error.line == 10
    assert error.field == "rules[0].when.all[0]"
    assert "exactly one operator" in error.reason and "list_match" in error.reason


def test_nested_error_points_at_the_inner_line(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace(
        "text_match: {keywords: [widget]}",
        "any:\n        - text_match: {keywords: [a]}\n        - list_match:\n"
        "            min_score: 150"))
    [error] = errors_of(tmp_path)
    assert error.line == 12
    assert error.field == "rules[0].when.any[1].list_match.min_score"


def test_every_error_of_every_file_is_reported(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("version: 1", "version: 0"))
    write(tmp_path, "b.yaml", "rules:\n  - id: Bad Id\n")
    errors = errors_of(tmp_path)
    assert {Path(e.path).name for e in errors} == {"a.yaml", "b.yaml"}
    assert any(e.field == "rules[0].version" for e in errors)
    assert any(e.field == "rules[0].when" and "Field required" in e.reason for e in errors)


def test_yaml_syntax_error_and_duplicate_keys_name_the_line(tmp_path):
    write(tmp_path, "a.yaml", "rules: [\n  {id: x\n")
    [error] = errors_of(tmp_path)
    assert "not valid YAML" in error.reason and error.line is not None
    write(tmp_path, "a.yaml", GOOD.replace("severity: low", "severity: low\n    severity: high"))
    [error] = errors_of(tmp_path)
    assert "duplicate key 'severity'" in error.reason and error.line == 6


def test_python_tags_are_refused(tmp_path):
    write(tmp_path, "a.yaml", "rules: !!python/object/apply:os.system ['true']\n")
    [error] = errors_of(tmp_path)
    assert "not valid YAML" in error.reason


def test_references_to_missing_sets_and_macros(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("text_match: {keywords: [widget]}",
                                           "any:\n        - text_match: {set: nope}\n"
                                           "        - use: missing_macro"))
    errors = errors_of(tmp_path)
    reasons = sorted(e.reason for e in errors)
    assert "no macro named 'missing_macro'" in reasons[0]
    assert "no set named 'nope'" in reasons[1]
    assert {e.line for e in errors} == {10, 11}


def test_set_of_the_wrong_kind_and_invalid_set_values(tmp_path):
    write(tmp_path, "sets.yaml", "sets:\n  words: {kind: keywords, values: [a]}\n")
    write(tmp_path, "a.yaml", GOOD.replace("roles: [text]", "roles: [parties]").replace(
        "text_match: {keywords: [widget]}", "country_in: {set: words}"))
    [error] = errors_of(tmp_path)
    assert "holds keywords; expected countries" in error.reason
    assert (error.line, error.field) == (9, "rules[0].when.country_in.set")
    write(tmp_path, "sets.yaml", "sets:\n  words: {kind: keywords, values: [a]}\n"
                                 "  bad: {kind: countries, values: [kp]}\n")
    errors = errors_of(tmp_path)
    assert any(e.field == "sets.bad" and "kp" in e.reason and e.line == 3 for e in errors)


def test_duplicate_rule_ids_across_files(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    [error] = errors_of(tmp_path)
    assert "already used" in error.reason and error.field == "rules[0].id"


def test_role_operator_without_roles_is_refused(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("    roles: [text]\n", ""))
    [error] = errors_of(tmp_path)
    assert "give the rule `roles`" in error.reason and error.line == 7


def test_macro_cycle_is_refused(tmp_path):
    write(tmp_path, "m.yaml", "macros:\n  a: {condition: {use: b}}\n  b: {condition: {use: a}}\n")
    errors = errors_of(tmp_path)
    assert any("uses itself" in e.reason for e in errors)


def test_shipped_rules_validate():
    ruleset = load_ruleset(Path(__file__).resolve().parents[3] / "rules")
    ids = {r.id for r in ruleset.rules}
    assert {"sanctioned-party", "sanctioned-bank", "nk-correspondent-bank", "nk-text-reference",
            "embargoed-jurisdiction", "structuring"} <= ids
    assert "KP" in ruleset.sets["embargoed_countries"].values
