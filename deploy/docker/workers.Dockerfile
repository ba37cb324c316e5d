# Image of the workers tier: async jobs (ingestion, exam generation, grading, notifications).
# Build from the repository root: docker build -f deploy/docker/workers.Dockerfile -t ai-teacher-workers .
FROM denoland/deno:2.9.6

WORKDIR /app
COPY deno.json deno.lock ./
# The web app is a member of the Deno workspace: its config must be present for the workspace to resolve.
COPY web/deno.json web/deno.json
COPY shared/ shared/
COPY workers/ workers/
COPY migrations/ migrations/
# Fetch and compile, at build time, exactly the module graph of the entry points (npm packages included): the
# container never reaches a registry (`--cached-only` below).
RUN deno install --frozen --entrypoint workers/main.ts shared/documents/processor/child.ts \
  && chown -R deno:deno /deno-dir

# Embedded state shared by the replicas and kept across restarts (JWT keys, local uploads): mount a volume here.
RUN mkdir -p /data && chown deno:deno /data
ENV DATA_DIR=/data
VOLUME /data

USER deno
# The tier defaults to loopback; in a container it must listen on the container network.
ENV WORKERS_PORT=8082 WORKERS_HOSTNAME=0.0.0.0
EXPOSE 8082

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8082/healthz'); Deno.exit(r.ok ? 0 : 1)"]

# Explicit permissions instead of -A: no FFI, writes only under /data, and one subprocess: deno itself, running the
# document-processing children (shared/documents/processor/child.ts; they get read access to /app only).
CMD ["deno", "run", "--cached-only", "--frozen", "--allow-net", "--allow-env", "--allow-sys", "--allow-read", "--allow-write=/data", "--allow-run=/usr/bin/deno", "workers/main.ts"]
