# The watcher: tails the mounted log folders into Kafka.
# Build from the repository root: docker build -f docker/watcher.Dockerfile .
FROM node:20-bookworm-slim
WORKDIR /app
# node-rdkafka (the librdkafka producer) builds from source on install.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages ./packages
COPY stack/package.json stack/
COPY demo/package.json demo/
COPY control-plane/package.json control-plane/
COPY watcher/package.json watcher/
COPY ui/package.json ui/
RUN npm ci --no-audit --no-fund
COPY packages ./packages
COPY stack ./stack
COPY watcher ./watcher
RUN node watcher/build.mjs
EXPOSE 9464
HEALTHCHECK --interval=10s --retries=12 CMD node -e "fetch('http://127.0.0.1:9464/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=64", "watcher/dist/watcher.mjs"]
CMD ["--config", "/config/watcher.json"]
