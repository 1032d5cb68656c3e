#!/usr/bin/env python3
"""Reads the files of `samed2d export sam-med2d` the way SAM-Med2D's data loaders do.

SAM-Med2D (github.com/OpenGVLab/SAM-Med2D, DataLoader.py): TrainingDataset opens
os.path.join(data_path, 'image2label_train.json') and takes list(keys()) as the images and
list(values()) as their mask lists; TestingDataset opens 'label2image_test.json' and takes
list(keys()) as the masks and list(values()) as their images. Every path is opened as written
with cv2.imread: an image as BGR (H x W x 3), a mask with flag 0 (grey), divided by 255 and
required to be binary. This script does the same for every entry (the loaders pick at random)
and checks that the mask is of its image's size, then prints one line of counts:
    train <images> images <masks> masks; test <masks> masks <images> images
Exit 0 when everything reads, 1 with the first problem on stderr otherwise.

Usage: read_like_sam_med2d.py DATA_PATH [SIZE]   (run from the folder SAM-Med2D would run in)
With SIZE, every image must also be SIZE x SIZE (a tree converted with a fixed-size profile).
"""
import json
import os
import sys

import cv2
import numpy as np


def fail(what):
    print(f"read_like_sam_med2d: {what}", file=sys.stderr)
    sys.exit(1)


SIZE = None


def read_image(path):
    image = cv2.imread(path)
    if image is None:
        fail(f"cv2.imread({path!r}) gave None")
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        fail(f"{path}: cv2.imread gives shape {image.shape} {image.dtype}, not H x W x 3 uint8")
    if SIZE is not None and image.shape[:2] != (SIZE, SIZE):
        fail(f"{path}: image is {image.shape[:2]}, not {SIZE} x {SIZE}")
    return image


def read_mask(path, image, image_path):
    mask = cv2.imread(path, 0)
    if mask is None:
        fail(f"cv2.imread({path!r}, 0) gave None")
    if mask.shape != image.shape[:2]:
        fail(f"{path}: mask is {mask.shape}, its image {image_path} is {image.shape[:2]}")
    mask = mask / 255
    values = set(np.unique(mask).tolist())
    if not values <= {0.0, 1.0}:
        fail(f"{path}: mask / 255 holds {sorted(values)}, not only 0 and 1")
    if 1.0 not in values:
        fail(f"{path}: mask is empty")


def main():
    global SIZE
    if len(sys.argv) not in (2, 3):
        fail("usage: read_like_sam_med2d.py DATA_PATH [SIZE]")
    data_path = sys.argv[1]
    if len(sys.argv) == 3:
        SIZE = int(sys.argv[2])

    with open(os.path.join(data_path, "image2label_train.json"), "r") as f:
        dataset = json.load(f)
    image_paths = list(dataset.keys())
    label_paths = list(dataset.values())
    train_masks = 0
    for image_path, masks in zip(image_paths, label_paths):
        if not isinstance(image_path, str) or not isinstance(masks, list) or not masks:
            fail(f"{image_path!r}: value {masks!r} is not a non-empty list")
        image = read_image(image_path)
        for mask_path in masks:
            if not isinstance(mask_path, str):
                fail(f"{image_path}: mask entry {mask_path!r} is not a string")
            read_mask(mask_path, image, image_path)
            train_masks += 1

    with open(os.path.join(data_path, "label2image_test.json"), "r") as f:
        dataset = json.load(f)
    test_images = list(dataset.values())
    test_masks = list(dataset.keys())
    images = {}
    for mask_path, image_path in zip(test_masks, test_images):
        if not isinstance(image_path, str):
            fail(f"{mask_path}: value {image_path!r} is not a string")
        if image_path not in images:
            images[image_path] = read_image(image_path)
        read_mask(mask_path, images[image_path], image_path)

    print(f"train {len(image_paths)} images {train_masks} masks; "
          f"test {len(test_masks)} masks {len(images)} images")


if __name__ == "__main__":
    main()
