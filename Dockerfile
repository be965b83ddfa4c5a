# syntax=docker/dockerfile:1
# askgate as one compiled executable on a distroless base. Configure it with ASKGATE_*
# environment variables only; see docs/operations.md.

# Build stage: install the runtime dependencies and compile with the same flags as `bun run build`.
FROM oven/bun:1.4 AS builder
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile --production
COPY tsconfig.json ./
COPY src ./src
RUN bun build src/main.ts --compile --minify --sourcemap --bytecode --format=esm \
    --no-compile-autoload-dotenv --no-compile-autoload-bunfig --outfile /out/askgate \
    && mkdir -p /out/data

# Final stage: glibc and CA certificates only, no shell, no package manager, running as nonroot (uid 65532).
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=builder /out/askgate /usr/local/bin/askgate
# A folder the nonroot user owns, for a sqlite: store on a mounted volume.
COPY --from=builder --chown=65532:65532 /out/data /data
WORKDIR /data
ENV ASKGATE_HOST=0.0.0.0 \
    ASKGATE_API_PORT=8000 \
    ASKGATE_WEB_PORT=8080 \
    ASKGATE_LOG_FORMAT=json
EXPOSE 8000 8080
USER nonroot
# The binary probes its own /healthz, because the image has no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/askgate", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/askgate"]
CMD ["serve"]
