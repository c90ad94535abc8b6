# The streams worker image: `docker compose up` builds it for the `worker` service.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies and package first, so rule edits do not reinstall them.
COPY pyproject.toml README.md ./
COPY streams ./streams
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app streams \
    && mkdir -p /app/.streams-data /data/lists \
    && chown -R streams /app/.streams-data /data

COPY rules ./rules

USER streams

# Rules from /app/rules (mount your own over it), lists from /data/lists (`streams lists
# update` fills it; empty means the shipped sample list), web endpoints on all interfaces.
ENV STREAMS_RULES_DIR=/app/rules \
    STREAMS_LISTS_DIR=/data/lists \
    STREAMS_DATA_DIR=/app/.streams-data \
    STREAMS_WEB_HOST=0.0.0.0 \
    STREAMS_WEB_PORT=6066

EXPOSE 6066

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:6066/healthz', timeout=2)"]

ENTRYPOINT ["streams"]
CMD ["worker"]
