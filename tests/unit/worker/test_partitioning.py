"""Kafka's default partitioning: the partition aiokafka (and the Java client) picks, every key."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.worker.partitioning import keyed_partition, murmur2


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_murmur2_is_kafkas(data: bytes) -> None:
    assert murmur2(data) == aiokafka_murmur2(data)


def test_known_values_of_kafkas_murmur2() -> None:
    # from Kafka's UtilsTest.testMurmur2 (signed ints there, unsigned here)
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF
    assert murmur2(b"foobar") == -790332482 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-long-string") == -985981536 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-longer-string") == -1486304829 & 0xFFFFFFFF
    assert murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971 & 0xFFFFFFFF
    assert murmur2(b"abc") == 479470107


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=64), st.integers(min_value=1, max_value=64))
def test_keyed_partition_is_the_default_partitioners(key: bytes, count: int) -> None:
    partitions = list(range(count))
    assert keyed_partition(key, partitions) == DefaultPartitioner()(key, partitions, partitions)
