#!/usr/bin/env bash
# Installs the real DICOM peers and data tools the tests use, from Debian's packages:
# DCMTK (storescp, storescu, findscu, movescu, getscu, echoscu, dcmqrscp), Orthanc with its DICOMweb plugin, GDCM and
# dicom3tools (conversion and validation), OpenJPH (HTJ2K test copies), pydicom with its test corpus and numpy (for
# test/helpers/gen_ct_series.py), and g++/make (better-sqlite3 builds from source when no
# prebuilt binary can be downloaded). Needs root. Used by .ci/run and by newcomers.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then echo "install-test-peers.sh: run as root (sudo)" >&2; exit 2; fi

# Keep maintainer scripts from starting services (orthanc's postinst starts a daemon on
# 4242/8042): policy-rc.d exit 101 = "action forbidden" (invoke-rc.d(8)); removed after if ours.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup_policy() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; created_policy=""; fi; }
trap cleanup_policy EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  dcmtk orthanc orthanc-dicomweb dicom3tools libgdcm-tools openjph-tools python3-pydicom python3-numpy g++ make chromium >/dev/null
cleanup_policy

# The tests start their own Orthanc on free ports; stop any system one the package started.
service orthanc stop >/dev/null 2>&1 || true
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now orthanc >/dev/null 2>&1 || true; fi
echo "test peers installed: $(dpkg-query -W -f='${Package} ${Version}  ' dcmtk orthanc orthanc-dicomweb python3-pydicom chromium)"
