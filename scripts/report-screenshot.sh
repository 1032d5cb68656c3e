#!/usr/bin/env bash
# Converts the sample data (Colin27 T1 + AAL, fetched by scripts/fetch-sample-data.sh) into a
# temporary tree, writes `samed2d report` for it and screenshots the page with headless chromium
# (Debian package chromium) into docs/report-screenshot.png (or the file given as the first
# argument), at a fixed window size so that the same build gives the same picture.
# SAMED2D_BIN names another binary (default: build/app/samed2d).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
shot=${1:-"$repo/docs/report-screenshot.png"}
bin=$(realpath -m "${SAMED2D_BIN:-build/app/samed2d}")
width=1280
height=1700

if [ ! -x "$bin" ]; then
  echo "report-screenshot: $bin is not built; run scripts/build.sh first" >&2
  exit 2
fi
if [ ! -f sample-data/colin27/ch2.nii.gz ]; then
  echo "report-screenshot: sample-data/colin27 is missing; run scripts/fetch-sample-data.sh" >&2
  exit 2
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "report-screenshot: chromium is not installed (apt-get install chromium)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" convert --dataset Colin27_AAL --input sample-data/colin27 --output "$tmp/colin27" --axes x \
  --quiet >/dev/null
# From inside the temporary folder, so that the page names the tree "colin27", not a random path.
(cd "$tmp" && "$bin" report colin27 --to page/report.html --quiet >/dev/null)
mkdir -p "$(dirname "$shot")"
# --user-data-dir: a fresh profile, nothing of the user's; the page needs no network.
"$chromium" --headless --disable-gpu --no-sandbox --hide-scrollbars \
  --user-data-dir="$tmp/profile" --window-size="$width,$height" \
  --screenshot="$tmp/shot.png" "file://$tmp/page/report.html" >"$tmp/chromium.log" 2>&1 || {
  cat "$tmp/chromium.log" >&2
  exit 1
}
mv "$tmp/shot.png" "$shot"
echo "report-screenshot: wrote $shot (${width}x${height}) of the report of sample-data/colin27"
