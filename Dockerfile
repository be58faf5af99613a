# Build with the Swift toolchain image, run on a slim Debian image.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev libsodium-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product accord --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/accord" /usr/local/bin/accord

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 libsodium23 ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/accord /usr/local/bin/accord
COPY Events/seed /usr/share/accord/seed
VOLUME /data
EXPOSE 8080
ENTRYPOINT []
CMD ["accord", "serve", "--host", "0.0.0.0", "--port", "8080", "--db", "/data/accord.db", "--key", "/data/node.key"]
