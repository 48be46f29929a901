// PS3.15 Annex E applied to a data set (electron/services/export/deidentify.ts): each action kind of
// Table E.1-1 (X, Z, D, U, K, C) and their combinations, the two options, sequences at any depth,
// private tags, curves and overlays, the attributes that record what was done, and UIDs replaced
// consistently within one export and differently in another; then which instances are left out
// (burned-in.ts) and the table itself (deid-table.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataElement, DataSet, Tag, VR } from '../../../../../shared/dicom/dataset.js';
import { getItems, getStrings } from '../../../../../shared/dicom/dataset.js';
import { isValidUid } from '../../../../../shared/dicom/uids.js';
import { deidentify, deidentifyTrailer, pseudonymProblem, type DeidentifyContext } from '../../../../../electron/services/export/deidentify.js';
import { deidentificationRefusal } from '../../../../../electron/services/export/burned-in.js';
import { confidentialityProfile } from '../../../../../electron/services/export/deid-table.js';
import { UidRemapper } from '../../../../../electron/services/export/uid-remap.js';

const el = (vr: VR, ...value: string[]): DataElement => ({ vr, value });
const sq = (...items: DataSet[]): DataElement => ({ vr: 'SQ', value: items });
const ds = (entries: [Tag, DataElement][]): DataSet => new Map(entries);

const T = {
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  InstanceCreationDate: 0x00080012,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SeriesDate: 0x00080021,
  AcquisitionDate: 0x00080022,
  ContentDate: 0x00080023,
  AcquisitionDateTime: 0x0008002a,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  InstitutionName: 0x00080080,
  ReferringPhysicianName: 0x00080090,
  StudyDescription: 0x00081030,
  SeriesDescription: 0x0008103e,
  ReferencedSeriesSequence: 0x00081115,
  ReferencedImageSequence: 0x00081140,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  PatientBirthDate: 0x00100030,
  OtherPatientIDs: 0x00101000,
  PatientAddress: 0x00101040,
  DeviceSerialNumber: 0x00181000,
  ProtocolName: 0x00181030,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  InstanceNumber: 0x00200013,
  FrameOfReferenceUID: 0x00200052,
  ImageComments: 0x00204000,
  Rows: 0x00280010,
  BurnedInAnnotation: 0x00280301,
  LongitudinalTemporalInformationModified: 0x00280303,
  PatientIdentityRemoved: 0x00120062,
  DeidentificationMethod: 0x00120063,
  DeidentificationMethodCodeSequence: 0x00120064,
  VerifyingObserverName: 0x0040a075,
  StructureSetLabel: 0x30060002,
  SharedFunctionalGroupsSequence: 0x52009229,
  OverlayRows: 0x60000010,
  OverlayData: 0x60003000,
  OverlayComments: 0x60024000,
  OverlayRows2: 0x60020010,
  CurveData: 0x50003000,
  DigitalSignaturesSequence: 0xfffafffa,
  TrailingPadding: 0xfffcfffc,
} as const;

function ctx(over: Partial<DeidentifyContext> = {}): DeidentifyContext {
  return { uids: new UidRemapper(new Uint8Array(32).fill(7)), pseudonym: 'SUBJECT-01', ...over };
}

const STUDY = '1.2.840.113619.2.1.1';
const SERIES = '1.2.840.113619.2.1.2';
const SOP = '1.2.840.113619.2.1.3';
const OTHER_SOP = '1.2.840.113619.2.1.4';
const FOR = '1.2.840.113619.2.1.5';

function ct(extra: [Tag, DataElement][] = []): DataSet {
  return ds([
    [T.SpecificCharacterSet, el('CS', 'ISO_IR 100')],
    [T.ImageType, el('CS', 'ORIGINAL', 'PRIMARY', 'AXIAL')],
    [T.SOPClassUID, el('UI', '1.2.840.10008.5.1.4.1.1.2')],
    [T.SOPInstanceUID, el('UI', SOP)],
    [T.StudyDate, el('DA', '20240115')],
    [T.SeriesDate, el('DA', '20240115')],
    [T.AcquisitionDate, el('DA', '20240115')],
    [T.ContentDate, el('DA', '20240115')],
    [T.AcquisitionDateTime, el('DT', '20240115101500')],
    [T.InstanceCreationDate, el('DA', '20240115')],
    [T.AccessionNumber, el('SH', 'ACC777')],
    [T.Modality, el('CS', 'CT')],
    [T.InstitutionName, el('LO', 'SAINT ELSEWHERE HOSPITAL')],
    [T.ReferringPhysicianName, el('PN', 'HOUSE^GREGORY')],
    [T.StudyDescription, el('LO', 'CT CHEST')],
    [T.SeriesDescription, el('LO', 'DOE JANE follow-up')],
    [T.PatientName, el('PN', 'DOE^JANE')],
    [T.PatientID, el('LO', 'PID-4711')],
    [T.PatientBirthDate, el('DA', '19600229')],
    [T.OtherPatientIDs, el('LO', 'OLD-1')],
    [T.PatientAddress, el('LO', '1 Main Street')],
    [T.DeviceSerialNumber, el('LO', 'SN-99')],
    [T.ProtocolName, el('LO', 'CHEST ROUTINE')],
    [T.StudyInstanceUID, el('UI', STUDY)],
    [T.SeriesInstanceUID, el('UI', SERIES)],
    [T.StudyID, el('SH', '4711')],
    [T.InstanceNumber, el('IS', '3')],
    [T.FrameOfReferenceUID, el('UI', FOR)],
    [T.ImageComments, el('LT', 'seen by Dr House')],
    [T.Rows, { vr: 'US', value: [512] }],
    ...extra,
  ]);
}

const value = (d: DataSet, t: Tag): string[] | undefined => (d.has(t) ? getStrings(d, t) : undefined);

test('Basic Profile: X removes, Z empties, D puts a dummy, U replaces UIDs, K (attributes the table does not list) keeps', () => {
  const out = deidentify(
    ct([
      [T.VerifyingObserverName, el('PN', 'HOUSE^G')],
      [T.StructureSetLabel, el('SH', 'DOE PLAN')],
    ]),
    ctx(),
  );
  // X
  for (const t of [T.OtherPatientIDs, T.PatientAddress, T.StudyDescription, T.SeriesDescription, T.ImageComments]) {
    assert.equal(out.has(t), false, `(${t.toString(16)}) removed`);
  }
  // Z
  for (const t of [T.AccessionNumber, T.StudyDate, T.PatientBirthDate, T.ReferringPhysicianName, T.StudyID])
    assert.deepEqual(value(out, t), [], `(${t.toString(16)}) emptied`);
  // D
  assert.deepEqual(value(out, T.VerifyingObserverName), ['REMOVED']);
  assert.deepEqual(value(out, T.StructureSetLabel), ['REMOVED']);
  // U
  for (const [t, original] of [
    [T.StudyInstanceUID, STUDY],
    [T.SeriesInstanceUID, SERIES],
    [T.SOPInstanceUID, SOP],
    [T.FrameOfReferenceUID, FOR],
  ] as const) {
    const v = value(out, t)![0]!;
    assert.notEqual(v, original);
    assert.match(v, /^2\.25\.\d+$/);
    assert.ok(isValidUid(v), v);
  }
  // K: not in the table
  assert.deepEqual(value(out, T.Modality), ['CT']);
  assert.deepEqual(value(out, T.SOPClassUID), ['1.2.840.10008.5.1.4.1.1.2']);
  assert.deepEqual(out.get(T.Rows)?.value, [512]);
  assert.deepEqual(value(out, T.InstanceNumber), ['3']);
});

test('the patient becomes the pseudonym; Patient Identity Removed, the method, its codes and Longitudinal Temporal Information Modified are added', () => {
  const out = deidentify(ct(), ctx());
  assert.deepEqual(value(out, T.PatientName), ['SUBJECT-01']);
  assert.deepEqual(value(out, T.PatientID), ['SUBJECT-01']);
  assert.deepEqual(value(out, T.PatientIdentityRemoved), ['YES']);
  assert.deepEqual(value(out, T.DeidentificationMethod), ['Basic Application Confidentiality Profile']);
  assert.deepEqual(
    getItems(out, T.DeidentificationMethodCodeSequence).map((i) => [getStrings(i, 0x00080100)[0], getStrings(i, 0x00080102)[0]]),
    [['113100', 'DCM']],
  );
  assert.deepEqual(value(out, T.LongitudinalTemporalInformationModified), ['REMOVED']);
  const both = deidentify(ct(), ctx({ retainDates: true, cleanDescriptors: true }));
  assert.deepEqual(
    getItems(both, T.DeidentificationMethodCodeSequence).map((i) => getStrings(i, 0x00080100)[0]),
    ['113100', '113106', '113105'],
  );
  assert.equal(getStrings(both, T.DeidentificationMethod).length, 3);
  assert.ok(
    getStrings(both, T.DeidentificationMethod).every((v) => v.length <= 64),
    'LO values of at most 64 characters',
  );
  assert.deepEqual(value(both, T.LongitudinalTemporalInformationModified), ['UNMODIFIED']);
});

test('combinations resolve by the IOD: D where it makes the attribute Type 1 (PET Series Date, enhanced images), else Z (present and empty)', () => {
  const out = deidentify(ct(), ctx());
  assert.deepEqual(value(out, T.AcquisitionDate), [], 'X/Z');
  assert.deepEqual(value(out, T.SeriesDate), [], 'X/D in a CT');
  assert.deepEqual(value(out, T.InstanceCreationDate), [], 'X/D');
  assert.deepEqual(value(out, T.ProtocolName), [], 'X/D');
  assert.deepEqual(value(out, T.ContentDate), [], 'Z/D in a CT');
  assert.deepEqual(value(out, T.InstitutionName), [], 'X/Z/D');
  assert.deepEqual(value(out, T.AcquisitionDateTime), [], 'X/Z/D');
  const pet = deidentify(ct([[T.Modality, el('CS', 'PT')]]), ctx());
  assert.deepEqual(value(pet, T.SeriesDate), ['19000101'], 'Series Date is Type 1 in the PET Series Module');
  const enhanced = deidentify(ct([[T.SharedFunctionalGroupsSequence, sq(new Map())]]), ctx());
  assert.deepEqual(value(enhanced, T.ContentDate), ['19000101'], 'Content Date is Type 1 in the Multi-frame Functional Groups Module');
  assert.deepEqual(value(enhanced, T.AcquisitionDateTime), ['19000101000000'], 'ORIGINAL enhanced image');
  assert.deepEqual(value(enhanced, T.DeviceSerialNumber), ['REMOVED'], 'Enhanced General Equipment');
});

test('Retain Longitudinal Temporal Information with Full Dates keeps the dates and times; the rest is as without it', () => {
  const out = deidentify(ct(), ctx({ retainDates: true }));
  for (const t of [T.StudyDate, T.SeriesDate, T.AcquisitionDate, T.ContentDate, T.InstanceCreationDate]) assert.deepEqual(value(out, t), ['20240115']);
  assert.deepEqual(value(out, T.AcquisitionDateTime), ['20240115101500']);
  assert.deepEqual(value(out, T.PatientBirthDate), [], 'birth date is not a longitudinal date');
  assert.deepEqual(value(out, T.AccessionNumber), []);
});

test('Clean Descriptors keeps a descriptor that holds no identifying value, and gives one that does the Basic action', () => {
  const out = deidentify(ct(), ctx({ cleanDescriptors: true }));
  assert.deepEqual(value(out, T.StudyDescription), ['CT CHEST']);
  assert.deepEqual(value(out, T.ProtocolName), ['CHEST ROUTINE']);
  assert.equal(out.has(T.SeriesDescription), false, '"DOE JANE follow-up" names the patient');
  assert.equal(out.has(T.ImageComments), false, '"seen by Dr House" names the referring physician');
  const ids = deidentify(ct([[T.StudyDescription, el('LO', 'CT for PID-4711 born 29.02.1960')]]), ctx({ cleanDescriptors: true }));
  assert.equal(ids.has(T.StudyDescription), false, 'the Patient ID and the birth date in another spelling are found');
  const without = deidentify(ct(), ctx());
  assert.equal(without.has(T.StudyDescription), false, 'without the option, descriptors are X');
});

test('sequences: the table applies in every item; kept references have their UIDs replaced as at the top, so they still resolve', () => {
  const referenced = ds([
    [T.ReferencedSOPClassUID, el('UI', '1.2.840.10008.5.1.4.1.1.2')],
    [T.ReferencedSOPInstanceUID, el('UI', OTHER_SOP)],
    [T.PatientAddress, el('LO', 'nested address')],
    [0x00091010, el('LO', 'private in an item')],
  ]);
  const series = ds([
    [T.SeriesInstanceUID, el('UI', SERIES)],
    [T.ReferencedImageSequence, sq(referenced)],
  ]);
  const c = ctx();
  const first = deidentify(
    ct([
      [T.ReferencedSeriesSequence, sq(series)],
      [T.ReferencedImageSequence, sq(referenced)],
    ]),
    c,
  );
  const second = deidentify(ct([[T.SOPInstanceUID, el('UI', OTHER_SOP)]]), c);
  const item = getItems(getItems(first, T.ReferencedSeriesSequence)[0]!, T.ReferencedImageSequence)[0]!;
  assert.deepEqual(value(item, T.ReferencedSOPInstanceUID), value(second, T.SOPInstanceUID), "nested reference → the other instance's new UID");
  assert.deepEqual(value(getItems(first, T.ReferencedSeriesSequence)[0]!, T.SeriesInstanceUID), value(first, T.SeriesInstanceUID));
  assert.deepEqual(value(item, T.ReferencedSOPClassUID), ['1.2.840.10008.5.1.4.1.1.2'], 'class UIDs are kept');
  assert.equal(item.has(T.PatientAddress), false, 'X inside an item');
  assert.equal(item.has(0x00091010), false, 'private inside an item');
  assert.equal(getItems(first, T.ReferencedImageSequence).length, 1, 'X/Z/U*: the reference sequence is kept');
  assert.deepEqual(value(second, T.StudyInstanceUID), value(first, T.StudyInstanceUID), 'one study, one new Study Instance UID');
});

test('private attributes (creators included), curves, overlay planes with their data and overlay comments are removed', () => {
  const out = deidentify(
    ct([
      [0x00090010, el('LO', 'ACME 1.1')],
      [0x00091001, el('LO', 'DOE^JANE')],
      [0x7fe10010, el('LO', 'GEMS')],
      [0x00190000, { vr: 'UL', value: [10] }],
      [T.CurveData, { vr: 'OB', value: new Uint8Array(4) }],
      [T.OverlayRows, { vr: 'US', value: [512] }],
      [T.OverlayData, { vr: 'OW', value: new Uint8Array(8) }],
      [T.OverlayRows2, { vr: 'US', value: [512] }],
      [T.OverlayComments, el('LT', 'DOE')],
      [0x00100000, { vr: 'UL', value: [99] }],
    ]),
    ctx(),
  );
  for (const t of out.keys()) assert.equal((t >>> 16) & 1, 0, `odd group (${t.toString(16)}) removed`);
  for (const t of [T.CurveData, T.OverlayRows, T.OverlayData, T.OverlayComments, 0x00100000]) assert.equal(out.has(t), false, `(${t.toString(16)}) removed`);
  assert.equal(out.has(T.OverlayRows2), true, 'a plane without data keeps its attributes (only its comments go)');
});

test('UIDs: the same original gives the same new UID within an export, another in the next export; never the original, always valid', () => {
  const a = new UidRemapper();
  const b = new UidRemapper();
  assert.equal(a.remap(STUDY), a.remap(STUDY));
  assert.equal(a.remap(`${STUDY}\0`), a.remap(STUDY), 'padding does not matter');
  assert.notEqual(a.remap(STUDY), a.remap(SERIES));
  assert.notEqual(a.remap(STUDY), b.remap(STUDY), 'a new secret per export');
  for (let i = 0; i < 200; i++) {
    const uid = a.remap(`1.2.3.${i}`);
    assert.ok(isValidUid(uid) && uid.length <= 64, uid);
  }
  assert.equal(a.remap(''), '');
});

test('the trailer after Pixel Data: Digital Signatures, padding and private groups go', () => {
  const trailer = ds([
    [T.DigitalSignaturesSequence, sq(new Map())],
    [T.TrailingPadding, { vr: 'OB', value: new Uint8Array(4) }],
    [0x7fe10010, el('LO', 'GEMS')],
  ]);
  assert.equal(deidentifyTrailer(trailer, ct(), ctx()).size, 0);
});

test('pseudonyms: printable ASCII, no backslash, at most 64 characters', () => {
  assert.equal(pseudonymProblem('SUBJECT-01'), undefined);
  assert.match(pseudonymProblem('') ?? '', /empty/);
  assert.match(pseudonymProblem('A\\B') ?? '', /backslash/);
  assert.match(pseudonymProblem('x'.repeat(65)) ?? '', /64/);
  assert.match(pseudonymProblem('Müller') ?? '', /ASCII/);
});

test('left out when de-identified: burned-in annotation, classes where it is usual and not denied, documents and reports', () => {
  const yes = ds([[T.BurnedInAnnotation, el('CS', 'YES')]]);
  const no = ds([[T.BurnedInAnnotation, el('CS', 'NO')]]);
  const absent: DataSet = new Map();
  const CT = '1.2.840.10008.5.1.4.1.1.2';
  const US = '1.2.840.10008.5.1.4.1.1.6.1';
  const SC = '1.2.840.10008.5.1.4.1.1.7';
  assert.match(deidentificationRefusal(CT, yes) ?? '', /Burned In Annotation is YES/);
  assert.equal(deidentificationRefusal(CT, absent), undefined);
  assert.match(deidentificationRefusal(US, absent) ?? '', /Ultrasound Image Storage images usually carry burned-in text/);
  assert.match(deidentificationRefusal(SC, absent) ?? '', /Secondary Capture/);
  assert.equal(deidentificationRefusal(US, no), undefined, 'an ultrasound image that says it has none');
  assert.match(deidentificationRefusal('1.2.840.10008.5.1.4.1.1.104.1', absent) ?? '', /encapsulated document/);
  assert.match(deidentificationRefusal('1.2.840.10008.5.1.4.1.1.88.33', absent) ?? '', /Comprehensive SR/);
  // allowed by the export: burned-in text no longer refuses; documents and reports still do
  assert.equal(deidentificationRefusal(CT, yes, { allowBurnedIn: true }), undefined);
  assert.equal(deidentificationRefusal(US, absent, { allowBurnedIn: true }), undefined);
  assert.match(deidentificationRefusal('1.2.840.10008.5.1.4.1.1.104.1', yes, { allowBurnedIn: true }) ?? '', /encapsulated document/);
});

test('the table: rows of PS3.15 Table E.1-1 as the standard gives them', () => {
  const t = confidentialityProfile();
  assert.ok(t.size > 600, `${t.size} rows`);
  const row = (tag: Tag) => t.get(tag)!;
  assert.equal(row(T.PatientName).basic, 'Z');
  assert.equal(row(T.StudyInstanceUID).basic, 'U');
  assert.equal(row(T.PatientAddress).basic, 'X');
  assert.equal(row(T.StudyDate).basic, 'Z');
  assert.equal(row(T.StudyDate).retainedWithDates, true);
  assert.equal(row(T.StudyDescription).cleanedDescriptor, true);
  assert.equal(row(T.ReferencedImageSequence).basic, 'X/Z/U');
  assert.equal(row(T.InstitutionName).basic, 'X/Z/D');
  assert.equal(t.has(T.Modality), false);
});
