# The Accord node image. Two ways to build it, one file:
#   docker build -t accord:latest .                      (compiles in the Swift image; needs a registry)
#   .ci/compose-test, or by hand without a registry:
#     podman build --build-arg BINARY_FROM=prebuilt --build-arg RUNTIME_BASE=accord-base:bookworm -t accord:latest .
#   where .build/image/usr/local holds the install tarball of .ci/package unpacked (bin/accord,
#   built with the Swift runtime linked statically; man pages, completions), and
#   accord-base:bookworm is a Debian bookworm root file system. Neither stage has Swift.
ARG RUNTIME_BASE=debian:bookworm-slim
ARG BINARY_FROM=build

FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev libsodium-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product accord --static-swift-stdlib \
    && mkdir -p /image/usr/local/bin \
    && cp "$(swift build -c release --product accord --static-swift-stdlib --show-bin-path)/accord" /image/usr/local/bin/accord \
    && strip /image/usr/local/bin/accord

FROM scratch AS prebuilt
COPY .build/image/ /image/

FROM ${BINARY_FROM} AS binary

FROM ${RUNTIME_BASE}
RUN if ! dpkg -s libsqlite3-0 libsodium23 ca-certificates >/dev/null 2>&1; then \
        apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 libsodium23 ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=binary /image/ /
VOLUME /data
EXPOSE 8080
ENTRYPOINT []
CMD ["accord", "serve", "--host", "0.0.0.0", "--port", "8080", "--db", "/data/accord.db", "--key", "/data/node.key"]
