#!/usr/bin/env bash
# Runs every test of the solution: restore, build with warnings as errors, then each test project.
# The infrastructure and API suites run twice: on SQLite, and on a throwaway PostgreSQL cluster
# (installed from Debian's packages if missing, or the one named by CONTROLLER_TEST_POSTGRES).
# The cluster tests run the agent's docker driver against a Docker engine: Debian's docker.io, started here when
# none answers (and stopped at the end).
# Then a three-minute soak (scripts/soak.sh --check), the migrations and the generated client are checked.
# Ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

results=$(mktemp -d)
failed_steps=0
pg_dir=""
dockerd_pid=""
cleanup() {
  [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"
  [ -n "$dockerd_pid" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null
  rm -rf "$results"
}
trap cleanup EXIT

# The README walkthrough test runs the README's curl commands: it needs curl and jq (Debian's packages).
# The dashboard's browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright.
if ! command -v jq >/dev/null || ! command -v curl >/dev/null || [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing curl, jq and chromium from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl jq chromium >/dev/null || exit 1
  else
    echo "!! curl and jq are needed by the README walkthrough test, chromium by the dashboard's browser tests"
  fi
fi

if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing docker.io from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || exit 1
  fi
  if command -v dockerd >/dev/null && [ "$(id -u)" -eq 0 ]; then
    dockerd >"$results/dockerd.out" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 && echo "dockerd started" || echo "!! dockerd did not start: $(tail -3 "$results/dockerd.out")"
  else
    echo "!! no Docker engine: the docker cluster test will say so"
  fi
fi

dotnet tool restore >/dev/null || exit 1
dotnet restore Controller.sln || exit 1
dotnet build Controller.sln --no-restore -c Release -warnaserror || exit 1

run_tests() { # name project [env...]
  local name=$1 project=$2; shift 2
  echo "== $name"
  env "$@" dotnet test "$project" --no-build -c Release --logger "console;verbosity=minimal" 2>&1 | tee "$results/$name.log"
  local rc=${PIPESTATUS[0]}
  grep -qE '^(Passed|Failed)!' "$results/$name.log" || { echo "!! $name reported no results (exit $rc)"; failed_steps=$((failed_steps + 1)); }
}

run_tests domain tests/Controller.Domain.Tests
run_tests application tests/Controller.Application.Tests
run_tests architecture tests/Controller.ArchitectureTests
run_tests agent tests/Controller.Agent.Tests
run_tests infrastructure-sqlite tests/Controller.Infrastructure.Tests CONTROLLER_TEST_POSTGRES=
run_tests api-sqlite tests/Controller.Api.Tests CONTROLLER_TEST_POSTGRES=

if [ -z "${CONTROLLER_TEST_POSTGRES:-}" ]; then
  eval "$(scripts/postgres.sh start)"
  pg_dir=${PGTEST_DIR:-}
fi
if [ -n "${CONTROLLER_TEST_POSTGRES:-}" ]; then
  run_tests infrastructure-postgres tests/Controller.Infrastructure.Tests CONTROLLER_TEST_POSTGRES="$CONTROLLER_TEST_POSTGRES"
  run_tests api-postgres tests/Controller.Api.Tests CONTROLLER_TEST_POSTGRES="$CONTROLLER_TEST_POSTGRES"
elif [ "${CI:-}" = "true" ]; then
  echo "!! PostgreSQL is required in CI but could not be started"
  failed_steps=$((failed_steps + 1))
else
  echo "== PostgreSQL suites skipped: no PostgreSQL could be started (set CONTROLLER_TEST_POSTGRES to use one)"
fi

# A few minutes of soak: every table, the database and the controller's memory stay flat once retention runs.
echo "== soak"
scripts/soak.sh --minutes 3 --every 15 --hosts 1000 --rate 300 --churn 100 --churn-every 20 --tasks 100 --workers 10 --check \
  || failed_steps=$((failed_steps + 1))

scripts/check-migrations.sh || failed_steps=$((failed_steps + 1))
scripts/generate-client.sh --check || failed_steps=$((failed_steps + 1))

passed=0 failed=0 skipped=0
for log in "$results"/*.log; do
  while read -r f p s; do
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  done < <(sed -nE 's/^(Passed|Failed)! +- +Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \3 \4/p' "$log")
done
failed=$((failed + failed_steps))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
