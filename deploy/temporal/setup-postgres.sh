#!/bin/sh
# Creates Temporal's two databases and brings their schemas up to date (idempotent).
set -eu
until nc -z -w 2 postgres 5432; do sleep 1; done
for db in temporal temporal_visibility; do
  kind=$([ "$db" = temporal ] && echo temporal || echo visibility)
  temporal-sql-tool --plugin postgres12 --ep postgres -u "$POSTGRES_USER" -p 5432 --db "$db" create || true
  temporal-sql-tool --plugin postgres12 --ep postgres -u "$POSTGRES_USER" -p 5432 --db "$db" setup-schema -v 0.0 || true
  temporal-sql-tool --plugin postgres12 --ep postgres -u "$POSTGRES_USER" -p 5432 --db "$db" \
    update-schema -d "/etc/temporal/schema/postgresql/v12/$kind/versioned"
done
