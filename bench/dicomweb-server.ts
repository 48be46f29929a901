// Benchmark: our QIDO-RS against our C-FIND on the same cache (`priors serve` over an index built
// from the query benchmark's synthetic records), the same query set (bench/query.ts queryCases):
//   - C-FIND by Priors' SCU in this process, one association per query (as findscu does), and by
//     DCMTK's findscu (a process per query: what a script pays);
//   - QIDO-RS by node:http in this process, a new connection per query and a kept-alive one, and
//     by curl (a process per query). Every QIDO-RS answer must hold as many matches as the C-FIND.
//   node --import tsx bench/dicomweb-server.ts [--studies N] [--repeat N]
// (default 5,000 studies = 50,000 instances: about 1.5 min on a loaded 2-core machine, most of it
// building the index; --studies 10000 gives the 100,000 instances of issue 16, about 3 min)
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DataSet, setString } from '../shared/dicom/dataset.js';
import { tagOf, vrOf } from '../shared/dicom/dictionary.js';
import { find } from '../electron/dimse/scu/index.js';
import { Cache } from '../electron/cache/index.js';
import { syntheticRecords, type SyntheticSizes } from '../electron/cache/synthetic.js';
import { qidoParams, qidoResource } from '../electron/services/dicomweb/qido.js';
import { queryString } from '../electron/services/dicomweb/http.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver } from './ingest.js';
import { fmt, markdownTable, median, PRIORS_NODE, runTimed } from './lib.js';
import { queryCases, sizesFor, type QueryCase } from './query.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');

function identifier(keys: Record<string, string>): DataSet {
  const ds: DataSet = new Map();
  for (const [keyword, value] of Object.entries(keys)) setString(ds, tagOf(keyword), vrOf(tagOf(keyword)), value);
  return ds;
}

/** The QIDO-RS path and query of a case, as our DICOMweb node code asks them. */
function qidoUrl(c: QueryCase): string {
  const ds = identifier(c.keys);
  const { path, inPath } = qidoResource(c.level, ds);
  return `/dicom-web${path}?${queryString(qidoParams(ds, inPath))}`;
}

function httpGet(port: number, path: string, token: string, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { Authorization: `Bearer ${token}`, Accept: 'application/dicom+json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The API address and token a running serve publishes in serve.json (written just after its SCP answers). */
async function serveApi(dir: string): Promise<{ url: string; token: string }> {
  for (let i = 0; i < 200; i++) {
    try {
      const info = JSON.parse(readFileSync(join(dir, 'serve.json'), 'utf8')) as { api?: { url: string; token: string } };
      if (info.api) return info.api;
    } catch {
      /* not written yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('priors serve wrote no serve.json with its API within 10 s');
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const v = await f();
  return [Number(process.hrtime.bigint() - started) / 1e6, v];
}

/** One row per case: median ms of each way of asking, and the matches. */
export async function runDicomwebServerBenchmark(options: {
  studies: number;
  repeat: number;
  log?: (line: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = options.log ?? (() => {});
  const sizes: SyntheticSizes = sizesFor(options.studies);
  const cases = queryCases([...syntheticRecords(sizes)]);
  const { dir, remove } = tempDirManual('priors-bench-dicomweb');
  log(`dicomweb server: ${sizes.instances} instances / ${sizes.studies} studies, QIDO-RS vs C-FIND on one priors serve`);
  const built = Date.now();
  const cache = await Cache.open(dir);
  cache.repository.transaction(() => {
    for (const r of syntheticRecords(sizes)) cache.repository.index(r);
  });
  await cache.close();
  const buildMs = Date.now() - built;
  const port = await freePort();
  const receiver = commandReceiver(
    'priors serve',
    (d, p) => [...PRIORS_NODE, cli, 'serve', '--aet', 'PRIORS', '--port', String(p), '--bind', '127.0.0.1', '--data', d],
    { aeTitle: 'PRIORS', readyTimeoutMs: 120000 },
  );
  const running = await receiver.start(dir, port);
  let failed = false;
  const rows: (string | number)[][] = [];
  try {
    const api = await serveApi(dir);
    const httpPort = Number(new URL(api.url).port);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const cfind = async (c: QueryCase) => {
      const stream = find(
        { aeTitle: 'PRIORS', host: '127.0.0.1', port },
        { model: 'study', level: c.level, identifier: identifier(c.keys) },
        { callingAeTitle: 'BENCHSCU' },
      );
      let n = 0;
      for await (const _ of stream) n++;
      await stream.outcome;
      return n;
    };
    const qido = async (c: QueryCase, agent: Agent | false) => {
      const got = await httpGet(httpPort, qidoUrl(c), api.token, agent);
      if (got.status !== 200) throw new Error(`QIDO-RS ${c.name}: HTTP ${got.status} ${got.body.slice(0, 200)}`);
      return (JSON.parse(got.body) as unknown[]).length;
    };
    const findscuArgs = (c: QueryCase) => [
      '-S',
      '-aet',
      'BENCHSCU',
      '-aec',
      'PRIORS',
      '127.0.0.1',
      String(port),
      '-k',
      `QueryRetrieveLevel=${c.level}`,
      ...Object.entries(c.keys).flatMap(([k, v]) => ['-k', v === '' ? k : `${k}=${v}`]),
    ];
    const curlArgs = (c: QueryCase) => [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      `Authorization: Bearer ${api.token}`,
      `http://127.0.0.1:${httpPort}${qidoUrl(c)}`,
    ];
    // warm-up: both servers' code compiled, the index pages in memory
    for (let pass = 0; pass < 3; pass++)
      for (const c of cases) {
        await cfind(c);
        await qido(c, keepAlive);
      }
    for (const c of cases) {
      const ms: Record<string, number[]> = { cfind: [], findscu: [], qido: [], qidoKept: [], curl: [] };
      let matches = 0;
      let qidoMatches = 0;
      for (let i = 0; i < options.repeat; i++) {
        const [a, n] = await timed(() => cfind(c));
        ms.cfind!.push(a);
        matches = n;
        const [b, q] = await timed(() => qido(c, false));
        ms.qido!.push(b);
        qidoMatches = q;
        ms.qidoKept!.push((await timed(() => qido(c, keepAlive)))[0]);
        const f = await runTimed('findscu', findscuArgs(c), { env: { ...process.env, TCP_NODELAY: '1' } });
        if (f.code !== 0) throw new Error(`findscu ${c.name}: exit ${f.code} ${f.stderr.slice(-300)}`);
        ms.findscu!.push(f.ms);
        const u = await runTimed('curl', curlArgs(c));
        if (u.stdout !== '200') throw new Error(`curl ${c.name}: HTTP ${u.stdout}`);
        ms.curl!.push(u.ms);
      }
      if (matches !== qidoMatches) failed = true;
      const m = (k: string) => median(ms[k]!);
      rows.push([
        c.name,
        matches === qidoMatches ? String(matches) : `${matches} / QIDO ${qidoMatches}`,
        fmt(m('cfind'), 2),
        fmt(m('qido'), 2),
        fmt(m('qidoKept'), 2),
        `${fmt(m('qido') / m('cfind'), 2)}×`,
        fmt(m('findscu'), 1),
        fmt(m('curl'), 1),
      ]);
    }
    keepAlive.destroy();
  } catch (e) {
    failed = true;
    rows.push([`failed: ${(e as Error).message}`, '—', '—', '—', '—', '—', '—', '—']);
  } finally {
    await running.stop();
    remove();
  }
  const markdown = [
    `### ${sizes.instances.toLocaleString('en')} instances / ${sizes.studies.toLocaleString('en')} studies / ${sizes.patients.toLocaleString('en')} patients in one \`priors serve\``,
    '',
    `Index built in ${fmt(buildMs / 1000, 1)} s. Medians of ${options.repeat} queries per case after three warm-up passes. In-process clients: Priors' SCU (C-FIND, one association per query) and node:http (QIDO-RS on a new connection per query, and on one kept alive); processes: DCMTK's findscu and curl, one per query. Each QIDO-RS query is what Priors' DICOMweb node code asks (keys with values as matching parameters, the others as includefield); "matches" shows one figure when C-FIND and QIDO-RS agree.`,
    '',
    markdownTable(['Query', 'matches', 'C-FIND (ms)', 'QIDO-RS (ms)', 'QIDO-RS kept-alive', 'QIDO ÷ C-FIND', 'findscu process', 'curl process'], rows),
    '',
  ].join('\n');
  return { markdown, failed };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const { markdown, failed } = await runDicomwebServerBenchmark({
    studies: arg('--studies') ?? 5000,
    repeat: arg('--repeat') ?? 10,
    log: (line) => console.error(line),
  });
  console.log(markdown);
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench/dicomweb-server: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
