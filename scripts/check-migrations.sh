#!/usr/bin/env bash
# For every provider (SQLite, PostgreSQL, SQL Server): the model has no changes that lack a migration,
# and the migration script can be generated (idempotent for the server databases) (written to artifacts/migrations/).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts/migrations
dotnet tool restore >/dev/null
for provider in Sqlite Postgres SqlServer; do
  echo "== migrations: $provider"
  dotnet ef migrations has-pending-model-changes --no-build --configuration Release \
    --project Controller.Infrastructure --startup-project Controller.Infrastructure --context "${provider}ControllerDbContext"
  # SQLite cannot make idempotent scripts (no conditional DDL): its script runs from an empty database.
  idempotent=--idempotent
  [ "$provider" = Sqlite ] && idempotent=
  dotnet ef migrations script $idempotent --no-build --configuration Release \
    --project Controller.Infrastructure --startup-project Controller.Infrastructure --context "${provider}ControllerDbContext" \
    --output "artifacts/migrations/$provider.sql" >/dev/null
  echo "   script: artifacts/migrations/$provider.sql"
done
