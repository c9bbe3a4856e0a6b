import { parseEnv } from '../../config/env.js';
import { createLogger } from '../logger.js';
import { resolveDataDir } from '../../config/paths.js';
import { startCodecServer, localUiOrigins } from './codec-server.js';
import { dataConverterFromEnv } from './data-converter.js';
import { loadCodecToken } from './payload-keys.js';

/**
 * A standalone codec endpoint (`node --import tsx lib/codec/serve.ts`, the `codec` service of
 * docker-compose.yml): PAYLOAD_KEYS, CODEC_TOKEN, CODEC_HOST/PORT, CODEC_ALLOWED_ORIGINS. The demo
 * starts the same server in-process.
 */
async function main() {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const server = await startCodecServer({
    codec: dataConverterFromEnv(env).payloadCodecs[0],
    token: loadCodecToken(env.CODEC_TOKEN, resolveDataDir(env.DATA_DIR)),
    allowedOrigins: env.CODEC_ALLOWED_ORIGINS.length > 0 ? env.CODEC_ALLOWED_ORIGINS : localUiOrigins(env.TEMPORAL_UI_PORT),
    host: env.CODEC_HOST,
    port: env.CODEC_PORT,
    logger,
  });
  if (!/^(127\.|::1$|localhost$)/.test(env.CODEC_HOST)) {
    logger.warn({ host: env.CODEC_HOST }, 'codec endpoint listens beyond loopback: keep it behind TLS and a network boundary');
  }
  // The token is never logged: operators have it from CODEC_TOKEN (or DATA_DIR/codec.token).
  logger.info({ url: server.url }, 'codec endpoint started (Web UI codec setting: <url>/<CODEC_TOKEN>; CLI: --codec-auth "Bearer <CODEC_TOKEN>")');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`codec endpoint failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
