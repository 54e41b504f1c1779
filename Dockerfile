# One image per app of the demo, from one build: `docker compose up` builds the three targets.
#   admin   the Next.js dashboard (next start), port 3000
#   portal  the Next.js stand-in for a customer's product (next start), port 3001
#   demo    the demo's BullMQ workers and producer
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# The manifests alone first, so that `npm ci` is cached until a dependency changes.
COPY package.json package-lock.json ./
COPY plugin/package.json plugin/
COPY ui/package.json ui/
COPY apps/admin/package.json apps/admin/
COPY apps/demo/package.json apps/demo/
COPY apps/portal/package.json apps/portal/
COPY bench/package.json bench/
COPY packaging/package.json packaging/
RUN npm ci --no-audit --no-fund

FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npm run build -w progressrus \
 && npm run build -w @progressrus/ui \
 && npm run build -w @progressrus/admin \
 && npm run build -w @progressrus/portal

FROM build AS admin
ENV NODE_ENV=production
EXPOSE 3000
CMD ["sh", "apps/demo/docker/start-admin.sh"]

FROM build AS portal
ENV NODE_ENV=production
EXPOSE 3001
CMD ["sh", "apps/demo/docker/start-portal.sh"]

FROM build AS demo
CMD ["node", "--import", "tsx", "apps/demo/src/workload-main.ts"]
