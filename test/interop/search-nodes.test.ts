// `priors find all …` and `priors find a,b …` across real archives holding overlapping studies of
// one patient (test/helpers/federation.ts: Orthanc A, dcmqrscp B, Orthanc C) and a node whose port
// is closed: one merged list, the nodes that hold each study, the closed node named with its
// sentence without hiding the others' answers (exit 3); a node's issuer given to its answers and
// used by the patient view to group them, a namesake flagged and not merged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSearchOutcome } from '../../shared/search.js';
import { groupPatients } from '../../renderer/src/features/search/patient-groups.js';
import { studyRowOf } from '../../renderer/src/features/search/study-rows.js';
import { startFederation, type Federation } from '../helpers/federation.js';
import { freePort } from '../helpers/ports.js';
import { cliJson, runPriors } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

type Row = Record<string, string> & { heldBy: string[] };
interface FindJson {
  ok: boolean;
  rows: Row[];
  nodes: NodeSearchOutcome[];
  summary: string;
}

describe('search across Orthanc, dcmqrscp and Orthanc', { timeout: 300_000 }, () => {
  let fed: Federation;
  let downPort: number;
  const dataDir = tempDir('search-nodes');
  const run = (args: string[], json = true) => runPriors(args, { dataDir, json });
  const heldBy = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.StudyDescription, [...r.heldBy].sort().join(',')]));

  before(async () => {
    fed = await startFederation({ dicomweb: true });
    downPort = await freePort(); // nothing listens there
    const add = async (args: string[]) => {
      const r = await run(['nodes', 'add', ...args], false);
      assert.equal(r.code, 0, r.stderr);
    };
    await add(['a', `ARCHIVE_A@127.0.0.1:${fed.a.port}`, '--issuer', 'HOSP_A']);
    await add(['b', `ARCHIVE_B@127.0.0.1:${fed.b.port}`]);
    await add(['c', `ARCHIVE_C@127.0.0.1:${fed.c.port}`]);
    await add(['down', `DOWN@127.0.0.1:${downPort}`]);
    // a modality is not an archive: "all" leaves it out (its closed port would fail the search)
    await add(['ct1', `CT1@127.0.0.1:${downPort}`, '--no-query']);
  });
  after(async () => {
    await fed?.stop();
  });

  test('find all: one merged list with the nodes that hold each study; the closed node fails alone, named, exit 3', async () => {
    const r = await run(['find', 'all', '-k', 'PatientName=FED^AL*']);
    assert.equal(r.code, 3, r.stderr);
    const out = JSON.parse(r.stdout) as FindJson;
    assert.equal(out.ok, false);
    assert.deepEqual(heldBy(out.rows), {
      'CT CHEST 2019': 'a',
      'CT CHEST 2020': 'a,b',
      'CT CHEST 2021': 'b,c',
      'CT CHEST 2022': 'c',
      'CT HEAD 2023': 'c',
      'CT KNEE 2024': 'c',
    });
    assert.deepEqual(
      out.rows.map((row) => row.StudyInstanceUID).sort(),
      Object.values(fed.studies)
        .map((s) => s.uid)
        .sort(),
    );
    assert.deepEqual(
      out.nodes.map((n) => [n.node, n.outcome, n.matches]),
      [
        ['a', 'completed', 2],
        ['b', 'completed', 2],
        ['c', 'completed', 4],
        ['down', 'failed', 0],
      ],
    );
    const down = out.nodes[3]!;
    assert.equal(down.code, 'connection-refused');
    assert.match(down.sentence!, new RegExp(`127\\.0\\.0\\.1:${downPort}`));
    // stderr: one sentence for the node that failed; the summary names it
    assert.deepEqual(r.stderr.trim().split('\n'), [`down failed: ${down.sentence}`]);
    assert.equal(out.summary, '6 matches from a (2), b (2), c (4); down failed.');
  });

  test('find a,b: the same in JSON for two nodes, exit 0; the human form has a heldBy column', async () => {
    const out = cliJson<FindJson>(await run(['find', 'a,b', '-k', 'PatientName=FED^AL*']));
    assert.deepEqual(heldBy(out.rows), { 'CT CHEST 2019': 'a', 'CT CHEST 2020': 'a,b', 'CT CHEST 2021': 'b' });
    assert.ok(out.ok);
    const human = await run(['find', 'a,b', '-k', 'PatientName=FED^AL*', '-k', 'StudyDescription'], false);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^heldBy +StudyDate/m);
    assert.match(human.stdout, /^(a, b|b, a) +20200101 .*CT CHEST 2020/m);
    assert.match(human.stdout, /^3 matches from a \(2\), b \(2\)\.$/m);
  });

  test('every node down: exit 1 and one sentence naming each', async () => {
    const r = await run(['find', 'down', '-k', 'PatientName=FED^AL*'], false);
    assert.equal(r.code, 1); // one node: the single-node form, as before
    const all = await run(['find', `down,DOWN2@127.0.0.1:${downPort}`, '-k', 'PatientName=FED^AL*'], false);
    assert.equal(all.code, 1);
    assert.equal(all.stderr.trim().split('\n').length, 1, all.stderr);
    assert.match(all.stderr, /^No node answered: down: .*; DOWN2@127\.0\.0\.1:\d+: /);
  });

  test('the issuer node a leaves out is given to its answers and groups its studies with those C files under HOSP_A; the namesake is flagged, not merged', async () => {
    const out = cliJson<FindJson>(await run(['find', 'a,c', '-k', 'PatientName=FED^AL*', '-k', 'PatientSex', '-k', 'PatientBirthDate']));
    const byDescription = new Map(out.rows.map((r) => [r.StudyDescription, r]));
    assert.equal(byDescription.get('CT CHEST 2019')!.IssuerOfPatientID, 'HOSP_A'); // supplemented: A's file names no issuer
    assert.equal(byDescription.get('CT CHEST 2022')!.IssuerOfPatientID, 'HOSP_A'); // as C's file says
    assert.equal(byDescription.get('CT KNEE 2024')!.OtherPatientIDsSequence, 'FED-1^^^HOSP_A'); // Orthanc answers the sequence
    const rows = out.rows.map((r) => studyRowOf(r, 'none', { heldBy: r.heldBy }));
    const { groups, flags } = groupPatients(rows);
    const alice = groups.find((g) => g.studies.includes(fed.studies.s1.uid))!;
    assert.deepEqual(new Set(alice.studies), new Set([fed.studies.s1.uid, fed.studies.s2.uid, fed.studies.s3.uid, fed.studies.s4.uid, fed.studies.s6.uid]));
    assert.equal(groups.length, 2);
    assert.deepEqual(
      flags.map((f) => f.reason),
      ['demographics'],
    );
    assert.match(flags[0]!.sentence, /FED-X9 \(HOSP_C\)/);

    // the same archive without the issuer setting: its studies stand apart, flagged for an unknown issuer
    const bare = cliJson<FindJson>(
      await run(['find', `ARCHIVE_A@127.0.0.1:${fed.a.port},c`, '-k', 'PatientName=FED^AL*', '-k', 'PatientSex', '-k', 'PatientBirthDate']),
    );
    const apart = groupPatients(bare.rows.map((r) => studyRowOf(r, 'none', { heldBy: r.heldBy })));
    assert.equal(apart.groups.length, 3);
    const s1Group = apart.groups.find((g) => g.studies.includes(fed.studies.s1.uid))!;
    assert.deepEqual(new Set(s1Group.studies), new Set([fed.studies.s1.uid, fed.studies.s2.uid]));
    const s1Flags = apart.flags.filter((f) => f.groups.includes(s1Group.key));
    assert.deepEqual(s1Flags.map((f) => f.reason).sort(), ['demographics', 'issuer-unknown'], JSON.stringify(apart.flags));
  });

  test('an Orthanc over DICOMweb (QIDO-RS) joins the merged list beside the same Orthanc over DIMSE and dcmqrscp', async () => {
    const added = await run(['nodes', 'add', 'web', `${fed.c.dicomwebUrl}`, '--dicomweb'], false);
    assert.equal(added.code, 0, added.stderr);
    const r = await run(['find', 'b,c,web,down', '-k', 'PatientName=FED^AL*']);
    assert.equal(r.code, 3, r.stderr);
    const out = JSON.parse(r.stdout) as FindJson;
    assert.deepEqual(heldBy(out.rows), {
      'CT CHEST 2020': 'b',
      'CT CHEST 2021': 'b,c,web',
      'CT CHEST 2022': 'c,web',
      'CT HEAD 2023': 'c,web',
      'CT KNEE 2024': 'c,web',
    });
    assert.deepEqual(
      out.nodes.map((n) => [n.node, n.outcome, n.matches]),
      [
        ['b', 'completed', 2],
        ['c', 'completed', 4],
        ['web', 'completed', 4],
        ['down', 'failed', 0],
      ],
    );
    // QIDO-RS gives the same patient identifiers as C-FIND: the issuers C's files name
    const kneeRow = out.rows.find((row) => row.StudyDescription === 'CT KNEE 2024')!;
    assert.equal(kneeRow.IssuerOfPatientID, 'HOSP_C');
  });
});
