// A search of several nodes (electron/services/query/search-nodes.ts) with our SCU against
// servers of ours on port 0: answers merged by StudyInstanceUID with the nodes that hold each,
// a closed port failing alone with its sentence, a capped answer flagged alone, the issuer a node leaves out supplied, cancel
// reaching every node's C-FIND as C-CANCEL, at most four nodes at once, and each node's query
// written in its own character set (a name the set cannot hold stops before any association).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RemoteNode } from '../../shared/config.js';
import { type DataSet, getString, getStrings, setString, tag } from '../../shared/dicom/dataset.js';
import { DicomServer, type FindHandler } from '../../electron/dimse/index.js';
import { identifierFromKeys, parseKey } from '../../electron/services/query/query-keys.js';
import { searchNodes } from '../../electron/services/query/search-nodes.js';
import type { SearchRequest } from '../../electron/services/query/query.js';
import type { MergedMatch } from '../../shared/search.js';
import { freePort } from '../helpers/ports.js';
import { studiesOnNode } from '../../electron/services/prefetch/candidates.js';
import { BodyPartLexicon } from '../../electron/services/prefetch/body-parts.js';
import { identityProblem } from '../../electron/services/prefetch/select.js';
import { DEFAULT_SYNONYMS } from '../../shared/prefetch.js';

const T = { connectMs: 5000, artimMs: 5000, dimseMs: 15000 };
const scu = { callingAeTitle: 'PRIORS', timeouts: T };
const PatientName = tag(0x0010, 0x0010);
const PatientID = tag(0x0010, 0x0020);
const IssuerOfPatientID = tag(0x0010, 0x0021);
const StudyInstanceUID = tag(0x0020, 0x000d);

interface Study {
  uid: string;
  id: string;
  issuer?: string;
  name?: string;
}

/** Answers each C-FIND with its studies (the keys asked for), `delayMs` apart; records what it was asked and how often cancelled. */
class ArchiveFind implements FindHandler {
  received: DataSet[] = [];
  active = 0;
  cancelled = 0;
  constructor(
    private readonly studies: Study[],
    private readonly delayMs = 0,
    private readonly gauge?: { now: number; max: number },
  ) {}
  async *find({ identifier, signal }: { identifier: DataSet; signal: AbortSignal }) {
    this.received.push(identifier);
    if (this.gauge) this.gauge.max = Math.max(this.gauge.max, ++this.gauge.now);
    try {
      for (const s of this.studies) {
        if (this.delayMs) await sleep(this.delayMs);
        if (signal.aborted) {
          this.cancelled++;
          return;
        }
        const m: DataSet = new Map();
        setString(m, tag(0x0008, 0x0052), 'CS', 'STUDY');
        setString(m, StudyInstanceUID, 'UI', s.uid);
        setString(m, PatientID, 'LO', s.id);
        if (identifier.has(PatientName)) setString(m, PatientName, 'PN', s.name ?? 'DOE^JANE');
        if (s.issuer) setString(m, IssuerOfPatientID, 'LO', s.issuer);
        yield m;
      }
    } finally {
      if (this.gauge) this.gauge.now--;
    }
  }
}

const servers: DicomServer[] = [];
async function archive(name: string, handler: FindHandler, extra: Partial<RemoteNode> = {}): Promise<RemoteNode> {
  const server = new DicomServer({
    host: '127.0.0.1',
    port: 0,
    handlers: { find: handler },
    timeouts: T,
    pendingIntervalMs: 0,
    policy: { aeTitle: name.toUpperCase(), acceptCallingAeTitle: () => true, maxAssociations: 8 },
  });
  servers.push(server);
  const { port } = await server.listen();
  return { name, aeTitle: name.toUpperCase(), host: '127.0.0.1', port, model: 'study', method: 'move', maxAssociations: 2, ...extra };
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function studyRequest(...keys: string[]): SearchRequest {
  return { model: 'study', level: 'STUDY', keys: identifierFromKeys([...keys, 'StudyInstanceUID'].map(parseKey)) };
}

const options = { scu: () => scu, failure: async (n: RemoteNode) => ({ service: 'find' as const, node: { aeTitle: n.aeTitle, host: n.host, port: n.port } }) };

describe('search of several nodes', () => {
  let a: RemoteNode;
  let b: RemoteNode;
  let down: RemoteNode;
  const findA = new ArchiveFind([
    { uid: '1.2.9.1', id: 'P1' },
    { uid: '1.2.9.2', id: 'P1' },
  ]);
  const findB = new ArchiveFind([
    { uid: '1.2.9.2', id: 'P1', issuer: 'HOSP_B' },
    { uid: '1.2.9.3', id: 'P1', issuer: 'HOSP_B' },
  ]);

  before(async () => {
    a = await archive('a', findA, { issuer: 'HOSP_A' });
    b = await archive('b', findB);
    down = { ...b, name: 'down', aeTitle: 'DOWN', port: await freePort() }; // nothing listens there
  });

  test('answers merged by StudyInstanceUID with the nodes that hold each; the closed port fails alone and says so', async () => {
    const seen: Array<{ node: string; match: MergedMatch }> = [];
    const r = await searchNodes([a, down, b], studyRequest('PatientID=P1'), { ...options, onMatch: (match, node) => seen.push({ node, match }) });
    // heldBy in the order the nodes answered, which two nodes searched at once do not fix
    assert.deepEqual(r.matches.map((m) => [m.row.StudyInstanceUID, [...m.heldBy].sort()]).sort(), [
      ['1.2.9.1', ['a']],
      ['1.2.9.2', ['a', 'b']],
      ['1.2.9.3', ['b']],
    ]);
    assert.deepEqual(
      r.nodes.map((n) => [n.node, n.outcome, n.matches]),
      [
        ['a', 'completed', 2],
        ['down', 'failed', 0],
        ['b', 'completed', 2],
      ],
    );
    const failed = r.nodes[1]!;
    assert.match(failed.sentence!, new RegExp(`127\\.0\\.0\\.1:${down.port}`));
    assert.equal(failed.code, 'connection-refused');
    // the study both hold came twice, the second time held by both
    const twice = seen.filter((s) => s.match.row.StudyInstanceUID === '1.2.9.2');
    assert.equal(twice.length, 2);
    assert.deepEqual(
      twice.map((s) => s.match.heldBy.length),
      [1, 2],
    );
  });

  test("a node's issuer is given to its answers that name none; answers with their own keep it", async () => {
    const r = await searchNodes([a, b], studyRequest('PatientID=P1', 'IssuerOfPatientID'), options);
    const byUid = new Map(r.matches.map((m) => [m.row.StudyInstanceUID, m]));
    assert.equal(byUid.get('1.2.9.1')!.row.IssuerOfPatientID, 'HOSP_A');
    assert.equal(byUid.get('1.2.9.3')!.row.IssuerOfPatientID, 'HOSP_B');
    // the study both hold carries both identifiers, as each node gave it (in the order they answered)
    const both = byUid
      .get('1.2.9.2')!
      .identifiers.map((i) => `${i.PatientID}/${i.IssuerOfPatientID}`)
      .sort();
    assert.deepEqual(both, ['P1/HOSP_A', 'P1/HOSP_B']);
    // the Other Patient IDs Sequence went as a return key with one empty item (PS3.4 C.2.2.2.6)
    const other = findB.received.at(-1)!.get(tag(0x0010, 0x1002));
    assert.equal(other?.vr, 'SQ');
    assert.equal((other!.value as DataSet[]).length, 1);
  });

  test("a node that caps its answer is flagged on its own with a sentence, its matches kept; each node's time is measured", async () => {
    const capping = await archive('capping', new ArchiveFind(Array.from({ length: 100 }, (_, i) => ({ uid: `1.2.3.${i}`, id: 'P1' }))));
    const r = await searchNodes([a, capping], studyRequest('PatientID=P1'), options);
    assert.deepEqual(
      r.nodes.map((n) => [n.node, n.outcome, n.matches]),
      [
        ['a', 'completed', 2],
        ['capping', 'capped', 100],
      ],
    );
    assert.equal(r.nodes[1]!.sentence, 'capping may have left matches out: exactly 100 matches: the node probably stops at 100; narrow the query.');
    assert.equal(r.matches.length, 102);
    assert.ok(
      r.nodes.every((n) => typeof n.ms === 'number' && n.ms >= 0 && n.ms < 15_000),
      JSON.stringify(r.nodes),
    );
  });

  test('cancel reaches every running C-FIND as C-CANCEL, and no further node is started', async () => {
    const slow = (n: number) =>
      new ArchiveFind(
        Array.from({ length: 200 }, (_, i) => ({ uid: `1.2.8.${n}.${i}`, id: 'P2' })),
        20,
      );
    const handlers = [slow(1), slow(2), slow(3), slow(4), slow(5)];
    const nodes = await Promise.all(handlers.map((h, i) => archive(`slow${i}`, h)));
    const controller = new AbortController();
    let count = 0;
    const run = searchNodes(nodes, studyRequest('PatientID=P2'), {
      ...options,
      signal: controller.signal,
      onMatch: () => {
        if (++count === 12) controller.abort();
      },
    });
    const r = await run;
    assert.ok(
      r.nodes.every((n) => n.outcome === 'cancelled'),
      JSON.stringify(r.nodes),
    );
    // the four that ran saw the cancel; the fifth was never asked
    const deadline = Date.now() + 5000;
    while (handlers.slice(0, 4).some((h) => h.cancelled === 0) && Date.now() < deadline) await sleep(20);
    assert.deepEqual(
      handlers.map((h) => h.cancelled),
      [1, 1, 1, 1, 0],
    );
    assert.equal(handlers[4]!.received.length, 0);
  });

  test('at most four nodes are searched at once', async () => {
    const gauge = { now: 0, max: 0 };
    const nodes = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => archive(`many${i}`, new ArchiveFind([{ uid: `1.2.7.${i}`, id: 'P3' }], 150, gauge))));
    const r = await searchNodes(nodes, studyRequest('PatientID=P3'), options);
    assert.equal(r.matches.length, 6);
    assert.equal(gauge.max, 4);
  });
});

describe("prefetch with a node's issuer", () => {
  test('its candidates carry the issuer the node supplies: another issuer is another patient, the same ID under another name stays a conflict', async () => {
    const node = await archive('issuing', new ArchiveFind([{ uid: '1.2.4.1', id: 'P7', name: 'DOE^JANE' }]), { issuer: 'HOSP_A' });
    const reach = { scu: () => scu, failure: async () => ({}) };
    const { studies, outcome } = await studiesOnNode(node, { PatientID: 'P7' }, reach, new BodyPartLexicon(DEFAULT_SYNONYMS));
    assert.equal(outcome.outcome, 'ok');
    assert.equal(studies[0]!.IssuerOfPatientID, 'HOSP_A');
    assert.equal(identityProblem({ PatientID: 'P7', IssuerOfPatientID: 'HOSP_B' }, studies[0]!, 'issuing')?.kind, 'other-issuer');
    assert.equal(identityProblem({ PatientID: 'P7', IssuerOfPatientID: 'HOSP_A', PatientName: 'ROE^RITA' }, studies[0]!, 'issuing')?.kind, 'conflict');
    assert.equal(identityProblem({ PatientID: 'P7', IssuerOfPatientID: 'HOSP_A', PatientName: 'DOE^JANE' }, studies[0]!, 'issuing'), undefined);
  });
});

describe('each node in its own character set', () => {
  test("the query declares the node's set and its names are written in it", async () => {
    const latin = new ArchiveFind([{ uid: '1.2.6.1', id: 'SCSFREN', name: 'Buc^Jérôme' }]);
    const kanji = new ArchiveFind([{ uid: '1.2.6.2', id: 'H31', name: 'Yamada^Tarou=山田^太郎' }]);
    const nodes = [await archive('latin', latin, { characterSet: 'ISO_IR 100' }), await archive('kanji', kanji, { characterSet: '\\ISO 2022 IR 87' })];
    const r = await searchNodes(
      nodes,
      { model: 'study', level: 'STUDY', keys: identifierFromKeys(['PatientName', 'StudyInstanceUID'].map(parseKey)) },
      options,
    );
    assert.equal(r.matches.length, 2);
    // ASCII queries declare the set too, once a node has one
    assert.deepEqual(getStrings(latin.received[0]!, tag(0x0008, 0x0005)), ['ISO_IR 100']);
    assert.deepEqual(getStrings(kanji.received[0]!, tag(0x0008, 0x0005)), ['', 'ISO 2022 IR 87']);

    const byName = async (node: RemoteNode, handler: ArchiveFind, name: string) => {
      const q = await searchNodes(
        [node],
        { model: 'study', level: 'STUDY', keys: identifierFromKeys([`PatientName=${name}`, 'StudyInstanceUID'].map(parseKey)) },
        options,
      );
      assert.equal(q.nodes[0]!.outcome, 'completed', q.nodes[0]!.sentence);
      // our SCP decodes what it received by the declared set: the name arrives as it was typed
      return getString(handler.received.at(-1)!, PatientName);
    };
    assert.equal(await byName(nodes[0]!, latin, 'Buc^Jérôme'), 'Buc^Jérôme');
    assert.equal(await byName(nodes[1]!, kanji, 'Yamada^Tarou=山田^太郎'), 'Yamada^Tarou=山田^太郎');
  });

  test("a name the node's set cannot hold fails that node with a sentence before any association; the others answer", async () => {
    const latin = new ArchiveFind([{ uid: '1.2.5.1', id: 'X' }]);
    const utf8 = new ArchiveFind([{ uid: '1.2.5.2', id: 'Y' }]);
    const nodes = [await archive('latin1', latin, { characterSet: 'ISO_IR 100' }), await archive('unicode', utf8)];
    const r = await searchNodes(nodes, studyRequest('PatientName=山田*'), options);
    assert.equal(r.nodes[0]!.outcome, 'failed');
    assert.equal(r.nodes[0]!.code, 'invalid-input');
    assert.match(
      r.nodes[0]!.sentence!,
      /^Nothing was sent to node latin1: PatientName "山田\*" has "山", "田", which ISO_IR 100 cannot hold, and node latin1 is queried in ISO_IR 100 \(Latin-1: Western Europe\)/,
    );
    assert.equal(latin.received.length, 0);
    assert.equal(r.nodes[1]!.outcome, 'completed');
    assert.equal(getString(utf8.received[0]!, PatientName), '山田*');
  });
});
