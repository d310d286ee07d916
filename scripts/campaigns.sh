#!/usr/bin/env bash
# Issue 19's campaigns, one network after another (docs/campaigns.md): ResNet-18 (two searches), ResNet-34
# on ResNet-18's finalists (as the paper does), ResNeXt-29 and DenseNet-121 (searches of their own).
# ResNet-18's are campaigns/resnet18-v2 and campaigns/resnet18-v3: campaigns/resnet18 searched before the
# stale-weights fix and the over-parametrisation rule (README, Results), and is kept as it ran. v2's best
# finalist lost 1.87 points at the final budget for 0.25 at the proxy, so v3 tolerates less proxy loss and
# keeps more of the layers' FLOPs (campaigns/resnet18-v3/README.md); v3's window was costed with one
# contraction order for all layers and let cheaper operators through, so it stopped and v4 searches with
# each layer costed as planned (campaigns/resnet18-v4/README.md). Every
# campaign is resumable, so this script is too: run it again after a kill or in the next session and it
# continues where it stopped, redoing nothing finished. Hours of work; keep the machine otherwise idle
# (latency is measured as it goes).
# Usage: scripts/campaigns.sh [network ...]   (default: resnet18-v4, resnet18 (v2's finals), resnet34, resnext29,
#   densenet121, in this order; resnet18-v3 runs only when named)
#   SYNO=path/to/syno   the binary (default: build/src/syno; a copy keeps a rebuild from replacing it mid-run)
#   SYNO_CHECKPOINTS=dir  where final trainings keep their per-epoch state (default: ~/.cache/syno/checkpoints)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
syno=${SYNO:-build/src/syno}
[ -x "$syno" ] || { echo "campaigns.sh: $syno not found (scripts/build.sh builds it)" >&2; exit 1; }
networks=("$@")
[ ${#networks[@]} -gt 0 ] || networks=(resnet18-v4 resnet18 resnet34 resnext29 densenet121)
for net in "${networks[@]}"; do
  case "$net" in
    resnet18) args=(--model resnet18 --hours 2) ;;
    resnet18-v3|resnet18-v4) args=(--model resnet18 --hours 2 --max-accuracy-loss 0.005 --min-flops-ratio 0.25 --compare operator2) ;;
    resnet34) args=(--model resnet34 --reuse campaigns/resnet18-v2) ;;
    resnext29) args=(--model resnext29 --hours 2) ;;
    densenet121) args=(--model densenet121 --hours 2) ;;
    *) echo "campaigns.sh: unknown network '$net' (resnet18-v4, resnet18-v3, resnet18, resnet34, resnext29, densenet121)" >&2; exit 1 ;;
  esac
  if [ "$net" = resnet34 ] && [ ! -f campaigns/resnet18-v2/finalists.json ]; then
    echo "campaigns.sh: resnet34 reuses resnet18's finalists: run resnet18 first" >&2
    exit 1
  fi
  dir=campaigns/$net
  [ "$net" = resnet18 ] && dir=campaigns/resnet18-v2
  [ "$net" = resnet18-v3 ] && dir=campaigns/resnet18-v3
  [ "$net" = resnet18-v4 ] && dir=campaigns/resnet18-v4
  # Final trainings' per-epoch state lives outside the checkout (hundreds of MB, not committed), so that a
  # training cut by the end of a session resumes in the next even if the work tree is laid anew.
  ckpt="${SYNO_CHECKPOINTS:-${XDG_CACHE_HOME:-$HOME/.cache}/syno/checkpoints}/$(basename "$dir")"
  echo "== $(date -u +%FT%TZ) campaign $net: $syno campaign --dir $dir ${args[*]} --checkpoint-dir $ckpt"
  "$syno" campaign --dir "$dir" "${args[@]}" --checkpoint-dir "$ckpt"
done
