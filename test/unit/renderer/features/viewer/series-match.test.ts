// Which prior series the viewer shows beside the current one (renderer/src/features/viewer/
// series-match.ts): scored by modality, body part, plane, description words and slice
// thickness, the largest image series on ties, never a report while images exist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bestMatch,
  descriptionWords,
  matchText,
  normalOf,
  planeOf,
  scoreSeries,
  type SeriesTraits,
} from '../../../../../renderer/src/features/viewer/series-match.js';
import { mainSeries } from '../../../../../renderer/src/lib/main-series.js';

const AXIAL = [1, 0, 0, 0, 1, 0];
const CORONAL = [1, 0, 0, 0, 0, -1];
const SAGITTAL = [0, 1, 0, 0, 0, -1];
const series = (uid: string, over: Partial<SeriesTraits> = {}): SeriesTraits => ({ SeriesInstanceUID: uid, Modality: 'CT', images: 100, ...over });

test('planeOf and normalOf: the normal of row × column; tilted axial is still axial, 45° is oblique', () => {
  assert.equal(planeOf(AXIAL), 'axial');
  assert.equal(planeOf(CORONAL), 'coronal');
  assert.equal(planeOf(SAGITTAL), 'sagittal');
  const tilt = (deg: number) => {
    const r = (deg * Math.PI) / 180;
    return [1, 0, 0, 0, Math.cos(r), Math.sin(r)];
  };
  assert.equal(planeOf(tilt(15)), 'axial', 'a gantry tilt of 15°');
  assert.equal(planeOf(tilt(45)), 'oblique');
  assert.equal(planeOf(undefined), undefined);
  assert.equal(planeOf([1, 0, 0]), undefined, 'six numbers or nothing');
  assert.equal(normalOf([1, 0, 0, 1, 0, 0]), undefined, 'parallel cosines have no normal');
  assert.deepEqual(normalOf([2, 0, 0, 0, 2, 0]), [0, 0, 1], 'normalised');
});

test('descriptionWords: upper case, punctuation and bare numbers out, decimals kept', () => {
  assert.deepEqual([...descriptionWords('Thorax  axial 1.25mm / C+ 3')], ['THORAX', 'AXIAL', '1.25MM']);
  assert.equal(descriptionWords(undefined).size, 0);
});

test('bestMatch: the axial 5 mm chest series of the prior, not its larger thin coronal or its scout', () => {
  const current = series('cur', { BodyPartExamined: 'CHEST', SeriesDescription: 'CHEST AXIAL 5mm', orientation: AXIAL, sliceThickness: 5 });
  const candidates = [
    series('thin-coronal', { BodyPartExamined: 'CHEST', SeriesDescription: 'CHEST COR 1mm', orientation: CORONAL, sliceThickness: 1, images: 400 }),
    series('scout', { BodyPartExamined: 'CHEST', SeriesDescription: 'SCOUT', orientation: CORONAL, images: 2 }),
    series('axial', { BodyPartExamined: 'CHEST', SeriesDescription: 'Chest axial 5mm', orientation: AXIAL, sliceThickness: 5, images: 60 }),
    series('report', { Modality: 'SR', images: 1 }),
  ];
  const best = bestMatch(current, candidates)!;
  assert.equal(best.series.SeriesInstanceUID, 'axial');
  assert.deepEqual(best.reasons, [
    'same modality (CT)',
    'same body part (CHEST)',
    'axial like the current',
    'description shares "CHEST", "AXIAL", "5MM"',
    '5 mm slices like the current',
  ]);
  assert.equal(
    matchText(best),
    'Matches the current series: same modality (CT), same body part (CHEST), axial like the current, description shares "CHEST", "AXIAL", "5MM", 5 mm slices like the current.',
  );
  // the current being coronal turns the choice
  assert.equal(
    bestMatch({ ...current, orientation: CORONAL, SeriesDescription: 'CHEST COR', sliceThickness: 1 }, candidates)!.series.SeriesInstanceUID,
    'thin-coronal',
  );
});

test('bestMatch: each criterion alone decides between otherwise equal series', () => {
  const current = series('cur', { BodyPartExamined: 'ABDOMEN', SeriesDescription: 'ABD PORTAL', orientation: AXIAL, sliceThickness: 3 });
  const pick = (a: Partial<SeriesTraits>, b: Partial<SeriesTraits>) => bestMatch(current, [series('a', a), series('b', b)])!.series.SeriesInstanceUID;
  assert.equal(pick({ Modality: 'MR' }, {}), 'b', 'modality');
  assert.equal(pick({ BodyPartExamined: 'HEAD' }, { BodyPartExamined: 'ABDOMEN' }), 'b', 'body part');
  assert.equal(pick({ orientation: SAGITTAL }, { orientation: AXIAL }), 'b', 'plane');
  assert.equal(pick({ SeriesDescription: 'ABD ARTERIAL' }, { SeriesDescription: 'ABD PORTAL VENOUS' }), 'b', 'description words');
  assert.equal(pick({ sliceThickness: 0.625 }, { sliceThickness: 3 }), 'b', 'slice thickness');
  assert.equal(pick({ images: 10 }, { images: 80 }), 'b', 'nothing else differs: the larger');
});

test('bestMatch: a prior with only image-less series, or none', () => {
  const current = series('cur');
  assert.equal(bestMatch(current, [series('sr', { Modality: 'SR', images: 1 })])!.series.SeriesInstanceUID, 'sr');
  assert.equal(bestMatch(current, []), undefined);
  const bare = scoreSeries({ SeriesInstanceUID: 'x', images: 1 }, { SeriesInstanceUID: 'y', images: 1 });
  assert.equal(bare.score, 0);
  assert.match(matchText(bare), /^Nothing to compare/);
});

test('mainSeries: the image series with the most images', () => {
  const s = (uid: string, Modality: string, n: number) => ({ SeriesInstanceUID: uid, Modality, NumberOfSeriesRelatedInstances: n });
  assert.equal(mainSeries([s('a', 'CT', 2), s('b', 'CT', 90), s('c', 'SR', 500)])!.SeriesInstanceUID, 'b');
  assert.equal(mainSeries([s('c', 'SR', 1)])!.SeriesInstanceUID, 'c');
  assert.equal(mainSeries([]), undefined);
});
