// Floor A: the fastest HTTP intake Node can do on one core — node:http reads the whole body and answers 200. Run as a child: PORT=… node --import tsx bench/floor-a.ts
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const reply = JSON.stringify({ ok: true });

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    Buffer.concat(chunks); // the whole body, as a real handler would have it
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
    res.end(reply);
  });
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
