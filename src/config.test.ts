// Configuration: zero-config defaults, file + env + flag precedence, and every problem reported at once.
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, isLoopback, loadConfig } from './config.js';
import { tempDir } from '../test/support/gateway.js';

describe('loadConfig', () => {
  it('works with no configuration at all and listens on loopback only', () => {
    const c = loadConfig({ env: {} });
    expect(c).toEqual(DEFAULTS);
    expect(isLoopback(c.host)).toBe(true);
    expect(c.kafka).toBeUndefined();
  });

  it('layers file < environment < flags', () => {
    const dir = tempDir();
    const file = join(dir, 'leadgate.json');
    writeFileSync(file, JSON.stringify({ port: 9000, dataDir: '/var/lib/leadgate', dealers: [{ id: 'tustin-mazda', name: 'Tustin Mazda', vendorIds: ['sp337455'] }] }));
    try {
      const c = loadConfig({ file, env: { LEADGATE_PORT: '9100', KAFKA_BROKERS: 'k1:9092, k2:9092' }, overrides: { dataDir: '/tmp/x' } });
      expect(c.port).toBe(9100);
      expect(c.dataDir).toBe('/tmp/x');
      expect(c.dealers[0].vendorIds).toEqual(['sp337455']);
      expect(c.kafka).toEqual({ brokers: ['k1:9092', 'k2:9092'], clientId: 'leadgate' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every problem at once, naming where each came from', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty', colour: 'blue', dealers: [{ id: 'a' }, { id: 'b', name: 'B', country: 'usa' }], log: { level: 'loud' } }));
    try {
      let error: ConfigError | undefined;
      try {
        loadConfig({ file, env: { LEADGATE_DEDUPE_WINDOW_DAYS: 'thirty', KAFKA_BROKERS: 'no-port' } });
      } catch (e) {
        error = e as ConfigError;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const text = error!.problems.join('\n');
      expect(text).toContain('LEADGATE_DEDUPE_WINDOW_DAYS="thirty" is not a number');
      expect(text).toContain('/port must be integer');
      expect(text).toContain('must NOT have additional properties "colour"');
      expect(text).toContain("/dealers/0 must have required property 'name'");
      expect(text).toContain('/dealers/1/country must match pattern');
      expect(text).toContain('/log/level must be equal to one of the allowed values (one of fatal');
      expect(text).toContain('/kafka/brokers/0 must match pattern');
      expect(error!.problems.length).toBeGreaterThanOrEqual(7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says clearly when the config file is missing or not JSON', () => {
    expect(() => loadConfig({ file: '/nonexistent/leadgate.json', env: {} })).toThrow(/cannot read the config file \(file not found\)/);
  });

  it('rejects duplicate dealer ids', () => {
    expect(() => loadConfig({ env: {}, overrides: { dealers: [{ id: 'a', name: 'A' }, { id: 'a', name: 'A2' }] } })).toThrow(/dealer id "a" is listed twice/);
  });
});
