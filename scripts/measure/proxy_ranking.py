# Reads out.<operator>.<budget>.txt files written by proxy-ranking.sh in the current directory and prints
# proxy vs final accuracy and their Spearman rank correlation (average ranks for ties).
import glob, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spearman import spearman
def acc(f, key):
    for line in open(f):
        if line.startswith(key):
            vals = re.findall(r"([\d.]+)%", line)
            return float(vals[-1]) if vals else None
rows = []
for f in sorted(glob.glob("out.*.proxy.txt")):
    name = f.split(".")[1]
    if name == "baseline": continue
    try:
        p = acc(f, "best validation"); fin = acc(f"out.{name}.final.txt", "test accuracy"); pt = acc(f, "test accuracy")
    except FileNotFoundError: continue
    if p is None or fin is None: continue
    rows.append((name, p, pt, fin))
print("| operator | proxy validation | proxy test | final test |\n|---|---|---|---|")
for r in sorted(rows, key=lambda r: -r[3]): print(f"| {r[0]} | {r[1]:.2f}% | {r[2]:.2f}% | {r[3]:.2f}% |")
print(f"n={len(rows)}  Spearman(proxy validation, final test) = {spearman([r[1] for r in rows],[r[3] for r in rows]):.3f}"
      f"  Spearman(proxy test, final test) = {spearman([r[2] for r in rows],[r[3] for r in rows]):.3f}")
