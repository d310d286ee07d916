#!/usr/bin/python3
"""Checks a whole trained network exported by `syno eval --export`, in PyTorch without syno.

syno trains a network with an operator in its placeholders (briefly: the check is about the export, not the
accuracy) and saves it as TorchScript with a JSON sidecar holding its predictions on the first 1,000 test
images. Here the archive is loaded with torch.jit.load, fed the same images read from Debian's Fashion-MNIST
files and normalised as the sidecar says, and must predict exactly what syno predicted.

Usage: check_network.py --syno PATH --work DIR [--model resnet] [--library operator2] [--subset 2048]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

import torch

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
CHUNK = 500  # syno classifies in chunks of 500


def test_images(count):
    with gzip.open(FASHION, "rb") as f:
        data = f.read()
    rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    pixels = torch.frombuffer(bytearray(data[16:16 + count * rows * cols]), dtype=torch.uint8)
    return pixels.reshape(count, 1, rows, cols)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--syno", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--model", default="resnet")
    parser.add_argument("--library", default="operator2")
    parser.add_argument("--subset", default="2048")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    path = os.path.join(args.work, f"{args.model}-{args.library}.pt")
    run = subprocess.run([args.syno, "eval", "--model", args.model, "--library", args.library, "--epochs", "1",
                          "--subset", args.subset, "--no-latency", "--skip-baseline", "--threads", "1",
                          "--export", path], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"FAIL syno eval --export: {run.stderr.strip()}")
        sys.exit(1)
    meta = json.load(open(path + ".json"))
    torch.set_num_threads(1)
    net = torch.jit.load(path)
    net.eval()
    want = meta["test_predictions"]
    images = test_images(len(want)).float() / 255.0
    mean = torch.tensor(meta["normalisation"]["mean"]).view(1, -1, 1, 1)
    std = torch.tensor(meta["normalisation"]["std"]).view(1, -1, 1, 1)
    x = (images - mean) / std
    got = []
    with torch.no_grad():
        for i in range(0, x.shape[0], CHUNK):
            got += net(x[i:i + CHUNK]).argmax(1).tolist()
    differ = [i for i, (a, b) in enumerate(zip(got, want)) if a != b]
    # The archive carries the same facts as the sidecar.
    extra = {"syno.json": ""}
    torch.jit.load(path, _extra_files=extra)
    inside = json.loads(extra["syno.json"])
    failures = []
    if differ:
        failures.append(f"{len(differ)} of {len(want)} predictions differ from syno's (first: image {differ[0]})")
    if inside["test_predictions"] != want or inside["operator_id"] != meta["operator_id"]:
        failures.append("the archive's syno.json differs from the sidecar")
    if len(want) != 1000:
        failures.append(f"the sidecar holds {len(want)} predictions, not 1000")
    for f in failures:
        print(f"FAIL {args.model} with {args.library}: {f}")
    if not failures:
        labels = gzip.open(FASHION.replace("images-idx3", "labels-idx1"), "rb").read()[8:8 + len(want)]
        correct = sum(int(p == l) for p, l in zip(got, labels))
        print(f"ok {args.model} with {args.library}: {len(want)} predictions equal to syno's "
              f"({correct / len(want):.1%} correct)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
