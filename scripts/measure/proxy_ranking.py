# Reads out.<operator>.<budget>.txt files written by proxy-ranking.sh in the current directory and prints
# proxy vs final accuracy and their Spearman rank correlation (average ranks for ties).
import glob, re
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
def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i]); r = [0]*len(v); i = 0
    while i < len(v):
        j = i
        while j+1 < len(v) and v[order[j+1]] == v[order[i]]: j += 1
        for k in range(i, j+1): r[order[k]] = (i+j)/2+1
        i = j+1
    return r
def spearman(a, b):
    ra, rb = ranks(a), ranks(b); n = len(a); ma = sum(ra)/n; mb = sum(rb)/n
    cov = sum((x-ma)*(y-mb) for x,y in zip(ra,rb)); va = sum((x-ma)**2 for x in ra); vb = sum((y-mb)**2 for y in rb)
    return cov/(va*vb)**0.5
print("| operator | proxy validation | proxy test | final test |\n|---|---|---|---|")
for r in sorted(rows, key=lambda r: -r[3]): print(f"| {r[0]} | {r[1]:.2f}% | {r[2]:.2f}% | {r[3]:.2f}% |")
print(f"n={len(rows)}  Spearman(proxy validation, final test) = {spearman([r[1] for r in rows],[r[3] for r in rows]):.3f}"
      f"  Spearman(proxy test, final test) = {spearman([r[2] for r in rows],[r[3] for r in rows]):.3f}")
