// A bare fastify route returning a fixed JSON body: the ceiling FIML's cached get_price is
// measured against (scripts/bench-http.ts).
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const body = JSON.parse(process.argv[3] ?? '{}');
const app = Fastify({ logger: false });
app.get('/mcp/tools/get_price', async () => body);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
