// Vitest global setup: starts ONE shared Kafka-protocol broker (librdkafka mock cluster) for the
// whole run and hands its bootstrap list to tests, both as
//   process.env.LEADGATE_TEST_KAFKA_BROKERS   and   inject('kafkaBrokers')   (from 'vitest').
// It is empty when no broker is available; Kafka tests should then skip, e.g.
//   describe.skipIf(!process.env.LEADGATE_TEST_KAFKA_BROKERS)(...)
// Topics auto-create with 4 partitions on first use; pre-create others with
// LEADGATE_TEST_KAFKA_TOPICS="name:partitions,name:partitions". Tests that inject faults
// start their own broker with startKafkaBroker() from test/support/kafka-broker.ts.
//
// If LEADGATE_TEST_KAFKA_BROKERS is already set (e.g. a real Kafka), it is used as is.
// With LEADGATE_REQUIRE_KAFKA=1 (set by scripts/test-all.sh) a missing mock binary is an error
// instead of a skip, so CI cannot silently skip the Kafka tests.
//
// Likewise ONE PostgreSQL server (test/support/postgres.ts: Debian's binaries, temp dir, loopback
// port) for the run, as LEADGATE_TEST_DATABASE_URL (the maintenance database; each test file makes
// its own with createTestDatabase()) and inject('databaseUrl'). Empty when the server binaries are
// missing (PostgreSQL tests skip) unless LEADGATE_REQUIRE_POSTGRES=1, which makes that an error.
// A preset LEADGATE_TEST_DATABASE_URL (any PostgreSQL you can CREATE DATABASE on) is used as is.
import type { TestProject } from 'vitest/node';
import { kafkaMockAvailable, kafkaMockBinary, startKafkaBroker, type KafkaBroker } from './support/kafka-broker.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './support/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    databaseUrl: string;
  }
}

async function setupPostgres(): Promise<{ url: string; server?: PostgresServer }> {
  const preset = process.env.LEADGATE_TEST_DATABASE_URL;
  if (preset) return { url: preset };
  if (postgresAvailable()) {
    const server = await startPostgres();
    return { url: server.url, server };
  }
  if (process.env.LEADGATE_REQUIRE_POSTGRES === '1') {
    throw new Error('PostgreSQL server binaries missing under /usr/lib/postgresql; install them: apt-get install postgresql');
  }
  console.warn('[global-setup] no PostgreSQL server binaries: PostgreSQL tests will skip (apt-get install postgresql)');
  return { url: '' };
}

function parseTopics(spec: string | undefined) {
  return (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [name, partitions = '1'] = s.split(':');
      return { name, partitions: Number(partitions) };
    });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const preset = process.env.LEADGATE_TEST_KAFKA_BROKERS;
  let broker: KafkaBroker | undefined;
  let bootstrap = preset ?? '';

  if (!bootstrap) {
    if (kafkaMockAvailable()) {
      broker = await startKafkaBroker({ topics: parseTopics(process.env.LEADGATE_TEST_KAFKA_TOPICS) });
      bootstrap = broker.bootstrap;
    } else if (process.env.LEADGATE_REQUIRE_KAFKA === '1') {
      throw new Error(`Kafka mock binary missing at ${kafkaMockBinary()}; run: bash scripts/build-kafka-mock.sh`);
    } else {
      console.warn(`[global-setup] no Kafka mock at ${kafkaMockBinary()}: Kafka tests will skip ` +
        '(build it with: bash scripts/build-kafka-mock.sh)');
    }
  }

  process.env.LEADGATE_TEST_KAFKA_BROKERS = bootstrap;
  project.provide('kafkaBrokers', bootstrap);

  const presetDatabase = process.env.LEADGATE_TEST_DATABASE_URL;
  const postgres = await setupPostgres().catch(async (err) => {
    await broker?.stop();
    throw err;
  });
  process.env.LEADGATE_TEST_DATABASE_URL = postgres.url;
  project.provide('databaseUrl', postgres.url);

  return async () => {
    await postgres.server?.stop();
    if (presetDatabase === undefined) delete process.env.LEADGATE_TEST_DATABASE_URL;
    else process.env.LEADGATE_TEST_DATABASE_URL = presetDatabase;
    await broker?.stop();
    // Restore, so a watch-mode re-run starts a fresh broker instead of reusing a stopped one.
    if (preset === undefined) delete process.env.LEADGATE_TEST_KAFKA_BROKERS;
    else process.env.LEADGATE_TEST_KAFKA_BROKERS = preset;
  };
}
