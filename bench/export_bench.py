#!/usr/bin/python3
"""Exported operators at inference against syno's own plans, on ResNet-18's layer sizes, batch 1 and 16.

Runs build/bench/export_bench (syno's plan against the TorchScript archive, interleaved, in C++), then times
the PyTorch (.py) export against the same archive, interleaved, in Python, and prints per cell:
archive/syno, py/archive and their product py/syno (1.00x = as fast as syno; the goal is within 10%).

    /usr/bin/python3 bench/export_bench.py [--build build] [--rounds 30] [--threads 2]
Keep the machine otherwise idle.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--dir", default="/tmp/syno-export-bench")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    cells_json = os.path.join(a.dir, "cells.json")
    subprocess.run([os.path.join(a.build, "bench", "export_bench"), "--dir", a.dir, "--rounds", str(a.rounds),
                    "--threads", str(a.threads), "--json", cells_json], check=True)
    cells = json.load(open(cells_json))
    torch.set_num_threads(a.threads)
    syno = os.path.join(a.build, "src", "syno")
    ops = {"operator1": ["--library", "operator1"], "operator2": ["--library", "operator2"],
           "5c88": ["campaigns/resnet18/operators/5c882b8135d8bb04.op"],
           "ad9b": ["campaigns/resnet18/operators/ad9b0b784caff61b.op"]}
    modules = {}
    print(f"# PyTorch export / archive, median of {a.rounds} interleaved rounds, {a.threads} thread(s)")
    print(f"{'operator':<10} {'layer':>8} {'batch':>6} {'archive/syno':>13} {'py/archive':>11} {'py/syno':>8}")
    products = []
    for cell in cells:
        key = (cell["operator"], cell["c"], cell["h"])
        if key not in modules:
            py = os.path.join(a.dir, f"{key[0]}_{key[1]}_{key[2]}.py")
            subprocess.run([syno, "export", *ops[key[0]], "--format", "pytorch", "-o", py, "--bindings",
                            f"C_in={key[1]}, C_out={key[1]}, H={key[2]}, W={key[2]}"], check=True, capture_output=True)
            spec = importlib.util.spec_from_file_location(f"bench_{len(modules)}", py)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            archive = torch.jit.load(cell["archive"])
            archive.eval()
            m = mod.Op(**mod.LAYERS[0]).eval()
            m.load_state_dict({k: v for k, v in archive.state_dict().items() if k.startswith("w")})
            modules[key] = (m, archive)
        m, archive = modules[key]
        x = torch.randn(cell["batch"], cell["c"], cell["h"], cell["h"])
        ratios = []
        with torch.no_grad():
            for _ in range(3):
                m(x)
                archive(x)
            for k in range(a.rounds):
                order = [(m, 0), (archive, 1)] if k % 2 == 0 else [(archive, 1), (m, 0)]
                t = [0.0, 0.0]
                for f, i in order:
                    f(x)  # the call after the other module's pays for the switch (export_bench.cpp): not timed
                    t0 = time.perf_counter()
                    f(x)
                    t[i] = time.perf_counter() - t0
                ratios.append(t[0] / t[1])
        r = statistics.median(ratios)
        products.append(r * cell["ratio"])
        print(f"{cell['operator']:<10} {cell['c']:>5}@{cell['h']:<2} {cell['batch']:>6} {cell['ratio']:>12.2f}x "
              f"{r:>10.2f}x {r * cell['ratio']:>7.2f}x")
    products.sort()
    print(f"# py / syno over {len(products)} cells: median {statistics.median(products):.2f}x, "
          f"worst {products[-1]:.2f}x, best {products[0]:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
