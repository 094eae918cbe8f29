# leadgate service image on a supported Node LTS: builds TypeScript and the SQLite binding, then runs `leadgate serve`.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
# Listening on all interfaces needs intake credentials: mount a config (LEADGATE_CONFIG) that has them (README: "Authentication and limits").
ENV NODE_ENV=production \
    LEADGATE_HOST=0.0.0.0 \
    LEADGATE_PORT=8080 \
    LEADGATE_DATA_DIR=/var/lib/leadgate
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
COPY package.json ./
RUN mkdir -p /var/lib/leadgate && chown node:node /var/lib/leadgate
USER node
VOLUME ["/var/lib/leadgate"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["serve"]
