"""The Faust app built from Settings: the settings the brief fixes, topics with our partitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.settings import Settings
from streams.worker.app import build_app, make_topics


def test_app_settings(tmp_path: Path) -> None:
    settings = Settings(app_id="unit-app", broker="kafka://127.0.0.1:1", topic_partitions=3,
                        web_port=0, data_dir=tmp_path)
    app = build_app(settings)
    conf = app.conf
    assert conf.id == "unit-app"
    assert conf.broker_session_timeout == 10.0
    assert conf.broker_rebalance_timeout == 10.0
    assert conf.broker_heartbeat_interval == 1.0
    assert conf.consumer_auto_offset_reset == "earliest"
    assert conf.producer_acks == -1
    assert str(conf.processing_guarantee.value) == "at_least_once"
    assert conf.topic_partitions == 3
    assert 0 < conf.web_port < 65536  # port 0 means "a free one", which Faust cannot take
    assert str(conf.store) == "memory:"


def test_topics_are_raw_and_partitioned() -> None:
    settings = Settings(broker="kafka://127.0.0.1:1", topic_partitions=5, payments_topic="p",
                        alerts_topic="a", results_topic="r", dlq_topic="d", app_id="g")
    topics = make_topics(build_app(settings), settings)
    assert [t.get_topic_name() for t in (topics.payments, *topics.outputs())] == [
        "p", "a", "r", "d", "g-payments-by-debtor"]
    assert {t.partitions for t in (topics.payments, *topics.outputs())} == {5}
    assert {t.value_serializer for t in (topics.payments, *topics.outputs())} == {"raw"}


def test_local_window_partitioning_has_no_repartition_topic() -> None:
    settings = Settings(broker="kafka://127.0.0.1:1", payments_topic="p", alerts_topic="a",
                        results_topic="r", dlq_topic="d", window_partitioning="local")
    topics = make_topics(build_app(settings), settings)
    assert topics.by_debtor is None
    assert [t.get_topic_name() for t in topics.outputs()] == ["a", "r", "d"]


def test_window_partitioning_comes_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMS_WINDOW_PARTITIONING", raising=False)
    assert Settings().window_partitioning == "repartition"
    monkeypatch.setenv("STREAMS_WINDOW_PARTITIONING", "local")
    assert Settings().window_partitioning == "local"
    monkeypatch.setenv("STREAMS_WINDOW_PARTITIONING", "global")
    with pytest.raises(ValueError, match="window_partitioning"):
        Settings()


def test_the_fetch_wait_setting_reaches_the_consumer_thread(tmp_path: Path) -> None:
    settings = Settings(broker="kafka://127.0.0.1:1", web_port=0, data_dir=tmp_path,
                        fetch_max_wait_ms=12)
    app = build_app(settings)
    assert app.transport.Consumer.thread_class.fetch_max_wait_ms == 12
    other = build_app(Settings(broker="kafka://127.0.0.1:1", web_port=0, data_dir=tmp_path))
    assert other.transport.Consumer.thread_class.fetch_max_wait_ms == 40  # per app
