// The alternative a team would write in an afternoon: Express 5, xml2js, one kafkajs send per request; no dedup, no identity, no durable archive.
// Run as a child: PORT=… KAFKA_BROKERS=… node --import tsx bench/alternative.ts
import express from 'express';
import kafkajs from 'kafkajs';
import { parseStringPromise } from 'xml2js';

const { Kafka, logLevel } = kafkajs;
const port = Number(process.env.PORT ?? 0);
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const topic = process.env.TOPIC ?? 'alternative.leads';

const producer = new Kafka({ clientId: 'alternative', brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: true });
await producer.connect();

const app = express();
app.use(express.text({ type: '*/*', limit: '1mb' }));
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/v1/leads', async (req, res) => {
  try {
    const doc = await parseStringPromise(req.body);
    const prospect = doc?.adf?.prospect?.[0];
    if (!prospect) {
      res.status(422).json({ error: 'no prospect' });
      return;
    }
    const email = prospect.customer?.[0]?.contact?.[0]?.email?.[0];
    await producer.send({ topic, messages: [{ key: typeof email === 'string' ? email : null, value: JSON.stringify(prospect) }] });
    res.status(200).json({ ok: true });
  } catch {
    res.status(400).json({ error: 'bad lead' });
  }
});
app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  void producer.disconnect().finally(() => process.exit(0));
});
