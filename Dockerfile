# syntax=docker/dockerfile:1
# Build stage: wheels for watcher and every dependency (compilers stay in this stage).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY watcher ./watcher
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Run stage: only the installed wheels, a non-root user, the config and data mounted.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin watcher \
    && mkdir -p /config /data && chown watcher /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# An example config so the image starts; mount your own over it.
COPY sources.toml /config/sources.toml
USER watcher
WORKDIR /data
# WATCHER_HTTP serves /healthz, /metrics and /alerts.atom whatever the mounted config says;
# 0.0.0.0 so that Prometheus can scrape the container (publish the port only where needed).
ENV WATCHER_CONFIG=/config/sources.toml \
    WATCHER_DATABASE_URL=sqlite:////data/watcher.db \
    WATCHER_HTTP=0.0.0.0:8787 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8787
# Ready means: the database answers and the scheduler runs (stdlib only, no curl in slim).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8787/healthz', timeout=4).status == 200 else 1)"]
# SIGTERM lets in-flight checks finish (up to 30 s) and commit; give `docker stop -t 40`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["watcher"]
CMD ["run", "--log-format", "json"]
