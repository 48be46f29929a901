// STOW-RS to a DICOMweb service (a server of this test) that takes only Explicit VR Little
// Endian and refuses other transfer syntaxes with Failure Reason C122 (PS3.18 §10.5.3): `priors
// send` sends an RLE Lossless instance as stored, reads the refusal, sends it again converted by
// the outgoing transcoder, and says so; the pixels that arrive equal pydicom's decoding of the
// stored file. A service refusing everything reads as one sentence naming the instance. The
// app's send (cache.send) takes the same path.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TransferSyntaxUid } from '../../shared/dicom/uids.js';
import { AppCore } from '../../electron/app/core.js';
import { Cache } from '../../electron/cache/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { parseMediaType, parseMultipart } from '../../electron/services/dicomweb/multipart.js';
import { runPriors } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const MR_RLE = join(PYDICOM_DATA, 'test_files', 'MR_small_RLE.dcm');

/** A UI element of the file meta (explicit VR little endian), e.g. (0002,0010). */
function metaUid(part: Buffer, element: number): string {
  const at = part.indexOf(Buffer.from([0x02, 0x00, element, 0x00, 0x55, 0x49]));
  if (at < 0) return '';
  return part
    .subarray(at + 8, at + 8 + part.readUInt16LE(at + 6))
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
}

describe('STOW-RS to a service that refuses the stored transfer syntax', { skip: pydicomAvailable() ? false : 'pydicom corpus not installed' }, () => {
  let server: Server;
  let url: string;
  const received: { syntax: string; bytes: Buffer }[] = [];
  let takes: (syntax: string) => boolean = () => true;
  const dataDir = tempDir('stow-transcode');
  let study: string;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const media = parseMediaType(req.headers['content-type']);
    const stored: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    for await (const part of parseMultipart(req, media.params.boundary!)) {
      const chunks: Buffer[] = [];
      for await (const c of part.body) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      const syntax = metaUid(bytes, 0x10);
      const ref = { '00081150': { vr: 'UI', Value: [metaUid(bytes, 0x02)] }, '00081155': { vr: 'UI', Value: [metaUid(bytes, 0x03)] } };
      if (takes(syntax)) {
        received.push({ syntax, bytes });
        stored.push(ref);
      } else {
        failed.push({ ...ref, '00081197': { vr: 'US', Value: [0xc122] } });
      }
    }
    const body = {
      ...(stored.length ? { '00081199': { vr: 'SQ', Value: stored } } : {}),
      ...(failed.length ? { '00081198': { vr: 'SQ', Value: failed } } : {}),
    };
    res.writeHead(stored.length === 0 ? 409 : failed.length ? 202 : 200, { 'content-type': 'application/dicom+json' }).end(JSON.stringify(body));
  }

  before(async () => {
    server = createServer((req, res) => {
      void answer(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`;
    const imported = await runPriors(['import', MR_RLE], { dataDir });
    assert.equal(imported.code, 0, imported.stderr);
    study = runPython<string>('import sys, json, pydicom; print(json.dumps(pydicom.dcmread(sys.argv[1]).StudyInstanceUID))', [MR_RLE]);
    assert.equal((await runPriors(['nodes', 'add', 'web', url, '--dicomweb'], { dataDir })).code, 0);
  });

  after(() => {
    server?.closeAllConnections();
    server?.close();
  });

  test('the refused instance is sent again in Explicit VR Little Endian, its pixels unchanged', async () => {
    takes = (syntax) => syntax === TransferSyntaxUid.ExplicitVRLittleEndian;
    received.length = 0;
    const sent = await runPriors(['send', 'web', '--study', study], { dataDir });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(
      sent.stdout.trim(),
      'Sent 1 instance to web by STOW-RS; 1 refused in their stored transfer syntax were sent again converted to Explicit VR Little Endian.',
    );
    assert.equal(received.length, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'priors-stow-')), 'received.dcm');
    writeFileSync(file, received[0]!.bytes);
    const same = runPython<{ syntax: string; equal: boolean; uid: boolean }>(
      `
import sys, json, pydicom
a = pydicom.dcmread(sys.argv[1]); b = pydicom.dcmread(sys.argv[2])
print(json.dumps({"syntax": str(b.file_meta.TransferSyntaxUID), "equal": bool((a.pixel_array == b.pixel_array).all()), "uid": a.SOPInstanceUID == b.SOPInstanceUID}))`,
      [MR_RLE, file],
    );
    assert.deepEqual(same, { syntax: TransferSyntaxUid.ExplicitVRLittleEndian, equal: true, uid: true });
  });

  test('as stored when the service takes it; refused whatever the syntax: one sentence', async () => {
    takes = () => true;
    received.length = 0;
    const sent = await runPriors(['send', 'web', '--study', study], { dataDir });
    assert.equal(sent.stdout.trim(), 'Sent 1 instance to web by STOW-RS.');
    assert.equal(received[0]!.syntax, TransferSyntaxUid.RLELossless);
    takes = () => false;
    const refused = await runPriors(['send', 'web', '--study', study], { dataDir });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr.trim(),
      new RegExp(
        `^${url.replace(/[.]/g, '\\.')} did not store 1 of 1 instance sent by STOW-RS: [0-9.]+ was refused, transfer syntax not supported \\(0xC122\\); it takes neither the stored transfer syntax nor Explicit VR Little Endian\\.$`,
      ),
    );
  });

  test("the app's send (cache.send, the Local cache screen) goes by STOW-RS too, converting as needed", async () => {
    takes = (syntax) => syntax === TransferSyntaxUid.ExplicitVRLittleEndian;
    received.length = 0;
    const cache = await Cache.open(dataDir);
    const core = new AppCore({ store: new ConfigStore(dataDir), cache, activity: new ActivityLog() });
    try {
      const r = await core['cache.send']({ node: 'web', level: 'STUDY', uids: [study] });
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual([r.value.sent, r.value.failed, r.value.error], [1, 0, undefined]);
      assert.deepEqual(
        received.map((p) => p.syntax),
        [TransferSyntaxUid.ExplicitVRLittleEndian],
      );
      takes = () => false;
      const refused = await core['cache.send']({ node: 'web', level: 'STUDY', uids: [study] });
      assert.ok(refused.ok);
      assert.equal(refused.value.error?.code, 'stow-failed');
      assert.match(refused.value.error!.message, /did not store 1 of 1 instance sent by STOW-RS/);
    } finally {
      core.close();
      await cache.close();
    }
  });
});
