// Crash safety of the receive path (issue 6 item 3): storescu (DCMTK) sends a 300-image CT
// series to `priors serve` (a real child process) and the server is killed with SIGKILL at a
// seeded random moment of the send, at least 20 times. After each kill the server restarts on
// the same data directory (recovery: unclean shutdown) and the test checks, with its own SQLite
// connection: PRAGMA integrity_check and foreign_key_check; every indexed instance has its file,
// of the indexed size, and the instances of the series hold exactly the bytes storescu sent; no
// file under files/ without a row (nothing half-written is visible); tmp/ empty and nothing in
// quarantine/. Then the series is sent again and must be complete: 300 instances, bytes equal.
// The trials run one after the other on one data directory, so each crash also happens over a
// cache holding the earlier studies (checked again each time). Most series are 128×128; a few
// are 512×512. Also: a connection dropped in the middle of a C-STORE data set leaves no row, no
// file and no temp file, and the server keeps storing.
//
// PRIORS_CRASH_SEED=<n> replays another sequence of kill moments.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { decodeDataSet, EXPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { setString } from '../../shared/dicom/dataset.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { runDcmtk, storescu } from '../helpers/peers.js';
import { dataSetBytes, startPriorsServe, walkFiles, type PriorsServe } from '../helpers/priors-cli.js';
import { commandPdu, dataPdus, encodeIn, EXPLICIT_LE, openAssociation, rawStore, storeCommand } from '../helpers/raw-peer.js';
import { tempDir } from '../helpers/tmp.js';
import { prng } from '../../shared/prng.js';

const AET = 'PRIORS_CRASH';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const SEED = Number(process.env.PRIORS_CRASH_SEED ?? 20261122);
const INSTANCES = 300;
/** Trials with 512×512 images (the others are 128×128). */
const LARGE_TRIALS = new Set([4, 11, 18]);
const TRIALS = 22;

/** How many files the study holds under files/ now (0 when its folder does not exist yet). */
function storedCount(dataDir: string, s: GeneratedSeries): number {
  try {
    return readdirSync(join(dataDir, 'files', s.StudyInstanceUID, s.SeriesInstanceUID)).length;
  } catch {
    return 0;
  }
}

interface Row {
  SOPInstanceUID: string;
  file_path: string;
  file_size: number;
  StudyInstanceUID: string;
}

/** Everything the index and the store must satisfy after a restart; returns the rows of `series`. */
function checkStore(dataDir: string, series: GeneratedSeries, label: string): Row[] {
  const db = new Database(join(dataDir, 'index.sqlite'), { readonly: true, fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `${label}: PRAGMA integrity_check`);
    assert.deepEqual(db.pragma('foreign_key_check'), [], `${label}: PRAGMA foreign_key_check`);
    const rows = db
      .prepare(
        `SELECT i.SOPInstanceUID, i.file_path, i.file_size, s.StudyInstanceUID FROM instance i
      JOIN series se ON se.id = i.series_pk JOIN study s ON s.id = se.study_pk`,
      )
      .all() as Row[];
    const counts = db
      .prepare(
        `SELECT s.StudyInstanceUID AS uid, s.NumberOfStudyRelatedInstances AS n, s.size AS size,
      (SELECT count(*) FROM series se JOIN instance i ON i.series_pk = se.id WHERE se.study_pk = s.id) AS rows,
      (SELECT coalesce(sum(i.file_size), 0) FROM series se JOIN instance i ON i.series_pk = se.id WHERE se.study_pk = s.id) AS bytes
      FROM study s`,
      )
      .all() as { uid: string; n: number; size: number; rows: number; bytes: number }[];
    for (const c of counts) {
      assert.equal(c.n, c.rows, `${label}: NumberOfStudyRelatedInstances of ${c.uid}`);
      assert.equal(c.size, c.bytes, `${label}: size of ${c.uid}`);
    }
    // every indexed file is there, whole
    for (const r of rows) {
      const path = join(dataDir, ...r.file_path.split('/'));
      assert.ok(existsSync(path), `${label}: the file of indexed instance ${r.SOPInstanceUID} exists`);
      assert.equal(statSync(path).size, r.file_size, `${label}: the file of ${r.SOPInstanceUID} has its indexed size`);
    }
    // nothing under files/ that the index does not list: no half-written file is visible
    const indexed = new Set(rows.map((r) => r.file_path));
    const onDisk = walkFiles(join(dataDir, 'files')).map((f) => relative(dataDir, f).split('\\').join('/'));
    assert.deepEqual(
      onDisk.filter((f) => !indexed.has(f)),
      [],
      `${label}: files under files/ without a row`,
    );
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')), [], `${label}: tmp/ is empty after recovery`);
    const quarantine = join(dataDir, 'quarantine');
    assert.deepEqual(existsSync(quarantine) ? readdirSync(quarantine) : [], [], `${label}: nothing was quarantined`);
    // the instances of this series hold exactly what storescu sent (Explicit VR LE, no transcoding)
    const source = new Map(series.SOPInstanceUIDs.map((uid, i) => [uid, series.files[i]!]));
    const mine = rows.filter((r) => r.StudyInstanceUID === series.StudyInstanceUID);
    for (const r of mine) {
      const file = source.get(r.SOPInstanceUID);
      assert.ok(file, `${label}: ${r.SOPInstanceUID} belongs to the series`);
      assert.ok(dataSetBytes(join(dataDir, r.file_path)).equals(dataSetBytes(file)), `${label}: the data set of ${r.SOPInstanceUID} is the one sent`);
    }
    return mine;
  } finally {
    db.close();
  }
}

describe('kill -9 of priors serve during a 300-image ingest', { timeout: 900_000 }, () => {
  let dataDir: string;
  let priors: PriorsServe;
  const series: GeneratedSeries[] = [];

  before(async () => {
    dataDir = join(tempDir('crash-kill9'), 'data');
    for (let i = 0; i < TRIALS; i++) {
      const size = LARGE_TRIALS.has(i) ? 512 : 128;
      series.push(
        await generateCtSeries({
          count: INSTANCES,
          rows: size,
          cols: size,
          patientId: `CRASH-${i}`,
          patientName: `CRASH^TRIAL${i}`,
          accession: `CRASH${i}`,
          seed: 700 + i,
        }),
      );
    }
    priors = await startPriorsServe({ aeTitle: AET, dataDir });
  });
  after(async () => {
    await priors?.stop();
  });

  test(`${TRIALS} trials (seed ${SEED}): integrity, complete files, nothing half-written, a resend completes the study`, async (t) => {
    const random = prng(SEED);
    const outcomes: string[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const s = series[i]!;
      const label = `trial ${i + 1} (${LARGE_TRIALS.has(i) ? '512×512' : '128×128'})`;
      // the moment: once `target` instances of the series are in the store (0: as storescu connects)
      const target = Math.floor(random() * INSTANCES);
      const sending = storescu(priors, s.files, { timeoutMs: 120_000 });
      let finished = false;
      void sending.then(() => {
        finished = true;
      });
      if (target === 0) await sleep(Math.floor(random() * 40));
      const deadline = Date.now() + 120_000;
      while (!finished && storedCount(dataDir, s) < target && Date.now() < deadline) await sleep(2);
      const killedPid = priors.pid;
      await priors.kill();
      const atKill = storedCount(dataDir, s);
      // what was being received is in tmp/ only, as .part files (the recovery at restart removes them)
      const partials = readdirSync(join(dataDir, 'tmp'));
      assert.ok(
        partials.every((f) => f.endsWith('.part')),
        `${label}: only .part files in tmp/: ${partials.join(', ')}`,
      );
      const sent = await sending;
      assert.equal(priors.exitReason(), 'SIGKILL', `${label}: the server was killed`);
      if (finished && atKill >= INSTANCES) t.diagnostic(`${label}: storescu finished before the kill`);

      priors = await startPriorsServe({ aeTitle: AET, dataDir });
      assert.notEqual(priors.pid, killedPid);
      const recovery = /Recovery: (\d+) files indexed/.exec(priors.logs())?.[1] ?? '0';
      const dropped = /Recovery: (\d+) index rows had no file/.exec(priors.logs())?.[1] ?? '0';
      const kept = checkStore(dataDir, s, `${label} after the kill`);

      const again = await storescu(priors, s.files, { timeoutMs: 300_000 });
      assert.equal(again.code, 0, `${label}: the resend succeeds\n${again.stderr.slice(-2000)}\n--- server ---\n${priors.logs().slice(-3000)}`);
      const complete = checkStore(dataDir, s, `${label} after the resend`);
      assert.deepEqual(complete.map((r) => r.SOPInstanceUID).sort(), [...s.SOPInstanceUIDs].sort(), `${label}: the study is complete`);
      outcomes.push(
        `${label}: kill at ≥${target} → ${atKill} files in the store and ${partials.length} in tmp/, storescu exit ${sent.code}; after restart ${kept.length} indexed ` +
          `(${recovery} re-indexed from files, ${dropped} rows dropped), checks ok; resend → ${complete.length}/${INSTANCES}`,
      );
    }
    for (const line of outcomes) t.diagnostic(line);
  });

  test('a connection dropped in the middle of a C-STORE data set: no row, no file, no temp file; the server keeps storing', async () => {
    const s = series[0]!;
    const before = checkStore(dataDir, s, 'before the drop').length;
    const filesBefore = walkFiles(join(dataDir, 'files')).length;
    // an instance the store does not hold: the series' first data set under another SOP Instance UID
    const uid = '1.2.826.0.1.3680043.10.1.6.1';
    const ds = decodeDataSet(dataSetBytes(s.files[0]!), EXPLICIT_LITTLE_ENDIAN).dataSet;
    setString(ds, 0x00080018, 'UI', uid);
    const data = Buffer.from(encodeIn(ds, EXPLICIT_LE));
    const { peer } = await openAssociation('127.0.0.1', priors.port, {
      calledAeTitle: AET,
      contexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE] }],
    });
    const pdus = dataPdus(1, data, 4000);
    await peer.send(commandPdu(1, storeCommand({ sopClassUid: CT, sopInstanceUid: uid })));
    for (const pdu of pdus.slice(0, Math.floor(pdus.length / 2))) await peer.send(pdu);
    const deadline = Date.now() + 10_000;
    while (readdirSync(join(dataDir, 'tmp')).length === 0 && Date.now() < deadline) await sleep(5);
    assert.equal(readdirSync(join(dataDir, 'tmp')).length, 1, 'the instance was being written to tmp/');
    peer.destroy();
    while (readdirSync(join(dataDir, 'tmp')).length > 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')), [], 'the temp file is removed when the connection drops');
    assert.equal(walkFiles(join(dataDir, 'files')).length, filesBefore, 'no new file in the store');
    assert.equal(checkStore(dataDir, s, 'after the drop').length, before, 'nothing new indexed');
    const echo = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', AET, '127.0.0.1', String(priors.port)], { timeoutMs: 15_000 });
    assert.equal(echo.code, 0, echo.stderr);
    // the same instance, whole this time, is stored
    const { peer: again } = await openAssociation('127.0.0.1', priors.port, {
      calledAeTitle: AET,
      contexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE] }],
    });
    try {
      const r = await rawStore(again, 1, { sopClassUid: CT, sopInstanceUid: uid, dataSet: data });
      assert.equal(r.status, 0, JSON.stringify(r));
    } finally {
      again.destroy();
    }
    assert.equal(walkFiles(join(dataDir, 'files')).length, filesBefore + 1);
    const stored = walkFiles(join(dataDir, 'files')).find((f) => f.endsWith(`${uid}.dcm`));
    assert.ok(stored && dataSetBytes(stored).equals(data), 'the whole instance is stored as sent');
    assert.ok(readFileSync(stored).length > data.length);
  });
});
