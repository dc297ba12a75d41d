# The control plane (job API, WebSocket relay) serving the built dashboard on one port.
# Build from the repository root: docker build -f docker/control-plane.Dockerfile .

# The SQL runner jar the control plane uploads to Flink.
FROM maven:3.9-eclipse-temurin-11 AS runner
WORKDIR /src
COPY jobs/runner/pom.xml .
RUN mvn -B -q dependency:go-offline
COPY jobs/runner/src ./src
RUN mvn -B -q package -DskipTests

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY stack/package.json stack/
COPY demo/package.json demo/
COPY control-plane/package.json control-plane/
COPY watcher/package.json watcher/
COPY ui/package.json ui/
RUN npm ci --no-audit --no-fund
COPY . .
RUN cd ui && npx vite build

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
COPY --from=runner /src/target/sql-runner.jar /app/jobs/runner/target/sql-runner.jar
ENV HOST=0.0.0.0 \
    PORT=8080 \
    CONTROL_PLANE_STATE=/state \
    NODE_ENV=production
VOLUME /state
EXPOSE 8080
HEALTHCHECK --interval=10s --retries=12 CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "control-plane/src/server.ts"]
