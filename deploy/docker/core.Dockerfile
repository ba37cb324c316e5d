# Image of the core tier: accounts, academics, retrieval, chat, exams (its image also runs `deno task db:migrate`).
# Build from the repository root: docker build -f deploy/docker/core.Dockerfile -t ai-teacher-core .
FROM denoland/deno:2.9.6

WORKDIR /app
COPY deno.json deno.lock ./
# The web app is a member of the Deno workspace: its config must be present for the workspace to resolve.
COPY web/deno.json web/deno.json
COPY shared/ shared/
COPY core/ core/
COPY migrations/ migrations/
COPY tools/migrate.ts tools/migrate.ts
# Fetch and compile, at build time, exactly the module graph of the entry points (npm packages included): the
# container never reaches a registry (`--cached-only` below).
RUN deno install --frozen --entrypoint core/main.ts tools/migrate.ts \
  && chown -R deno:deno /deno-dir

# Embedded state shared by the replicas and kept across restarts (JWT keys, local uploads): mount a volume here.
RUN mkdir -p /data && chown deno:deno /data
ENV DATA_DIR=/data
VOLUME /data

USER deno
# The tier defaults to loopback; in a container it must listen on the container network.
ENV CORE_PORT=8081 CORE_HOSTNAME=0.0.0.0
EXPOSE 8081

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8081/healthz'); Deno.exit(r.ok ? 0 : 1)"]

# Explicit permissions instead of -A: no subprocesses, no FFI, writes only under /data.
CMD ["deno", "run", "--cached-only", "--frozen", "--allow-net", "--allow-env", "--allow-sys", "--allow-read", "--allow-write=/data", "core/main.ts"]
