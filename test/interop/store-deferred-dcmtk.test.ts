// Work a store handler defers past its answer (StoreOutcome.afterResponse: with deferred
// durability, the index row) is done before the SCP reads the sender's next C-STORE-RQ and
// before it answers the sender's A-RELEASE-RQ, whatever phase of the event loop the answer went
// out in. DCMTK's storescu is the sender: from another process, it sends its next message as soon as it has the answer.
// The handler answers from the event loop's check phase, where work deferred with a plain
// setImmediate would wait for the next turn, and another callback then keeps the loop busy long
// enough for storescu's next message to be waiting when the loop polls again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DicomServer } from '../../electron/dimse/scp/server.js';
import type { StoreHandler } from '../../electron/dimse/handlers.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { storescu } from '../helpers/peers.js';

const AET = 'PRIORS_DEFER';
const BUSY_MS = 5;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* the loop is held, as by a group commit */
  }
}

describe('work deferred past a C-STORE-RSP, against storescu', { timeout: 120_000 }, () => {
  let series: GeneratedSeries;
  let server: DicomServer;
  let port = 0;
  const events: string[] = [];

  before(async () => {
    series = await generateCtSeries({ count: 20, rows: 16, cols: 16, patientId: 'DEFER-1', patientName: 'DEFER^RSP', accession: 'DEFER1', seed: 2012 });
    const handler: StoreHandler = {
      store: async (r) => {
        events.push(`store ${r.sopInstanceUid}`);
        for await (const _ of r.dataSet) {
          /* drained */
        }
        // answered from the check phase; the callback queued after this one holds the loop
        await new Promise<void>((resolve) => {
          setImmediate(resolve);
          setImmediate(() => busy(BUSY_MS));
        });
        const uid = r.sopInstanceUid;
        return { status: 0, afterResponse: () => events.push(`after ${uid}`) };
      },
      beforeRelease: () => {
        events.push('release');
      },
    };
    server = new DicomServer({
      policy: { aeTitle: AET, acceptCallingAeTitle: () => true, maxAssociations: 4 },
      host: '127.0.0.1',
      port: 0,
      handlers: { store: handler },
    });
    port = (await server.listen()).port;
  });
  after(async () => {
    await server?.close();
  });

  test('each instance’s deferred work runs before the next C-STORE-RQ is handled and before the release is answered', async () => {
    const r = await storescu({ aeTitle: AET, host: '127.0.0.1', port }, series.files, { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const expected = [...series.SOPInstanceUIDs.flatMap((uid) => [`store ${uid}`, `after ${uid}`]), 'release'];
    assert.deepEqual(events, expected);
  });
});
