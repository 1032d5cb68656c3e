#!/usr/bin/env bash
# Fetches the real sample data from Debian's packages (never committed) into sample-data/:
#   colin27/ch2.nii.gz, aal.nii.gz, aal.nii.txt   Colin27 T1 brain + AAL atlas (mricron-data)
#   nibabel/                                      small real NIfTI-1/NIfTI-2 files (python3-nibabel)
#   pydicom/                                      small real DICOM files (python3-pydicom)
# Usage: scripts/fetch-sample-data.sh [DEST]   (default: sample-data next to this script's repo)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-"$repo/sample-data"}
if [ -f "$dest/.complete" ]; then
  echo "fetch-sample-data: $dest is ready"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# apt-get download needs package lists; refresh them only when the first try fails.
if ! apt-get download mricron-data python3-nibabel python3-pydicom >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  apt-get download mricron-data python3-nibabel python3-pydicom
fi
for deb in ./*.deb; do dpkg-deb -x "$deb" x; done

mkdir -p "$dest/colin27" "$dest/nibabel" "$dest/pydicom"
tpl=x/usr/share/mricron/templates
cp "$tpl/ch2.nii.gz" "$tpl/aal.nii.gz" "$tpl/aal.nii.txt" "$dest/colin27/"
nib=$(find x -type d -path '*nibabel/tests/data' | head -n 1)
cp "$nib"/example4d.nii.gz "$nib"/example_nifti2.nii.gz "$nib"/anatomical.nii \
   "$nib"/standard.nii.gz "$nib"/functional.nii "$dest/nibabel/"
dcm=$(find x -type d -path '*pydicom/data/test_files' | head -n 1)
cp "$dcm"/CT_small.dcm "$dcm"/MR_small.dcm "$dest/pydicom/" 2>/dev/null || true
touch "$dest/.complete"
echo "fetch-sample-data: sample data in $dest"
