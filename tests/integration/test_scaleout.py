"""Two workers in one group share the partitions, and rule and list edits reach both live.

Rules and lists are files in a shared, watched location (STREAMS_RULES_DIR, and the custom
lists in its lists/ folder): every worker checks them every `reload_interval_seconds`,
swaps the screener between batches, reports the rule set version on /metrics
(`streams_ruleset_info`) and stamps both versions on every result and alert.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from reliability_support import LISTS, payments, records, stateless_rules

from streams.broker import EmbeddedBroker, free_port
from streams.harness import (
    TopicNames,
    WorkerProcess,
    collect,
    create_topics,
    metric_samples,
    metric_total,
    produce,
    scrape,
    warm_up,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PARTITIONS = 8


def _ruleset_version(port: int) -> str | None:
    text = scrape(port)
    samples = metric_samples(text, "streams_ruleset_info") if text else []
    return samples[0][0].get("version") if samples else None


def _screen(broker: EmbeddedBroker, topics: TopicNames, recs: list[tuple[bytes | None,
            bytes | None]]) -> list[dict[str, object]]:
    ids = {k.decode() for k, _ in recs if k}

    async def run() -> list[dict[str, object]]:
        await produce(broker.bootstrap, topics.payments, recs)
        collected = await collect(
            broker.bootstrap, [topics.results],
            lambda c: ids <= {r.get("payment_id") for r in c.of(topics.results)}, timeout=120)
        return [r for r in collected.of(topics.results) if r.get("payment_id") in ids]

    return asyncio.run(run())


def test_two_workers_share_partitions_and_pick_up_rule_and_list_edits(
        broker: EmbeddedBroker, unique_name: str, tmp_path: Path) -> None:
    rules_dir = stateless_rules(tmp_path / "rules")
    topics = TopicNames.unique(unique_name)
    asyncio.run(create_topics(broker.bootstrap, topics.all(), PARTITIONS))
    ports = [free_port(), free_port()]
    workers = [
        WorkerProcess(worker_env(broker.url, f"scale-{unique_name}", topics, web_port=port,
                                 data_dir=tmp_path / f"data-{i}", lists_paths=LISTS,
                                 rules_dir=rules_dir, topic_partitions=str(PARTITIONS),
                                 reload_interval_seconds="1"),
                      tmp_path / f"worker-{i}.log").start()
        for i, port in enumerate(ports)
    ]
    try:
        batches = iter(range(10_000))
        warmed = asyncio.run(warm_up(
            broker.bootstrap, topics.payments, ports,
            lambda n: records(payments(n, f"WARM{next(batches)}", 3, 0.0)), workers=workers))

        first = records(payments(2000, "SCALE", seed=11))
        results = _screen(broker, topics, first)
        assert len({r["payment_id"] for r in results}) == len(first)
        shares = [metric_total(port, "streams_screening_results_total") or 0 for port in ports]
        assert all(share > 0 for share in shares), shares  # both workers screened
        assert sum(shares) >= warmed + len(first)

        old_rules = {_ruleset_version(port) for port in ports}
        old_lists = results[0]["lists_version"]
        assert len(old_rules) == 1 and None not in old_rules
        with open(rules_dir / "jurisdictions.yaml", "a") as rule_file:
            rule_file.write("\n# reviewed: scale-out test\n")
        with open(rules_dir / "lists" / "dprk-linked-banks.yaml", "a") as list_file:
            list_file.write("\n# reviewed: scale-out test\n")

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = [_ruleset_version(port) for port in ports]
            if not old_rules & set(now):
                break
            time.sleep(0.5)
        new_rules = {_ruleset_version(port) for port in ports}
        assert len(new_rules) == 1 and not new_rules & old_rules, (old_rules, new_rules)
        assert all(w.alive() for w in workers)

        later = _screen(broker, topics, records(payments(400, "AFTER", seed=12)))
        assert {r["ruleset_version"] for r in later} == new_rules
        new_lists = {tuple(sorted(r["lists_version"].items())) for r in later}  # type: ignore[union-attr]
        assert len(new_lists) == 1
        changed = dict(next(iter(new_lists)))
        assert changed["dprk_linked_banks"] != old_lists["dprk_linked_banks"]  # type: ignore[index]
        assert {k: v for k, v in changed.items() if k != "dprk_linked_banks"} == {
            k: v for k, v in old_lists.items() if k != "dprk_linked_banks"}  # type: ignore[union-attr]
    finally:
        for worker in workers:
            worker.stop()
