/**
 * Domain records of the local cache of Priors, as the services, the CLI and the renderer see
 * them. DICOM attributes keep their PS3.6 keywords as property names; the cache's own
 * bookkeeping is camelCase. Multi-valued DICOM attributes are strings joined with a backslash
 * (PS3.5 §6.4), as they are encoded, except where a property says otherwise.
 */

/** Patient-level attributes of the Query/Retrieve information model (PS3.4 Table C.6-1). */
export interface PatientFields {
  /** Patient ID (0010,0020); `''` when the instance has none. With the issuer, the patient's key in the cache. */
  PatientID: string;
  /** Issuer of Patient ID (0010,0021); `''` when absent. */
  IssuerOfPatientID: string;
  PatientName?: string;
  PatientBirthDate?: string;
  PatientBirthTime?: string;
  PatientSex?: string;
}

/** Study-level attributes (PS3.4 Table C.6-2). */
export interface StudyFields {
  StudyInstanceUID: string;
  StudyDate?: string;
  StudyTime?: string;
  AccessionNumber?: string;
  StudyID?: string;
  ReferringPhysicianName?: string;
  StudyDescription?: string;
}

/** Series-level attributes (PS3.4 Table C.6-3). */
export interface SeriesFields {
  SeriesInstanceUID: string;
  Modality?: string;
  SeriesNumber?: string;
  SeriesDescription?: string;
  BodyPartExamined?: string;
  SeriesDate?: string;
  SeriesTime?: string;
}

/** Instance-level attributes (PS3.4 Table C.6-4). */
export interface InstanceFields {
  SOPInstanceUID: string;
  SOPClassUID: string;
  InstanceNumber?: string;
}

/** Everything the cache indexes from one instance's header. */
export interface InstanceIndexFields {
  patient: PatientFields;
  study: StudyFields;
  series: SeriesFields;
  instance: InstanceFields;
}

/** Where and how an instance is stored, and where it came from. */
export interface StoredFile {
  /** Transfer Syntax UID of the stored data set (from the file meta information). */
  transferSyntaxUid: string;
  /** The file, relative to the data directory, with forward slashes (e.g. `files/1.2/1.2.3/1.2.3.4.dcm`). */
  filePath: string;
  /** File size in bytes. */
  fileSize: number;
  /** Offset of the data set in the file: the length of preamble and file meta information (0 when none). */
  dataSetOffset: number;
  /** When it arrived, in milliseconds since the epoch. */
  receivedAt: number;
  /** Calling AE title of the association that sent it (or the Move Originator), if any. */
  sourceAeTitle?: string;
}

/** What the index keeps of an instance: its attributes and its file. */
export interface InstanceIndexRecord extends InstanceIndexFields, StoredFile {}

/** A patient of the cache with its counts (PS3.4 C.6.1.1.2 Number of Patient Related ...). */
export interface PatientRecord extends PatientFields {
  NumberOfPatientRelatedStudies: number;
  NumberOfPatientRelatedSeries: number;
  NumberOfPatientRelatedInstances: number;
  /** Bytes of all its files. */
  size: number;
}

/** A study of the cache with its aggregates. */
export interface StudyRecord extends StudyFields {
  /** The patient it belongs to. */
  PatientID: string;
  IssuerOfPatientID: string;
  PatientName?: string;
  /** Modalities in Study (0008,0061), one entry per modality. */
  ModalitiesInStudy: string[];
  /** SOP Classes in Study (0008,0062), one entry per class. */
  SOPClassesInStudy: string[];
  NumberOfStudyRelatedSeries: number;
  NumberOfStudyRelatedInstances: number;
  size: number;
  /** Last time it was retrieved, viewed or sent (ms since the epoch). */
  lastAccessedAt: number;
  /** Last time an instance of it arrived (ms since the epoch). */
  lastReceivedAt: number;
}

/** A series of the cache. */
export interface SeriesRecord extends SeriesFields {
  StudyInstanceUID: string;
  NumberOfSeriesRelatedInstances: number;
  size: number;
}

/** An instance of the cache and its file. */
export interface InstanceRecord extends InstanceFields, StoredFile {
  SeriesInstanceUID: string;
  StudyInstanceUID: string;
  lastAccessedAt: number;
}

/** Totals of the cache. */
export interface CacheStats {
  patients: number;
  studies: number;
  series: number;
  instances: number;
  /** Bytes of all indexed files. */
  bytes: number;
  /** The quota in bytes, when one is set. */
  maxBytes?: number;
  // --- room for new instances: quota, free space, refusals, evictions ---
  /** Free space kept on the data directory's file system, when one is set (config minFreeBytes). */
  minFreeBytes?: number;
  /** Bytes free on the data directory's file system now (absent when it cannot be read). */
  freeBytes?: number;
  /** Size of that file system in bytes (absent when it cannot be read). */
  diskBytes?: number;
  /** The last instance refused for lack of room (C-STORE answered A700), since the cache opened. */
  lastRefusal?: CacheRefusal;
  /** Studies evicted (least recently used first) to make room since the cache opened. */
  evicted?: { studies: number; bytes: number; lastAt?: number };
  /** Studies protected from eviction now (open in the viewer, in a running transfer, priors of an open patient). */
  pinnedStudies?: number;
}

/**
 * Why an instance was refused for lack of room. `reason`: 'quota' (the cache's size
 * limit), 'min-free' (the free space kept on the disk), 'disk-full' (the disk itself: ENOSPC).
 * `sentence` is the one-sentence explanation the activity log carries (what is full, how much,
 * what to do); `count` is how many instances were refused for that reason since the first.
 */
export interface CacheRefusal {
  at: number;
  reason: 'quota' | 'min-free' | 'disk-full';
  sentence: string;
  count: number;
}

/** What storing one instance did. */
export interface StoreResult {
  sopInstanceUid: string;
  studyInstanceUid: string;
  /** The instance was already cached: the new copy replaced the stored one (file and row). */
  duplicate: boolean;
  /** File path relative to the data directory. */
  filePath: string;
  fileSize: number;
  /**
   * Set when the study was stored under another patient identity (Patient ID, Issuer) than
   * this instance carries: the study now belongs to the identity received last.
   */
  patientChanged?: { from: { PatientID: string; IssuerOfPatientID: string }; to: { PatientID: string; IssuerOfPatientID: string } };
}

/** A file an import did not take, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** The outcome of importing files and folders. */
export interface ImportResult {
  imported: number;
  duplicates: number;
  skipped: SkippedFile[];
  /** The studies that gained an instance (absent when none did). */
  studies?: string[];
  /** The import was cancelled before it went through every file. */
  aborted?: boolean;
  /**
   * Imported through a medium's DICOMDIR (PS3.10 §8): how many files its records reference, the
   * File IDs of those not on the medium, and how many other files the medium holds (not imported).
   */
  dicomdir?: { path: string; referenced: number; missing: string[]; notReferenced: number; firstNotReferenced?: string };
}

/** One stored instance as it is sent: by the SCP (C-MOVE / C-GET sub-operations) and by the C-STORE SCU. */
export interface InstanceSource {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The Part-10 file holding the instance (absolute path). */
  path: string;
  /** Byte offset of the data set in the file (just past the file meta information). */
  dataSetOffset: number;
  /** Length in bytes of the data set (file size minus `dataSetOffset`). */
  dataSetLength: number;
}

/** One check of `priors doctor` (the index against the files, and both databases' integrity). */
export interface DoctorFinding {
  check: 'index-integrity' | 'history-integrity' | 'rows-without-files' | 'changed-files' | 'files-without-rows' | 'unindexed-acknowledged' | 'set-aside';
  /** Whether this check found nothing wrong. */
  ok: boolean;
  /** What was found (and, when not ok, what --repair does or what to do), in one sentence. */
  sentence: string;
  /** How many rows or files, when the check counts them. */
  count?: number;
  /** A few of them (paths relative to the data directory). */
  examples?: string[];
}

/** What `priors doctor [--repair]` found and did. */
export interface DoctorReport {
  /** Whether everything is in order (after the repair, when one was asked for). */
  ok: boolean;
  dataDir: string;
  findings: DoctorFinding[];
  /** With repair: what was done, one sentence each (empty when nothing needed doing). */
  repairs?: string[];
}
