/**
 * The tags the code names, one constant per PS3.6 keyword (`STUDY_INSTANCE_UID` is
 * StudyInstanceUID, (0020,000D)). Code that reads or writes an attribute by tag imports it from
 * here rather than declaring its own; the dictionary (dictionary.ts) answers for any other keyword.
 * The delimitation tags and VR layout are in vr-layout.ts, the command set in the DIMSE layer.
 */
import type { Tag } from './dataset.js';

/** Length to End (0008,0001), retired: removed by de-identification. */
export const LENGTH_TO_END: Tag = 0x00080001;
/** Specific Character Set (0008,0005). */
export const SPECIFIC_CHARACTER_SET: Tag = 0x00080005;
/** SOP Class UID (0008,0016). */
export const SOP_CLASS_UID: Tag = 0x00080016;
/** SOP Instance UID (0008,0018). */
export const SOP_INSTANCE_UID: Tag = 0x00080018;
/** Retrieve AE Title (0008,0054). */
export const RETRIEVE_AE_TITLE: Tag = 0x00080054;
/** Series Date (0008,0021). */
export const SERIES_DATE: Tag = 0x00080021;
/** Series Time (0008,0031). */
export const SERIES_TIME: Tag = 0x00080031;
/** Patient's Name (0010,0010). */
export const PATIENT_NAME: Tag = 0x00100010;
/** Patient ID (0010,0020). */
export const PATIENT_ID: Tag = 0x00100020;
/** Issuer of Patient ID (0010,0021). */
export const ISSUER_OF_PATIENT_ID: Tag = 0x00100021;
/** Study Instance UID (0020,000D). */
export const STUDY_INSTANCE_UID: Tag = 0x0020000d;
/** Series Instance UID (0020,000E). */
export const SERIES_INSTANCE_UID: Tag = 0x0020000e;
/** Instance Number (0020,0013). */
export const INSTANCE_NUMBER: Tag = 0x00200013;
/** Number of Patient Related Studies (0020,1200). */
export const NUMBER_OF_PATIENT_RELATED_STUDIES: Tag = 0x00201200;
/** Number of Study Related Instances (0020,1208). */
export const NUMBER_OF_STUDY_RELATED_INSTANCES: Tag = 0x00201208;
/** Number of Series Related Instances (0020,1209). */
export const NUMBER_OF_SERIES_RELATED_INSTANCES: Tag = 0x00201209;
/** Bits Allocated (0028,0100). */
export const BITS_ALLOCATED: Tag = 0x00280100;
/** Pixel Representation (0028,0103). */
export const PIXEL_REPRESENTATION: Tag = 0x00280103;
/** Burned In Annotation (0028,0301). */
export const BURNED_IN_ANNOTATION: Tag = 0x00280301;
/** Directory Record Sequence (0004,1220) of a DICOMDIR. */
export const DIRECTORY_RECORD_SEQUENCE: Tag = 0x00041220;
/** Record In-use Flag (0004,1410), retired. */
export const RECORD_IN_USE_FLAG: Tag = 0x00041410;
/** Referenced File ID (0004,1500). */
export const REFERENCED_FILE_ID: Tag = 0x00041500;
/** Extended Offset Table (7FE0,0001). */
export const EXTENDED_OFFSET_TABLE: Tag = 0x7fe00001;
/** Pixel Data (7FE0,0010). */
export const PIXEL_DATA: Tag = 0x7fe00010;
