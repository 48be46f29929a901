// Issue 17 item 4, from a real second host: a network namespace made by this test (a veth pair,
// 10.x.y.1 here and 10.x.y.2 in the namespace; removed when the test ends) runs DCMTK's tools as
// another machine would. Against `priors serve` with its default policy, an unknown AE title
// stores (storescu) but finds nothing (findscu -k PatientName=*), gets nothing (getscu) and moves
// nothing (movescu); the configured node WS2, bound to 10.x.y.2, finds, gets and moves the study.
// Needs root and `ip netns`; skipped with the reason otherwise.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFindscuOutput, runDcmtk, type ToolResult } from '../helpers/dcmtk-scu.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { priorsCommand, REPO_ROOT, runPriors } from '../helpers/priors-cli.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const tag = `${process.pid % 10000}${Math.floor(Math.random() * 90 + 10)}`;
const NS = `priors-acl-${tag}`;
const HOST_IF = `pa${tag}h`;
const NS_IF = `pa${tag}n`;
const octet = 16 + (process.pid % 200);
const HERE = `10.${octet}.${Math.floor(Math.random() * 250)}.1`;
const THERE = HERE.replace(/\.1$/, '.2');

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe', timeout: 10_000 });
}

/** Makes the namespace and the veth pair; the reason it cannot, or undefined. */
function makeNamespace(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (ip netns)';
  try {
    ip('netns', 'add', NS);
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${HERE}/30`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${THERE}/30`, 'dev', NS_IF);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    return undefined;
  } catch (e) {
    removeNamespace();
    return `ip netns is not usable here (${
      String((e as { stderr?: Buffer }).stderr ?? e)
        .trim()
        .split('\n')[0]
    })`;
  }
}

function removeNamespace(): void {
  try {
    ip('link', 'del', HOST_IF);
  } catch {
    /* gone with the namespace, or never made */
  }
  try {
    ip('netns', 'del', NS);
  } catch {
    /* never made */
  }
}

/** A DCMTK tool run in the namespace: from the other host. */
const there = (tool: string, args: string[], timeoutMs = 30_000): Promise<ToolResult> => runDcmtk('ip', ['netns', 'exec', NS, tool, ...args], { timeoutMs });

describe('an unknown caller from another host reads nothing from priors serve', { timeout: 180_000 }, () => {
  let skip: string | undefined;
  let series: GeneratedSeries;
  let serve: ChildProcess | undefined;
  let storescp: ChildProcess | undefined;
  let logs = '';
  let port = 0;
  let scpPort = 0;
  const received = tempDir('access-netns-received');
  const dataDir = tempDir('access-netns-data');
  let QR: string[] = [];

  before(async () => {
    skip = makeNamespace();
    if (skip) return;
    [port, scpPort] = [await freePort(), await freePort()]; // chosen by the OS now (the namespace's port space is its own)
    QR = ['-aec', 'PRIORS_NS', HERE, String(port)];
    series = await generateCtSeries({ count: 4, rows: 16, cols: 16, patientId: 'NETNS-1', patientName: 'NETWORK^NAMESPACE', accession: 'NS1', seed: 1718 });
    // the configured node: WS2 at the namespace's address, where its storescp listens
    const added = await runPriors(['nodes', 'add', 'ws2', `WS2@${THERE}:${scpPort}`], { dataDir });
    assert.equal(added.code, 0, added.stderr);
    mkdirSync(join(received, 'moved'), { recursive: true });
    storescp = spawn('ip', ['netns', 'exec', NS, 'storescp', '-aet', 'WS2', '-od', join(received, 'moved'), String(scpPort)], { stdio: 'ignore' });
    const { command, args } = priorsCommand(['serve', '--aet', 'PRIORS_NS', '--port', String(port), '--bind', HERE, '--data', dataDir]);
    serve = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout!.on('data', (c: Buffer) => {
      logs += c.toString();
    });
    serve.stderr!.on('data', (c: Buffer) => {
      logs += c.toString();
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if ((await there('echoscu', ['-aet', 'ANYONE', ...QR], 5000)).code === 0) break;
      if (serve.exitCode !== null || Date.now() > deadline) throw new Error(`priors serve did not answer from the namespace: ${logs}`);
      await sleep(200);
    }
  });

  after(() => {
    for (const child of [serve, storescp])
      if (child?.pid)
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
    removeNamespace();
  });

  const findAll = async (aet: string) => {
    const r = await there('findscu', ['-v', '-S', '-aet', aet, ...QR, '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=*', '-k', 'StudyInstanceUID']);
    return { matches: parseFindscuOutput(r.stdout + r.stderr).length, output: r.stdout + r.stderr };
  };
  const getStudy = async (aet: string, dir: string) => {
    mkdirSync(dir, { recursive: true });
    const r = await there('getscu', [
      '-S',
      '-aet',
      aet,
      ...QR,
      '-od',
      dir,
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${series.StudyInstanceUID}`,
    ]);
    return { files: readdirSync(dir).length, output: r.stdout + r.stderr };
  };
  const moveStudy = async (aet: string) => {
    const before = readdirSync(join(received, 'moved')).length;
    const r = await there('movescu', [
      '-v',
      '-S',
      '-aet',
      aet,
      '-aem',
      'WS2',
      ...QR,
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${series.StudyInstanceUID}`,
    ]);
    return { moved: readdirSync(join(received, 'moved')).length - before, output: r.stdout + r.stderr };
  };

  test('an unknown AE title stores, and gets no match from C-FIND and nothing from C-GET or C-MOVE', async (t) => {
    if (skip) return t.skip(skip);
    const stored = await there('storescu', ['-aet', 'STRANGER', ...QR, ...series.files]);
    assert.equal(stored.code, 0, `Storage is open to any caller: ${stored.stderr}`);
    const found = await findAll('STRANGER');
    assert.equal(found.matches, 0, found.output);
    assert.match(found.output, /Find Response \(.*0x0?124|Not Authori[sz]ed/i, found.output); // 0124 Refused: Not authorized
    assert.equal((await getStudy('STRANGER', join(received, 'stranger'))).files, 0);
    assert.equal((await moveStudy('STRANGER')).moved, 0);
    assert.match(
      logs,
      new RegExp(`Refused Query/Retrieve to STRANGER at ${THERE.replace(/\./g, '\\.')}: STRANGER is not a configured node; to allow it, add it as a node`),
    );
  });

  test('the configured node, calling from its host, finds, gets and moves the study', async (t) => {
    if (skip) return t.skip(skip);
    const found = await findAll('WS2');
    assert.equal(found.matches, 1, found.output);
    const got = await getStudy('WS2', join(received, 'ws2'));
    assert.equal(got.files, series.files.length, got.output);
    const moved = await moveStudy('WS2');
    assert.equal(moved.moved, series.files.length, moved.output);
  });
});
