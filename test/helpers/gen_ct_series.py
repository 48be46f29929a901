#!/usr/bin/python3
"""Synthetic DICOM test data for Priors' interop tests and benchmarks.

Run with Debian's interpreter (/usr/bin/python3): it owns pydicom and numpy.

Modes (one patient, one study, one series per call; call again for more):
  ct          N CT Image Storage instances, 512x512 (default 300): one volume of slices
              stepping ImagePositionPatient by SliceThickness.
  tiny        N CT Image Storage instances of 8x8 pixels (many small objects).
  multiframe  one Multi-frame Grayscale Word Secondary Capture instance of F frames
              (default 400 x 512x512 x 16 bit, about 200 MB).

Every file is Part-10 (PS3.10 7.1: preamble, DICM, File Meta Information) in Explicit VR
Little Endian. Pixel data is a smooth phantom plus seeded Gaussian noise: deterministic
for the same arguments, and about as compressible as a real CT. UIDs are derived from the
arguments (2.25 form, PS3.5 B.2) so the same call gives the same UIDs, unless given.

Prints one JSON line on stdout: {"files": [...], "SOPInstanceUIDs": [...], "StudyInstanceUID": ..., ...}.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
MF_GRAYSCALE_WORD_SC_STORAGE = "1.2.840.10008.5.1.4.1.1.7.3"
IMPLEMENTATION_CLASS_UID = "2.25.200238447461207016446462893426128713331"
IMPLEMENTATION_VERSION_NAME = "PRIORS_TESTGEN"


def derived_uid(*parts):
    """A UID under 2.25 (PS3.5 B.2) from a hash of the parts: stable across runs."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def phantom(rows, cols, z):
    """Hounsfield units of a body-like phantom at relative height z in [0, 1]."""
    y, x = np.mgrid[-1:1:complex(0, rows), -1:1:complex(0, cols)]
    hu = np.full((rows, cols), -1000.0)  # air
    body = (x / 0.85) ** 2 + (y / 0.65) ** 2 <= 1
    hu[body] = 40.0  # soft tissue
    lung_r = 0.22 + 0.06 * np.sin(np.pi * z)
    for cx in (-0.38, 0.38):
        lung = ((x - cx) / lung_r) ** 2 + ((y + 0.05) / (lung_r * 1.5)) ** 2 <= 1
        hu[lung] = -850.0
    spine = (x / 0.09) ** 2 + ((y - 0.45) / 0.09) ** 2 <= 1
    hu[spine] = 700.0
    ring = ((x / 0.85) ** 2 + (y / 0.65) ** 2 <= 1) & ((x / 0.80) ** 2 + (y / 0.60) ** 2 > 1)
    hu[ring] = 400.0  # ribs / cortical shell
    heart = ((x + 0.08 - 0.05 * z) / 0.2) ** 2 + ((y + 0.1) / 0.18) ** 2 <= 1
    hu[heart] = 60.0 + 20.0 * z
    # smooth gradient so neighbouring pixels are correlated but never constant
    hu += 15.0 * np.sin(3 * x + 5 * z) * np.cos(2 * y)
    return hu


def stored_values(hu, rng, noise, intercept, bits_stored):
    """Rescale HU to unsigned stored values (PS3.3 C.11.1.1.2: HU = SV * slope + intercept)."""
    noisy = hu + rng.normal(0.0, noise, hu.shape)
    sv = np.rint(noisy - intercept)
    return np.clip(sv, 0, (1 << bits_stored) - 1).astype("<u2")


def file_meta(sop_class_uid, sop_instance_uid):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class_uid
    meta.MediaStorageSOPInstanceUID = sop_instance_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    return meta


def new_dataset(sop_class_uid, sop_instance_uid):
    """An empty Part-10 data set to be written in Explicit VR Little Endian (PS3.5 A.2)."""
    ds = FileDataset(None, {}, file_meta=file_meta(sop_class_uid, sop_instance_uid), preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = sop_class_uid
    ds.SOPInstanceUID = sop_instance_uid
    return ds


def common_header(ds, a, uids):
    """Patient, General Study, General Series, General Equipment, SOP Common (PS3.3 C.7, C.12)."""
    ds.SpecificCharacterSet = a.charset
    ds.PatientName = a.patient_name
    ds.PatientID = a.patient_id
    ds.PatientBirthDate = a.birth_date
    ds.PatientSex = a.sex
    ds.StudyInstanceUID = uids["study"]
    ds.StudyDate = a.study_date
    ds.StudyTime = "101500"
    ds.ReferringPhysicianName = ""
    ds.StudyID = a.study_id
    ds.AccessionNumber = a.accession
    ds.StudyDescription = a.study_description
    ds.SeriesInstanceUID = uids["series"]
    ds.SeriesNumber = a.series_number
    ds.SeriesDate = a.study_date
    ds.SeriesTime = "101600"
    ds.SeriesDescription = a.series_description
    ds.Manufacturer = "Priors Test Data"
    ds.ManufacturerModelName = "gen_ct_series"
    ds.InstitutionName = "Priors"
    ds.StationName = "SYNTH01"
    ds.SoftwareVersions = "1"
    ds.InstanceCreationDate = a.study_date
    ds.InstanceCreationTime = "101700"


def pixel_module(ds, rows, cols, bits_stored):
    """Image Pixel module (PS3.3 C.7.6.3), unsigned grayscale."""
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = cols
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 0


def ct_instance(a, uids, index, rows, cols, rng):
    """One CT Image Storage instance (PS3.3 A.3: CT Image IOD), or with --modality MR an MR Image Storage one (A.4)."""
    sop_uid = derived_uid(uids["series"], "instance", index)
    mr = a.modality == "MR"
    ds = new_dataset(MR_IMAGE_STORAGE if mr else CT_IMAGE_STORAGE, sop_uid)
    common_header(ds, a, uids)
    ds.Modality = a.modality
    if a.body_part:
        ds.BodyPartExamined = a.body_part
    ds.PatientPosition = "HFS"
    ds.FrameOfReferenceUID = uids["frame_of_reference"]
    ds.PositionReferenceIndicator = ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceNumber = index + 1
    ds.AcquisitionNumber = 1
    ds.ContentDate = a.study_date
    ds.ContentTime = "101630"
    # Image Plane (C.7.6.2): axial slices, feet-first stepping in z by the slice thickness
    spacing = 350.0 / cols
    z = -index * a.slice_thickness
    ds.PixelSpacing = [f"{spacing:.6g}", f"{spacing:.6g}"]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [f"{-spacing * cols / 2:.6g}", f"{-spacing * rows / 2:.6g}", f"{z:.6g}"]
    ds.SliceThickness = f"{a.slice_thickness:g}"
    ds.SliceLocation = f"{z:.6g}"
    if mr:
        # MR Image (C.8.3.1): a spin echo T1
        ds.ImageType = ["ORIGINAL", "PRIMARY", "OTHER"]
        ds.ScanningSequence = "SE"
        ds.SequenceVariant = "NONE"
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "2D"
        ds.RepetitionTime = "500"
        ds.EchoTime = "15"
        ds.EchoTrainLength = "1"
        ds.MagneticFieldStrength = "1.5"
        ds.ImagedNucleus = "1H"
        ds.WindowCenter = "600"
        ds.WindowWidth = "1200"
        pixel_module(ds, rows, cols, a.bits_stored)
        zrel = index / max(a.count - 1, 1)
        ds.PixelData = stored_values(phantom(rows, cols, zrel) + 1024, rng, a.noise, 0, a.bits_stored).tobytes()
        return ds
    # CT Image (C.8.2.1)
    ds.KVP = "120"
    ds.DataCollectionDiameter = "500"
    ds.ReconstructionDiameter = "350"
    ds.GantryDetectorTilt = "0"
    ds.TableHeight = "150"
    ds.RotationDirection = "CW"
    ds.ExposureTime = "500"
    ds.XRayTubeCurrent = "200"
    ds.Exposure = "100"
    ds.ConvolutionKernel = "STANDARD"
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    # VOI LUT (C.11.2): soft-tissue window
    ds.WindowCenter = "40"
    ds.WindowWidth = "400"
    pixel_module(ds, rows, cols, a.bits_stored)
    zrel = index / max(a.count - 1, 1)
    ds.PixelData = stored_values(phantom(rows, cols, zrel), rng, a.noise, -1024, a.bits_stored).tobytes()
    return ds


def multiframe_instance(a, uids, rng):
    """One Multi-frame Grayscale Word SC instance (PS3.3 A.8.4)."""
    sop_uid = derived_uid(uids["series"], "multiframe")
    ds = new_dataset(MF_GRAYSCALE_WORD_SC_STORAGE, sop_uid)
    common_header(ds, a, uids)
    ds.Modality = "OT"
    ds.BodyPartExamined = "CHEST"
    ds.ConversionType = "WSD"
    ds.InstanceNumber = 1
    ds.ContentDate = a.study_date
    ds.ContentTime = "101630"
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.PatientOrientation = ""
    ds.BurnedInAnnotation = "NO"
    # Multi-frame (C.7.6.6) and SC Multi-frame Image (C.8.6.3)
    ds.NumberOfFrames = a.frames
    ds.FrameIncrementPointer = 0x00181063  # FrameTime
    ds.FrameTime = "40"
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.RescaleType = "US"  # C.8.6.3 defined terms; "HU" is CT's
    ds.WindowCenter = "40"
    ds.WindowWidth = "400"
    ds.PresentationLUTShape = "IDENTITY"
    pixel_module(ds, a.rows, a.cols, a.bits_stored)
    frames = bytearray()
    for f in range(a.frames):
        zrel = f / max(a.frames - 1, 1)
        frames += stored_values(phantom(a.rows, a.cols, zrel), rng, a.noise, -1024, a.bits_stored).tobytes()
    ds.PixelData = bytes(frames)
    return ds


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output directory (created)")
    p.add_argument("--mode", choices=["ct", "tiny", "multiframe"], default="ct")
    p.add_argument("--count", type=int, default=None, help="instances (ct: 300, tiny: 2000)")
    p.add_argument("--frames", type=int, default=400, help="frames (multiframe)")
    p.add_argument("--rows", type=int, default=None)
    p.add_argument("--cols", type=int, default=None)
    p.add_argument("--bits-stored", type=int, default=12, choices=range(12, 17))
    p.add_argument("--patient-name", default="PRIORS^TEST")
    p.add_argument("--patient-id", default="PRIORS001")
    p.add_argument("--birth-date", default="19600101")
    p.add_argument("--sex", default="O", choices=["M", "F", "O"])
    p.add_argument("--charset", default="ISO_IR 192", help="SpecificCharacterSet: ISO_IR 192, ISO_IR 100, ...")
    p.add_argument("--study-date", default="20240115")
    p.add_argument("--study-id", default="1")
    p.add_argument("--accession", default="ACC0001")
    p.add_argument("--study-description", default="CT CHEST")
    p.add_argument("--series-description", default="AXIAL 1.25mm")
    p.add_argument("--series-number", type=int, default=1)
    p.add_argument("--study-uid", default=None)
    p.add_argument("--series-uid", default=None)
    p.add_argument("--slice-thickness", type=float, default=1.25)
    p.add_argument("--noise", type=float, default=12.0, help="noise sigma in HU")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--modality", choices=["CT", "MR"], default="CT", help="ct mode: CT or MR Image Storage")
    p.add_argument("--body-part", default="CHEST", help="Body Part Examined ('' leaves it out)")
    a = p.parse_args(argv)

    if a.mode == "multiframe":
        a.count = 1
        a.rows, a.cols = a.rows or 512, a.cols or 512
    elif a.mode == "tiny":
        a.count = 2000 if a.count is None else a.count
        a.rows, a.cols = a.rows or 8, a.cols or 8
    else:
        a.count = 300 if a.count is None else a.count
        a.rows, a.cols = a.rows or 512, a.cols or 512
    if a.count < 1 or a.frames < 1 or a.rows < 1 or a.cols < 1:
        p.error("count, frames, rows and cols must be positive")

    key = (a.patient_id, a.patient_name, a.study_date, a.accession, a.series_number, a.mode, a.seed)
    if a.modality != "CT" or a.body_part != "CHEST":
        key += (a.modality, a.body_part)
    study = a.study_uid or derived_uid("study", *key)
    uids = {
        "study": study,
        "series": a.series_uid or derived_uid("series", study, *key),
        "frame_of_reference": derived_uid("for", study, *key),
    }
    try:
        a.patient_name.encode(python_codec(a.charset))
    except (LookupError, UnicodeEncodeError) as e:
        p.error(f"patient name cannot be encoded in {a.charset}: {e}")
    os.makedirs(a.out, exist_ok=True)
    files, instance_uids = [], []
    if a.mode == "multiframe":
        ds = multiframe_instance(a, uids, np.random.default_rng(a.seed))
        path = os.path.join(a.out, "MF000001.dcm")
        ds.save_as(path, write_like_original=False)
        files.append(path)
        instance_uids.append(ds.SOPInstanceUID)
    else:
        for i in range(a.count):
            rng = np.random.default_rng([a.seed, i])
            ds = ct_instance(a, uids, i, a.rows, a.cols, rng)
            path = os.path.join(a.out, f"{a.modality}{i + 1:06d}.dcm")
            ds.save_as(path, write_like_original=False)
            files.append(path)
            instance_uids.append(ds.SOPInstanceUID)
    json.dump({
        "files": files,
        "SOPInstanceUIDs": instance_uids,
        "StudyInstanceUID": uids["study"],
        "SeriesInstanceUID": uids["series"],
        "SOPClassUID": MF_GRAYSCALE_WORD_SC_STORAGE if a.mode == "multiframe" else MR_IMAGE_STORAGE if a.modality == "MR" else CT_IMAGE_STORAGE,
    }, sys.stdout)
    sys.stdout.write("\n")


def python_codec(charset):
    from pydicom.charset import python_encoding
    return python_encoding[charset]


if __name__ == "__main__":
    main(sys.argv[1:])
