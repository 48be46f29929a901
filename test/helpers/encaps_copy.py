"""Copies a DICOM file with uncompressed, single-sample pixel data into an encapsulated transfer
syntax pydicom cannot write by itself: HTJ2K Lossless (1.2.840.10008.1.2.4.201), the codestream
made by OpenJPH's ojph_compress (reversible 5/3), or Encapsulated Uncompressed Explicit VR Little
Endian (1.2.840.10008.1.2.1.98), one frame per fragment, so tests have such files written by
another implementation than ours. Usage: encaps_copy.py htj2k|uncompressed IN OUT."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomFileLike
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import UID

kind, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
SYNTAX = {"htj2k": "1.2.840.10008.1.2.4.201", "uncompressed": "1.2.840.10008.1.2.1.98"}[kind]
ds = pydicom.dcmread(source)
if ds.SamplesPerPixel != 1:
    sys.exit(f"{source}: only single-sample (grey) images are copied")
frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
rows, cols, bits = ds.Rows, ds.Columns, ds.BitsAllocated
signed = ds.PixelRepresentation == 1
dtype = np.dtype(("<i" if signed else "<u") + str(bits // 8))
pixels = np.frombuffer(ds.PixelData, dtype=dtype)[: rows * cols * frames].reshape(frames, rows, cols)
codestreams = []
with tempfile.TemporaryDirectory() as tmp:
    for i, frame in enumerate(pixels):
        if kind == "uncompressed":
            codestreams.append(frame.astype(dtype).tobytes())
            continue
        raw, j2c = os.path.join(tmp, f"{i}.raw"), os.path.join(tmp, f"{i}.j2c")
        frame.astype(dtype).tofile(raw)
        subprocess.run(["ojph_compress", "-i", raw, "-o", j2c, "-reversible", "true",
                        "-dims", f"{{{cols},{rows}}}", "-num_comps", "1",
                        "-signed", "true" if signed else "false",
                        "-bit_depth", str(ds.BitsStored), "-downsamp", "{1,1}"],
                       check=True, capture_output=True)
        with open(j2c, "rb") as f:
            codestreams.append(f.read())
ds.PixelData = encapsulate(codestreams)
ds["PixelData"].VR = "OB"
ds["PixelData"].is_undefined_length = True
ds.file_meta.TransferSyntaxUID = UID(SYNTAX)
# written piece by piece: this pydicom may not know these UIDs, and would refuse them in save_as
with open(target, "wb") as out:
    fp = DicomFileLike(out)
    fp.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(fp, ds.file_meta, enforce_standard=True)
    fp.is_little_endian, fp.is_implicit_VR = True, False
    write_dataset(fp, ds)
