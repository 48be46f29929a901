/**
 * The UID tables of the standard that Priors negotiates from, and UID syntax and generation.
 *
 * These tables are the single source of truth: the SCP builds its presentation contexts from
 * them and docs/conformance.md is generated from them. Names and keywords are those of
 * PS3.6 Table A-1; each entry cites the part of the standard that defines it.
 */

/** One registered UID: its value, PS3.6 keyword and name, and where the standard defines it. */
export interface UidEntry {
  readonly uid: string;
  /** Keyword of PS3.6 Table A-1 (e.g. `CTImageStorage`). */
  readonly keyword: string;
  /** Name of PS3.6 Table A-1 (e.g. `CT Image Storage`). */
  readonly name: string;
  /** Retired from the standard (PS3.6 Table A-1 marks it "Retired"). */
  readonly retired: boolean;
  /** Where the standard defines it, e.g. `PS3.4 Table B.5-1`. */
  readonly citation: string;
}

/** A transfer syntax of PS3.5 Annex A. */
export interface TransferSyntaxEntry extends UidEntry {
  /** Explicit VR encoding (PS3.5 §7.1.2); false only for Implicit VR Little Endian. */
  readonly explicitVR: boolean;
  /** Little endian byte order (PS3.5 §7.3); false only for the retired Explicit VR Big Endian. */
  readonly littleEndian: boolean;
  /** The whole data set is deflated (PS3.5 A.5). */
  readonly deflated: boolean;
  /** Pixel data is encapsulated in fragments (PS3.5 A.4). */
  readonly encapsulated: boolean;
  /** The syntax may carry lossy-compressed pixel data (PS3.5 A.4 and §8.2). */
  readonly lossy: boolean;
}

/** The service a SOP class belongs to. */
export type SopClassKind = 'verification' | 'query-retrieve' | 'worklist' | 'storage';

/** A SOP class of PS3.4. */
export interface SopClassEntry extends UidEntry {
  readonly kind: SopClassKind;
}

/** Implementation Class UID sent in A-ASSOCIATE (PS3.7 D.3.3.2), under the Priors org root. */
export const PRIORS_IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1439.1';
/** Implementation Version Name sent in A-ASSOCIATE (PS3.7 D.3.3.2: 1 to 16 characters). */
export const PRIORS_IMPLEMENTATION_VERSION_NAME = 'PRIORS_010';
/** Default root of generated UIDs: the UUID-derived `2.25` arc of PS3.5 B.2. */
export const PRIORS_UID_ROOT = '2.25';
/** DICOM Application Context Name (PS3.7 A.2.1). */
export const DICOM_APPLICATION_CONTEXT_NAME = '1.2.840.10008.3.1.1.1';
/** The branch under which PS3.6 registers the Storage SOP Classes (PS3.4 B.5). */
export const STORAGE_SOP_CLASS_BRANCH = '1.2.840.10008.5.1.4.1.1.';

// ---------------------------------------------------------------------------------------------
// Transfer syntaxes (PS3.5 Annex A; UIDs from PS3.6 Table A-1). JPIP syntaxes are not listed.

type TsFlags = Partial<Pick<TransferSyntaxEntry, 'explicitVR' | 'littleEndian' | 'deflated' | 'retired'>>;

function native(uid: string, keyword: string, name: string, citation: string, flags: TsFlags = {}): TransferSyntaxEntry {
  const { explicitVR = true, littleEndian = true, deflated = false, retired = false } = flags;
  return { uid, keyword, name, citation, retired, explicitVR, littleEndian, deflated, encapsulated: false, lossy: false };
}

function encapsulated(uid: string, keyword: string, name: string, lossy: boolean, citation: string, retired = false): TransferSyntaxEntry {
  return { uid, keyword, name, citation, retired, explicitVR: true, littleEndian: true, deflated: false, encapsulated: true, lossy };
}

const JPEG = 'PS3.5 A.4.1';
const MPEG4 = 'PS3.5 A.4.6';

/** Every transfer syntax Priors knows, in PS3.6 order. */
export const TRANSFER_SYNTAXES: readonly TransferSyntaxEntry[] = [
  native('1.2.840.10008.1.2', 'ImplicitVRLittleEndian', 'Implicit VR Little Endian', 'PS3.5 A.1', { explicitVR: false }),
  native('1.2.840.10008.1.2.1', 'ExplicitVRLittleEndian', 'Explicit VR Little Endian', 'PS3.5 A.2'),
  encapsulated(
    '1.2.840.10008.1.2.1.98',
    'EncapsulatedUncompressedExplicitVRLittleEndian',
    'Encapsulated Uncompressed Explicit VR Little Endian',
    false,
    'PS3.5 A.4',
  ),
  native('1.2.840.10008.1.2.1.99', 'DeflatedExplicitVRLittleEndian', 'Deflated Explicit VR Little Endian', 'PS3.5 A.5', { deflated: true }),
  native('1.2.840.10008.1.2.2', 'ExplicitVRBigEndian', 'Explicit VR Big Endian', 'PS3.5 A.3; retired, PS3.6 Table A-1', { littleEndian: false, retired: true }),
  encapsulated('1.2.840.10008.1.2.4.50', 'JPEGBaseline8Bit', 'JPEG Baseline (Process 1)', true, JPEG),
  encapsulated('1.2.840.10008.1.2.4.51', 'JPEGExtended12Bit', 'JPEG Extended (Process 2 and 4)', true, JPEG),
  encapsulated('1.2.840.10008.1.2.4.57', 'JPEGLossless', 'JPEG Lossless, Non-Hierarchical (Process 14)', false, JPEG),
  encapsulated(
    '1.2.840.10008.1.2.4.70',
    'JPEGLosslessSV1',
    'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
    false,
    JPEG,
  ),
  encapsulated('1.2.840.10008.1.2.4.80', 'JPEGLSLossless', 'JPEG-LS Lossless Image Compression', false, 'PS3.5 A.4.3'),
  encapsulated('1.2.840.10008.1.2.4.81', 'JPEGLSNearLossless', 'JPEG-LS Lossy (Near-Lossless) Image Compression', true, 'PS3.5 A.4.3'),
  encapsulated('1.2.840.10008.1.2.4.90', 'JPEG2000Lossless', 'JPEG 2000 Image Compression (Lossless Only)', false, 'PS3.5 A.4.4'),
  encapsulated('1.2.840.10008.1.2.4.91', 'JPEG2000', 'JPEG 2000 Image Compression', true, 'PS3.5 A.4.4'),
  encapsulated('1.2.840.10008.1.2.4.92', 'JPEG2000MCLossless', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', false, 'PS3.5 A.4.4'),
  encapsulated('1.2.840.10008.1.2.4.93', 'JPEG2000MC', 'JPEG 2000 Part 2 Multi-component Image Compression', true, 'PS3.5 A.4.4'),
  encapsulated('1.2.840.10008.1.2.4.100', 'MPEG2MPML', 'MPEG2 Main Profile / Main Level', true, 'PS3.5 A.4.5'),
  encapsulated('1.2.840.10008.1.2.4.100.1', 'MPEG2MPMLF', 'Fragmentable MPEG2 Main Profile / Main Level', true, 'PS3.5 A.4.5'),
  encapsulated('1.2.840.10008.1.2.4.101', 'MPEG2MPHL', 'MPEG2 Main Profile / High Level', true, 'PS3.5 A.4.5'),
  encapsulated('1.2.840.10008.1.2.4.101.1', 'MPEG2MPHLF', 'Fragmentable MPEG2 Main Profile / High Level', true, 'PS3.5 A.4.5'),
  encapsulated('1.2.840.10008.1.2.4.102', 'MPEG4HP41', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.102.1', 'MPEG4HP41F', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.103', 'MPEG4HP41BD', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.103.1', 'MPEG4HP41BDF', 'Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.104', 'MPEG4HP422D', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.104.1', 'MPEG4HP422DF', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.105', 'MPEG4HP423D', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.105.1', 'MPEG4HP423DF', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.106', 'MPEG4HP42STEREO', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.106.1', 'MPEG4HP42STEREOF', 'Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', true, MPEG4),
  encapsulated('1.2.840.10008.1.2.4.107', 'HEVCMP51', 'HEVC/H.265 Main Profile / Level 5.1', true, 'PS3.5 A.4.7'),
  encapsulated('1.2.840.10008.1.2.4.108', 'HEVCM10P51', 'HEVC/H.265 Main 10 Profile / Level 5.1', true, 'PS3.5 A.4.7'),
  encapsulated('1.2.840.10008.1.2.4.110', 'JPEGXLLossless', 'JPEG XL Lossless', false, 'PS3.5 A.4'),
  encapsulated('1.2.840.10008.1.2.4.111', 'JPEGXLJPEGRecompression', 'JPEG XL JPEG Recompression', true, 'PS3.5 A.4'),
  encapsulated('1.2.840.10008.1.2.4.112', 'JPEGXL', 'JPEG XL', true, 'PS3.5 A.4'),
  encapsulated('1.2.840.10008.1.2.4.201', 'HTJ2KLossless', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', false, 'PS3.5 A.4'),
  encapsulated(
    '1.2.840.10008.1.2.4.202',
    'HTJ2KLosslessRPCL',
    'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
    false,
    'PS3.5 A.4',
  ),
  encapsulated('1.2.840.10008.1.2.4.203', 'HTJ2K', 'High-Throughput JPEG 2000 Image Compression', true, 'PS3.5 A.4'),
  encapsulated('1.2.840.10008.1.2.5', 'RLELossless', 'RLE Lossless', false, 'PS3.5 A.4.2'),
  encapsulated('1.2.840.10008.1.2.8.1', 'DeflatedImageFrameCompression', 'Deflated Image Frame Compression', false, 'PS3.5 A.4'),
];

// ---------------------------------------------------------------------------------------------
// SOP classes: Verification (PS3.4 Annex A), Query/Retrieve (PS3.4 C.6), Storage (PS3.4 B.5).

const QR: readonly (readonly [string, string, string, string, boolean])[] = [
  ['1.2.840.10008.5.1.4.1.2.1.1', 'PatientRootQueryRetrieveInformationModelFind', 'Patient Root Query/Retrieve Information Model - FIND', 'PS3.4 C.6.1', false],
  ['1.2.840.10008.5.1.4.1.2.1.2', 'PatientRootQueryRetrieveInformationModelMove', 'Patient Root Query/Retrieve Information Model - MOVE', 'PS3.4 C.6.1', false],
  ['1.2.840.10008.5.1.4.1.2.1.3', 'PatientRootQueryRetrieveInformationModelGet', 'Patient Root Query/Retrieve Information Model - GET', 'PS3.4 C.6.1', false],
  ['1.2.840.10008.5.1.4.1.2.2.1', 'StudyRootQueryRetrieveInformationModelFind', 'Study Root Query/Retrieve Information Model - FIND', 'PS3.4 C.6.2', false],
  ['1.2.840.10008.5.1.4.1.2.2.2', 'StudyRootQueryRetrieveInformationModelMove', 'Study Root Query/Retrieve Information Model - MOVE', 'PS3.4 C.6.2', false],
  ['1.2.840.10008.5.1.4.1.2.2.3', 'StudyRootQueryRetrieveInformationModelGet', 'Study Root Query/Retrieve Information Model - GET', 'PS3.4 C.6.2', false],
  [
    '1.2.840.10008.5.1.4.1.2.3.1',
    'PatientStudyOnlyQueryRetrieveInformationModelFind',
    'Patient/Study Only Query/Retrieve Information Model - FIND',
    'PS3.4 C.6.3 (retired)',
    true,
  ],
  [
    '1.2.840.10008.5.1.4.1.2.3.2',
    'PatientStudyOnlyQueryRetrieveInformationModelMove',
    'Patient/Study Only Query/Retrieve Information Model - MOVE',
    'PS3.4 C.6.3 (retired)',
    true,
  ],
  [
    '1.2.840.10008.5.1.4.1.2.3.3',
    'PatientStudyOnlyQueryRetrieveInformationModelGet',
    'Patient/Study Only Query/Retrieve Information Model - GET',
    'PS3.4 C.6.3 (retired)',
    true,
  ],
];

/**
 * Storage SOP Classes of PS3.4 Table B.5-1 (and the retired ones PS3.6 Table A-1 still lists):
 * [UID suffix under STORAGE_SOP_CLASS_BRANCH, PS3.6 keyword, PS3.6 name, retired?].
 */
const STORAGE = [
  ['1', 'ComputedRadiographyImageStorage', 'Computed Radiography Image Storage'],
  ['1.1', 'DigitalXRayImageStorageForPresentation', 'Digital X-Ray Image Storage - For Presentation'],
  ['1.1.1', 'DigitalXRayImageStorageForProcessing', 'Digital X-Ray Image Storage - For Processing'],
  ['1.2', 'DigitalMammographyXRayImageStorageForPresentation', 'Digital Mammography X-Ray Image Storage - For Presentation'],
  ['1.2.1', 'DigitalMammographyXRayImageStorageForProcessing', 'Digital Mammography X-Ray Image Storage - For Processing'],
  ['1.3', 'DigitalIntraOralXRayImageStorageForPresentation', 'Digital Intra-Oral X-Ray Image Storage - For Presentation'],
  ['1.3.1', 'DigitalIntraOralXRayImageStorageForProcessing', 'Digital Intra-Oral X-Ray Image Storage - For Processing'],
  ['2', 'CTImageStorage', 'CT Image Storage'],
  ['2.1', 'EnhancedCTImageStorage', 'Enhanced CT Image Storage'],
  ['2.2', 'LegacyConvertedEnhancedCTImageStorage', 'Legacy Converted Enhanced CT Image Storage'],
  ['3', 'UltrasoundMultiFrameImageStorageRetired', 'Ultrasound Multi-frame Image Storage', true],
  ['3.1', 'UltrasoundMultiFrameImageStorage', 'Ultrasound Multi-frame Image Storage'],
  ['4', 'MRImageStorage', 'MR Image Storage'],
  ['4.1', 'EnhancedMRImageStorage', 'Enhanced MR Image Storage'],
  ['4.2', 'MRSpectroscopyStorage', 'MR Spectroscopy Storage'],
  ['4.3', 'EnhancedMRColorImageStorage', 'Enhanced MR Color Image Storage'],
  ['4.4', 'LegacyConvertedEnhancedMRImageStorage', 'Legacy Converted Enhanced MR Image Storage'],
  ['5', 'NuclearMedicineImageStorageRetired', 'Nuclear Medicine Image Storage', true],
  ['6', 'UltrasoundImageStorageRetired', 'Ultrasound Image Storage', true],
  ['6.1', 'UltrasoundImageStorage', 'Ultrasound Image Storage'],
  ['6.2', 'EnhancedUSVolumeStorage', 'Enhanced US Volume Storage'],
  ['6.3', 'PhotoacousticImageStorage', 'Photoacoustic Image Storage'],
  ['7', 'SecondaryCaptureImageStorage', 'Secondary Capture Image Storage'],
  ['7.1', 'MultiFrameSingleBitSecondaryCaptureImageStorage', 'Multi-frame Single Bit Secondary Capture Image Storage'],
  ['7.2', 'MultiFrameGrayscaleByteSecondaryCaptureImageStorage', 'Multi-frame Grayscale Byte Secondary Capture Image Storage'],
  ['7.3', 'MultiFrameGrayscaleWordSecondaryCaptureImageStorage', 'Multi-frame Grayscale Word Secondary Capture Image Storage'],
  ['7.4', 'MultiFrameTrueColorSecondaryCaptureImageStorage', 'Multi-frame True Color Secondary Capture Image Storage'],
  ['8', 'StandaloneOverlayStorage', 'Standalone Overlay Storage', true],
  ['9', 'StandaloneCurveStorage', 'Standalone Curve Storage', true],
  ['9.1', 'WaveformStorageTrial', 'Waveform Storage - Trial', true],
  ['9.1.1', 'TwelveLeadECGWaveformStorage', '12-lead ECG Waveform Storage'],
  ['9.1.2', 'GeneralECGWaveformStorage', 'General ECG Waveform Storage'],
  ['9.1.3', 'AmbulatoryECGWaveformStorage', 'Ambulatory ECG Waveform Storage'],
  ['9.1.4', 'General32bitECGWaveformStorage', 'General 32-bit ECG Waveform Storage'],
  ['9.2.1', 'HemodynamicWaveformStorage', 'Hemodynamic Waveform Storage'],
  ['9.3.1', 'CardiacElectrophysiologyWaveformStorage', 'Cardiac Electrophysiology Waveform Storage'],
  ['9.4.1', 'BasicVoiceAudioWaveformStorage', 'Basic Voice Audio Waveform Storage'],
  ['9.4.2', 'GeneralAudioWaveformStorage', 'General Audio Waveform Storage'],
  ['9.5.1', 'ArterialPulseWaveformStorage', 'Arterial Pulse Waveform Storage'],
  ['9.6.1', 'RespiratoryWaveformStorage', 'Respiratory Waveform Storage'],
  ['9.6.2', 'MultichannelRespiratoryWaveformStorage', 'Multi-channel Respiratory Waveform Storage'],
  ['9.7.1', 'RoutineScalpElectroencephalogramWaveformStorage', 'Routine Scalp Electroencephalogram Waveform Storage'],
  ['9.7.2', 'ElectromyogramWaveformStorage', 'Electromyogram Waveform Storage'],
  ['9.7.3', 'ElectrooculogramWaveformStorage', 'Electrooculogram Waveform Storage'],
  ['9.7.4', 'SleepElectroencephalogramWaveformStorage', 'Sleep Electroencephalogram Waveform Storage'],
  ['9.8.1', 'BodyPositionWaveformStorage', 'Body Position Waveform Storage'],
  ['10', 'StandaloneModalityLUTStorage', 'Standalone Modality LUT Storage', true],
  ['11', 'StandaloneVOILUTStorage', 'Standalone VOI LUT Storage', true],
  ['11.1', 'GrayscaleSoftcopyPresentationStateStorage', 'Grayscale Softcopy Presentation State Storage'],
  ['11.2', 'ColorSoftcopyPresentationStateStorage', 'Color Softcopy Presentation State Storage'],
  ['11.3', 'PseudoColorSoftcopyPresentationStateStorage', 'Pseudo-Color Softcopy Presentation State Storage'],
  ['11.4', 'BlendingSoftcopyPresentationStateStorage', 'Blending Softcopy Presentation State Storage'],
  ['11.5', 'XAXRFGrayscaleSoftcopyPresentationStateStorage', 'XA/XRF Grayscale Softcopy Presentation State Storage'],
  ['11.6', 'GrayscalePlanarMPRVolumetricPresentationStateStorage', 'Grayscale Planar MPR Volumetric Presentation State Storage'],
  ['11.7', 'CompositingPlanarMPRVolumetricPresentationStateStorage', 'Compositing Planar MPR Volumetric Presentation State Storage'],
  ['11.8', 'AdvancedBlendingPresentationStateStorage', 'Advanced Blending Presentation State Storage'],
  ['11.9', 'VolumeRenderingVolumetricPresentationStateStorage', 'Volume Rendering Volumetric Presentation State Storage'],
  ['11.10', 'SegmentedVolumeRenderingVolumetricPresentationStateStorage', 'Segmented Volume Rendering Volumetric Presentation State Storage'],
  ['11.11', 'MultipleVolumeRenderingVolumetricPresentationStateStorage', 'Multiple Volume Rendering Volumetric Presentation State Storage'],
  ['11.12', 'VariableModalityLUTSoftcopyPresentationStateStorage', 'Variable Modality LUT Softcopy Presentation State Storage'],
  ['12.1', 'XRayAngiographicImageStorage', 'X-Ray Angiographic Image Storage'],
  ['12.1.1', 'EnhancedXAImageStorage', 'Enhanced XA Image Storage'],
  ['12.2', 'XRayRadiofluoroscopicImageStorage', 'X-Ray Radiofluoroscopic Image Storage'],
  ['12.2.1', 'EnhancedXRFImageStorage', 'Enhanced XRF Image Storage'],
  ['12.3', 'XRayAngiographicBiPlaneImageStorage', 'X-Ray Angiographic Bi-Plane Image Storage', true],
  ['13.1.1', 'XRay3DAngiographicImageStorage', 'X-Ray 3D Angiographic Image Storage'],
  ['13.1.2', 'XRay3DCraniofacialImageStorage', 'X-Ray 3D Craniofacial Image Storage'],
  ['13.1.3', 'BreastTomosynthesisImageStorage', 'Breast Tomosynthesis Image Storage'],
  ['13.1.4', 'BreastProjectionXRayImageStorageForPresentation', 'Breast Projection X-Ray Image Storage - For Presentation'],
  ['13.1.5', 'BreastProjectionXRayImageStorageForProcessing', 'Breast Projection X-Ray Image Storage - For Processing'],
  ['14.1', 'IntravascularOpticalCoherenceTomographyImageStorageForPresentation', 'Intravascular Optical Coherence Tomography Image Storage - For Presentation'],
  ['14.2', 'IntravascularOpticalCoherenceTomographyImageStorageForProcessing', 'Intravascular Optical Coherence Tomography Image Storage - For Processing'],
  ['20', 'NuclearMedicineImageStorage', 'Nuclear Medicine Image Storage'],
  ['30', 'ParametricMapStorage', 'Parametric Map Storage'],
  ['66', 'RawDataStorage', 'Raw Data Storage'],
  ['66.1', 'SpatialRegistrationStorage', 'Spatial Registration Storage'],
  ['66.2', 'SpatialFiducialsStorage', 'Spatial Fiducials Storage'],
  ['66.3', 'DeformableSpatialRegistrationStorage', 'Deformable Spatial Registration Storage'],
  ['66.4', 'SegmentationStorage', 'Segmentation Storage'],
  ['66.5', 'SurfaceSegmentationStorage', 'Surface Segmentation Storage'],
  ['66.6', 'TractographyResultsStorage', 'Tractography Results Storage'],
  ['66.7', 'LabelMapSegmentationStorage', 'Label Map Segmentation Storage'],
  ['66.8', 'HeightMapSegmentationStorage', 'Height Map Segmentation Storage'],
  ['67', 'RealWorldValueMappingStorage', 'Real World Value Mapping Storage'],
  ['68.1', 'SurfaceScanMeshStorage', 'Surface Scan Mesh Storage'],
  ['68.2', 'SurfaceScanPointCloudStorage', 'Surface Scan Point Cloud Storage'],
  ['77.1', 'VLImageStorageTrial', 'VL Image Storage - Trial', true],
  ['77.1.1', 'VLEndoscopicImageStorage', 'VL Endoscopic Image Storage'],
  ['77.1.1.1', 'VideoEndoscopicImageStorage', 'Video Endoscopic Image Storage'],
  ['77.1.2', 'VLMicroscopicImageStorage', 'VL Microscopic Image Storage'],
  ['77.1.2.1', 'VideoMicroscopicImageStorage', 'Video Microscopic Image Storage'],
  ['77.1.3', 'VLSlideCoordinatesMicroscopicImageStorage', 'VL Slide-Coordinates Microscopic Image Storage'],
  ['77.1.4', 'VLPhotographicImageStorage', 'VL Photographic Image Storage'],
  ['77.1.4.1', 'VideoPhotographicImageStorage', 'Video Photographic Image Storage'],
  ['77.1.5.1', 'OphthalmicPhotography8BitImageStorage', 'Ophthalmic Photography 8 Bit Image Storage'],
  ['77.1.5.2', 'OphthalmicPhotography16BitImageStorage', 'Ophthalmic Photography 16 Bit Image Storage'],
  ['77.1.5.3', 'StereometricRelationshipStorage', 'Stereometric Relationship Storage'],
  ['77.1.5.4', 'OphthalmicTomographyImageStorage', 'Ophthalmic Tomography Image Storage'],
  ['77.1.5.5', 'WideFieldOphthalmicPhotographyStereographicProjectionImageStorage', 'Wide Field Ophthalmic Photography Stereographic Projection Image Storage'],
  ['77.1.5.6', 'WideFieldOphthalmicPhotography3DCoordinatesImageStorage', 'Wide Field Ophthalmic Photography 3D Coordinates Image Storage'],
  ['77.1.5.7', 'OphthalmicOpticalCoherenceTomographyEnFaceImageStorage', 'Ophthalmic Optical Coherence Tomography En Face Image Storage'],
  ['77.1.5.8', 'OphthalmicOpticalCoherenceTomographyBscanVolumeAnalysisStorage', 'Ophthalmic Optical Coherence Tomography B-scan Volume Analysis Storage'],
  ['77.1.6', 'VLWholeSlideMicroscopyImageStorage', 'VL Whole Slide Microscopy Image Storage'],
  ['77.1.7', 'DermoscopicPhotographyImageStorage', 'Dermoscopic Photography Image Storage'],
  ['77.1.8', 'ConfocalMicroscopyImageStorage', 'Confocal Microscopy Image Storage'],
  ['77.1.9', 'ConfocalMicroscopyTiledPyramidalImageStorage', 'Confocal Microscopy Tiled Pyramidal Image Storage'],
  ['77.2', 'VLMultiFrameImageStorageTrial', 'VL Multi-frame Image Storage - Trial', true],
  ['78.1', 'LensometryMeasurementsStorage', 'Lensometry Measurements Storage'],
  ['78.2', 'AutorefractionMeasurementsStorage', 'Autorefraction Measurements Storage'],
  ['78.3', 'KeratometryMeasurementsStorage', 'Keratometry Measurements Storage'],
  ['78.4', 'SubjectiveRefractionMeasurementsStorage', 'Subjective Refraction Measurements Storage'],
  ['78.5', 'VisualAcuityMeasurementsStorage', 'Visual Acuity Measurements Storage'],
  ['78.6', 'SpectaclePrescriptionReportStorage', 'Spectacle Prescription Report Storage'],
  ['78.7', 'OphthalmicAxialMeasurementsStorage', 'Ophthalmic Axial Measurements Storage'],
  ['78.8', 'IntraocularLensCalculationsStorage', 'Intraocular Lens Calculations Storage'],
  ['79.1', 'MacularGridThicknessAndVolumeReportStorage', 'Macular Grid Thickness and Volume Report Storage'],
  ['80.1', 'OphthalmicVisualFieldStaticPerimetryMeasurementsStorage', 'Ophthalmic Visual Field Static Perimetry Measurements Storage'],
  ['81.1', 'OphthalmicThicknessMapStorage', 'Ophthalmic Thickness Map Storage'],
  ['82.1', 'CornealTopographyMapStorage', 'Corneal Topography Map Storage'],
  ['88.1', 'TextSRStorageTrial', 'Text SR Storage - Trial', true],
  ['88.2', 'AudioSRStorageTrial', 'Audio SR Storage - Trial', true],
  ['88.3', 'DetailSRStorageTrial', 'Detail SR Storage - Trial', true],
  ['88.4', 'ComprehensiveSRStorageTrial', 'Comprehensive SR Storage - Trial', true],
  ['88.11', 'BasicTextSRStorage', 'Basic Text SR Storage'],
  ['88.22', 'EnhancedSRStorage', 'Enhanced SR Storage'],
  ['88.33', 'ComprehensiveSRStorage', 'Comprehensive SR Storage'],
  ['88.34', 'Comprehensive3DSRStorage', 'Comprehensive 3D SR Storage'],
  ['88.35', 'ExtensibleSRStorage', 'Extensible SR Storage'],
  ['88.40', 'ProcedureLogStorage', 'Procedure Log Storage'],
  ['88.50', 'MammographyCADSRStorage', 'Mammography CAD SR Storage'],
  ['88.59', 'KeyObjectSelectionDocumentStorage', 'Key Object Selection Document Storage'],
  ['88.65', 'ChestCADSRStorage', 'Chest CAD SR Storage'],
  ['88.67', 'XRayRadiationDoseSRStorage', 'X-Ray Radiation Dose SR Storage'],
  ['88.68', 'RadiopharmaceuticalRadiationDoseSRStorage', 'Radiopharmaceutical Radiation Dose SR Storage'],
  ['88.69', 'ColonCADSRStorage', 'Colon CAD SR Storage'],
  ['88.70', 'ImplantationPlanSRStorage', 'Implantation Plan SR Storage'],
  ['88.71', 'AcquisitionContextSRStorage', 'Acquisition Context SR Storage'],
  ['88.72', 'SimplifiedAdultEchoSRStorage', 'Simplified Adult Echo SR Storage'],
  ['88.73', 'PatientRadiationDoseSRStorage', 'Patient Radiation Dose SR Storage'],
  ['88.74', 'PlannedImagingAgentAdministrationSRStorage', 'Planned Imaging Agent Administration SR Storage'],
  ['88.75', 'PerformedImagingAgentAdministrationSRStorage', 'Performed Imaging Agent Administration SR Storage'],
  ['88.76', 'EnhancedXRayRadiationDoseSRStorage', 'Enhanced X-Ray Radiation Dose SR Storage'],
  ['88.77', 'WaveformAnnotationSRStorage', 'Waveform Annotation SR Storage'],
  ['90.1', 'ContentAssessmentResultsStorage', 'Content Assessment Results Storage'],
  ['91.1', 'MicroscopyBulkSimpleAnnotationsStorage', 'Microscopy Bulk Simple Annotations Storage'],
  ['104.1', 'EncapsulatedPDFStorage', 'Encapsulated PDF Storage'],
  ['104.2', 'EncapsulatedCDAStorage', 'Encapsulated CDA Storage'],
  ['104.3', 'EncapsulatedSTLStorage', 'Encapsulated STL Storage'],
  ['104.4', 'EncapsulatedOBJStorage', 'Encapsulated OBJ Storage'],
  ['104.5', 'EncapsulatedMTLStorage', 'Encapsulated MTL Storage'],
  ['128', 'PositronEmissionTomographyImageStorage', 'Positron Emission Tomography Image Storage'],
  ['128.1', 'LegacyConvertedEnhancedPETImageStorage', 'Legacy Converted Enhanced PET Image Storage'],
  ['129', 'StandalonePETCurveStorage', 'Standalone PET Curve Storage', true],
  ['130', 'EnhancedPETImageStorage', 'Enhanced PET Image Storage'],
  ['131', 'BasicStructuredDisplayStorage', 'Basic Structured Display Storage'],
  ['200.1', 'CTDefinedProcedureProtocolStorage', 'CT Defined Procedure Protocol Storage'],
  ['200.2', 'CTPerformedProcedureProtocolStorage', 'CT Performed Procedure Protocol Storage'],
  ['200.3', 'ProtocolApprovalStorage', 'Protocol Approval Storage'],
  ['200.7', 'XADefinedProcedureProtocolStorage', 'XA Defined Procedure Protocol Storage'],
  ['200.8', 'XAPerformedProcedureProtocolStorage', 'XA Performed Procedure Protocol Storage'],
  ['201.1', 'InventoryStorage', 'Inventory Storage'],
  ['481.1', 'RTImageStorage', 'RT Image Storage'],
  ['481.2', 'RTDoseStorage', 'RT Dose Storage'],
  ['481.3', 'RTStructureSetStorage', 'RT Structure Set Storage'],
  ['481.4', 'RTBeamsTreatmentRecordStorage', 'RT Beams Treatment Record Storage'],
  ['481.5', 'RTPlanStorage', 'RT Plan Storage'],
  ['481.6', 'RTBrachyTreatmentRecordStorage', 'RT Brachy Treatment Record Storage'],
  ['481.7', 'RTTreatmentSummaryRecordStorage', 'RT Treatment Summary Record Storage'],
  ['481.8', 'RTIonPlanStorage', 'RT Ion Plan Storage'],
  ['481.9', 'RTIonBeamsTreatmentRecordStorage', 'RT Ion Beams Treatment Record Storage'],
  ['481.10', 'RTPhysicianIntentStorage', 'RT Physician Intent Storage'],
  ['481.11', 'RTSegmentAnnotationStorage', 'RT Segment Annotation Storage'],
  ['481.12', 'RTRadiationSetStorage', 'RT Radiation Set Storage'],
  ['481.13', 'CArmPhotonElectronRadiationStorage', 'C-Arm Photon-Electron Radiation Storage'],
  ['481.14', 'TomotherapeuticRadiationStorage', 'Tomotherapeutic Radiation Storage'],
  ['481.15', 'RoboticArmRadiationStorage', 'Robotic-Arm Radiation Storage'],
  ['481.16', 'RTRadiationRecordSetStorage', 'RT Radiation Record Set Storage'],
  ['481.17', 'RTRadiationSalvageRecordStorage', 'RT Radiation Salvage Record Storage'],
  ['481.18', 'TomotherapeuticRadiationRecordStorage', 'Tomotherapeutic Radiation Record Storage'],
  ['481.19', 'CArmPhotonElectronRadiationRecordStorage', 'C-Arm Photon-Electron Radiation Record Storage'],
  ['481.20', 'RoboticRadiationRecordStorage', 'Robotic Radiation Record Storage'],
  ['481.21', 'RTRadiationSetDeliveryInstructionStorage', 'RT Radiation Set Delivery Instruction Storage'],
  ['481.22', 'RTTreatmentPreparationStorage', 'RT Treatment Preparation Storage'],
  ['481.23', 'EnhancedRTImageStorage', 'Enhanced RT Image Storage'],
  ['481.24', 'EnhancedContinuousRTImageStorage', 'Enhanced Continuous RT Image Storage'],
  ['481.25', 'RTPatientPositionAcquisitionInstructionStorage', 'RT Patient Position Acquisition Instruction Storage'],
  ['501.1', 'DICOSCTImageStorage', 'DICOS CT Image Storage'],
  ['501.2.1', 'DICOSDigitalXRayImageStorageForPresentation', 'DICOS Digital X-Ray Image Storage - For Presentation'],
  ['501.2.2', 'DICOSDigitalXRayImageStorageForProcessing', 'DICOS Digital X-Ray Image Storage - For Processing'],
  ['501.3', 'DICOSThreatDetectionReportStorage', 'DICOS Threat Detection Report Storage'],
  ['501.4', 'DICOS2DAITStorage', 'DICOS 2D AIT Storage'],
  ['501.5', 'DICOS3DAITStorage', 'DICOS 3D AIT Storage'],
  ['501.6', 'DICOSQuadrupoleResonanceStorage', 'DICOS Quadrupole Resonance (QR) Storage'],
  ['601.1', 'EddyCurrentImageStorage', 'Eddy Current Image Storage'],
  ['601.2', 'EddyCurrentMultiFrameImageStorage', 'Eddy Current Multi-frame Image Storage'],
  ['601.3', 'ThermographyImageStorage', 'Thermography Image Storage'],
  ['601.4', 'ThermographyMultiFrameImageStorage', 'Thermography Multi-frame Image Storage'],
] as const;

/** UIDs under the storage branch that are not Storage SOP Classes (PS3.6 Table A-1). */
const NOT_STORAGE_UNDER_BRANCH: readonly (readonly [string, string, string])[] = [
  ['200.4', 'ProtocolApprovalInformationModelFind', 'Protocol Approval Information Model - FIND'],
  ['200.5', 'ProtocolApprovalInformationModelMove', 'Protocol Approval Information Model - MOVE'],
  ['200.6', 'ProtocolApprovalInformationModelGet', 'Protocol Approval Information Model - GET'],
  ['201.1.1', 'StorageManagementInstance', 'Storage Management SOP Instance'],
  ['201.2', 'InventoryFind', 'Inventory - FIND'],
  ['201.3', 'InventoryMove', 'Inventory - MOVE'],
  ['201.4', 'InventoryGet', 'Inventory - GET'],
  ['201.5', 'InventoryCreation', 'Inventory Creation'],
  ['201.6', 'RepositoryQuery', 'Repository Query'],
];

type StorageKeyword = (typeof STORAGE)[number][1];
type QrKeyword =
  | `PatientRootQueryRetrieveInformationModel${'Find' | 'Move' | 'Get'}`
  | `StudyRootQueryRetrieveInformationModel${'Find' | 'Move' | 'Get'}`
  | `PatientStudyOnlyQueryRetrieveInformationModel${'Find' | 'Move' | 'Get'}`;

/** The Verification SOP Class (PS3.4 A.4; C-ECHO, PS3.7 9.1.5). */
export const VERIFICATION_SOP_CLASS: SopClassEntry = {
  uid: '1.2.840.10008.1.1',
  keyword: 'Verification',
  name: 'Verification SOP Class',
  retired: false,
  citation: 'PS3.4 A.4',
  kind: 'verification',
};

/** The Modality Worklist Information Model – FIND SOP Class (PS3.4 K.6.1.2.2): Priors asks worklist providers with it (SCU only). */
export const MODALITY_WORKLIST_FIND_SOP_CLASS: SopClassEntry = {
  uid: '1.2.840.10008.5.1.4.31',
  keyword: 'ModalityWorklistInformationModelFind',
  name: 'Modality Worklist Information Model - FIND',
  retired: false,
  citation: 'PS3.4 K.6.1.2.2',
  kind: 'worklist',
};

/** The Query/Retrieve SOP Classes of the Patient Root, Study Root and Patient/Study Only models. */
export const QUERY_RETRIEVE_SOP_CLASSES: readonly SopClassEntry[] = QR.map(([uid, keyword, name, citation, retired]) => ({
  uid,
  keyword,
  name,
  citation,
  retired,
  kind: 'query-retrieve' as const,
}));

/** The Storage SOP Classes, in PS3.6 order. */
export const STORAGE_SOP_CLASSES: readonly SopClassEntry[] = STORAGE.map((row): SopClassEntry => {
  const retired = row.length > 3;
  return {
    uid: STORAGE_SOP_CLASS_BRANCH + row[0],
    keyword: row[1],
    name: row[2],
    retired,
    kind: 'storage',
    citation: retired ? 'PS3.6 Table A-1 (retired; formerly PS3.4 Annex B)' : 'PS3.4 Table B.5-1',
  };
});

/** Every SOP class of this module: Verification, Query/Retrieve, then Storage. */
export const SOP_CLASSES: readonly SopClassEntry[] = [VERIFICATION_SOP_CLASS, ...QUERY_RETRIEVE_SOP_CLASSES, ...STORAGE_SOP_CLASSES];

/** SOP Class UIDs by PS3.6 keyword: `SopClassUid.CTImageStorage`, `SopClassUid.Verification`. */
export const SopClassUid = Object.freeze(Object.fromEntries(SOP_CLASSES.map((e) => [e.keyword, e.uid]))) as {
  readonly [K in StorageKeyword | QrKeyword | 'Verification']: string;
};

/** Transfer Syntax UIDs by PS3.6 keyword: `TransferSyntaxUid.ExplicitVRLittleEndian`. */
export const TransferSyntaxUid = Object.freeze(Object.fromEntries(TRANSFER_SYNTAXES.map((e) => [e.keyword, e.uid]))) as Readonly<Record<string, string>> & {
  readonly ImplicitVRLittleEndian: string;
  readonly ExplicitVRLittleEndian: string;
  readonly DeflatedExplicitVRLittleEndian: string;
  readonly ExplicitVRBigEndian: string;
  readonly JPEGBaseline8Bit: string;
  readonly JPEGExtended12Bit: string;
  readonly JPEGLossless: string;
  readonly JPEGLosslessSV1: string;
  readonly JPEGLSLossless: string;
  readonly JPEGLSNearLossless: string;
  readonly JPEG2000Lossless: string;
  readonly JPEG2000: string;
  readonly HTJ2KLossless: string;
  readonly HTJ2KLosslessRPCL: string;
  readonly HTJ2K: string;
  readonly RLELossless: string;
};

const byUid = new Map<string, UidEntry>();
for (const e of [...TRANSFER_SYNTAXES, ...SOP_CLASSES, MODALITY_WORKLIST_FIND_SOP_CLASS]) byUid.set(e.uid, e);
for (const [suffix, keyword, name] of NOT_STORAGE_UNDER_BRANCH) {
  byUid.set(STORAGE_SOP_CLASS_BRANCH + suffix, { uid: STORAGE_SOP_CLASS_BRANCH + suffix, keyword, name, retired: false, citation: 'PS3.6 Table A-1' });
}
byUid.set(DICOM_APPLICATION_CONTEXT_NAME, {
  uid: DICOM_APPLICATION_CONTEXT_NAME,
  keyword: 'DICOMApplicationContext',
  name: 'DICOM Application Context Name',
  retired: false,
  citation: 'PS3.7 A.2.1',
});
const storageUids = new Set(STORAGE_SOP_CLASSES.map((e) => e.uid));

/** The entry of a transfer syntax, or undefined when Priors does not know it. */
export function transferSyntax(uid: string): TransferSyntaxEntry | undefined {
  return TRANSFER_SYNTAXES.find((e) => e.uid === uid);
}

/** The entry of a SOP class, or undefined when Priors does not know it. */
export function sopClass(uid: string): SopClassEntry | undefined {
  const e = byUid.get(uid);
  return e && 'kind' in e ? (e as SopClassEntry) : undefined;
}

/**
 * Whether a SOP Class UID is a Storage SOP Class: every class of Table B.5-1, and any other
 * valid UID under the storage branch, since an SCP may store SOP classes it does not know
 * (PS3.4 B.5: the SCP of a Storage SOP Class need not understand the IOD to store it).
 */
export function isStorageSopClass(uid: string): boolean {
  if (storageUids.has(uid)) return true;
  if (!uid.startsWith(STORAGE_SOP_CLASS_BRANCH) || byUid.has(uid)) return false;
  return isValidUid(uid);
}

/** A name for logs: the PS3.6 name when known, otherwise the UID itself. */
export function uidName(uid: string): string {
  const e = byUid.get(uid);
  if (e) return e.name;
  if (isStorageSopClass(uid)) return `Storage SOP Class ${uid}`;
  return uid;
}

// ---------------------------------------------------------------------------------------------
// UID syntax (PS3.5 §9.1) and generation (PS3.5 B.2).

/**
 * Why a string is not a valid UID per PS3.5 §9.1, or undefined when it is: at most 64
 * characters, components of digits separated by periods, no empty component, and no leading
 * zero in a component of more than one digit.
 */
export function validateUid(s: string): string | undefined {
  if (typeof s !== 'string' || s.length === 0) return 'the UID is empty';
  if (s.length > 64) return `the UID is ${s.length} characters long; at most 64 are allowed (PS3.5 §9.1)`;
  const bad = /[^0-9.]/.exec(s);
  if (bad) {
    const ch = bad[0] === '\0' ? 'NUL' : bad[0] === ' ' ? 'a space' : `'${bad[0]}'`;
    return `the UID contains ${ch}; only digits and periods are allowed (PS3.5 §9.1)`;
  }
  const components = s.split('.');
  for (let i = 0; i < components.length; i++) {
    const c = components[i] ?? '';
    if (c === '') return `component ${i + 1} of the UID is empty (PS3.5 §9.1)`;
    if (c.length > 1 && c.startsWith('0')) return `component ${i + 1} ('${c}') has a leading zero (PS3.5 §9.1)`;
  }
  return undefined;
}

/** Whether a string is a valid UID per PS3.5 §9.1 (see {@link validateUid}). */
export function isValidUid(s: string): boolean {
  return validateUid(s) === undefined;
}

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * A new UID. Under the default root `2.25` it is the UUID-derived form of PS3.5 B.2: `2.25.`
 * followed by the decimal value of a random (version 4, RFC 4122 variant) UUID. Under any
 * other root it is the root, a period and as many random decimal digits as fit in 64
 * characters (at most 39, the width of a 128-bit number).
 * @throws Error when the root is not a valid UID or leaves room for fewer than 20 digits.
 */
export function generateUid(root: string = PRIORS_UID_ROOT): string {
  const problem = validateUid(root);
  if (problem) throw new Error(`Cannot generate a UID under root '${root}': ${problem}`);
  const bytes = randomBytes(16);
  if (root === '2.25') {
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4 (RFC 4122 §4.4)
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10
    return `2.25.${toBigInt(bytes).toString(10)}`;
  }
  const room = Math.min(39, 64 - root.length - 1);
  if (room < 20) throw new Error(`Cannot generate a UID under root '${root}': it leaves room for only ${Math.max(room, 0)} digits`);
  // Random digits, the first one non-zero so the component has no leading zero (PS3.5 §9.1).
  const digits = (toBigInt(bytes) % 10n ** BigInt(room - 1)).toString(10).padStart(room - 1, '0');
  const first = 1 + ((bytes[0] ?? 0) % 9);
  return `${root}.${first}${digits}`;
}
