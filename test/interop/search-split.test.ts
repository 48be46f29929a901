/**
 * The Search screen's "Split by date" end to end: Orthanc with LimitFindResults (it stops a
 * C-FIND at that many matches) as the PACS, our core's search.start as the UI calls it, and
 * the renderer's split driver (renderer/src/features/search/split-search.ts) re-querying halves of the date
 * range until every part is complete. Also checks the in-cache badge of node matches.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiEvent, SearchDone } from '../../shared/api/contract.js';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { AppCore } from '../../electron/app/core.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { type PartAnswer, splitSearch } from '../../renderer/src/features/search/split-search.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { loadIntoOrthanc, startOrthanc, type OrthancPeer } from '../helpers/peers.js';
import { tempDir } from '../helpers/tmp.js';

const CAP = 3;
// Five days of January with one study each, and one crowded day (four studies) in February.
const DAYS = ['20240103', '20240107', '20240112', '20240118', '20240125'];
const CROWDED = '20240210';

describe('split a capped answer by date (Orthanc with LimitFindResults)', () => {
  let orthanc: OrthancPeer;
  let cache: Cache;
  let core: AppCore;
  const events: ApiEvent[] = [];
  const waiters = new Set<() => void>();
  const studies: GeneratedSeries[] = [];

  before(async () => {
    const specs = [
      ...DAYS.map((d, i) => ({ studyDate: d, patientId: `SPLIT${i}` })),
      ...[0, 1, 2, 3].map((i) => ({ studyDate: CROWDED, patientId: `CROWD${i}` })),
    ];
    for (const [i, s] of specs.entries()) {
      studies.push(await generateCtSeries({ mode: 'tiny', count: 2, rows: 8, cols: 8, patientName: `SPLIT^P${i}`, seed: 900 + i, ...s }));
    }
    orthanc = await startOrthanc({ dir: tempDir('search-split-orthanc'), config: { LimitFindResults: CAP } });
    await loadIntoOrthanc(
      orthanc,
      studies.flatMap((s) => s.files),
    );
    const dataDir = tempDir('search-split-core');
    cache = await Cache.open(dataDir);
    await cache.importPaths([studies[0]!.files[0]!]); // one of two instances of the first study
    await cache.importPaths(studies[1]!.files); // the whole second study
    const store = new ConfigStore(dataDir);
    await store.save({ ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: 'PRIORSSPLIT', port: 0, bindAddress: '127.0.0.1' } });
    core = new AppCore({ store, cache, activity: new ActivityLog() });
    core.subscribe((e) => {
      events.push(e);
      for (const w of waiters) w();
    });
    const saved = await core['nodes.save']({ node: { name: 'orthanc', aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.port } });
    assert.equal(saved.ok, true);
  });

  after(async () => {
    core?.close();
    await cache?.close();
    await orthanc?.stop();
  });

  let counter = 0;
  /** One STUDY-level search through the core, as the Search screen runs it. */
  async function runPart(keys: Record<string, string>): Promise<PartAnswer & { matches: Extract<ApiEvent, { type: 'search.match' }>[] }> {
    const searchId = `split-${++counter}`;
    const started = await core['search.start']({
      source: { kind: 'node', node: 'orthanc' },
      level: 'STUDY',
      searchId,
      keys: { StudyInstanceUID: '', PatientName: 'SPLIT*', StudyDate: '', NumberOfStudyRelatedInstances: '', ...keys },
    });
    assert.equal(started.ok, true, JSON.stringify(started));
    const deadline = Date.now() + 30_000;
    let done: SearchDone | undefined;
    while (!(done = events.find((e): e is SearchDone => e.type === 'search.done' && e.searchId === searchId))) {
      assert.ok(Date.now() < deadline, 'search.done within 30 s');
      await new Promise<void>((r) => {
        const w = () => {
          waiters.delete(w);
          r();
        };
        waiters.add(w);
        setTimeout(w, 500);
      });
    }
    const matches = events.filter((e): e is Extract<ApiEvent, { type: 'search.match' }> => e.type === 'search.match' && e.searchId === searchId);
    return { outcome: done.outcome, uids: matches.map((m) => m.row.StudyInstanceUID ?? ''), looksCapped: done.looksCapped, matches };
  }

  test('the capped answer is flagged, and its matches carry the local cache state', async () => {
    const whole = await runPart({});
    assert.equal(whole.outcome, 'completed');
    assert.equal(whole.uids.length, CAP);
    assert.ok(whole.looksCapped, 'Orthanc stopping at LimitFindResults looks capped');
    const all = await runPart({ StudyDate: `${DAYS[0]}-${DAYS[1]}` });
    const byUid = new Map(all.matches.map((m) => [m.row.StudyInstanceUID, m]));
    assert.equal(byUid.get(studies[0]!.StudyInstanceUID)?.cache, 'partial');
    assert.equal(byUid.get(studies[1]!.StudyInstanceUID)?.cache, 'full');
    const later = await runPart({ StudyDate: DAYS[2]! });
    assert.equal(later.matches[0]?.cache, 'none');
  });

  test('split by date: every January study, each once', async () => {
    const r = await splitSearch({ StudyDate: `${DAYS[0]}-20240131` }, runPart, { split: true, today: new Date(2024, 5, 1) });
    assert.equal(r.outcome, 'completed');
    assert.deepEqual(r.stillCapped, []);
    assert.deepEqual(
      [...r.uids].sort(),
      studies
        .slice(0, DAYS.length)
        .map((s) => s.StudyInstanceUID)
        .sort(),
    );
    assert.ok(r.queries >= 3);
  });

  test('a single crowded day stays capped and is reported', async () => {
    const r = await splitSearch({}, runPart, { split: true, today: new Date(2024, 5, 1) });
    assert.equal(r.outcome, 'completed');
    assert.deepEqual(
      r.stillCapped.map((p) => [p.StudyDate, p.why]),
      [[CROWDED, 'single-day']],
    );
    assert.equal(r.uids.length, DAYS.length + CAP);
    for (const s of studies.slice(0, DAYS.length)) assert.ok(r.uids.includes(s.StudyInstanceUID));
  });
});
