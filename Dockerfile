# The worker image (also runs the codec server and the simulators for a self-contained trial).
FROM node:20-bookworm-slim AS app
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Install scripts run only for the packages listed in package.json's allowScripts.
RUN npm install --omit=dev --no-audit --no-fund
COPY . .
# Workflow code is bundled at build time; workers start from the bundle.
RUN npx tsx scripts/build-workflow-bundle.ts
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
USER node

# The web console and its API (docker build --target console; compose service `console`).
FROM app AS console
EXPOSE 8280
CMD ["node", "--import", "tsx", "console/main.ts"]

# The worker: the default target (the last stage).
FROM app AS worker
# The heap cap of workers/node-flags.ts (why: there).
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "workers/main.ts"]
