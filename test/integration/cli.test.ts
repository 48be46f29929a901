// The `priors` CLI as a user runs it: separate processes (node --import tsx electron/cli/run.ts),
// `priors serve` on a free port, echo, import of pydicom files, ls, find against the served SCP,
// move to ourselves (with and without a `priors serve` on the destination's data directory), get,
// send, nodes, and the one-sentence errors for a wrong port, an unknown called AE title, an
// unknown move destination and a move whose instances went elsewhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readInstanceHeader } from '../../electron/cache/index.js';
import { store } from '../../electron/dimse/scu/index.js';
import { Status } from '../../shared/dicom/status.js';
import { freePort } from '../helpers/ports.js';
import { runPriors, startPriorsServe, type CliResult, type PriorsServe } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const CT = join(PYDICOM_DATA, 'test_files/CT_small.dcm');
const MR = join(PYDICOM_DATA, 'test_files/MR_small.dcm');
const ECG = join(PYDICOM_DATA, 'test_files/waveform_ecg.dcm'); // 291 kB

/** Runs one command written as a user types it (its `--data DIR` taken out for runPriors). */
function runCli(args: string[]): Promise<CliResult> {
  const i = args.indexOf('--data');
  assert.ok(i >= 0, 'every test command names its data directory');
  return runPriors([...args.slice(0, i), ...args.slice(i + 2)], { dataDir: args[i + 1]! });
}

/** Asserts a failure: the exit code, and exactly one line on stderr matching `sentence`. */
function assertFailure(r: CliResult, sentence: RegExp, code = 1): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0]!, sentence);
}

/** Starts `priors serve` on a free port (or the given one) and checks its serving line. */
async function serve(aeTitle: string, dataDir: string, port?: number): Promise<PriorsServe> {
  const s = await startPriorsServe({ aeTitle, dataDir, ...(port !== undefined ? { port } : {}) });
  assert.match(
    s.logs(),
    new RegExp(
      `^Priors serving AE title ${aeTitle} on 127\\.0\\.0\\.1:${s.port} \\(port from --port(; without --port Priors listens on \\d+, [^)]+)?\\), data in .*\\(Ctrl-C to stop\\)\\.$`,
      'm',
    ),
  );
  return s;
}

function writeConfig(dir: string, config: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
}

const skip = !pydicomAvailable() || !existsSync(CT) ? 'pydicom test files not installed' : false;

describe('priors CLI', { skip }, () => {
  const pacsDir = tempDir('cli-pacs');
  const clientDir = tempDir('cli-client');
  let pacs: PriorsServe;
  let clientPort: number;
  let uids: { study: string; series: string; sop: string; mrStudy: string; patientName: string };

  before(async () => {
    uids = runPython(
      `import json,sys,pydicom
a=pydicom.dcmread(sys.argv[1]); b=pydicom.dcmread(sys.argv[2])
print(json.dumps({'study':a.StudyInstanceUID,'series':a.SeriesInstanceUID,'sop':a.SOPInstanceUID,'mrStudy':b.StudyInstanceUID,'patientName':str(a.PatientName)}))`,
      [CT, MR],
    );
    clientPort = await freePort();
    writeConfig(clientDir, { local: { aeTitle: 'CLIENT', port: clientPort, bindAddress: '127.0.0.1' } });
  });
  after(async () => {
    await pacs?.stop();
  });

  test('import and ls work on a data directory nobody serves', async () => {
    const r = await runCli(['import', CT, MR, '--data', pacsDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Imported 2 instances \(0 already cached\) into /);
    const ls = await runCli(['ls', '--data', pacsDir, '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    const rows = (JSON.parse(ls.stdout) as { rows: Record<string, string>[] }).rows;
    assert.deepEqual(rows.map((row) => row.StudyInstanceUID).sort(), [uids.study, uids.mrStudy].sort());
    const one = await runCli(['ls', '--data', pacsDir, '-L', 'IMAGE', '-k', `SOPInstanceUID=${uids.sop}`, '-k', 'SOPClassUID']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, new RegExp(`1 match in the local cache`));
    assert.match(one.stdout, /1\.2\.840\.10008\.5\.1\.4\.1\.1\.2/);
  });

  test('serve prints one line with AE title, port and data directory', async () => {
    pacs = await serve('PACS', pacsDir);
    assert.ok(pacs.logs().includes(`data in ${pacsDir} (Ctrl-C to stop).`), pacs.logs());
  });

  test('echo the served SCP; a wrong port and an unknown called AE title give one sentence', async () => {
    const ok = await runCli(['echo', `PACS@127.0.0.1:${pacs.port}`, '--data', clientDir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^PACS at 127\.0\.0\.1:\d+ answered the C-ECHO in \d+ ms/);
    const closedPort = await freePort();
    assertFailure(
      await runCli(['echo', `PACS@127.0.0.1:${closedPort}`, '--data', clientDir]),
      new RegExp(`^Nothing accepts connections at 127\\.0\\.0\\.1:${closedPort}: check the port number, .*firewall`),
    );
    assertFailure(
      await runCli(['echo', `NOTPACS@127.0.0.1:${pacs.port}`, '--data', clientDir]),
      new RegExp(`^The node at 127\\.0\\.0\\.1:${pacs.port} is not AE title NOTPACS: check the called AE title\\.$`),
    );
    const json = await runCli(['echo', `NOTPACS@127.0.0.1:${pacs.port}`, '--data', clientDir, '--json']);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { code: string }).code, 'called-ae-not-recognized');
  });

  test('find against the served SCP at each level, and the same rows from ls', async () => {
    await runCli(['nodes', 'add', 'pacs', `PACS@127.0.0.1:${pacs.port}`, '--data', clientDir]);
    const studies = await runCli(['find', 'pacs', '-k', 'PatientName=*', '--data', clientDir, '--json']);
    assert.equal(studies.code, 0, studies.stderr);
    const remote = JSON.parse(studies.stdout) as { rows: Record<string, string>[]; status: number };
    assert.equal(remote.status, 0);
    assert.deepEqual(remote.rows.map((r) => r.StudyInstanceUID).sort(), [uids.study, uids.mrStudy].sort());
    const local = JSON.parse((await runCli(['ls', '-k', 'PatientName=*', '--data', pacsDir, '--json'])).stdout) as { rows: Record<string, string>[] };
    const strip = (rows: Record<string, string>[]) =>
      rows.map(({ RetrieveAETitle: _r, ...rest }) => rest).sort((a, b) => (a.StudyInstanceUID ?? '').localeCompare(b.StudyInstanceUID ?? ''));
    assert.deepEqual(strip(remote.rows), strip(local.rows), 'remote find and ls answer the same rows');
    const series = await runCli(['find', 'pacs', '-L', 'SERIES', '-k', `StudyInstanceUID=${uids.study}`, '--data', clientDir, '--json']);
    assert.equal(series.code, 0, series.stderr);
    assert.deepEqual(
      (JSON.parse(series.stdout) as { rows: Record<string, string>[] }).rows.map((r) => r.SeriesInstanceUID),
      [uids.series],
    );
    const images = await runCli(['find', 'pacs', '-L', 'IMAGE', '-k', `StudyInstanceUID=${uids.study}`, '-k', `0020,000E=${uids.series}`, '--data', clientDir]);
    assert.equal(images.code, 0, images.stderr);
    assert.match(images.stdout, new RegExp(uids.sop.replace(/\./g, '\\.')));
    const patients = await runCli(['find', 'pacs', '-m', 'patient', '-L', 'PATIENT', '-k', `PatientName=${uids.patientName}`, '--data', clientDir]);
    assert.equal(patients.code, 0, patients.stderr);
    assert.match(patients.stdout, /^1 match from PACS\.$/m);
    assertFailure(await runCli(['find', 'pacs', '-L', 'SERIES', '--data', clientDir]), /^Study Instance UID \(0020,000D\) is missing/, 2);
    assertFailure(await runCli(['find', 'pacs', '-k', 'NoSuchKeyword=1', '--data', clientDir]), /^"NoSuchKeyword" is not a DICOM keyword or tag/, 2);
  });

  test('a served data directory can be listed but not imported into', async () => {
    const ls = await runCli(['ls', '--data', pacsDir]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /2 matches in the local cache/);
    assertFailure(
      await runCli(['import', CT, '--data', pacsDir]),
      new RegExp(
        `^The cache in .* is in use by another Priors process \\(pid \\d+\\): stop "priors serve" first, or send the files to it with "priors send PACS@127\\.0\\.0\\.1:${pacs.port}`,
      ),
    );
  });

  test('move to ourselves: the command listens itself, and the arrivals are verified', async () => {
    await runCli(['nodes', 'add', 'client', `CLIENT@127.0.0.1:${clientPort}`, '--data', pacsDir]);
    const r = await runCli(['move', 'pacs', '-k', `StudyInstanceUID=${uids.study}`, '--data', clientDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { verdict: string; arrived: number; claimed: { completed: number }; destination: string };
    assert.equal(report.verdict, 'complete');
    assert.equal(report.destination, 'CLIENT');
    assert.equal(report.claimed.completed, 1);
    assert.equal(report.arrived, 1);
    const ls = await runCli(['ls', '-L', 'IMAGE', '--data', clientDir, '--json']);
    assert.deepEqual(
      (JSON.parse(ls.stdout) as { rows: Record<string, string>[] }).rows.map((x) => x.SOPInstanceUID),
      [uids.sop],
    );
  });

  test('move to ourselves while `priors serve` runs on the same data directory', async () => {
    const client = await serve('CLIENT', clientDir, clientPort);
    try {
      const r = await runCli(['move', 'pacs', '-k', `StudyInstanceUID=${uids.mrStudy}`, '--data', clientDir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Retrieved 1 instance from PACS by C-MOVE to CLIENT; all 1 the PACS reported arrived\.$/m);
    } finally {
      await client.stop();
      assert.equal(client.exitReason(), 'code 0', `serve exits 0 on SIGINT: ${client.logs()}`);
      assert.match(client.logs(), /a\d+ open .*PACS -> CLIENT/, 'one log line per association');
    }
    assert.equal(existsSync(join(clientDir, 'serve.json')), false, 'serve.json removed on exit');
  });

  test('move to an AE title the PACS does not know: A801 sentence', async () => {
    assertFailure(
      await runCli(['move', 'pacs', '-k', `StudyInstanceUID=${uids.study}`, '--dest', 'NOBODY', '--data', clientDir]),
      /^PACS PACS has no entry for AE title NOBODY; add NOBODY with its host and port to its list of known nodes/,
    );
    const other = tempDir('cli-other');
    writeConfig(other, { local: { aeTitle: 'STRANGER', port: await freePort(), bindAddress: '127.0.0.1' } });
    assertFailure(
      await runCli(['move', `PACS@127.0.0.1:${pacs.port}`, '-k', `StudyInstanceUID=${uids.study}`, '--data', other]),
      /^PACS PACS has no entry for AE title STRANGER; add STRANGER at 127\.0\.0\.1:\d+ to its list of known nodes\.$/,
    );
  });

  test('move whose instances go elsewhere: "nothing arrived", and a dead destination: failed sub-operations', async () => {
    // The PACS's entry for DECOY points at another live SCP that accepts the stores.
    const decoyDir = tempDir('cli-decoy');
    const decoy = await serve('DECOY', decoyDir);
    const mine = tempDir('cli-mine');
    const myPort = await freePort();
    writeConfig(mine, { local: { aeTitle: 'DECOY', port: myPort, bindAddress: '127.0.0.1' } });
    try {
      await runCli(['nodes', 'add', 'decoy', `DECOY@127.0.0.1:${decoy.port}`, '--data', pacsDir]);
      assertFailure(
        await runCli(['move', `PACS@127.0.0.1:${pacs.port}`, '-k', `StudyInstanceUID=${uids.study}`, '--data', mine]),
        new RegExp(
          `^PACS PACS reported 1 instance sent but none arrived: the PACS could not reach this workstation at 127\\.0\\.0\\.1:${myPort}, or its entry for AE title DECOY points elsewhere\\.$`,
        ),
      );
    } finally {
      await decoy.stop();
    }
    // Now nothing listens where the entry points.
    assertFailure(
      await runCli(['move', `PACS@127.0.0.1:${pacs.port}`, '-k', `StudyInstanceUID=${uids.study}`, '--data', mine]),
      new RegExp(
        `^PACS PACS could not send 1 of 1 instance \\(${uids.sop.replace(/\./g, '\\.')}\\) to DECOY.*: check that the PACS can reach DECOY at 127\\.0\\.0\\.1:${myPort}`,
      ),
    );
  });

  test('get into a fresh data directory', async () => {
    const dir = tempDir('cli-get');
    const r = await runCli(['get', `PACS@127.0.0.1:${pacs.port}`, '-k', `StudyInstanceUID=${uids.mrStudy}`, '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Retrieved 1 instance from PACS by C-GET; all 1 the PACS reported arrived\.$/m);
  });

  test('send files and a cached study', async () => {
    const target = tempDir('cli-target');
    const t = await serve('TARGET', target);
    try {
      const files = await runCli(['send', `TARGET@127.0.0.1:${t.port}`, MR, join(PYDICOM_DATA, 'test_files'), '--data', clientDir, '--json']);
      const sent = JSON.parse(files.stdout) as { sent: number; failed: number; skipped: number };
      assert.ok(sent.sent > 10, `sent many files of the corpus: ${files.stdout.slice(0, 300)}`);
      const cached = await runCli(['send', `TARGET@127.0.0.1:${t.port}`, '--study', uids.study, '--data', clientDir]);
      assert.equal(cached.code, 0, cached.stderr);
      assert.match(cached.stdout, /^Sent 1 instance to TARGET\.$/m);
      assertFailure(
        await runCli(['send', `TARGET@127.0.0.1:${t.port}`, '--study', '1.2.3.4', '--data', clientDir]),
        /^Study 1\.2\.3\.4 is not in the local cache/,
        2,
      );
    } finally {
      await t.stop();
    }
  });

  test('nodes add, ls, rm and their errors', async () => {
    const dir = tempDir('cli-nodes');
    const add = await runCli(['nodes', 'add', 'main', 'ORTHANC@10.0.0.5:4242', '--method', 'get', '--model', 'patient', '--data', dir]);
    assert.equal(add.code, 0, add.stderr);
    const ls = JSON.parse((await runCli(['nodes', 'ls', '--json', '--data', dir])).stdout) as { nodes: unknown[] };
    assert.deepEqual(ls.nodes, [{ name: 'main', aeTitle: 'ORTHANC', host: '10.0.0.5', port: 4242, model: 'patient', method: 'get', maxAssociations: 4 }]);
    assertFailure(await runCli(['nodes', 'add', 'main', 'X@h:1', '--data', dir]), /^A node named "main" already exists/, 2);
    assertFailure(
      await runCli(['nodes', 'add', 'bad', 'X@h:abc', '--data', dir]),
      /^The port in "X@h:abc" must be an integer from 1 to 65535, got "abc"\.$/,
      2,
    );
    assertFailure(await runCli(['echo', 'nothere', '--data', dir]), /^No node named "nothere" is configured/, 2);
    assert.equal((await runCli(['nodes', 'rm', 'main', '--data', dir])).code, 0);
    assertFailure(await runCli(['nodes', 'rm', 'main', '--data', dir]), /^No node named "main" is configured/, 2);
    assertFailure(await runCli(['frobnicate', '--data', dir]), /^Unknown command "frobnicate"/, 2);
    writeFileSync(join(dir, 'config.json'), '{"nodes":[{"name":"x","aeTitle":"X","host":"h","port":"abc"}]}');
    assertFailure(await runCli(['nodes', 'ls', '--data', dir]), /^In .*config\.json, nodes\[0\]\.port must be an integer from 1 to 65535, got "abc"\.$/, 2);
  });

  test('the served Storage SCP answers A900, C000 and A700 (PS3.4 B.2.3)', async () => {
    const dir = tempDir('cli-statuses');
    writeConfig(dir, { quotaBytes: 45_000 });
    const s = await serve('PRIORS', dir);
    try {
      const node = { aeTitle: 'PRIORS', host: '127.0.0.1', port: s.port };
      const ct = await readInstanceHeader(CT);
      const ecg = await readInstanceHeader(ECG);
      const source = (path: string, h: typeof ct, sopInstanceUid = h.fields.instance.SOPInstanceUID) => ({
        sopClassUid: h.fields.instance.SOPClassUID,
        sopInstanceUid,
        transferSyntaxUid: h.transferSyntaxUid,
        path,
        dataSetOffset: h.dataSetOffset,
        dataSetLength: h.fileSize - h.dataSetOffset,
      });
      const garbage = join(dir, 'garbage.bin');
      writeFileSync(garbage, Buffer.alloc(4000, 0xff));
      const results = await store(
        node,
        [
          source(CT, ct, '1.2.3.999'), // the data set says another SOP Instance UID
          { ...source(garbage, ct, '1.2.3.998'), dataSetOffset: 0, dataSetLength: 4000 }, // not a data set
          source(CT, ct), // fits the 45 kB quota
          source(ECG, ecg), // larger than the quota: evicting the CT would not make room
        ],
        { callingAeTitle: 'TESTER' },
      );
      assert.deepEqual(
        results.map((r) => r.status),
        [Status.DataSetDoesNotMatchSOPClass, Status.CannotUnderstand, Status.Success, Status.OutOfResources],
      );
      assert.match(results[0]!.errorComment ?? '', /SOP Instance UID/);
      assert.match(results[3]!.errorComment ?? '', /size limit/);
    } finally {
      await s.stop();
    }
  });

  test('a server that does not know our calling AE title: one sentence naming what to add', async () => {
    const dir = tempDir('cli-picky');
    writeConfig(dir, { callingAePolicy: { mode: 'list', aeTitles: ['FRIEND', 'ECHOSCU'] } }); // ECHOSCU: the helper's readiness probe
    const picky = await serve('PICKY', dir);
    try {
      assertFailure(
        await runCli(['echo', `PICKY@127.0.0.1:${picky.port}`, '--data', clientDir]),
        new RegExp(`^PACS PICKY does not accept calling AE title CLIENT: add CLIENT \\(127\\.0\\.0\\.1:${clientPort}\\) to its list of known nodes\\.$`),
      );
    } finally {
      await picky.stop();
    }
  });

  test('serve on a port in use: one sentence', async () => {
    const dir = tempDir('cli-busy');
    assertFailure(
      await runCli(['serve', '--data', dir, '--port', String(pacs.port), '--bind', '127.0.0.1']),
      new RegExp(`^Port ${pacs.port} is already in use on this workstation`),
    );
  });

  test('serve --ui on a web UI port in use: the sentence names --ui-port, not --port', async () => {
    const dir = tempDir('cli-busy-ui');
    const r = await runCli(['serve', '--data', dir, '--port', '0', '--bind', '127.0.0.1', '--ui', '--ui-port', String(pacs.port)]);
    assert.equal(r.code, 1, r.stderr);
    // the DICOM server's own "listening" log line comes first; the failure is the last line
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, new RegExp(`^Port ${pacs.port} is already in use on this workstation, so the web UI cannot listen: .*--ui-port`));
    assert.doesNotMatch(last, /--port /);
  });
});
