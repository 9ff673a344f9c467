# Sourced by the benchmark scripts: builds Release and starts one controller on 127.0.0.1:5090 on SQLite or PostgreSQL
# (a throwaway cluster from scripts/postgres.sh), with rate limits out of the way and a known admin token; stops both
# on exit. Sets: work (a scratch folder), pid (the controller), admin (its admin token), url.
# BENCH_POSTGRES_SETTINGS adds to the controller's PostgreSQL connection string, e.g. "Options=-c plan_cache_mode=force_custom_plan".
# BENCH_REPLICAS=N (PostgreSQL): N replicas on one database, on ports 5090, 5091, ... (urls: all of them; pid: the first).
bench_start() { # provider, extra controller arguments...
  local provider=$1; shift
  work=$(mktemp -d /tmp/controller-bench.XXXXXX)
  pg_dir="" pid="" pids=() urls=()
  trap bench_stop EXIT
  dotnet build Controller.Api -c Release >/dev/null
  admin=ctl_bench_admin_token_0123456789abcdefghijklmnop
  url=http://127.0.0.1:5090
  local args=(--urls $url --Controller:AdminToken=$admin --Controller:DataDirectory="$work/data"
        --RateLimiting:PerCallerPerSecond=10000000 --RateLimiting:PerCallerBurst=10000000 --RateLimiting:GlobalConcurrency=100000 --RateLimiting:AdminConcurrency=100000
        --Logging:LogLevel:Default=Warning --Scheduling:StartupGraceSeconds=3600 "$@")
  if [ "$provider" = Postgres ]; then
    eval "$(scripts/postgres.sh start)"
    pg_dir=$PGTEST_DIR
    args+=(--Database:Provider=Postgres "--ConnectionStrings:Controller=$CONTROLLER_TEST_POSTGRES${BENCH_POSTGRES_SETTINGS:+;$BENCH_POSTGRES_SETTINGS}")
  fi
  local n
  for n in $(seq 0 $(( ${BENCH_REPLICAS:-1} - 1 ))); do
    # One at a time: the first migrates the database, the others find it ready.
    local replica_url=http://127.0.0.1:$(( 5090 + n ))
    dotnet Controller.Api/bin/Release/net10.0/Controller.Api.dll "${args[@]}" --urls "$replica_url" >"$work/controller-$n.log" 2>&1 &
    pids+=($!) urls+=("$replica_url")
    bench_ready "$replica_url" "$work/controller-$n.log" || return 1
  done
  pid=${pids[0]}
}

bench_ready() { # url, log
  for _ in $(seq 1 120); do curl -sf "$1/healthz/ready" >/dev/null && return 0; sleep 0.5; done
  echo "the controller did not start; its log:" >&2; cat "$2" >&2; return 1
}

bench_stop() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"
  rm -rf "$work"
}

# The controller's CPU time (user + system, in clock ticks) and resident memory.
bench_cpu_ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
bench_rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' /proc/$pid/status; }
