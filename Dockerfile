# tuneops as a container: `docker run IMAGE plan`, a Kubernetes CronJob running
# `reconcile --apply`, a Deployment running `reconcile --watch`.
#
# Runs as a non-root user (uid 10001) on a read-only root filesystem. What must be
# writable (docs/container-image.md):
#   /tmp      HOME and TMPDIR point here (crash logs outside a project, library
#             caches); mount an emptyDir or a tmpfs (`docker run --tmpfs /tmp`).
#   /work     the project (the working directory): the lockfile, and .tuneops/
#             for the checkout lock and crash logs. Read-only is enough for
#             `validate` and `plan`.
# Build: docker build -t tuneops .   Check: docker run --rm --read-only --tmpfs /tmp tuneops --version

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# Stage 1: wheels for tuneops and every dependency, built once.
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY schemas/ schemas/
COPY tuneops/ tuneops/
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Stage 2: the slim runtime, installed from those wheels only (no compilers, no index).
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="tuneops" \
      org.opencontainers.image.description="Declarative, GitOps-style fine-tuning jobs for Vertex AI and the Gemini API" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp \
    TMPDIR=/tmp
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/tuneops-*.whl \
    && groupadd --system --gid 10001 tuneops \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin tuneops \
    && mkdir /work && chown 10001:10001 /work
WORKDIR /work
# Numeric, so that Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
ENTRYPOINT ["tuneops"]
CMD ["--help"]
