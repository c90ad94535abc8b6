"""Hypothesis properties of the matcher (the habits rapidfuzz's own tests keep)."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sample_entities import ORG, PERSON, entity, list_set

from streams.screening.index import WEAK_ALIAS_FACTOR
from streams.screening.normalize import normalize_name
from streams.screening.screener import DEFAULT_THRESHOLD, Screener, score_pair

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)
NAME = st.lists(WORD, min_size=1, max_size=5).map(" ".join)
ANY_TEXT = st.text(max_size=80)
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(ANY_TEXT)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once.text).tokens == once.tokens


@FAST
@given(ANY_TEXT, ANY_TEXT)
def test_scores_stay_within_0_and_100(a: str, b: str) -> None:
    result = score_pair(a, b)
    assert 0.0 <= result.score <= 100.0


@FAST
@given(st.lists(NAME, min_size=1, max_size=6, unique=True), st.data())
def test_every_listed_name_and_alias_finds_its_own_entry(names: list[str],
                                                       data: st.DataObject) -> None:
    kinds = data.draw(st.lists(st.sampled_from([ORG, PERSON]), min_size=len(names),
                               max_size=len(names)))
    entities = [entity(str(i), name, kind, f"{name} alias") for i, (name, kind)
                in enumerate(zip(names, kinds))]
    screener = Screener(list_set(entities))
    for item in entities:
        hits = screener.screen_name(item.name)
        assert item.entry_id in {h.entry_id for h in hits}, item.name
        for alias in item.aliases:  # weak aliases (a lone word for a person) score lower
            hits = screener.screen_name(alias.name,
                                        min_score=DEFAULT_THRESHOLD * WEAK_ALIAS_FACTOR)
            assert item.entry_id in {h.entry_id for h in hits}, alias.name


@st.composite
def perturbed(draw: st.DrawFn) -> tuple[str, str]:
    """A name and a copy with one character deleted, inserted or replaced."""
    name = draw(NAME)
    pos = draw(st.integers(0, len(name) - 1))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    how = draw(st.sampled_from(["delete", "insert", "replace"]))
    if how == "delete":
        changed = name[:pos] + name[pos + 1:]
    elif how == "insert":
        changed = name[:pos] + letter + name[pos:]
    else:
        changed = name[:pos] + letter + name[pos + 1:]
    return name, changed


@FAST
@given(perturbed())
def test_a_perturbed_name_never_outscores_the_exact_one(pair: tuple[str, str]) -> None:
    name, changed = pair
    assume(normalize_name(name).tokens)
    exact = score_pair(name, name).score
    assert exact == 100.0
    assert score_pair(changed, name).score <= exact
    screener = Screener(list_set([entity("1", name)]))
    exact_hits = screener.screen_name(name, min_score=0.1)
    changed_hits = screener.screen_name(changed, min_score=0.1)
    assert exact_hits and exact_hits[0].score == 100.0
    assert all(h.score <= exact_hits[0].score for h in changed_hits)
