#!/usr/bin/env bash
# Soak: one controller (SQLite, or PostgreSQL with --postgres) under steady status reports, repeated churn (an engine
# scaled up and down again and again: copies launched, stopped, their tokens revoked, their events written) and a
# stream of tasks taken and completed by a work engine's copies, with every retention at a short --retention (hours).
# Every --every seconds it records the rows of every table, the database's size and the controller's RSS. Once the
# retention has started, all of them should stay flat: with --check the script fails when the last third of the run
# is above the middle third by more than a quarter (and a small slack), or when the load generator saw errors.
# Usage: scripts/soak.sh [--minutes 60] [--every 60] [--hosts 2000] [--rate 500] [--churn 200] [--churn-every 20]
#                        [--tasks 200] [--workers 20] [--retention 0.01] [--postgres] [--check]
# Loopback only; stops the controller (and a PostgreSQL it started) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=60 every=60 hosts=2000 rate=500 churn=200 churn_every=20 tasks=200 workers=20 retention=0.01 provider=Sqlite check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --churn) churn=$2; shift 2 ;;
    --churn-every) churn_every=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --retention) retention=$2; shift 2 ;;
    --postgres) provider=Postgres; shift ;;
    --check) check=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

. scripts/lib/bench-controller.sh
kinds=(Tasks Events Instances Hosts Tokens Audit Engines)
retention_args=()
for kind in "${kinds[@]}"; do retention_args+=("--Retention:${kind}Hours=$retention"); done
bench_start "$provider" "${retention_args[@]}"
dotnet build benchmarks/Controller.LoadGen -c Release >/dev/null
echo "soak: $minutes min on $provider, $hosts hosts at $rate reports/s, churn $churn copies every $churn_every s, $tasks tasks/s on $workers copies, retention $retention h"

dotnet benchmarks/Controller.LoadGen/bin/Release/net10.0/Controller.LoadGen.dll --url "$url" --admin-token "$admin" \
  --hosts "$hosts" --rate "$rate" --duration $((minutes * 60)) --engines 0 --concurrency 64 \
  --churn "$churn" --churn-every "$churn_every" --tasks-per-second "$tasks" --workers "$workers" >"$work/loadgen.log" 2>&1 &
generator=$!
trap 'kill $generator 2>/dev/null || true; bench_stop' EXIT

# Rows per table and the database's size in MiB, as "table=rows ... size=MiB".
measure() {
  python3 - "$provider" "$work/data/controller.db" "${CONTROLLER_TEST_POSTGRES:-}" <<'PY'
import os, sqlite3, subprocess, sys
provider, path, conn = sys.argv[1], sys.argv[2], sys.argv[3]
out = []
if provider == "Sqlite":
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EF%' ORDER BY name")]
    out += ["%s=%d" % (t, db.execute('SELECT COUNT(*) FROM "%s"' % t).fetchone()[0]) for t in tables]
    size = sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))
else:
    parts = dict(p.split("=", 1) for p in conn.split(";") if "=" in p)
    env = dict(os.environ, PGHOST=parts["Host"], PGPORT=parts["Port"], PGUSER=parts["Username"], PGPASSWORD=parts.get("Password", ""), PGDATABASE=parts["Database"])
    def q(sql): return subprocess.run(["psql", "-Atc", sql], env=env, capture_output=True, text=True, check=True).stdout.strip()
    tables = q("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename NOT LIKE '__EF%' ORDER BY tablename").split()
    out += ["%s=%s" % (t, q('SELECT COUNT(*) FROM "%s"' % t)) for t in tables]
    size = int(q("SELECT pg_database_size(current_database())"))
out.append(f"size={size / 1048576:.1f}")
print(" ".join(out))
PY
}

samples="$work/samples.txt"
started=$(date +%s)
while kill -0 "$generator" 2>/dev/null; do
  sleep "$every"
  kill -0 "$generator" 2>/dev/null || break
  kill -0 "$pid" 2>/dev/null || { echo "the controller died; its log:" >&2; tail -40 "$work/controller-0.log" >&2; exit 1; }
  line="t=$(( $(date +%s) - started )) $(measure) rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$pid/status)"
  echo "$line" | tee -a "$samples"
done
wait "$generator" || true
echo "load generator:"; sed 's/^/  /' "$work/loadgen.log" | tail -15

[ "$check" -eq 1 ] || exit 0
python3 - "$samples" "$work/loadgen.log" <<'PY'
import re, sys
rows = [dict(kv.split("=") for kv in line.split()) for line in open(sys.argv[1]) if line.strip()]
if len(rows) < 6 or len(rows[-1]) < 4:
    sys.exit(f"soak check: only {len(rows)} samples; run longer or sample more often")
third = len(rows) // 3
middle, last = rows[third:2 * third], rows[2 * third:]
bad = []
for key in rows[0]:
    if key == "t":
        continue
    slack = 16 if key in ("size", "rss") else 500
    m = sum(float(r[key]) for r in middle) / len(middle)
    l = sum(float(r[key]) for r in last) / len(last)
    verdict = "grows" if l > 1.25 * m + slack else "flat"
    print(f"  {key:16} middle third {m:12.1f}  last third {l:12.1f}  {verdict}")
    if verdict == "grows":
        bad.append(key)
log = open(sys.argv[2]).read()
errors = sum(int(n) for n in re.findall(r"errors=(\d+)", log))
done = re.search(r"tasks done=(\d+)", log)
if errors or not done or int(done.group(1)) == 0:
    bad.append(f"load generator: errors={errors}, tasks done={done.group(1) if done else 'none'}")
if bad:
    sys.exit("soak check failed: " + ", ".join(bad))
print("soak check: every table, the database and the RSS stay flat once retention runs")
PY
