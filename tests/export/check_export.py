#!/usr/bin/python3
"""Checks `syno export` against syno itself, in PyTorch (Debian's python3-torch, the same libtorch).

For each operator (known layers, the paper's Operators 1 and 2 at ResNet-18 sizes, sampled operators), syno
writes the PyTorch file, the TorchScript archive and a reference (its own outputs and gradients for seeded
inputs). Each export must load, carry or accept syno's weights, and match the reference's training output,
input and weight gradients and inference output at every batch (< 1e-5 relative, float32). The PyTorch
module must also script (torch.jit.script), and a few go through torch.onnx.export and onnx.checker.

Usage: check_export.py --syno PATH --fixtures DIR --work DIR [--only NAME] [--sampled K]
Exit code 0 when every check passes; one line per failure otherwise.
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys

import warnings

import torch

TOLERANCE = 1e-5
BATCHES = [1, 4, 5]  # 1 and 4 have plans of their own (--batches 1,4); 5 runs the general plan
SMALL = "C_in=64, C_out=64, H=12, W=12"


def relative_error(a, b):
    scale = b.abs().max().item() if b.numel() else 0.0
    return (a - b).abs().max().item() / max(scale, 1e-30) if b.numel() else 0.0


class Checker:
    def __init__(self, syno, work):
        self.syno = syno
        self.work = work
        self.failures = []
        self.checked = 0

    def fail(self, name, what):
        self.failures.append(f"{name}: {what}")
        print(f"FAIL {name}: {what}", flush=True)

    def close(self, name, what, got, want):
        err = relative_error(got.detach().float(), want.detach().float())
        if not err < TOLERANCE:
            self.fail(name, f"{what} differs from syno's by {err:.3g} (relative)")
            return False
        return True

    def export(self, name, source, fmt, out, extra):
        cmd = [self.syno, "export", *source, "--format", fmt, "-o", out, "--batches", "1,4", *extra]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            self.fail(name, f"syno export --format {fmt} failed: {run.stderr.strip()}")
            return False
        return True

    def run_module(self, name, label, module, ref, weights, train=True):
        ok = True
        for n in BATCHES:
            x = ref[f"x{n}"].clone().requires_grad_(True)
            for w in weights:
                w.grad = None
            if train:
                with torch.enable_grad():
                    y = module(x)
                    ok &= self.close(name, f"{label} training output at batch {n}", y, ref[f"y{n}"])
                    y.backward(ref[f"gy{n}"])
                ok &= self.close(name, f"{label} input gradient at batch {n}", x.grad, ref[f"gx{n}"])
                for k, w in enumerate(weights, 1):
                    g = w.grad if w.grad is not None else torch.zeros_like(w)
                    ok &= self.close(name, f"{label} gradient of w{k} at batch {n}", g, ref[f"gw{k}_{n}"])
            with torch.no_grad():
                for _ in range(2):  # the second call runs on the kept weight-side values
                    yi = module(x.detach())
                    ok &= self.close(name, f"{label} inference output at batch {n}", yi, ref[f"yi{n}"])
        return ok

    def check(self, name, source, extra=(), onnx=False):
        base = os.path.join(self.work, name)
        extra = list(extra) if "--binding" in extra else [*extra, "--binding", "1"]
        py, ts, refpath = base + ".py", base + ".pt", base + "-ref.pt"
        if not self.export(name, source, "pytorch", py, [*extra, "--reference", refpath]):
            return
        if not self.export(name, source, "torchscript", ts, extra):
            return
        ref = torch.load(refpath)
        weights = sorted((k for k in ref if re.fullmatch(r"w\d+", k)), key=lambda k: int(k[1:]))

        spec = importlib.util.spec_from_file_location(f"exported_{name}", py)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        m = mod.Op(**mod.LAYERS[0])
        fresh = mod.Op(**mod.LAYERS[0], seed=1)
        for k in weights:  # the file's own initialisation draws syno's weights for the same seed
            if not torch.equal(getattr(fresh, k).detach(), ref[k]):
                self.fail(name, f"pytorch: reset_parameters(seed=1) does not give syno's {k}")
        m.load_state_dict({k: ref[k] for k in weights})
        params = [getattr(m, k) for k in weights]
        self.run_module(name, "pytorch", m, ref, params)
        # After an in-place change of the weights, inference must not use the values kept from before.
        with torch.no_grad():
            before = m(ref["x1"])
            for p in params:
                p.mul_(2.0)
            after = m(ref["x1"])
            for p in params:
                p.div_(2.0)
        if torch.equal(before, after) and len(params) > 0:
            self.fail(name, "pytorch: inference kept stale weight-side values after the weights changed")

        scripted = torch.jit.script(m)
        self.run_module(name, "scripted pytorch", scripted, ref, [getattr(scripted, k) for k in weights])

        archive = torch.jit.load(ts)
        for k in weights:
            if not torch.equal(getattr(archive, k).detach(), ref[k]):
                self.fail(name, f"torchscript: {k} is not syno's weight for seed 1")
        self.run_module(name, "torchscript", archive, ref, [getattr(archive, k) for k in weights])

        if onnx:
            import onnx as onnx_lib
            path = base + ".onnx"
            m.eval()
            with torch.no_grad():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # shape inference notes about the traced checks
                    torch.onnx.export(m, (ref["x4"],), path, opset_version=17, input_names=["x"], output_names=["y"])
            model = onnx_lib.load(path)
            try:
                onnx_lib.checker.check_model(model, full_check=True)
            except Exception as e:  # the checker's own exception types vary between versions
                self.fail(name, f"onnx.checker refused the export: {str(e).splitlines()[0]}")
        self.checked += 1
        print(f"ok {name}", flush=True)


def sampled_operators(fixtures, per_file):
    ops = []
    for file in sorted(os.listdir(fixtures)):
        if not (file.startswith("sampled_") and file.endswith(".txt")):
            continue
        text = open(os.path.join(fixtures, file)).read()
        blocks = [b for b in re.split(r"\n(?=# operator )", text) if "syno-operator" in b]
        for i, block in enumerate(blocks[:per_file]):
            body = block[block.index("syno-operator"):]
            ops.append((f"{file[len('sampled_'):-len('_d10.txt')]}{i + 1}", body))
    return ops


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--syno", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--only", default="")
    parser.add_argument("--sampled", type=int, default=6)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)  # onnx export traces data-dependent shape checks
    c = Checker(args.syno, args.work)
    cases = []
    for layer in ["conv2d", "conv1x1", "grouped", "depthwise", "dilated", "avgpool", "shiftconv"]:
        cases.append((layer, ["--library", layer], ["--bindings", SMALL], layer in ("conv2d", "shiftconv")))
    # A fully connected layer at the MLP's sizes (2-D input [N, C_in], no spatial dims).
    cases.append(("linear", ["--library", "linear"], ["--model", "mlp", "--binding", "1"], True))
    # The paper's operators at ResNet-18's deployment sizes (bindings 8-14 of its 14): the first and the last
    # stage's layers (64@56, 512@7).
    for op in ["operator1", "operator2"]:
        cases.append((op + "_56", ["--library", op], ["--model", "resnet18", "--binding", "8"], op == "operator2"))
        cases.append((op + "_7", ["--library", op], ["--model", "resnet18", "--binding", "14"], False))
    # The ResNet-18 campaign's finalists (synthesized by the search) at its last stage's layer.
    campaign = os.path.join(os.path.dirname(os.path.abspath(args.fixtures)), "..", "campaigns", "resnet18", "operators")
    for file in sorted(os.listdir(campaign)) if os.path.isdir(campaign) else []:
        cases.append((f"campaign_{file[:4]}", [os.path.join(campaign, file)], ["--model", "resnet18", "--binding", "14"],
                      False))
    for name, text in sampled_operators(args.fixtures, args.sampled):
        path = os.path.join(args.work, f"sampled_{name}.op")
        with open(path, "w") as f:
            f.write(text)
        cases.append((f"sampled_{name}", [path], [], name.endswith("1")))
    for name, source, extra, onnx in cases:
        if args.only and args.only != name:
            continue
        try:
            c.check(name, source, extra, onnx)
        except Exception as e:  # a crash in one case is that case's failure, not the end of the check
            c.fail(name, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    print(f"{c.checked} operator(s) passed, {len(c.failures)} failure(s)")
    sys.exit(1 if c.failures else 0)


if __name__ == "__main__":
    main()
