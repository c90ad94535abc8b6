"""The format agents' specs: a topic setting each, and decoders bound to the size limit."""

from __future__ import annotations

import pytest

from streams.errors import FormatError
from streams.settings import Settings
from streams.worker.format_agents import FORMAT_AGENTS


def test_each_format_has_its_own_topic_setting() -> None:
    topics = {Settings.model_fields[spec.topic_setting].default for spec in FORMAT_AGENTS}
    assert topics == {"payments.pacs008", "payments.mt103"}
    assert {spec.source for spec in FORMAT_AGENTS} == {"pacs008", "mt103"}


@pytest.mark.parametrize("spec", FORMAT_AGENTS, ids=lambda s: s.name)
def test_decoder_is_bound_to_the_size_limit(spec, fixture_bytes) -> None:
    raw = fixture_bytes("scenario-2016.pacs008.xml" if spec.source == "pacs008"
                        else "scenario-2016.mt103.txt")
    [payment] = spec.decoder(1_000_000)(raw)
    assert payment.payment_id == "DHID1609150042"
    with pytest.raises(FormatError) as caught:
        spec.decoder(len(raw) - 1)(raw)
    assert caught.value.error_type == "too_large"
