# syntax=docker/dockerfile:1
# Build stage: wheels for watcher and its dependencies.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY watcher ./watcher
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Run stage: only the installed wheels, a non-root user, the config and data mounted.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /data watcher \
    && mkdir -p /config /data && chown watcher /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY sources.toml /config/sources.toml
USER watcher
WORKDIR /data
# The config is read from /config/sources.toml (mount your own over it); SQLite lives in /data.
ENV WATCHER_CONFIG=/config/sources.toml \
    WATCHER_DATABASE_URL=sqlite:////data/watcher.db \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["watcher", "run"]
