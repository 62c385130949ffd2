# cluster-bench in a container, for running shards on a cluster (docs/scale-out.md):
#   docker build -t cluster-bench:local .
#   docker run --rm cluster-bench:local run stress --workers auto
# On the official Node.js 20 image. The entry point is the CLI itself, so a Kubernetes
# manifest gives only `args` (examples/k8s/indexed-job.yaml; a test checks they agree).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY scenarios ./scenarios
# Results are written relative to here: mount the shared results volume on /results.
WORKDIR /results
USER node
ENTRYPOINT ["node", "/app/bin/cluster-bench.js"]
CMD ["--help"]
