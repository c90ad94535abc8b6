"""streams.logs: account numbers and IBANs never reach a log line; JSON logs parse."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from streams.logs import (
    AccountMaskFilter,
    JsonFormatter,
    configure_logging,
    logging_config,
    mask_account,
    mask_text,
)
from streams.models import Party

IBAN = "DE89370400440532013000"
IBAN_GROUPED = "GB29 NWBK 6016 1331 9268 19"
ACCOUNT = "40001234567890"


@dataclass(frozen=True)
class LogSettings:
    log_level: str = "info"
    log_json: bool = False


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("40001234567890", "**********7890"),
        ("GB29 NWBK 6016 1331 9268 19", "******************6819"),
        ("12-34-56", "**3456"),
        ("123", "***"),
        (None, None),
    ],
)
def test_mask_account_keeps_only_the_last_four(raw: str | None, masked: str | None) -> None:
    assert mask_account(raw) == masked


@pytest.mark.parametrize(
    "text",
    [
        f"payment from account={ACCOUNT} amount=5",
        f'{{"account": "{ACCOUNT}", "amount": "5"}}',
        f"debtor_account: '{ACCOUNT}'",
        f"iban {IBAN} rejected",
        f"creditor IBAN {IBAN_GROUPED}, bank X",
        repr(Party(name="Dandong Hongxiang", account=ACCOUNT)),
    ],
)
def test_mask_text_hides_accounts_and_ibans_in_every_form(text: str) -> None:
    masked = mask_text(text)
    for secret in (ACCOUNT, IBAN, IBAN_GROUPED, IBAN_GROUPED.replace(" ", "")):
        assert secret not in masked
    assert masked != text
    assert any(tail in masked for tail in ("7890", "3000", "6819"))


def test_mask_text_leaves_offsets_timestamps_and_names_alone() -> None:
    text = "payments[3]@123456789 at 1795992990 for Korea Kwangson Banking Corp amount=100"
    assert mask_text(text) == text


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger with one handler that masks, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(AccountMaskFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("streams.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_filter_masks_arguments_and_extra_fields(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("screening payment %s from account=%s", "pay-1", ACCOUNT,
                extra={"debtor_iban": IBAN, "partition": 3})
    line = stream.getvalue()
    assert ACCOUNT not in line and IBAN not in line
    entry = json.loads(line)
    assert entry["message"] == "screening payment pay-1 from account=**********7890"
    assert entry["debtor_iban"] == "******************3000"
    assert entry["partition"] == 3
    assert entry["level"] == "info"
    assert entry["logger"] == "streams.test_logs"
    assert entry["time"].endswith("Z")


def test_json_formatter_keeps_exceptions_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"bad account={ACCOUNT}")
    except ValueError:
        logger.exception("decode failed")
    entry = json.loads(stream.getvalue())
    assert "ValueError" in entry["exception"]
    assert ACCOUNT not in entry["exception"]


@pytest.mark.parametrize("json_logs", [False, True])
def test_logging_config_installs_a_masking_handler(
    json_logs: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(LogSettings(log_level="debug", log_json=json_logs))
        logging.getLogger("streams.worker").warning("party account=%s", ACCOUNT)
        out = capsys.readouterr().out.strip().splitlines()[-1]
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert ACCOUNT not in out
    assert "7890" in out
    if json_logs:
        assert json.loads(out)["level"] == "warning"
    else:
        assert "[WARNING] streams.worker: party account=" in out


def test_logging_config_is_a_valid_dictconfig_for_faust() -> None:
    config = logging_config(LogSettings(log_level="warn", log_json=True))
    assert config["root"]["level"] == "WARN"
    assert config["handlers"]["streams"]["filters"] == ["mask_accounts"]
    # the dict must be accepted as-is by logging.config (what mode's worker calls)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(config)
        assert any(isinstance(f, AccountMaskFilter)
                   for h in root.handlers for f in h.filters)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
