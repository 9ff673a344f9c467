#!/usr/bin/env bash
# Status-report benchmark: builds Release, starts the controller on SQLite (default) or PostgreSQL (--postgres),
# registers N hosts, then runs wrk (Debian's package) against /healthz/live (the ceiling) and against
# POST /host/{id}/updatestatus rotating over the hosts' tokens (steady state: nothing to launch or stop), in one run.
# Prints requests/s, p50/p99, the share of the ceiling, the controller's CPU per report and its RSS.
# With --rate R the status run is paced: each connection waits connections/R seconds between its requests, so the
# offered load is about R reports/s (less when answers are slower than the pace) and the latency is that of a steady rate.
# With --streams N, N idle event streams (GET /event/stream, viewer tokens of 10 streams each) stay open through the runs.
# Usage: scripts/bench-status.sh [--hosts 10000] [--seconds 20] [--connections 32] [--rate 5000] [--streams 1000] [--postgres] [-- --Controller:Setting=value ...]
# Loopback only; bounded in time; stops the controller (and a PostgreSQL it started) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=10000 seconds=20 connections=32 rate=0 streams=0 provider=Sqlite extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; extra=("$@"); break ;;
    --hosts) hosts=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --streams) streams=$2; shift 2 ;;
    --postgres) provider=Postgres; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

. scripts/lib/bench-controller.sh
bench_start "$provider" "${extra[@]}"

echo "registering $hosts hosts ($provider)..."
python3 - "$hosts" "$admin" "$work/hosts.lua" <<'PY'
import http.client, json, sys
n, admin, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", 5090)
def post(path, token, body):
    c.request("POST", path, json.dumps(body), {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); data = r.read()
    if r.status >= 300: raise SystemExit(f"{path}: {r.status} {data[:200]}")
    return json.loads(data)
reg = post("/token", admin, {"kind": "registration", "name": "bench"})["token"]
lines = []
for i in range(n):
    h = post("/host/register", reg, {"machineId": f"bench-{i}", "hostname": f"bench-{i}",
             "capacity": {"cpuMillicores": 16000, "memoryMiB": 65536}, "containers": []})
    lines.append('{"%s","%s"}' % (h["hostId"], h["token"]))
with open(out, "w") as f:
    f.write("hosts = {" + ",\n".join(lines) + "}\n")
PY
cat > "$work/status.lua" <<LUA
dofile("$work/hosts.lua")
local i = 0
local body = '{"available":{"cpuMillicores":12000,"memoryMiB":50000,"gpuCount":0,"diskMiB":400000},"containers":[]}'
request = function()
  i = i % #hosts + 1
  local h = hosts[i]
  return wrk.format("POST", "/host/" .. h[1] .. "/updatestatus",
    { ["Authorization"] = "Bearer " .. h[2], ["Content-Type"] = "application/json" }, body)
end
LUA
if [ "$rate" -gt 0 ]; then
  # wrk's delay() (milliseconds before a connection's next request) paces the load.
  cp "$work/status.lua" "$work/status-paced.lua"
  echo "delay = function() return $(( connections * 1000 / rate )) end" >> "$work/status-paced.lua"
fi

cpu() { bench_cpu_ticks; }
# Bytes the controller allocated on its managed heap so far (the runtime's own counter, read from /metrics).
allocated() { curl -s "$url/metrics" -H "Authorization: Bearer $admin" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/ {print $2}'; }
hz=$(getconf CLK_TCK)
run() { # name, wrk args...
  local name=$1; shift
  local before after out bytes_before bytes_after
  bytes_before=$(allocated)
  before=$(cpu)
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@")
  after=$(cpu)
  bytes_after=$(allocated)
  local rps p50 p99 requests
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  local cpu_ms
  cpu_ms=$(awk -v a="$after" -v b="$before" -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.3f", (a - b) * 1000 / hz / n }')
  local kib
  kib=$(awk -v a="$bytes_after" -v b="$bytes_before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) / 1024 / n }')
  printf '%-28s %10s req/s  p50 %8s  p99 %8s  non-2xx %s  controller CPU %s ms/request  allocated %s KiB/request\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}" "$cpu_ms" "$kib"
  echo "$rps" > "$work/last-rps"
}

if [ "$streams" -gt 0 ]; then
  echo "opening $streams idle event streams..."
  # Each viewer token may hold 10 streams on a replica (RateLimiting:StreamsPerCaller).
  python3 - "$streams" "$admin" <<'PY' &
import http.client, json, socket, sys, time
n, admin = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", 5090)
def token():
    c.request("POST", "/token", json.dumps({"kind": "viewer", "name": "bench-streams"}), {"Authorization": "Bearer " + admin, "Content-Type": "application/json"})
    return json.loads(c.getresponse().read())["token"]
held, refused = [], 0
for i in range(n):
    if i % 10 == 0:
        viewer = token()
    s = socket.create_connection(("127.0.0.1", 5090))
    s.sendall(f"GET /event/stream HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {viewer}\r\n\r\n".encode())
    status = s.recv(64).split(b" ")[1]
    refused += status != b"200"
    held.append(s)
print(f"{len(held) - refused} streams open ({refused} refused)", flush=True)
time.sleep(86400)
PY
  streams_pid=$!
  trap 'kill $streams_pid 2>/dev/null || true; bench_stop' EXIT
  sleep $(( streams / 200 + 3 ))
fi

echo "warm-up..."
# Every host first gets its full round (slowest on PostgreSQL, a few hundred per second): the measured run is the steady state.
wrk -t2 -c"$connections" -d"$(( hosts / 250 + 5 ))s" -s "$work/status.lua" http://127.0.0.1:5090 >/dev/null
run "GET /healthz/live (ceiling)" http://127.0.0.1:5090/healthz/live
ceiling=$(cat "$work/last-rps")
sleep 1
run "status, steady, $hosts hosts" -s "$work/status.lua" http://127.0.0.1:5090
status=$(cat "$work/last-rps")
if [ "$rate" -gt 0 ]; then
  sleep 1
  run "status, paced at $rate/s" -s "$work/status-paced.lua" http://127.0.0.1:5090
fi
awk -v s="$status" -v c="$ceiling" 'BEGIN { printf "share of the ceiling: %.1f %%\n", 100 * s / c }'
echo "controller RSS: $(bench_rss)"
