#!/usr/bin/env python3
"""The peer of the pipeline benchmark: samed2d's SPEC done the straightforward way in Python.

One NIfTI case (image and label map) becomes SA-Med2D PNGs as SPEC sections 3 to 6 say, with
the libraries a researcher would reach for: nibabel reads the volumes (scl_slope applied),
NumPy slices and normalizes, OpenCV splits instances (connectedComponentsWithStats, 8-connected)
and writes PNGs (cv2.imwrite with its defaults). It is here to be timed against samed2d in one
run on one machine (scripts/bench-peer.sh), so it does the same work: the slices with a label
along x, y and z, min-max per slice, RGB images, the 0.153 % area filter, instances numbered by
first pixel, the aspect rule, and SAMed2D_v1.json. It is single-threaded (cv2.setNumThreads(1)).

Usage: peer_numpy_opencv.py --config DATASET.json --classes classes.json --image IMG.nii.gz
                            --label SEG.nii.gz --case NAME --output OUT
Prints one line: "<images> images <masks> masks".
"""
import argparse
import json
import os

import cv2
import nibabel as nib
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    for name in ("--config", "--classes", "--image", "--label", "--case", "--output"):
        ap.add_argument(name, required=True)
    args = ap.parse_args()
    cv2.setNumThreads(1)

    config = json.load(open(args.config))
    ids = json.load(open(args.classes))
    dataset, modality = config["dataset"], config["modality"]
    # label value -> class id text; classes in ascending id order
    value_class = {int(v): ids[name] for v, name in config["labels"].items()}
    classes = sorted(set(value_class.values()))
    values_of = {c: [v for v, cc in value_class.items() if cc == c] for c in classes}

    image = nib.load(args.image).get_fdata()
    label = np.asanyarray(nib.load(args.label).dataobj).astype(np.int64)
    os.makedirs(os.path.join(args.output, "images"), exist_ok=True)
    os.makedirs(os.path.join(args.output, "masks"), exist_ok=True)

    index = {}
    n_masks = 0
    ni, nj, nk = label.shape[:3]
    # SPEC 3: x_s fixes k (rows j, columns i), y_s fixes j (rows k, columns i), z_s fixes i
    # (rows k, columns j). NumPy's [i, j, k] order, transposed to (row, column).
    axes = [("x", nk, lambda a, s: a[:, :, s].T), ("y", nj, lambda a, s: a[:, s, :].T),
            ("z", ni, lambda a, s: a[s, :, :].T)]
    for letter, count, take in axes:
        for s in range(count):
            lab = take(label, s)
            h, w = lab.shape
            if min(h, w) < 0.5 * max(h, w):  # SPEC 5: the aspect rule
                break
            present = np.unique(lab)
            if not any(int(v) in value_class for v in present):
                continue
            min_area = 0.00153 * h * w
            stem = f"{modality}--{dataset}--{args.case}--{letter}_{s:04d}"
            masks = []
            for c in classes:
                binary = np.isin(lab, values_of[c]).astype(np.uint8)
                if not binary.any():
                    continue
                n, comp, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
                kept = [k for k in range(1, n) if stats[k, cv2.CC_STAT_AREA] >= min_area]
                # SPEC 5.4: numbered by first pixel in row-major order
                _, first = np.unique(comp.ravel(), return_index=True)
                kept.sort(key=lambda k: first[k])
                for number, k in enumerate(kept):
                    name = f"masks/{stem}--{c}_{number:03d}.png"
                    cv2.imwrite(os.path.join(args.output, name), (comp == k).astype(np.uint8) * 255)
                    masks.append(name)
            if not masks:
                continue
            # SPEC 4: min-max per slice, floor, three equal channels
            v = take(image, s)
            finite = np.isfinite(v)
            out = np.zeros(v.shape, np.uint8)
            if finite.any():
                m, big_m = v[finite].min(), v[finite].max()
                if big_m > m:
                    scaled = np.floor((v - m) * 255.0 / (big_m - m))
                    out = np.where(finite, np.clip(scaled, 0, 255), 0).astype(np.uint8)
            name = f"images/{stem}.png"
            cv2.imwrite(os.path.join(args.output, name), cv2.merge([out, out, out]))
            index[name] = masks
            n_masks += len(masks)
    with open(os.path.join(args.output, "SAMed2D_v1.json"), "w") as f:
        json.dump(index, f)
    print(f"{len(index)} images {n_masks} masks")


if __name__ == "__main__":
    main()
