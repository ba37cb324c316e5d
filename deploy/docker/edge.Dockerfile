# Image of the edge tier: stateless auth checks, rate limits and caches in front of core (the same code runs on Deno Deploy).
# Build from the repository root: docker build -f deploy/docker/edge.Dockerfile -t ai-teacher-edge .
FROM denoland/deno:2.9.6

WORKDIR /app
COPY deno.json deno.lock ./
COPY shared/ shared/
COPY edge/ edge/
COPY web/ web/
# Fetch and compile, at build time, exactly the module graph of the entry points (npm packages included): the
# container never reaches a registry (`--cached-only` below). The web app is built here into web/dist, which the
# edge serves (WEB_DIST_DIR's default).
RUN deno install --frozen --entrypoint edge/main.ts web/build.ts \
  && deno run -A web/build.ts --quiet \
  && chown -R deno:deno /deno-dir

USER deno
ENV EDGE_PORT=8080 EDGE_HOSTNAME=0.0.0.0
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8080/healthz'); Deno.exit(r.ok ? 0 : 1)"]

# Explicit permissions instead of -A: no subprocesses, no FFI, no writes. The V8 flags are the ones `deno task start:edge`
# and the load harness use: a young generation of at most 2 MB per semi-space (V8's default grows it to 16 MB), so a
# burst of requests does not grow the heap by tens of MB of short-lived garbage; and an old generation bounded at 512 MB
# (about 15 times the edge's live heap at 1,000 open streams), which makes V8 size its heap for a constrained machine:
# it collects the old generation at ~50 MB instead of letting promoted garbage reach 100–200 MB first (docs/load.md,
# "Edge memory", bench:edge-streams --plain).
CMD ["deno", "run", "--cached-only", "--frozen", "--allow-net", "--allow-env", "--allow-sys", "--allow-read", "--v8-flags=--max-semi-space-size=2,--max-old-space-size=512", "edge/main.ts"]
