import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PRIORS_IMPLEMENTATION_CLASS_UID,
  PRIORS_IMPLEMENTATION_VERSION_NAME,
  PRIORS_UID_ROOT,
  QUERY_RETRIEVE_SOP_CLASSES,
  SOP_CLASSES,
  STORAGE_SOP_CLASSES,
  STORAGE_SOP_CLASS_BRANCH,
  SopClassUid,
  TRANSFER_SYNTAXES,
  TransferSyntaxUid,
  VERIFICATION_SOP_CLASS,
  generateUid,
  isStorageSopClass,
  isValidUid,
  sopClass,
  transferSyntax,
  uidName,
  validateUid,
} from '../../../../shared/dicom/uids.js';

describe('UID syntax, PS3.5 §9.1', () => {
  test('PS3.5 §9.1: components of digits separated by periods are valid, "0" included', () => {
    for (const uid of ['1.2.840.10008.1.2', '1.2.840.10008.5.1.4.1.1.2', '1.2.0.3', '2.25.0', '1']) {
      assert.equal(isValidUid(uid), true, uid);
      assert.equal(validateUid(uid), undefined, uid);
    }
  });

  test('PS3.5 §9.1: a component of more than one digit shall not start with 0', () => {
    assert.equal(isValidUid('1.2.03'), false);
    assert.match(validateUid('1.2.03') ?? '', /component 3 .*leading zero/);
    assert.equal(isValidUid('01.2'), false);
  });

  test('PS3.5 §9.1: no empty component (no leading, trailing or doubled period)', () => {
    for (const uid of ['1..2', '.1.2', '1.2.']) {
      assert.equal(isValidUid(uid), false, uid);
      assert.match(validateUid(uid) ?? '', /empty/, uid);
    }
  });

  test('PS3.5 §9.1: at most 64 characters', () => {
    const sixtyFour = `1.${'2'.repeat(62)}`;
    assert.equal(sixtyFour.length, 64);
    assert.equal(isValidUid(sixtyFour), true);
    assert.match(validateUid(`${sixtyFour}3`) ?? '', /65 characters.*at most 64/);
  });

  test('PS3.5 §9.1: only digits and periods (no letters, spaces or NUL padding), and not empty', () => {
    assert.match(validateUid('1.2.a') ?? '', /'a'/);
    assert.match(validateUid('1.2 ') ?? '', /a space/);
    assert.match(validateUid('1.2\0') ?? '', /NUL/);
    assert.match(validateUid('') ?? '', /empty/);
  });
});

describe('UID generation, PS3.5 B.2', () => {
  test('PS3.5 B.2: the default root is 2.25 followed by the decimal value of a UUID', () => {
    assert.equal(PRIORS_UID_ROOT, '2.25');
    const uid = generateUid();
    assert.match(uid, /^2\.25\.[1-9]\d*$/);
    assert.equal(isValidUid(uid), true);
    assert.ok(uid.length <= 64);
    const value = BigInt(uid.slice(5));
    assert.ok(value < 1n << 128n, 'a UUID is a 128-bit number');
  });

  test('PS3.5 B.2 (ITU-T X.667): the UUID is a random one, version 4 with the RFC 4122 variant', () => {
    for (let i = 0; i < 50; i++) {
      const value = BigInt(generateUid().slice(5));
      assert.equal((value >> 76n) & 0xfn, 4n, 'version nibble');
      assert.equal((value >> 62n) & 0x3n, 2n, 'variant bits 10');
    }
  });

  test('PS3.5 §9.1: generated UIDs are unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(generateUid());
    assert.equal(seen.size, 1000);
  });

  test('PS3.5 §9.1: under another root, a valid UID of at most 64 characters', () => {
    const root = '1.2.826.0.1.3680043.10.1439';
    for (let i = 0; i < 100; i++) {
      const uid = generateUid(root);
      assert.ok(uid.startsWith(`${root}.`));
      assert.equal(validateUid(uid), undefined, uid);
      assert.equal(uid.length, 64);
    }
  });

  test('PS3.5 §9.1: an invalid root, or one too long to leave room, is refused with a reason', () => {
    assert.throws(() => generateUid('1.02'), /leading zero/);
    assert.throws(() => generateUid(`1.${'2'.repeat(50)}`), /room for only/);
  });
});

describe('Priors implementation identity, PS3.7 D.3.3.2', () => {
  test('PS3.7 D.3.3.2: Implementation Class UID is a valid UID, Version Name 1 to 16 characters', () => {
    assert.equal(PRIORS_IMPLEMENTATION_CLASS_UID, '1.2.826.0.1.3680043.10.1439.1');
    assert.equal(isValidUid(PRIORS_IMPLEMENTATION_CLASS_UID), true);
    assert.equal(PRIORS_IMPLEMENTATION_VERSION_NAME, 'PRIORS_010');
    assert.ok(PRIORS_IMPLEMENTATION_VERSION_NAME.length >= 1 && PRIORS_IMPLEMENTATION_VERSION_NAME.length <= 16);
  });
});

describe('Transfer syntaxes, PS3.5 Annex A and PS3.6 Table A-1', () => {
  const ts = (uid: string) => {
    const e = transferSyntax(uid);
    assert.ok(e, uid);
    return e;
  };

  test('PS3.5 A.1: Implicit VR Little Endian 1.2.840.10008.1.2 is implicit VR, little endian, native', () => {
    assert.deepEqual([ts('1.2.840.10008.1.2').explicitVR, ts('1.2.840.10008.1.2').littleEndian, ts('1.2.840.10008.1.2').encapsulated], [false, true, false]);
    assert.equal(TransferSyntaxUid.ImplicitVRLittleEndian, '1.2.840.10008.1.2');
  });

  test('PS3.5 A.2, A.3, A.5: Explicit VR Little Endian; Explicit VR Big Endian is retired; Deflated is deflated', () => {
    assert.equal(ts('1.2.840.10008.1.2.1').explicitVR, true);
    const be = ts('1.2.840.10008.1.2.2');
    assert.deepEqual([be.littleEndian, be.retired], [false, true]);
    const deflated = ts('1.2.840.10008.1.2.1.99');
    assert.deepEqual([deflated.deflated, deflated.encapsulated, deflated.lossy], [true, false, false]);
  });

  test('PS3.5 A.4.1: JPEG Baseline .50 and Extended .51 are lossy; Lossless .57 and SV1 .70 are not', () => {
    for (const uid of ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']) assert.equal(ts(uid).lossy, true, uid);
    for (const uid of ['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70']) assert.equal(ts(uid).lossy, false, uid);
    assert.equal(ts('1.2.840.10008.1.2.4.50').name, 'JPEG Baseline (Process 1)');
  });

  test('PS3.5 A.4.3, A.4.4: JPEG-LS .80 and JPEG 2000 .90 are lossless; .81 and .91 may be lossy', () => {
    assert.deepEqual(
      ['80', '81', '90', '91'].map((n) => ts(`1.2.840.10008.1.2.4.${n}`).lossy),
      [false, true, false, true],
    );
  });

  test('PS3.5 A.4: HTJ2K .201 and .202 (RPCL) are lossless, .203 may be lossy', () => {
    assert.deepEqual(
      ['201', '202', '203'].map((n) => ts(`1.2.840.10008.1.2.4.${n}`).lossy),
      [false, false, true],
    );
  });

  test('PS3.5 A.4.2: RLE Lossless 1.2.840.10008.1.2.5 is encapsulated and lossless', () => {
    assert.deepEqual([ts('1.2.840.10008.1.2.5').encapsulated, ts('1.2.840.10008.1.2.5').lossy], [true, false]);
  });

  test('PS3.5 A.4.5-A.4.7: MPEG2 .100/.101, MPEG-4 .102-.106 and HEVC .107/.108 are encapsulated and lossy', () => {
    for (const n of ['100', '101', '102', '103', '104', '105', '106', '107', '108']) {
      const e = ts(`1.2.840.10008.1.2.4.${n}`);
      assert.deepEqual([e.encapsulated, e.lossy], [true, true], n);
    }
  });

  test('PS3.5 A.4: every compressed syntax is encapsulated and explicit VR little endian', () => {
    for (const e of TRANSFER_SYNTAXES.filter((t) => t.uid.startsWith('1.2.840.10008.1.2.4.'))) {
      assert.deepEqual([e.encapsulated, e.explicitVR, e.littleEndian], [true, true, true], e.keyword);
    }
  });

  test('PS3.6 Table A-1: every transfer syntax has a unique valid UID, a name, a keyword and a citation', () => {
    assert.equal(new Set(TRANSFER_SYNTAXES.map((e) => e.uid)).size, TRANSFER_SYNTAXES.length);
    for (const e of TRANSFER_SYNTAXES) {
      assert.equal(isValidUid(e.uid), true, e.uid);
      assert.ok(e.name && e.keyword && /^PS3\.5 A\./.test(e.citation), e.uid);
    }
    assert.equal(transferSyntax('1.2.840.10008.1.2.4.94'), undefined, 'JPIP is not listed');
  });
});

describe('SOP classes, PS3.4 and PS3.6 Table A-1', () => {
  test('PS3.4 A.4: Verification SOP Class is 1.2.840.10008.1.1', () => {
    assert.equal(VERIFICATION_SOP_CLASS.uid, '1.2.840.10008.1.1');
    assert.equal(SopClassUid.Verification, '1.2.840.10008.1.1');
    assert.equal(sopClass('1.2.840.10008.1.1')?.kind, 'verification');
  });

  test('PS3.4 C.6.1-C.6.3: FIND, MOVE and GET of Patient Root (.1), Study Root (.2), Patient/Study Only (.3, retired)', () => {
    assert.equal(SopClassUid.PatientRootQueryRetrieveInformationModelFind, '1.2.840.10008.5.1.4.1.2.1.1');
    assert.equal(SopClassUid.StudyRootQueryRetrieveInformationModelMove, '1.2.840.10008.5.1.4.1.2.2.2');
    assert.equal(SopClassUid.PatientStudyOnlyQueryRetrieveInformationModelGet, '1.2.840.10008.5.1.4.1.2.3.3');
    assert.equal(QUERY_RETRIEVE_SOP_CLASSES.length, 9);
    assert.deepEqual(
      QUERY_RETRIEVE_SOP_CLASSES.filter((e) => e.retired).map((e) => e.uid.split('.')[9]),
      ['3', '3', '3'],
    );
  });

  test('PS3.4 Table B.5-1: storage SOP classes named as in PS3.6', () => {
    const expected: [string, string][] = [
      ['1.2.840.10008.5.1.4.1.1.2', 'CT Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.2.1', 'Enhanced CT Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.4', 'MR Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.4.1', 'Enhanced MR Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.1', 'Computed Radiography Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.1.1', 'Digital X-Ray Image Storage - For Presentation'],
      ['1.2.840.10008.5.1.4.1.1.1.2.1', 'Digital Mammography X-Ray Image Storage - For Processing'],
      ['1.2.840.10008.5.1.4.1.1.1.3', 'Digital Intra-Oral X-Ray Image Storage - For Presentation'],
      ['1.2.840.10008.5.1.4.1.1.6.1', 'Ultrasound Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.3.1', 'Ultrasound Multi-frame Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.20', 'Nuclear Medicine Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.128', 'Positron Emission Tomography Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.130', 'Enhanced PET Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.481.1', 'RT Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.481.2', 'RT Dose Storage'],
      ['1.2.840.10008.5.1.4.1.1.481.3', 'RT Structure Set Storage'],
      ['1.2.840.10008.5.1.4.1.1.481.4', 'RT Beams Treatment Record Storage'],
      ['1.2.840.10008.5.1.4.1.1.481.5', 'RT Plan Storage'],
      ['1.2.840.10008.5.1.4.1.1.481.8', 'RT Ion Plan Storage'],
      ['1.2.840.10008.5.1.4.1.1.12.1', 'X-Ray Angiographic Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.12.1.1', 'Enhanced XA Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.12.2', 'X-Ray Radiofluoroscopic Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.1', 'VL Endoscopic Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.2', 'VL Microscopic Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.3', 'VL Slide-Coordinates Microscopic Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.4', 'VL Photographic Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.6', 'VL Whole Slide Microscopy Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.5.1', 'Ophthalmic Photography 8 Bit Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.77.1.5.4', 'Ophthalmic Tomography Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.66.4', 'Segmentation Storage'],
      ['1.2.840.10008.5.1.4.1.1.66.1', 'Spatial Registration Storage'],
      ['1.2.840.10008.5.1.4.1.1.67', 'Real World Value Mapping Storage'],
      ['1.2.840.10008.5.1.4.1.1.104.1', 'Encapsulated PDF Storage'],
      ['1.2.840.10008.5.1.4.1.1.104.2', 'Encapsulated CDA Storage'],
      ['1.2.840.10008.5.1.4.1.1.104.3', 'Encapsulated STL Storage'],
      ['1.2.840.10008.5.1.4.1.1.66', 'Raw Data Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.11', 'Basic Text SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.22', 'Enhanced SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.33', 'Comprehensive SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.34', 'Comprehensive 3D SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.59', 'Key Object Selection Document Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.50', 'Mammography CAD SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.65', 'Chest CAD SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.88.67', 'X-Ray Radiation Dose SR Storage'],
      ['1.2.840.10008.5.1.4.1.1.11.1', 'Grayscale Softcopy Presentation State Storage'],
      ['1.2.840.10008.5.1.4.1.1.11.2', 'Color Softcopy Presentation State Storage'],
      ['1.2.840.10008.5.1.4.1.1.11.3', 'Pseudo-Color Softcopy Presentation State Storage'],
      ['1.2.840.10008.5.1.4.1.1.11.4', 'Blending Softcopy Presentation State Storage'],
      ['1.2.840.10008.5.1.4.1.1.9.1.1', '12-lead ECG Waveform Storage'],
      ['1.2.840.10008.5.1.4.1.1.9.1.2', 'General ECG Waveform Storage'],
      ['1.2.840.10008.5.1.4.1.1.9.2.1', 'Hemodynamic Waveform Storage'],
      ['1.2.840.10008.5.1.4.1.1.9.4.1', 'Basic Voice Audio Waveform Storage'],
      ['1.2.840.10008.5.1.4.1.1.13.1.3', 'Breast Tomosynthesis Image Storage'],
      ['1.2.840.10008.5.1.4.1.1.30', 'Parametric Map Storage'],
    ];
    for (const [uid, name] of expected) {
      const e = sopClass(uid);
      assert.equal(e?.name, name, uid);
      assert.equal(e?.kind, 'storage', uid);
      assert.equal(e?.citation, 'PS3.4 Table B.5-1', uid);
      assert.equal(isStorageSopClass(uid), true, uid);
    }
    assert.equal(SopClassUid.CTImageStorage, '1.2.840.10008.5.1.4.1.1.2');
  });

  test('PS3.4 Table B.5-1: all five Secondary Capture SOP classes (.7, .7.1-.7.4)', () => {
    const sc = STORAGE_SOP_CLASSES.filter((e) => /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.\d)?$/.test(e.uid));
    assert.deepEqual(
      sc.map((e) => e.uid.slice(STORAGE_SOP_CLASS_BRANCH.length)),
      ['7', '7.1', '7.2', '7.3', '7.4'],
    );
  });

  test('PS3.6 Table A-1: retired storage classes are kept for naming, marked retired', () => {
    const usRetired = sopClass('1.2.840.10008.5.1.4.1.1.6');
    assert.equal(usRetired?.retired, true);
    assert.equal(usRetired?.keyword, 'UltrasoundImageStorageRetired');
    assert.equal(sopClass('1.2.840.10008.5.1.4.1.1.6.1')?.retired, false);
  });

  test('PS3.6 Table A-1: SOP class UIDs and keywords are unique, storage ones under the storage branch', () => {
    assert.equal(new Set(SOP_CLASSES.map((e) => e.uid)).size, SOP_CLASSES.length);
    assert.equal(new Set(SOP_CLASSES.map((e) => e.keyword)).size, SOP_CLASSES.length);
    for (const e of STORAGE_SOP_CLASSES) {
      assert.ok(e.uid.startsWith(STORAGE_SOP_CLASS_BRANCH) && isValidUid(e.uid), e.uid);
      assert.ok(e.name.includes('Storage'), e.name);
    }
  });
});

describe('isStorageSopClass and uidName, PS3.4 B.5', () => {
  test('PS3.4 B.5: an unknown UID under the storage branch is still storable', () => {
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.1.9999.1'), true);
    assert.equal(uidName('1.2.840.10008.5.1.4.1.1.9999.1'), 'Storage SOP Class 1.2.840.10008.5.1.4.1.1.9999.1');
  });

  test('PS3.4 B.5: Verification, Q/R classes, non-storage classes under the branch and bad UIDs are not storage', () => {
    assert.equal(isStorageSopClass('1.2.840.10008.1.1'), false);
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.2.2.1'), false);
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.1.200.4'), false, 'Protocol Approval Information Model - FIND');
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.1.201.2'), false, 'Inventory - FIND');
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.1.'), false);
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.1.01'), false);
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.4.1.1.201.1'), true, 'Inventory Storage');
  });

  test('PS3.6 Table A-1: uidName gives the registered name, or the UID when unknown', () => {
    assert.equal(uidName('1.2.840.10008.1.2.1'), 'Explicit VR Little Endian');
    assert.equal(uidName('1.2.840.10008.5.1.4.1.2.2.1'), 'Study Root Query/Retrieve Information Model - FIND');
    assert.equal(uidName('1.2.840.10008.3.1.1.1'), 'DICOM Application Context Name');
    assert.equal(uidName('1.2.3.4'), '1.2.3.4');
  });
});
