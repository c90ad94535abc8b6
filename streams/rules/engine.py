"""The rule engine: evaluates the active RuleSet over one payment and explains every hit.

A rule whose condition looks at the subject only (list, identifier, set, country and text
matches: no amount, currency or window) gives the same findings for the same party or bank
in every payment, so its findings are remembered per subject: per role and the values of
the fields it reads (banks recur in almost every payment; a party's name recurs under another
account number, which a name-only rule does not read). An account the lists do not hold is
remembered as no account: only identifier_match reads it, and finds nothing for it. Free
text (remittance lines, purposes) has a small memory of its own: purposes recur, most
remittance lines do not, and those must not evict the parties and banks. The memory
belongs to one compiled rule set over one screener and one ListSet: a rule reload compiles a
new one, a list reload builds a new engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from operator import itemgetter
from typing import Any

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
from streams.rules.text import compact_account
from streams.rules.window import InMemoryWindowStore, WindowStore

__all__ = ["SUBJECT_FIELDS", "CompiledRule", "RuleEngine", "key_picker", "subject_key",
           "subject_only", "subject_reads", "subject_values", "subjects_of"]

#: Subjects whose findings one subject-only rule remembers before it forgets them all.
SUBJECT_MEMO_SIZE = 20_000
_SUBJECT_LEAVES = (ListMatchCond, IdentifierMatchCond, MemberOfCond, CountryInCond,
                   TextMatchCond)

SubjectKey = tuple[object, ...]
#: A rule that held for a subject: (rule index, role position in the rule, subject number
#: within the role, rule, subject, findings); sorted, the first three give the rules' order.
_Fired = tuple[int, int, int, "CompiledRule", "Subject | None", "list[Finding]"]
_RoleRule = tuple[int, int, "CompiledRule"]  # (rule index, role position in the rule, rule)
_Found = tuple[int, int, "CompiledRule", "list[Finding]"]  # a _RoleRule that held, and why
#: Subjects whose findings under every remembering rule are remembered as one row.
ROW_MEMO_SIZE = 50_000
#: Distinct free texts (purposes, remittance lines) remembered before all are forgotten.
TEXT_ROW_MEMO_SIZE = 4_096
_UNSEEN: Any = object()  # a text row not remembered (None is a remembered "nothing")


_UNKNOWN: list[Finding] = []  # a memo miss, told apart by identity from remembered results


def _fired_order(fired: _Fired) -> tuple[int, int, int]:
    return fired[0], fired[1], fired[2]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its expanded roles and compiled condition."""

    rule: Rule
    roles: tuple[str, ...]
    evaluate: Evaluator
    memo: dict[SubjectKey, list[Finding] | None] | None  # None: depends on more than the subject
    reads: tuple[str, ...] = ()  # the subject fields the condition reads (when memo is kept)
    pick: Callable[[tuple[object, ...]], SubjectKey] | None = None  # the memo key, from those

    def recall(self, ctx: Context, subject: Subject,
               values: tuple[object, ...]) -> list[Finding] | None:
        """The condition's findings on a subject with these subject_values: remembered under
        the fields it reads, evaluated the first time they are seen."""
        memo, pick = self.memo, self.pick
        if memo is None or pick is None:
            raise TypeError(f"rule {self.rule.id} depends on more than the subject")
        key = pick(values)
        found = memo.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            ctx.rule_id = self.rule.id
            found = self.evaluate(ctx, subject)
            if len(memo) >= SUBJECT_MEMO_SIZE:
                memo.clear()
            memo[key] = found
        return found


#: The subject fields a subject-only condition can read (`subject_reads` names them).
SUBJECT_FIELDS = ("name", "text", "account", "bic", "country", "address.country",
                  "address.street", "address.town")
_ACCOUNT_AT = 2 + SUBJECT_FIELDS.index("account")  # where subject_values holds it
_IDENTIFIER_FIELDS = {"bic": ("bic",), "account": ("account",), "imo": ("text", "name")}
_COUNTRY_FIELDS = {"country": ("country",), "address_country": ("address.country",),
                   "bic_country": ("bic",)}
_TEXT_FIELDS = {"text": ("text",), "name": ("name",),
                "address": ("address.street", "address.town")}


def _leaf_reads(cond: BaseModel) -> set[str]:
    if isinstance(cond, ListMatchCond):
        return {"name"}
    if isinstance(cond, IdentifierMatchCond):
        return {f for kind in cond.identifier_match.kinds for f in _IDENTIFIER_FIELDS[kind]}
    if isinstance(cond, MemberOfCond):
        # a named set of countries reads the countries too (country_in's default fields)
        return set(cond.member_of.by) | {"country", "address.country", "bic"}
    if isinstance(cond, CountryInCond):
        return {f for name in cond.country_in.fields for f in _COUNTRY_FIELDS[name]}
    if isinstance(cond, TextMatchCond):
        return {f for name in cond.text_match.fields for f in _TEXT_FIELDS[name]}
    raise TypeError(f"not a subject leaf: {type(cond).__name__}")


def subject_reads(cond: BaseModel, macros: dict[str, Macro]) -> frozenset[str] | None:
    """The subject fields a condition reads, or None when it reads more than the subject.

    None: an amount, currency or window condition somewhere in it. The fields are named as
    in SUBJECT_FIELDS.
    """
    if isinstance(cond, _SUBJECT_LEAVES):
        return frozenset(_leaf_reads(cond))
    parts: list[BaseModel]
    if isinstance(cond, AllCond):
        parts = list(cond.all)
    elif isinstance(cond, AnyCond):
        parts = list(cond.any)
    elif isinstance(cond, NotCond):
        parts = [cond.not_]
    elif isinstance(cond, MacroCond):
        parts = [macros[cond.use].condition]
    else:
        return None
    reads: set[str] = set()
    for part in parts:
        found = subject_reads(part, macros)
        if found is None:
            return None
        reads |= found
    return frozenset(reads)


def subject_only(cond: BaseModel, macros: dict[str, Macro]) -> bool:
    """Whether a condition looks at the subject alone (no amount, currency or window)."""
    return subject_reads(cond, macros) is not None


def subject_values(subject: Subject) -> tuple[object, ...]:
    """The subject's role, kind ("party", "agent", "text") and SUBJECT_FIELDS, in order."""
    if subject.party is not None:
        return party_values(subject.role, subject.party)
    if subject.agent is not None:
        return agent_values(subject.role, subject.agent)
    return (subject.role, "text", None, subject.text, None, None, None, None, None, None)


def party_values(role: str, party: Party) -> tuple[object, ...]:
    """subject_values of a party, without making its Subject."""
    address = party.address
    if address is None:
        return (role, "party", party.name, None, party.account, None, party.country,
                None, None, None)
    return (role, "party", party.name, None, party.account, None, party.country,
            address.country, address.street, address.town)


def agent_values(role: str, agent: Agent) -> tuple[object, ...]:
    """subject_values of a bank, without making its Subject."""
    address = agent.address
    if address is None:
        return (role, "agent", agent.name, None, None, agent.bic, agent.country,
                None, None, None)
    return (role, "agent", agent.name, None, None, agent.bic, agent.country,
            address.country, address.street, address.town)


def _subject(role: str, holder: Party | Agent) -> Subject:
    if isinstance(holder, Party):
        return Subject(role, party=holder)
    return Subject(role, agent=holder)


def key_picker(reads: Iterable[str]) -> Callable[[tuple[object, ...]], SubjectKey]:
    """Picks role, kind and the fields in `reads` out of subject_values: a memo key.

    The role is part of it because findings name it.
    """
    return itemgetter(0, 1, *(2 + SUBJECT_FIELDS.index(f) for f in sorted(reads)))


def subject_key(subject: Subject, reads: Iterable[str] = SUBJECT_FIELDS) -> SubjectKey:
    """What a condition reading `reads` can see of a subject (by default: every field)."""
    return key_picker(reads)(subject_values(subject))


def _expand_roles(roles: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for role in roles:
        for name in ROLE_GROUPS.get(role, (role,)):
            if name not in out:
                out.append(name)
    return tuple(out)


def _role_kind(role: str) -> str:
    """What a role holds, as subjects_of reads it: party, agent, intermediary or text."""
    if role == "intermediary_agents":
        return "intermediary"
    return "party" if role in PARTY_ROLES else "agent" if role in AGENT_ROLES else "text"


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


class _Compiled:
    """A RuleSet compiled for evaluation: rules, allow-list and the lowest screening score."""

    def __init__(self, ruleset: RuleSet) -> None:
        sets = SetTable(ruleset.sets)
        compiler = ConditionCompiler(sets, ruleset.macros)
        self.ruleset = ruleset
        self.rules = tuple(
            self._compile(rule, compiler, ruleset.macros) for rule in ruleset.enabled_rules)
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
        # The remembering rules, by the role they look at: evaluated subject by subject, one
        # row lookup per subject. The other rules keep rule order (windows have side effects).
        by_role: dict[str, list[_RoleRule]] = {}
        self.other_rules: list[tuple[int, CompiledRule]] = []
        for index, item in enumerate(self.rules):
            if item.memo is None or not item.roles:
                self.other_rules.append((index, item))
                continue
            for position, role in enumerate(item.roles):
                by_role.setdefault(role, []).append((index, position, item))
        self.remembering_roles = tuple((role, _role_kind(role), tuple(rules))
                                       for role, rules in by_role.items())
        #: subject values -> what every remembering rule of its role found (None: nothing)
        self.rows: dict[tuple[object, ...], tuple[_Found, ...] | None] = {}
        #: (role, free text) -> what the remembering rules of its role found (None: nothing)
        self.text_rows: dict[tuple[str, str], tuple[_Found, ...] | None] = {}

    @staticmethod
    def _compile(rule: Rule, compiler: ConditionCompiler, macros: dict[str, Macro]
                 ) -> CompiledRule:
        reads = subject_reads(rule.when, macros)
        if reads is None:
            return CompiledRule(rule, _expand_roles(list(rule.roles)),
                                compiler.compile(rule.when), None)
        return CompiledRule(rule, _expand_roles(list(rule.roles)), compiler.compile(rule.when),
                            {}, tuple(sorted(reads)), key_picker(reads))


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
        fired: list[_Fired] = []
        by_role: dict[str, list[Subject]] = {}
        rows = compiled.rows
        # Subjects are made only when a rule runs or holds: most parties and banks are
        # remembered, and most rows hold nothing.
        for role, kind, rules in compiled.remembering_roles:
            if kind == "intermediary":
                holders: Sequence[tuple[str, Party | Agent]] = [
                    (f"intermediary_agents[{i}]", a)
                    for i, a in enumerate(payment.intermediary_agents)]
            else:
                value = getattr(payment, role)
                if value is None:  # most payments leave most roles empty
                    continue
                if kind == "text":
                    fired += self._text_fired(ctx, compiled.text_rows, role, value, rules)
                    continue
                holders = ((role, value),)
            for number, (name, holder) in enumerate(holders):
                values = self._memo_values(
                    party_values(name, holder) if isinstance(holder, Party)
                    else agent_values(name, holder))
                subject: Subject | None = None
                try:
                    row = rows[values]
                except KeyError:
                    subject = _subject(name, holder)
                    row = self._row(ctx, subject, values, rules)
                    if len(rows) >= ROW_MEMO_SIZE:
                        rows.clear()
                    rows[values] = row
                if row is not None:  # the row is this subject's: its allow-list check reads it
                    if subject is None:
                        subject = _subject(name, holder)
                    fired += [(index, position, number, item, subject, findings)
                              for index, position, item, findings in row]
        for index, item in compiled.other_rules:
            ctx.rule_id = item.rule.id
            for position, number, target in self._targets(payment, item.roles, by_role):
                findings = item.evaluate(ctx, target)
                if findings is not None:
                    fired.append((index, position, number, item, target, findings))
        evaluation = Evaluation()
        if fired:
            fired.sort(key=_fired_order)
            self._collect(payment, fired, evaluation)
        return evaluation

    @staticmethod
    def _row(ctx: Context, subject: Subject, values: tuple[object, ...],
             rules: tuple[_RoleRule, ...]) -> tuple[_Found, ...] | None:
        """What each remembering rule of a role finds for one subject (None: nothing).

        The row holds no subject: subjects with the same values may still differ in what
        the rules do not read (an unlisted account), which the allow-list may match on.
        """
        row: list[_Found] = []
        for index, position, item in rules:
            findings = item.recall(ctx, subject, values)
            if findings is not None:
                row.append((index, position, item, findings))
        return tuple(row) if row else None

    @staticmethod
    def _text_fired(ctx: Context, text_rows: dict[tuple[str, str], tuple[_Found, ...] | None],
                    role: str, text: str, rules: tuple[_RoleRule, ...]) -> list[_Fired]:
        """What the rules of a free-text role find in it, remembered apart from the rules'
        memos: purposes and some remittance lines recur, most lines do not, and those must not
        evict the parties and banks."""
        key = (role, text)
        row = text_rows.get(key, _UNSEEN)
        subject = None
        if row is _UNSEEN:
            subject = Subject(role, text=text)
            found: list[_Found] = []
            for index, position, item in rules:
                ctx.rule_id = item.rule.id
                findings = item.evaluate(ctx, subject)
                if findings is not None:
                    found.append((index, position, item, findings))
            row = tuple(found) if found else None
            if len(text_rows) >= TEXT_ROW_MEMO_SIZE:
                text_rows.clear()
            text_rows[key] = row
        if row is None:
            return []
        if subject is None:
            subject = Subject(role, text=text)
        return [(index, position, 0, item, subject, findings)
                for index, position, item, findings in row]

    def _collect(self, payment: Payment, fired: list[_Fired], evaluation: Evaluation) -> None:
        """Turn the findings of the rules that held into hits (or allow-listed, suppressed).

        In rule order, then subject order; a rule reports one hit per identity.
        """
        allow = self._compiled.allow
        today: date = self.clock().date()
        current: CompiledRule | None = None
        seen: set[tuple[str, str, str | None, str | None]] = set()
        for _, _, _, item, subject, findings in fired:
            if item is not current:
                current, seen = item, set()
            if not findings:
                findings = [self._fallback(item.rule, payment, subject)]
            for finding in findings:
                if finding.identity in seen:
                    continue
                seen.add(finding.identity)
                hit = _to_hit(item.rule.id, finding)
                entry = allow.match(hit, subject, today)
                if entry is not None:
                    evaluation.suppressed.append(AllowList.suppressed(hit, entry))
                else:
                    evaluation.hits.append(RuleHit(hit, item.rule.action, item.rule.severity))

    @staticmethod
    def _targets(payment: Payment, roles: tuple[str, ...], by_role: dict[str, list[Subject]]
                 ) -> list[tuple[int, int, Subject | None]]:
        """(role position, number within the role, subject) for each subject of `roles`, in
        order (each role's subjects found once per payment); one None for the whole payment."""
        if not roles:
            return [(0, 0, None)]
        out: list[tuple[int, int, Subject | None]] = []
        for position, role in enumerate(roles):
            subjects = by_role.get(role)
            if subjects is None:
                subjects = by_role[role] = subjects_of(payment, role)
            out += [(position, number, subject) for number, subject in enumerate(subjects)]
        return out

    def _memo_values(self, values: tuple[object, ...]) -> tuple[object, ...]:
        """subject_values, with an account the lists do not hold read as no account.

        Only identifier_match reads the account, and it finds nothing for an unlisted one:
        so a party seen before under a new (unlisted) account number is remembered.
        """
        account = values[_ACCOUNT_AT]
        if account is not None and not self.lists.by_identifier(
                "account", compact_account(str(account))):
            return (*values[:_ACCOUNT_AT], None, *values[_ACCOUNT_AT + 1:])
        return values

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
