"""The rule engine: evaluates the active RuleSet over one payment and explains every hit.

A rule whose condition looks at the subject only (list, identifier, set, country and text
matches: no amount, currency or window) gives the same findings for the same party, bank or
text in every payment, so its findings are remembered per subject (banks recur in almost
every payment). The memory belongs to one compiled rule set over one screener and one
ListSet: a rule reload compiles a new one, a list reload builds a new engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from pydantic import BaseModel

from streams.models import Agent, Hit, Party, Payment
from streams.pipeline import Evaluation, RuleHit
from streams.rules.allowlist import AllowList
from streams.rules.conditions import ConditionCompiler, Evaluator
from streams.rules.context import Context, Finding, ListIndex, NameScreener, Subject
from streams.rules.loader import RuleSet, walk_conditions
from streams.rules.matchers import SetTable
from streams.rules.model import (
    AGENT_ROLES,
    PARTY_ROLES,
    ROLE_GROUPS,
    AllCond,
    AnyCond,
    CountryInCond,
    IdentifierMatchCond,
    ListMatchCond,
    Macro,
    MacroCond,
    MemberOfCond,
    NotCond,
    Rule,
    TextMatchCond,
)
from streams.rules.window import InMemoryWindowStore, WindowStore

__all__ = ["CompiledRule", "RuleEngine", "subject_key", "subject_only", "subjects_of"]

#: Subjects whose findings one subject-only rule remembers before it forgets them all.
SUBJECT_MEMO_SIZE = 20_000
_SUBJECT_LEAVES = (ListMatchCond, IdentifierMatchCond, MemberOfCond, CountryInCond,
                   TextMatchCond)

SubjectKey = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its expanded roles and compiled condition."""

    rule: Rule
    roles: tuple[str, ...]
    evaluate: Evaluator
    memo: dict[SubjectKey, list[Finding] | None] | None  # None: depends on more than the subject

    def findings(self, ctx: Context, subject: Subject | None,
                 key: SubjectKey | None) -> list[Finding] | None:
        """The condition's findings on one subject, remembered under its `key` (None: not kept)."""
        memo = self.memo
        if memo is None or key is None:
            return self.evaluate(ctx, subject)
        try:
            return memo[key]
        except KeyError:
            pass
        found = self.evaluate(ctx, subject)
        if len(memo) >= SUBJECT_MEMO_SIZE:
            memo.clear()
        memo[key] = found
        return found


def subject_key(subject: Subject) -> SubjectKey:
    """Everything a subject-only condition can see of a subject, as plain values."""
    holder: Party | Agent | None = subject.party if subject.party is not None else subject.agent
    if holder is None:
        return (subject.role, subject.text)
    address = holder.address
    where = () if address is None else (address.street, address.town, address.postcode,
                                        address.country)
    if isinstance(holder, Party):
        return (subject.role, "party", holder.name, holder.account, holder.country, holder.id,
                *where)
    return (subject.role, "agent", holder.bic, holder.name, holder.country, *where)


def subject_only(cond: BaseModel, macros: dict[str, Macro]) -> bool:
    """Whether a condition looks at the subject alone (no amount, currency or window)."""
    if isinstance(cond, _SUBJECT_LEAVES):
        return True
    if isinstance(cond, AllCond):
        return all(subject_only(c, macros) for c in cond.all)
    if isinstance(cond, AnyCond):
        return all(subject_only(c, macros) for c in cond.any)
    if isinstance(cond, NotCond):
        return subject_only(cond.not_, macros)
    if isinstance(cond, MacroCond):
        return subject_only(macros[cond.use].condition, macros)
    return False


def _expand_roles(roles: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for role in roles:
        for name in ROLE_GROUPS.get(role, (role,)):
            if name not in out:
                out.append(name)
    return tuple(out)


def subjects_of(payment: Payment, role: str) -> list[Subject]:
    """The subjects a role names in this payment (none when the payment leaves it empty)."""
    if role == "intermediary_agents":
        return [Subject(f"intermediary_agents[{i}]", agent=a)
                for i, a in enumerate(payment.intermediary_agents)]
    value = getattr(payment, role)
    if value is None:
        return []
    if role in PARTY_ROLES:
        return [Subject(role, party=value)]
    if role in AGENT_ROLES:
        return [Subject(role, agent=value)]
    return [Subject(role, text=value)]


def _targets(payment: Payment, roles: tuple[str, ...],
             by_role: dict[str, list[Subject]]) -> tuple[Subject | None, ...]:
    """The subjects of `roles` in order (each role's computed once per payment), or (None,)."""
    if not roles:
        return (None,)
    out: list[Subject | None] = []
    for role in roles:
        subjects = by_role.get(role)
        if subjects is None:
            subjects = subjects_of(payment, role)
            by_role[role] = subjects
        out += subjects
    return tuple(out)


class _Compiled:
    """A RuleSet compiled for evaluation: rules, allow-list and the lowest screening score."""

    def __init__(self, ruleset: RuleSet) -> None:
        sets = SetTable(ruleset.sets)
        compiler = ConditionCompiler(sets, ruleset.macros)
        self.ruleset = ruleset
        self.rules = tuple(
            CompiledRule(rule, _expand_roles(list(rule.roles)), compiler.compile(rule.when),
                         {} if subject_only(rule.when, ruleset.macros) else None)
            for rule in ruleset.enabled_rules
        )
        self.allow = AllowList(ruleset.allow)
        scores = [100.0]
        conditions = [r.when for r in ruleset.enabled_rules]
        conditions += [m.condition for m in ruleset.macros.values()]
        for root in conditions:
            for cond, _ in walk_conditions(root, ()):
                if isinstance(cond, ListMatchCond):
                    scores.append(cond.list_match.min_score)
                elif isinstance(cond, MemberOfCond):
                    scores.append(cond.member_of.min_score)
        self.min_score_floor = min(scores)


class RuleEngine:
    """Evaluates the active rules; `replace` swaps in a new RuleSet (hot reload) atomically."""

    def __init__(
        self,
        ruleset: RuleSet,
        screener: NameScreener,
        lists: ListIndex,
        store: WindowStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.screener = screener
        self.lists = lists
        self.store: WindowStore = store if store is not None else InMemoryWindowStore()
        self.clock = clock
        self._compiled = _Compiled(ruleset)
        self.ruleset_version = ruleset.version

    @property
    def ruleset(self) -> RuleSet:
        """The active rule set."""
        return self._compiled.ruleset

    def replace(self, ruleset: RuleSet) -> None:
        """Make `ruleset` the active one; compiled first, so a failure leaves the old one."""
        compiled = _Compiled(ruleset)
        self._compiled = compiled
        self.ruleset_version = ruleset.version

    def evaluate(self, payment: Payment) -> Evaluation:
        """Every rule over the payment: hits with action and severity, and suppressed hits."""
        compiled = self._compiled
        ctx = Context(payment, self.screener, self.lists, self.store, compiled.min_score_floor)
        today: date = self.clock().date()
        evaluation = Evaluation()
        by_roles: dict[tuple[str, ...], tuple[Subject | None, ...]] = {}
        by_role: dict[str, list[Subject]] = {}
        keys: dict[int, SubjectKey] = {}  # id(subject) -> subject_key, once per payment
        for item in compiled.rules:
            ctx.rule_id = item.rule.id
            seen: set[tuple[str, str, str | None, str | None]] = set()
            targets = by_roles.get(item.roles)
            if targets is None:
                targets = _targets(payment, item.roles, by_role)
                by_roles[item.roles] = targets
            for subject in targets:
                key = None
                if item.memo is not None and subject is not None:
                    key = keys.get(id(subject))
                    if key is None:
                        key = keys[id(subject)] = subject_key(subject)
                findings = item.findings(ctx, subject, key)
                if findings is None:
                    continue
                if not findings:
                    findings = [self._fallback(item.rule, payment, subject)]
                for finding in findings:
                    if finding.identity in seen:
                        continue
                    seen.add(finding.identity)
                    hit = _to_hit(item.rule.id, finding)
                    entry = compiled.allow.match(hit, subject, today)
                    if entry is not None:
                        evaluation.suppressed.append(AllowList.suppressed(hit, entry))
                    else:
                        evaluation.hits.append(
                            RuleHit(hit, item.rule.action, item.rule.severity))
        return evaluation

    @staticmethod
    def _fallback(rule: Rule, payment: Payment, subject: Subject | None) -> Finding:
        if subject is None:
            return Finding("payment", "amount", f"{payment.amount} {payment.currency}",
                           rule.description)
        return Finding(subject.role, "role", subject.name or subject.text or "", rule.description)


def _to_hit(rule_id: str, finding: Finding) -> Hit:
    return Hit(rule_id=rule_id, role=finding.role, field=finding.field, value=finding.value,
               list=finding.list, entry_id=finding.entry_id, entry_name=finding.entry_name,
               programs=list(finding.programs), score=finding.score,
               explanation=finding.explanation)
