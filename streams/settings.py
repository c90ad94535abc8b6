"""Settings: one pydantic-settings class read from STREAMS_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
SAMPLE_LISTS_DIR = PACKAGE_DIR / "data" / "sample_lists"
REPO_RULES_DIR = PACKAGE_DIR.parent / "rules"
# The issuers' download addresses for the files `streams lists update` keeps in lists_dir.
OFFICIAL_LIST_URLS = {
    "sdn.csv": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV",
    "alt.csv": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ALT.CSV",
    "add.csv": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADD.CSV",
    "sdn_comments.csv": (
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_COMMENTS.CSV"
    ),
    "un_consolidated.xml": "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    "dpl.txt": "https://www.bis.doc.gov/dpl/dpl.txt",
}


class Settings(BaseSettings):
    """Everything a worker, the demo and the CLI can be configured with."""

    model_config = SettingsConfigDict(env_prefix="STREAMS_", extra="ignore", frozen=True)

    broker: str = Field("kafka://localhost:9092", description="Kafka bootstrap URL(s)")
    app_id: str = Field("streams-screening", description="Faust app id = consumer group")
    payments_topic: str = "payments"
    alerts_topic: str = "alerts"
    results_topic: str = "screening-results"
    dlq_topic: str = "payments-dlq"
    pacs008_topic: str = "payments.pacs008"
    mt103_topic: str = "payments.mt103"
    control_topic: str = "streams-control"
    topic_partitions: int = Field(8, ge=1)
    window_partitioning: Literal["repartition", "local"] = Field(
        "repartition",
        description="repartition: payments pass through <app_id>-payments-by-debtor so "
        "windowed totals are exact across workers; local: one hop, exact with one worker only",
    )
    max_message_bytes: int = Field(1_000_000, ge=1024, description="larger records go to the DLQ")
    lists_paths: list[Path] = Field(
        default_factory=list,
        description="list files or directories; empty means the downloaded lists, else the sample",
    )
    lists_dir: Path = Field(
        Path.home() / ".local" / "share" / "streams" / "lists",
        description="where `streams lists update` keeps the official lists",
    )
    lists_urls: dict[str, str] = Field(
        default_factory=lambda: dict(OFFICIAL_LIST_URLS),
        description="file name in lists_dir -> URL that `streams lists update` downloads it from",
    )
    lists_update_min_ratio: float = Field(
        0.5, gt=0, le=1,
        description="refuse a downloaded file smaller than this share of the current one",
    )
    lists_update_timeout_seconds: float = Field(120.0, gt=0)
    rules_dir: Path | None = Field(
        None, description="directory of YAML rule files; default ./rules, else the shipped set"
    )
    reload_interval_seconds: float = Field(5.0, gt=0)
    fetch_max_wait_ms: int = Field(
        40, ge=1, le=5000,
        description="longest a consumer fetch waits for records (Faust's fixed 1,500 ms, "
        "held by the embedded broker, would add ~0.7 s to every payment)",
    )
    broker_unavailable_exit_seconds: float = Field(
        60.0, gt=0,
        description="a worker exits with code 69 when the broker stays unreachable this long",
    )
    web_port: int = Field(6066, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    log_level: str = "info"
    log_json: bool = False
    data_dir: Path = Field(Path(".streams-data"), description="Faust table state")

    def resolved_rules_dir(self) -> Path:
        """The rule directory in force: the configured one, ./rules, or the shipped rule set."""
        if self.rules_dir is not None:
            return self.rules_dir
        local = Path("rules")
        return local if local.is_dir() else REPO_RULES_DIR

    def resolved_lists_paths(self) -> list[Path]:
        """The list sources in force: configured paths, downloaded lists, or the shipped sample."""
        if self.lists_paths:
            return list(self.lists_paths)
        if self.lists_dir.is_dir() and any(self.lists_dir.iterdir()):
            return [self.lists_dir]
        return [SAMPLE_LISTS_DIR]
