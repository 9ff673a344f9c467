#!/usr/bin/env bash
# Task-queue benchmark: builds Release, starts the controller on SQLite (default) or PostgreSQL (--postgres), then
#  - work: N engine instances (default 50) pull and complete tasks with getwork (one per call, the outcome reported in
#    the next call) for --seconds after --warmup seconds (30, as for the status benchmark: the JIT tiers the getwork path
#    up within the first seconds of load); prints tasks completed per second and getwork p50/p99;
#    (with --max-items "1 4": one run taking one task per call, one taking up to four; closed loop, or with --rate R
#    the instances together call R times a second, latency counted from each call's scheduled time);
#  - list: stores --list-tasks tasks (default 1,000 and 1,000,000 in two runs) and times GET /task pages;
#  - with --long-poll R instead: the instances long-poll (waitSeconds 20) and one task at a time is submitted, R a
#    second, each timed from its submission to the instance that got it (R 0: idle held calls, for their CPU cost:
#    printed for the last minute of a run longer than 70 s, after the instances' start); with --replicas N (PostgreSQL)
#    N replicas run, tasks are submitted on the first and the instances long-poll the others; --wait-seconds 0 makes
#    the instances poll as before the long poll (a `wait` answer: sleep its waitSeconds, ask again), for comparison.
# Usage: scripts/bench-work.sh [--instances 50] [--seconds 20] [--warmup 30] [--postgres] [--replicas N] [--max-items "1 4"] [--rate R] [--list-tasks "1000 1000000"] [--long-poll R [--wait-seconds W]] [-- --Setting=value ...]
# Loopback only; stops the controller (and a PostgreSQL it started) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
instances=50 seconds=20 warmup=30 provider=Sqlite list_tasks="1000 1000000" max_items="1 4" rate=0 long_poll="" wait_seconds=20 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; extra=("$@"); break ;;
    --instances) instances=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --postgres) provider=Postgres; shift ;;
    --list-tasks) list_tasks=$2; shift 2 ;;
    --max-items) max_items=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --long-poll) long_poll=$2; shift 2 ;;
    --wait-seconds) wait_seconds=$2; shift 2 ;;
    --replicas) export BENCH_REPLICAS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
. scripts/lib/bench-controller.sh
dotnet build benchmarks/Controller.WorkGen -c Release >/dev/null
gen=(dotnet benchmarks/Controller.WorkGen/bin/Release/net10.0/Controller.WorkGen.dll --admin-token ctl_bench_admin_token_0123456789abcdefghijklmnop --url http://127.0.0.1:5090)

if [ -n "$long_poll" ]; then
  bench_start "$provider" "${extra[@]}"
  before=$(bench_cpu_ticks)
  # The steady cost: the controller's CPU over the run's last minute, from a sample taken every second.
  samples=$(mktemp)
  (while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s) $(bench_cpu_ticks)" >> "$samples"; sleep 1; done) &
  sampler=$!
  others=$(IFS=,; echo "${urls[*]:1}")
  "${gen[@]}" --mode longpoll --instances "$instances" --warmup "$warmup" --duration "$seconds" --rate "$long_poll" --wait-seconds "$wait_seconds" ${others:+--poll-urls "$others"}
  after=$(bench_cpu_ticks)
  kill $sampler 2>/dev/null || true
  ms() { echo $(( $1 * 1000 / $(getconf CLK_TCK) )); }
  echo "controller CPU over the run: $(ms $(( after - before ))) ms in $(( warmup + seconds )) s (plus the instances' start); RSS $(bench_rss) ($provider)"
  read -r since from < <(awk -v end="$(date +%s)" '$1 >= end - 60 { print end - $1, $2; exit }' "$samples")
  if [ "${since:-0}" -ge 55 ]; then
    used=$(ms $(( after - from )))
    echo "controller CPU over the last $since s: $used ms = $(( used / since / 10 )).$(( used / since % 10 )) % of a core"
  fi
  rm -f "$samples"
  bench_stop
  trap - EXIT
  exit 0
fi

for m in $max_items; do
  bench_start "$provider" "${extra[@]}"
  "${gen[@]}" --mode work --instances "$instances" --warmup "$warmup" --duration "$seconds" --max-items "$m" --rate "$rate" --tasks $(( instances * (seconds + warmup) * 80 * m + 20000 ))
  echo "RSS $(bench_rss) ($provider)"
  bench_stop
done

for n in $list_tasks; do
  bench_start "$provider" "${extra[@]}"
  "${gen[@]}" --mode list --tasks "$n"
  echo "RSS $(bench_rss) ($provider, $n tasks)"
  bench_stop
done
trap - EXIT
