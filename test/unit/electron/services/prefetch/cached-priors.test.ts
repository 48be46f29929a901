// The cached studies put beside an open one (services/prefetch/cached-priors.ts): the earlier
// studies the prefetch rule keeps (same modality and body part, newest first) before the
// patient's others; the patient asked of the cache by Patient ID and issuer together, so that
// the same ID from another issuer is another patient's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULE, DEFAULT_SYNONYMS } from '../../../../../shared/prefetch.js';
import type { SeriesRecord, StudyRecord } from '../../../../../shared/records.js';
import { rankCachedPriors } from '../../../../../electron/services/prefetch/cached-priors.js';

function study(uid: string, date: string, modality: string, description: string, issuer = 'HOSP_A'): StudyRecord {
  return {
    StudyInstanceUID: uid,
    StudyDate: date,
    StudyDescription: description,
    PatientID: 'P1',
    IssuerOfPatientID: issuer,
    PatientName: 'DOE^JANE',
    ModalitiesInStudy: [modality],
    SOPClassesInStudy: [],
    NumberOfStudyRelatedSeries: 1,
    NumberOfStudyRelatedInstances: 1,
    size: 1,
    lastAccessedAt: 0,
    lastReceivedAt: 0,
  };
}

/** A cache of studies, each with one series whose body part its description names; it records what it is asked. */
function cacheOf(studies: StudyRecord[]) {
  const asked: Array<{ PatientID?: string; IssuerOfPatientID?: string }> = [];
  return {
    asked,
    study: (uid: string) => studies.find((s) => s.StudyInstanceUID === uid),
    studies: (filter: { PatientID?: string; IssuerOfPatientID?: string }) => {
      asked.push(filter);
      return studies.filter(
        (s) => s.PatientID === filter.PatientID && (filter.IssuerOfPatientID === undefined || s.IssuerOfPatientID === filter.IssuerOfPatientID),
      );
    },
    series: (uid: string): SeriesRecord[] => {
      const s = studies.find((x) => x.StudyInstanceUID === uid)!;
      return [
        {
          StudyInstanceUID: uid,
          SeriesInstanceUID: `${uid}.1`,
          Modality: s.ModalitiesInStudy[0]!,
          BodyPartExamined: s.StudyDescription!.split(' ')[1]!,
          NumberOfSeriesRelatedInstances: 1,
          size: 1,
        },
      ];
    },
  };
}

test("the earlier studies the rule keeps come first, newest first; then the others; another issuer's study is not the patient's", () => {
  const cache = cacheOf([
    study('9', '20240601', 'CT', 'CT CHEST'),
    study('1', '20200101', 'CT', 'CT CHEST'),
    study('2', '20220101', 'CT', 'CT CHEST'),
    study('3', '20230101', 'MR', 'MR KNEE'),
    study('4', '20250101', 'CT', 'CT CHEST'),
    study('5', '20230601', 'CT', 'CT CHEST', 'HOSP_B'),
  ]);
  const ranked = rankCachedPriors(cache, '9', [DEFAULT_RULE], DEFAULT_SYNONYMS)!;
  assert.deepEqual(
    ranked.map((r) => [r.study.StudyInstanceUID, r.relevant]),
    [
      ['2', true],
      ['1', true],
      ['4', false],
      ['3', false],
    ],
  );
  assert.deepEqual(cache.asked, [{ PatientID: 'P1', IssuerOfPatientID: 'HOSP_A' }]);
  assert.ok(ranked.every((r) => r.reason.length > 0));
});

test('a study the cache does not hold has no priors to rank', () => {
  assert.equal(rankCachedPriors(cacheOf([]), '1.2.3', [DEFAULT_RULE], DEFAULT_SYNONYMS), undefined);
});
