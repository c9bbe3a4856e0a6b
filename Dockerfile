# The worker image (also runs the codec server). Development-only code (dev/: the local stack, the
# simulators, the bench, the demo) is not in it; the `simulators` target adds dev/simulators for the
# compose trial profile.

# The sources without dev/, so no layer of the shipped images holds it.
FROM node:20-bookworm-slim AS source
WORKDIR /src
COPY . .
RUN rm -rf dev

FROM node:20-bookworm-slim AS app
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Install scripts run only for the packages listed in package.json's allowScripts.
RUN npm install --omit=dev --no-audit --no-fund
COPY --from=source /src ./
# Workflow code is bundled at build time; workers start from the bundle.
RUN npx tsx scripts/build-workflow-bundle.ts && node scripts/build-cli.mjs
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
USER node

# The Lucca, HappyPal and Reflect simulators, for a self-contained trial (docker build --target
# simulators; compose services `lucca-sim` and `happypal-sim`, profile `trial`).
FROM app AS simulators
COPY dev/simulators dev/simulators

# The web console and its API (docker build --target console; compose service `console`).
FROM app AS console
EXPOSE 8280
CMD ["node", "--import", "tsx", "console/main.ts"]

# The worker: the default target (the last stage).
FROM app AS worker
# The heap cap of workers/node-flags.ts (why: there).
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "workers/main.ts"]
