#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Measures guestlinkd and qemu-ga with the same client (agent-bench), on the
# same CPU, one after the other, and prints them side by side together with
# guestlinkd's performance targets.  A measurement, not a test: a missed
# target prints MISS and still exits 0; only a failure to measure guestlinkd
# (missing binary, crash, wrong replies) exits non-zero.
#
# usage: compare.sh [BUILD_DIR]
#   BUILD_DIR       meson build directory; default $MESON_BUILD_ROOT, else
#                   ../../build relative to this script.  Nothing is built here.
# environment:
#   GUESTLINKD      agent measured as "guestlinkd" (BUILD_DIR/daemon/guestlinkd)
#   QEMU_GA         reference agent (qemu-ga in PATH, else /usr/sbin/qemu-ga;
#                   "none" measures guestlinkd alone)
#   AGENT_BENCH     the client (BUILD_DIR/tests/bench/agent-bench)
#   BENCH_ROUNDS, BENCH_PIPELINE, BENCH_WARMUP   passed on to agent-bench
#   BENCH_REPEAT    speed runs per agent, alternating agents (3); the
#                   table shows the median of each figure
#   BENCH_CPU       CPU that agent and client share; "none" lets them float
#                   (default: the highest CPU this script may run on)
#
# Only guest-ping, guest-info, guest-sync and guest-sync-delimited are ever
# sent (agent-bench refuses anything else): qemu-ga here is the real one of
# the machine we run on, with root's powers.

set -euo pipefail

# Allocator debugging (the unit tests' MALLOC_CHECK_, meson's MALLOC_PERTURB_)
# slows every allocation and dirties freed memory: nothing to measure with.
unset MALLOC_CHECK_ MALLOC_PERTURB_

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
build_dir=${1:-${MESON_BUILD_ROOT:-$script_dir/../../build}}
guestlinkd=${GUESTLINKD:-$build_dir/daemon/guestlinkd}
agent_bench=${AGENT_BENCH:-$build_dir/tests/bench/agent-bench}
commands=guest-ping,guest-info,guest-sync
big_bytes=$((32 * 1024 * 1024))
# glibc keeps up to M_TRIM_THRESHOLD (128 kB) of freed memory at the top of
# the heap instead of returning it, and a new connection allocates a little
# state of its own; twice that threshold absorbs such noise, yet is under 1%
# of the 32 MiB message, so keeping any buffer sized by the message shows.
rss_slack_kb=256

die() {
  printf 'compare.sh: %s\n' "$*" >&2
  exit 1
}

# Declared before the trap so that cleanup works however early we leave.
pids=()
tmpdirs=()

# TRUE only for a live child of this shell: a PID we started and that has not
# been reaped and reused by an unrelated process.
is_our_child() {
  local stat state ppid
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  read -r state ppid _ <<<"$stat"
  [[ $state != Z && $ppid == "$$" ]]
}

# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup() {
  local pid i
  for pid in "${pids[@]}"; do
    if is_our_child "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 50; i++)); do
      is_our_child "$pid" || break
      sleep 0.1
    done
    if is_our_child "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  if ((${#tmpdirs[@]} > 0)); then
    rm -rf -- "${tmpdirs[@]}"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -d $build_dir ]] || die "build directory $build_dir does not exist"
[[ -x $guestlinkd ]] ||
  die "guestlinkd not found at $guestlinkd: build it first (ninja -C $build_dir) or set GUESTLINKD"
[[ -x $agent_bench ]] ||
  die "agent-bench not found at $agent_bench: build it first (ninja -C $build_dir)"
# meson itself runs on python3, so any machine with a build directory has it.
command -v python3 >/dev/null || die "python3 is needed to read agent-bench's JSON"

qemu_ga=${QEMU_GA:-}
if [[ -z $qemu_ga ]]; then
  qemu_ga=$(command -v qemu-ga 2>/dev/null || true)
  if [[ -z $qemu_ga && -x /usr/sbin/qemu-ga ]]; then
    qemu_ga=/usr/sbin/qemu-ga
  fi
fi
if [[ $qemu_ga == none || ! -x $qemu_ga ]]; then
  qemu_ga=
fi

# Both agents and the client share one CPU.  Apart, every round trip pays a
# cross-CPU wakeup (about 70 us in a VM, and whether it is paid depends on
# where the scheduler puts things), which buries the agents' own costs in
# noise; together, the numbers are stable and compare the work each agent
# does per request.
pin=()
cpu=${BENCH_CPU:-auto}
if [[ $cpu == auto ]]; then
  cpu=none
  if command -v taskset >/dev/null; then
    allowed=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
    [[ -n $allowed ]] && cpu=${allowed##*[,-]}
  fi
fi
if [[ $cpu != none ]]; then
  pin=(taskset -c "$cpu")
fi

repeat=${BENCH_REPEAT:-3}
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer"

bench_args=()
[[ -n ${BENCH_ROUNDS:-} ]] && bench_args+=(--rounds "$BENCH_ROUNDS")
[[ -n ${BENCH_PIPELINE:-} ]] && bench_args+=(--pipeline "$BENCH_PIPELINE")
[[ -n ${BENCH_WARMUP:-} ]] && bench_args+=(--warmup "$BENCH_WARMUP")

work=$(mktemp -d -t guestlink-bench.XXXXXX)
tmpdirs+=("$work")

# start_agent BINARY: runs it on a unix socket in a fresh temporary directory
# and waits until it listens.  Sets agent_pid and agent_dir.
start_agent() {
  local bin=$1 i
  agent_dir=$(mktemp -d -t guestlink-agent.XXXXXX)
  tmpdirs+=("$agent_dir")
  # qemu-ga refuses to start unless its state directory already exists.
  mkdir "$agent_dir/state"
  # taskset execs the agent, so $! is the agent's own PID.
  "${pin[@]}" "$bin" -m unix-listen -p "$agent_dir/sock" -t "$agent_dir/state" \
    >"$agent_dir/log" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
  for ((i = 0; i < 100; i++)); do
    [[ -S $agent_dir/sock ]] && return 0
    if ! is_our_child "$agent_pid"; then
      printf '%s exited before listening; its output:\n' "$bin" >&2
      sed 's/^/  /' "$agent_dir/log" >&2
      return 1
    fi
    sleep 0.1
  done
  printf '%s did not create %s within 10 s\n' "$bin" "$agent_dir/sock" >&2
  return 1
}

# Results land in R["label.phase.json.path"]; the commands array is keyed by
# each command's name, e.g. R[gl.run.commands.guest-ping.p50_us].  Given
# several files (repeated runs), each number is the median over them: one
# run disturbed by the host must not decide a target.
declare -A R=()
load_json() {
  local prefix=$1 key value
  shift
  (($# > 0)) || return 0
  while IFS=$'\t' read -r key value; do
    R[$prefix.$key]=$value
  done < <(python3 - "$@" <<'PY'
import json
import statistics
import sys

def walk(path, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            walk(path + [k], v, out)
    elif isinstance(value, list):
        for v in value:
            walk(path + [str(v.get("name", "?"))], v, out)
    else:
        out.setdefault(".".join(path), []).append(value)

values = {}
for name in sys.argv[1:]:
    with open(name) as f:
        walk([], json.load(f), values)

def text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

for key, seen in values.items():
    numbers = [v for v in seen
               if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(seen):
        middle = statistics.median(numbers)
        if all(isinstance(v, int) for v in numbers):
            shown = str(round(middle))
        else:
            shown = f"{middle:.1f}"
    else:
        shown = text(seen[-1])
    print(key + "\t" + shown.replace("\t", " ").replace("\n", " "))
PY
  )
}

# measure_memory LABEL SOCKET PID: on the freshly started agent, so that
# "idle" is an agent that has served nothing but a handshake.
measure_memory() {
  local label=$1 sock=$2 pid=$3
  if ! "${pin[@]}" "$agent_bench" --socket "$sock" --rss-pid "$pid" \
    --big-message "$big_bytes" --rounds 0 --pipeline 0 --json \
    >"$work/$label.mem.json" 2>"$work/$label.mem.err"; then
    printf 'agent-bench failed against %s (memory):\n' "$label" >&2
    cat "$work/$label.mem.err" >&2
    return 1
  fi
}

# measure_speed LABEL SOCKET PID N: latency and throughput, run N.
measure_speed() {
  local label=$1 sock=$2 pid=$3 n=$4
  if ! "${pin[@]}" "$agent_bench" --socket "$sock" --rss-pid "$pid" \
    --commands "$commands" "${bench_args[@]}" --json \
    >"$work/$label.run.$n.json" 2>"$work/$label.run.$n.err"; then
    printf 'agent-bench failed against %s (run %s):\n' "$label" "$n" >&2
    cat "$work/$label.run.$n.err" >&2
    rm -f "$work/$label.run.$n.json"
    return 1
  fi
}

val() {
  printf '%s' "${R[$1]:-}"
}

# Arithmetic in awk: bash has no floating point.  Empty input prints "-".
ratio() {
  awk -v a="$1" -v b="$2" \
    'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}
diff_kb() {
  awk -v a="$1" -v b="$2" \
    'BEGIN { if (a == "" || b == "") print "-"; else printf "%+d", a - b }'
}
# shellcheck disable=SC2317  # reached through verdict "$@"
holds() {
  awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN {
    if (a == "" || b == "") exit 1
    if (op == "le") exit !(a + 0 <= b + 0)
    exit !(a + 0 >= b + 0)
  }'
}
# times VALUE FACTOR DECIMALS
times() {
  awk -v a="$1" -v k="$2" -v d="$3" \
    'BEGIN { if (a == "") print ""; else printf "%.*f", d, a * k }'
}

big_summary() {
  local label=$1 outcome
  outcome=$(val "$label.mem.big_message.outcome")
  case $outcome in
    reply)
      if [[ $(val "$label.mem.big_message.reply_is_error") == true ]]; then
        printf 'error reply'
      else
        awk -v b="$(val "$label.mem.big_message.reply_bytes")" \
          'BEGIN { printf "served, %.1f MiB reply", b / 1048576 }'
      fi
      ;;
    timeout) printf 'no reply (timeout)' ;;
    closed) printf 'connection closed' ;;
    *) printf -- '-' ;;
  esac
}

row() {
  printf '  %-30s %22s %22s %7s\n' "$@"
}

# mem_row TITLE KEY: one memory figure of both agents, with their ratio.
mem_row() {
  local a b
  a=$(val "gl.$2")
  b=$(val "qga.$2")
  row "$1" "${a:--}" "${b:--}" "$(ratio "$a" "$b")"
}

measure_failed=0

start_agent "$guestlinkd" || die "could not start $guestlinkd"
gl_pid=$agent_pid
gl_sock=$agent_dir/sock

have_qga=0
if [[ -n $qemu_ga ]]; then
  if start_agent "$qemu_ga"; then
    have_qga=1
    qga_pid=$agent_pid
    qga_sock=$agent_dir/sock
  else
    printf 'compare.sh: qemu-ga did not start; measuring guestlinkd alone\n' >&2
  fi
fi

echo "guestlink protocol benchmark"
printf '  guestlinkd  %s (pid %s)\n' "$guestlinkd" "$gl_pid"
if ((have_qga)); then
  printf '  qemu-ga     %s (pid %s, %s)\n' "$qemu_ga" "$qga_pid" \
    "$("$qemu_ga" --version 2>/dev/null | head -n 1)"
else
  echo "  qemu-ga     not installed: measuring guestlinkd alone, no ratios"
fi
printf '  client      %s, %s\n' "$agent_bench" \
  "$([[ ${#pin[@]} -gt 0 ]] && echo "agent and client pinned to CPU $cpu" || echo "not pinned")"
printf '  rounds/pipeline/warmup: %s (agent-bench defaults unless set); medians of %s runs\n' \
  "${bench_args[*]:-2000/20000/200}" "$repeat"
echo

gl_ok=1
qga_ok=$have_qga
measure_memory gl "$gl_sock" "$gl_pid" || gl_ok=0
if ((qga_ok)) && ! measure_memory qga "$qga_sock" "$qga_pid"; then
  qga_ok=0
fi
# Alternating runs spread slow drifts of the host over both agents.
for ((n = 1; n <= repeat; n++)); do
  if ((gl_ok)) && ! measure_speed gl "$gl_sock" "$gl_pid" "$n"; then
    gl_ok=0
  fi
  if ((qga_ok)) && ! measure_speed qga "$qga_sock" "$qga_pid" "$n"; then
    qga_ok=0
  fi
done
((gl_ok)) || measure_failed=1
if ((have_qga && !qga_ok)); then
  printf 'compare.sh: qemu-ga could not be measured completely\n' >&2
fi
for label in gl qga; do
  [[ -s $work/$label.mem.json ]] && load_json "$label.mem" "$work/$label.mem.json"
  shopt -s nullglob
  runs=("$work/$label".run.*.json)
  shopt -u nullglob
  load_json "$label.run" "${runs[@]}"
done

row "" "guestlinkd" "qemu-ga" "gl/qga"
for cmd in ${commands//,/ }; do
  for metric in p50_us p99_us; do
    a=$(val "gl.run.commands.$cmd.$metric")
    b=$(val "qga.run.commands.$cmd.$metric")
    row "$cmd RTT ${metric%_us} (us)" "${a:--}" "${b:--}" "$(ratio "$a" "$b")"
  done
  a=$(val "gl.run.commands.$cmd.pipeline_rps")
  b=$(val "qga.run.commands.$cmd.pipeline_rps")
  row "$cmd throughput (req/s)" "${a:--}" "${b:--}" "$(ratio "$a" "$b")"
done
echo
gl_idle=$(val gl.mem.memory.idle.rss_kb)
qga_idle=$(val qga.mem.memory.idle.rss_kb)
gl_after=$(val gl.mem.memory.after_big.rss_kb)
qga_after=$(val qga.mem.memory.after_big.rss_kb)
mem_row "idle VmRSS (kB)" mem.memory.idle.rss_kb
mem_row "  of which RssAnon (kB)" mem.memory.idle.anon_kb
row "32 MiB message" "$(big_summary gl)" "$(big_summary qga)" ""
mem_row "VmRSS after it (kB)" mem.memory.after_big.rss_kb
row "  change (kB)" "$(diff_kb "$gl_after" "$gl_idle")" \
  "$(diff_kb "$qga_after" "$qga_idle")" ""
mem_row "  RssAnon after it (kB)" mem.memory.after_big.anon_kb
mem_row "  peak VmHWM (kB)" mem.memory.after_big.hwm_kb
mem_row "VmRSS after the load (kB)" run.memory.final.rss_kb
echo
for label in gl qga; do
  excerpt=$(val "$label.mem.big_message.excerpt")
  [[ -n $excerpt ]] || continue
  name=guestlinkd
  [[ $label == qga ]] && name=qemu-ga
  printf '  %s on the 32 MiB message (%s ms): %.100s\n' "$name" \
    "$(val "$label.mem.big_message.elapsed_ms")" "$excerpt"
done
echo

# verdict TEXT CHECK...: PASS if the check command succeeds, else MISS.
verdict() {
  local text=$1
  shift
  if "$@"; then
    printf '  PASS  %s\n' "$text"
  else
    printf '  MISS  %s\n' "$text"
  fi
}
no_reference() {
  printf '  n/a   %s (no qemu-ga to compare with)\n' "$1"
}

echo "targets for guestlinkd"
gl_p50=$(val gl.run.commands.guest-ping.p50_us)
qga_p50=$(val qga.run.commands.guest-ping.p50_us)
gl_rps=$(val gl.run.commands.guest-ping.pipeline_rps)
qga_rps=$(val qga.run.commands.guest-ping.pipeline_rps)
if [[ -n $qga_p50 ]]; then
  limit=$(times "$qga_p50" 0.5 1)
  verdict "guest-ping p50 <= 0.5 x qemu-ga: ${gl_p50:-?} us vs limit $limit us" \
    holds "$gl_p50" "$limit" le
  limit=$(times "$qga_rps" 2 0)
  verdict "guest-ping throughput >= 2 x qemu-ga: ${gl_rps:-?} req/s vs limit $limit req/s" \
    holds "$gl_rps" "$limit" ge
else
  no_reference "guest-ping p50 <= 0.5 x qemu-ga"
  no_reference "guest-ping throughput >= 2 x qemu-ga"
fi
if [[ -n $qga_idle ]]; then
  verdict "idle VmRSS <= qemu-ga's: ${gl_idle:-?} kB vs $qga_idle kB" \
    holds "$gl_idle" "$qga_idle" le
else
  no_reference "idle VmRSS <= qemu-ga's"
fi
limit=$(awk -v a="$gl_idle" -v s="$rss_slack_kb" 'BEGIN { if (a != "") print a + s }')
verdict "VmRSS after the 32 MiB message <= idle + $rss_slack_kb kB: ${gl_after:-?} kB vs limit ${limit:-?} kB" \
  holds "$gl_after" "$limit" le

if ((measure_failed)); then
  echo
  echo "guestlinkd could not be measured completely: see the errors above"
  exit 1
fi
exit 0
