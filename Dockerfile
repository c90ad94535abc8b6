# The streams worker image: `docker compose up` builds it for the `worker` service.

# The package as a wheel with its hot modules compiled by mypyc (README, "Compiled build");
# this image has the C compiler. `--build-arg STREAMS_COMPILE=0` builds it pure Python.
FROM python:3.11 AS wheel
ARG STREAMS_COMPILE=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY streams ./streams
RUN STREAMS_COMPILE=$STREAMS_COMPILE pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies and package first, so rule edits do not reinstall them.
COPY --from=wheel /wheels /wheels
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
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
