#!/usr/bin/env bash
# Installs the real DICOM peers and data the tests use, from Debian's packages:
# DCMTK (storescp, storescu, findscu, movescu, getscu, echoscu, dcmqrscp), Orthanc,
# GDCM and dicom3tools (conversion and validation) and pydicom with its test corpus.
# Chromium is added by the UI tests. Needs root (or sudo).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  dcmtk orthanc libgdcm-tools dicom3tools python3-pydicom python3-numpy >/dev/null
# The Debian package starts a system Orthanc on 4242/8042; the tests start their own.
if command -v service >/dev/null 2>&1; then service orthanc stop >/dev/null 2>&1 || true; fi
echo "test peers installed: $(dpkg-query -W -f='${Package} ${Version}, ' dcmtk orthanc python3-pydicom)"
