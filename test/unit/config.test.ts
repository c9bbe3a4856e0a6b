import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../config/env.js';

describe('configuration', () => {
  it('has working defaults for a local run', () => {
    const env = parseEnv({});
    expect(env.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(env.TEMPORAL_UI_PORT).toBe(8233);
    expect(env.LUCCA_RATE_LIMIT_PER_MINUTE).toBe(50);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable and says what is expected', () => {
    const attempt = () =>
      parseEnv({ TEMPORAL_ADDRESS: 'no-port', TEMPORAL_UI_PORT: '99999', LUCCA_RATE_LIMIT_PER_MINUTE: '-1', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('TEMPORAL_ADDRESS: expected host:port');
    expect(message).toContain('TEMPORAL_UI_PORT: expected a port number');
    expect(message).toContain('LUCCA_RATE_LIMIT_PER_MINUTE');
    expect(message).toContain('LOG_LEVEL');
  });

  it('never echoes secret values in its errors', () => {
    try {
      parseEnv({ CREDENTIALS_KEY: 'not-a-valid-key-material', DATABASE_URL: 'mysql://user:hunter2@db/x' });
      expect.unreachable('should have thrown');
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('CREDENTIALS_KEY: expected base64 of exactly 32 bytes');
      expect(message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('not-a-valid-key-material');
    }
  });

  it('reads booleans and lists', () => {
    const env = parseEnv({ TEMPORAL_TLS: 'true', LUCCA_ALLOWED_HOSTS: '127.0.0.1, localhost ,' });
    expect(env.TEMPORAL_TLS).toBe(true);
    expect(env.LUCCA_ALLOWED_HOSTS).toEqual(['127.0.0.1', 'localhost']);
  });
});
