// Issue 17 (the fault tests): `priors serve` killed with kill -9 right after it acknowledged an
// instance, under each durability setting, and started again at once on the same data
// directory (the lock of the killed process must not stand in the way): every instance answered
// Success before the kill is found by an IMAGE-level C-FIND and sent by a C-GET, and none twice.
// Our SCU in this process; `priors serve` as a child process on a port chosen at run time.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSet } from '../../shared/dicom/dataset.js';
import { echo, find, get } from '../../electron/dimse/scu/index.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { priorsCommand, REPO_ROOT } from '../helpers/priors-cli.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 3000, artimMs: 5000, dimseMs: 20000 };
const AET = 'PRIORS_KILL';
const live = new Set<ChildProcess>();
after(() => {
  for (const c of live)
    if (c.pid)
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
});

/** Starts `priors serve` on `dataDir` and waits until it answers a C-ECHO (30 s at most). */
async function serve(dataDir: string): Promise<{ child: ChildProcess; port: number; logs: () => string }> {
  const port = await freePort();
  const { command, args } = priorsCommand(['serve', '--aet', AET, '--port', String(port), '--bind', '127.0.0.1', '--data', dataDir]);
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let logs = '';
  child.stdout!.on('data', (c: Buffer) => {
    logs += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    logs += c.toString();
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await echo({ aeTitle: AET, host: '127.0.0.1', port }, { callingAeTitle: 'MODALITY', timeouts });
      return { child, port, logs: () => logs };
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`priors serve did not come up: ${(e as Error).message}\n${logs}`, { cause: e });
      await sleep(100);
    }
  }
}

describe('kill -9 right after an acknowledgement, under each durability setting', { timeout: 180_000 }, () => {
  let series: GeneratedSeries;
  before(async () => {
    series = await generateCtSeries({ count: 40, rows: 64, cols: 64, patientId: 'KILL-ACK', patientName: 'KILL^ACK', accession: 'KA1', seed: 1719 });
  });

  for (const durability of ['deferred', 'instance'] as const) {
    test(`${durability}: every acknowledged instance is found and retrieved after an immediate restart`, async () => {
      const dataDir = tempDir(`crash-ack-${durability}`);
      writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ durability }));
      const first = await serve(dataDir);
      const acknowledged: string[] = [];
      const { instances } = await instancesFromPaths(series.files);
      const sent = sendInstances({ aeTitle: AET, host: '127.0.0.1', port: first.port }, instances, {
        callingAeTitle: 'MODALITY',
        timeouts,
        onProgress: (done, _total, last) => {
          if (last.status === 0) acknowledged.push(last.sopInstanceUid);
          if (done === 20) process.kill(first.child.pid!, 'SIGKILL'); // right after the 20th answer
        },
      });
      await sent.catch(() => undefined); // the association dies with the server
      assert.ok(acknowledged.length >= 20 && acknowledged.length < series.files.length, `${acknowledged.length} acknowledged before the kill`);

      const second = await serve(dataDir); // at once: no waiting for the killed process to be reaped
      try {
        const identifier: DataSet = new Map([
          [0x0020000d, { vr: 'UI', value: [series.StudyInstanceUID] }],
          [0x0020000e, { vr: 'UI', value: [series.SeriesInstanceUID] }],
          [0x00080018, { vr: 'UI', value: [] }],
        ]);
        const stream = find(
          { aeTitle: AET, host: '127.0.0.1', port: second.port },
          { model: 'study', level: 'IMAGE', identifier },
          { callingAeTitle: 'MODALITY', timeouts },
        );
        const found: string[] = [];
        for await (const m of stream) found.push(String((m.get(0x00080018)?.value as string[])[0]));
        assert.equal((await stream.outcome).status, 0);
        assert.deepEqual(
          acknowledged.filter((uid) => !found.includes(uid)),
          [],
          'every acknowledged instance is found',
        );
        assert.equal(new Set(found).size, found.length, 'none twice');
        let received = 0;
        const got = await get(
          { aeTitle: AET, host: '127.0.0.1', port: second.port },
          { model: 'study', level: 'STUDY', identifier: new Map([[0x0020000d, { vr: 'UI', value: [series.StudyInstanceUID] }]]) },
          {
            callingAeTitle: 'MODALITY',
            timeouts,
            store: {
              store: async (r) => {
                for await (const _ of r.dataSet) {
                  /* drained */
                }
                received++;
                return { status: 0 };
              },
            },
          },
        );
        assert.deepEqual({ status: got.status, received }, { status: 0, received: found.length }, 'C-GET sends what C-FIND finds');
      } finally {
        second.child.kill('SIGINT');
      }
    });
  }
});
