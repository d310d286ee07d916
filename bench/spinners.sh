# Sourced by the benchmarks that measure beside a busy machine: two CPU-bound processes at normal
# priority (one per core) started and stopped around the busy runs, and the syno arguments that name an
# operator given as a file or a library layer.
spinners=()
start_spinners() {
  for _ in 1 2; do (while :; do :; done) & spinners+=($!); done
  sleep 1
}
stop_spinners() {
  for p in "${spinners[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${spinners[@]}"; do wait "$p" 2>/dev/null || true; done
  spinners=()
}
operator_args() {  # $1: operator file or library layer -> the array `what`
  what=(--library "$1")
  [ -f "$1" ] && what=(--op "$1")
  return 0
}
