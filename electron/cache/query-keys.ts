/**
 * The attributes the cache can match and return, by level, and where each is stored. The SQL
 * of query.ts is built from this table; keys the cache does not know are ignored for matching
 * (the SCP returns them empty, PS3.4 C.4.1.1.3.2).
 */
import type { VR } from '../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../shared/dicom/query.js';

/** The tables of the hierarchy, top down. */
export type Entity = 'patient' | 'study' | 'series' | 'instance';

/**
 * How an attribute is matched:
 * - text: Single Value (=) and Wild Card (GLOB) matching on the column;
 * - uid: Single Value and List of UID matching (= / IN);
 * - number: IS values compared as the numbers they spell; count: an integer aggregate;
 * - date / time: Range Matching on the normalized columns <col>N, <col>Low/<col>High;
 * - patient-name: PN matching on patient_name_form (indexed, case-insensitive on request);
 * - person-name: PN matching through the reference predicate (pn_match), not indexed;
 * - modalities: Modalities in Study, matched against the series of the study;
 * - uid-set: SOP Classes in Study, a backslash-separated set of UIDs.
 */
export type AttributeKind = 'text' | 'uid' | 'number' | 'count' | 'date' | 'time' | 'patient-name' | 'person-name' | 'modalities' | 'uid-set';

/** One attribute of the index. */
export interface IndexedAttribute {
  keyword: string;
  vr: VR;
  entity: Entity;
  kind: AttributeKind;
  /** Column in its table (the keyword unless stated). */
  column: string;
}

/** Table aliases used in every query. */
export const ALIAS: Readonly<Record<Entity, string>> = { patient: 'p', study: 's', series: 'se', instance: 'i' };

function a(keyword: string, vr: VR, entity: Entity, kind: AttributeKind, column = keyword): IndexedAttribute {
  return { keyword, vr, entity, kind, column };
}

/** Every attribute the cache stores, with the way it is matched. */
export const INDEXED_ATTRIBUTES: readonly IndexedAttribute[] = [
  a('PatientName', 'PN', 'patient', 'patient-name'),
  a('PatientID', 'LO', 'patient', 'text'),
  a('IssuerOfPatientID', 'LO', 'patient', 'text'),
  a('PatientBirthDate', 'DA', 'patient', 'date'),
  a('PatientBirthTime', 'TM', 'patient', 'time'),
  a('PatientSex', 'CS', 'patient', 'text'),
  a('NumberOfPatientRelatedStudies', 'IS', 'patient', 'count'),
  a('NumberOfPatientRelatedSeries', 'IS', 'patient', 'count'),
  a('NumberOfPatientRelatedInstances', 'IS', 'patient', 'count'),
  a('StudyInstanceUID', 'UI', 'study', 'uid'),
  a('StudyDate', 'DA', 'study', 'date'),
  a('StudyTime', 'TM', 'study', 'time'),
  a('AccessionNumber', 'SH', 'study', 'text'),
  a('StudyID', 'SH', 'study', 'text'),
  a('ReferringPhysicianName', 'PN', 'study', 'person-name'),
  a('StudyDescription', 'LO', 'study', 'text'),
  a('ModalitiesInStudy', 'CS', 'study', 'modalities'),
  a('SOPClassesInStudy', 'UI', 'study', 'uid-set'),
  a('NumberOfStudyRelatedSeries', 'IS', 'study', 'count'),
  a('NumberOfStudyRelatedInstances', 'IS', 'study', 'count'),
  a('SeriesInstanceUID', 'UI', 'series', 'uid'),
  a('Modality', 'CS', 'series', 'text'),
  a('SeriesNumber', 'IS', 'series', 'number'),
  a('SeriesDescription', 'LO', 'series', 'text'),
  a('BodyPartExamined', 'CS', 'series', 'text'),
  a('SeriesDate', 'DA', 'series', 'date'),
  a('SeriesTime', 'TM', 'series', 'time'),
  a('NumberOfSeriesRelatedInstances', 'IS', 'series', 'count'),
  a('SOPInstanceUID', 'UI', 'instance', 'uid'),
  a('SOPClassUID', 'UI', 'instance', 'uid'),
  a('InstanceNumber', 'IS', 'instance', 'number'),
  // Available Transfer Syntax UID (0008,3002): the syntax the instance is stored in.
  a('AvailableTransferSyntaxUID', 'UI', 'instance', 'uid', 'TransferSyntaxUID'),
];

/** The tables a query at each level reads: its own and those above it. */
export const ENTITIES_OF_LEVEL: Readonly<Record<QueryLevel, readonly Entity[]>> = {
  PATIENT: ['patient'],
  STUDY: ['patient', 'study'],
  SERIES: ['patient', 'study', 'series'],
  IMAGE: ['patient', 'study', 'series', 'instance'],
};

/** FROM clause of each level. */
export const FROM_OF_LEVEL: Readonly<Record<QueryLevel, string>> = {
  PATIENT: 'patient p',
  STUDY: 'study s JOIN patient p ON p.id = s.patient_pk',
  SERIES: 'series se JOIN study s ON s.id = se.study_pk JOIN patient p ON p.id = s.patient_pk',
  IMAGE: 'instance i JOIN series se ON se.id = i.series_pk JOIN study s ON s.id = se.study_pk JOIN patient p ON p.id = s.patient_pk',
};

/** Date and time attributes matched together under Date-time Matching (PS3.4 C.2.2.2.5). */
export const DATE_TIME_PAIRS: readonly (readonly [date: string, time: string])[] = [
  ['StudyDate', 'StudyTime'],
  ['SeriesDate', 'SeriesTime'],
  ['PatientBirthDate', 'PatientBirthTime'],
];

const BY_KEYWORD = new Map(INDEXED_ATTRIBUTES.map((x) => [x.keyword, x]));

/** The stored attribute of a keyword, or undefined when the cache does not keep it. */
export function indexedAttribute(keyword: string): IndexedAttribute | undefined {
  return BY_KEYWORD.get(keyword);
}
