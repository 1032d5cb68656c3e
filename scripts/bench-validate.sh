#!/usr/bin/env bash
# Times `samed2d validate` on a generated SA-Med2D tree of N files (default 1,000,000): N/5
# images and 4 masks each, every image a hard link to a template PNG and every mask to one of
# four (a fresh copy of each every 50,000 links, ext4 allowing 65,000), so a million files take
# a few minutes to create and little disk. The file contents then come from the page cache, so
# this measures listing, opening, decoding and the JSON, not the disk.
# Usage: scripts/bench-validate.sh [N] [SIZE]   (SIZE: image and mask side in pixels, default 64)
# SAMED2D_BIN names another binary to time (say, an older build to compare against).
# The tree is written once into bench-data/validate-N-SIZE/ (SAMED2D_BENCH_DATA moves it) and
# kept; the run must report no problems.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
n=${1:-1000000}
size=${2:-64}
bin=${SAMED2D_BIN:-build/app/samed2d}
tree=${SAMED2D_BENCH_DATA:-"$repo/bench-data"}/validate-$n-$size
if [ ! -f "$tree/.complete" ]; then
  rm -rf "$tree"
  mkdir -p "$tree"
  python3 - "$tree" "$n" "$size" <<'PY'
import json, os, shutil, struct, sys, zlib

root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def png(path, width, height, color_type, rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\0" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

os.makedirs(f"{root}/images")
os.makedirs(f"{root}/masks")
os.makedirs(f"{root}/templates")
png(f"{root}/templates/image.png", size, size, 2,
    [bytes((x * 3 + y) % 256 for x in range(size) for _ in range(3)) for y in range(size)])
classes = ["0001", "0002", "0003", "0004"]
for c, cid in enumerate(classes):
    # Class c: a block in its own quarter of the slice.
    lo_y, lo_x = (c // 2) * size // 2, (c % 2) * size // 2
    png(f"{root}/templates/mask_{cid}.png", size, size, 0,
        [bytes(255 if lo_y + 2 <= y < lo_y + size // 4 and lo_x + 2 <= x < lo_x + size // 4
               else 0 for x in range(size)) for y in range(size)])
images = n // 5
index = {}

def template(name, i):
    # ext4 allows 65000 links to one file: a fresh copy of the template every 50000.
    if i % 50000 == 0:
        shutil.copyfile(f"{root}/templates/{name}.png", f"{root}/templates/{name}_{i}.png")
    return f"{root}/templates/{name}_{i - i % 50000}.png"

for i in range(images):
    stem = f"ct_00--BenchSet--case_{i // 100:05d}--x_{i % 100:04d}"
    os.link(template("image", i), f"{root}/images/{stem}.png")
    masks = []
    for cid in classes:
        name = f"{stem}--{cid}_000.png"
        os.link(template(f"mask_{cid}", i), f"{root}/masks/{name}")
        masks.append(f"masks/{name}")
    index[f"images/{stem}.png"] = masks
with open(f"{root}/SAMed2D_v1.json", "w") as f:
    json.dump(dict(sorted(index.items())), f, indent=2)
with open(f"{root}/SAMed2D_v1_class_mapping_id.json", "w") as f:
    json.dump({f"class_{c}": c for c in classes}, f, indent=2)
print(f"wrote {images} images and {4 * images} masks into {root}")
PY
  touch "$tree/.complete"
fi
echo "samed2d validate on $(ls "$tree/images" | wc -l) images + $(ls "$tree/masks" | wc -l) masks (${size}x${size}), $(nproc) cores:"
/usr/bin/time -f "wall %es, user %Us, system %Ss, peak memory %MkB" "$bin" validate "$tree"
