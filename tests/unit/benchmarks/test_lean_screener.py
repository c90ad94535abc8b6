"""The lean screener that screening_speed measures for scale: blocking and scoring."""

from benchmarks.lean_screener import LeanScreener, lean_tokens
from benchmarks.screening_speed import deciding_scores, floor_recall, lowest_family

NAMES = ["DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD", "MA Xiaohong",
         "KOREA KWANGSON BANKING CORP", "Golden Trading Co", "Silver Trading Co",
         "Bronze Trading Co"]
KEYS = ["sdn:1", "sdn:2", "sdn:3", "x:4", "x:5", "x:6"]


def test_tokens_are_ascii_lower_case_without_ignored_words() -> None:
    assert lean_tokens("Ма Сяохун, Ltd.") == ["ma", "syaokhun"]
    assert lean_tokens("The Bank of Korea Co") == ["bank", "korea"]


def test_a_typo_blocks_on_one_edit_and_scores_its_entry() -> None:
    lean = LeanScreener(NAMES, KEYS)
    best = lean.best_by_entry("Dandong Hongxaing Industrial Development", cap=5)
    assert max(best, key=best.__getitem__) == "sdn:1"
    assert 80.0 < best["sdn:1"] < 100.0


def test_words_held_by_more_names_than_the_cap_do_not_block() -> None:
    lean = LeanScreener(NAMES, KEYS)
    assert lean.best_by_entry("Trading", cap=2) == {}
    assert set(lean.best_by_entry("Trading", cap=3)) == {"x:4", "x:5", "x:6"}


def test_recall_at_the_best_threshold_and_the_lowest_family() -> None:
    rows: list[dict[str, object]] = [
        {"expect": "sdn:1", "family": "typo"}, {"expect": "sdn:2", "family": "case"},
        {"expect": None}, {"expect": None}]
    best = [{"sdn:1": 90.0}, {"sdn:2": 55.0, "sdn:1": 95.0}, {"x:4": 60.0}, {}]
    deciding = deciding_scores(rows, best)
    assert deciding == [90.0, 55.0, 60.0, 0.0]
    threshold, recall, fp = floor_recall(rows, deciding)
    assert (threshold, recall, fp) == (60.01, 0.5, 0.0)
    assert lowest_family(rows, deciding, threshold) == ("case", 0.0)
