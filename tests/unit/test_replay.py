"""Replay: generated payments give the expected alerts; bad lines are reported, not fatal."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from streams.assembly import lists_paths_for, screener_for
from streams.generate import PaymentGenerator
from streams.models import Alert
from streams.replay import compare_rulesets, payments_of, replay
from streams.rules.loader import load_ruleset
from streams.screening.listset import load_lists
from streams.settings import SAMPLE_LISTS_DIR

REPO_RULES = Path(__file__).resolve().parents[2] / "rules"
EXPECTED_RULE = {"listed_party": "sanctioned-party", "listed_bank": "sanctioned-bank",
                 "kp_bank": "nk-correspondent-bank"}


@pytest.fixture(scope="module")
def sample_lists():
    return load_lists(lists_paths_for([SAMPLE_LISTS_DIR], REPO_RULES))


@pytest.fixture(scope="module")
def generated(sample_lists, tmp_path_factory) -> tuple[Path, dict[str, str | None]]:
    """3,000 deterministic payments, a tenth touching a list, as a JSON Lines file."""
    generator = PaymentGenerator(list(sample_lists.entities()), seed=7, flagged_share=0.1)
    path = tmp_path_factory.mktemp("replay") / "payments.jsonl"
    reasons: dict[str, str | None] = {}
    with path.open("w") as out:
        for item in generator.take(3000):
            reasons[item.payment["payment_id"]] = item.flag_reason
            out.write(json.dumps(item.payment) + "\n")
    return path, reasons


def _replay(path: Path, screener) -> tuple[list[Alert], list, list, object]:
    alerts, results, bad = [], [], []

    def on_outcome(outcome):
        results.append(outcome.result)
        if outcome.alert:
            alerts.append(outcome.alert)

    with path.open("rb") as stream:
        stats = replay(stream, screener, on_outcome=on_outcome, on_bad_line=bad.append)
    return alerts, results, bad, stats


def test_replay_flags_exactly_the_payments_that_touch_a_list(generated, sample_lists):
    path, reasons = generated
    screener = screener_for(sample_lists, load_ruleset(REPO_RULES))
    alerts, results, bad, stats = _replay(path, screener)
    assert bad == [] and stats.payments == len(results) == 3000
    flagged = {a.payment_id for a in alerts}
    expected = {pid for pid, reason in reasons.items() if reason}
    assert 200 < len(expected) < 400
    assert flagged == expected
    for alert in alerts:
        kind, _, role = reasons[alert.payment_id].rpartition(":")
        rule = EXPECTED_RULE[kind.split(":")[0]]
        roles = {h.role.split("[")[0] for h in alert.hits if h.rule_id == rule}
        assert role in roles, (alert.payment_id, reasons[alert.payment_id], alert.hits)
        assert alert.ruleset_version == screener.ruleset_version
    assert {r.decision for r in results if r.payment_id not in expected} == {"clear"}


def test_replay_is_deterministic_in_alert_ids(generated, sample_lists):
    path, _ = generated
    ruleset = load_ruleset(REPO_RULES)
    first = [a.alert_id for a in _replay(path, screener_for(sample_lists, ruleset))[0]]
    second = [a.alert_id for a in _replay(path, screener_for(sample_lists, ruleset))[0]]
    assert first == second and len(set(first)) == len(first)


def test_bad_lines_are_reported_with_their_number_and_skipped(sample_lists, make_line):
    lines = [make_line("A"), "not json", "", json.dumps({"payment_id": "B"}), make_line("C")]
    stream = io.BytesIO("\n".join(lines).encode())
    bad = []
    stats = replay(stream, screener_for(sample_lists, load_ruleset(REPO_RULES)),
                   on_bad_line=bad.append)
    assert stats.payments == 2 and stats.bad_lines == 2
    assert [(b.line, b.error_type) for b in bad] == [(2, "json"), (4, "validation")]
    assert "created_at" in bad[1].error


def test_compare_reports_added_removed_and_by_rule(generated, sample_lists, tmp_path):
    path, reasons = generated
    other = tmp_path / "rules"
    shutil.copytree(REPO_RULES, other)
    (other / "sanctioned-parties.yaml").unlink()
    (other / "tests" / "sanctioned-parties.yaml").unlink()
    payments = payments_of(path)[:1000]
    comparison = compare_rulesets(payments, screener_for(sample_lists, load_ruleset(REPO_RULES)),
                                  screener_for(sample_lists, load_ruleset(other)))
    assert comparison.payments == 1000
    assert comparison.added == []
    assert comparison.removed  # payments flagged only because of a listed party
    assert comparison.by_rule["sanctioned-party"]["removed"] >= len(comparison.removed)
    assert "added" not in comparison.by_rule.get("structuring", {})
    assert "sanctioned-party: +0 -" in comparison.report()


@pytest.fixture
def make_line():
    def factory(pid: str) -> str:
        return json.dumps({
            "payment_id": pid, "created_at": "2026-01-01T00:00:00Z", "amount": "10",
            "currency": "EUR", "debtor": {"name": "A Co"}, "creditor": {"name": "B Co"},
            "debtor_agent": {"bic": "COBADEFF"}, "creditor_agent": {"bic": "BNPAFRPP"}})
    return factory


FORMAT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("name", "payments"),
    [("scenario-2016.pacs008.xml", 1), ("scenario-2016.mt103.txt", 1), ("pacs008-multi.xml", 3)],
)
def test_replay_reads_pacs008_and_mt103_files(sample_lists, name, payments):
    screener = screener_for(sample_lists, load_ruleset(REPO_RULES))
    alerts, results, bad, stats = _replay(FORMAT_FIXTURES / name, screener)
    assert bad == [] and stats.payments == len(results) == payments
    assert alerts, "the fixtures carry the 2016 scenario, which must be flagged"


def test_replay_gives_the_same_alert_for_every_format_of_one_payment(sample_lists):
    screener = screener_for(sample_lists, load_ruleset(REPO_RULES))
    ids = set()
    for name in ("scenario-2016.pacs008.xml", "scenario-2016.mt103.txt"):
        alerts, _, _, _ = _replay(FORMAT_FIXTURES / name, screener)
        ids.update(a.alert_id for a in alerts)
    assert len(ids) == 1


def test_replay_reports_a_hostile_message_file_as_one_bad_line(sample_lists):
    screener = screener_for(sample_lists, load_ruleset(REPO_RULES))
    alerts, results, bad, _ = _replay(FORMAT_FIXTURES / "hostile" / "billion-laughs.xml", screener)
    assert (alerts, results) == ([], [])
    assert len(bad) == 1 and "DTD" in bad[0].error
