#!/usr/bin/env bash
# Validates the files of docker/ without a Docker engine: the compose file (docker compose or docker-compose),
# Prometheus' configuration, alert rules and their unit tests (promtool), and the Grafana dashboard's JSON and
# PromQL (jq, promtool). Tools that are missing are reported and skipped; any check that runs and fails fails the
# script. From the repository root: bash docker/check.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
skipped=()

# the compose file needs its secrets to interpolate: throwaway values, never written to a file
export POSTGRES_PASSWORD=check TRADER_AUTH_JWT_SECRET=check TRADER_ADMIN_TOKEN=check GRAFANA_ADMIN_PASSWORD=check
if docker compose version > /dev/null 2>&1; then
  docker compose -f docker-compose.yml config --quiet && echo "compose: docker compose config OK"
elif command -v docker-compose > /dev/null; then
  docker-compose -f docker-compose.yml config --quiet && echo "compose: docker-compose config OK"
else
  skipped+=("compose (no docker compose / docker-compose)")
fi

if command -v promtool > /dev/null; then
  # the rule file's path is the one inside the Prometheus container
  sed "s|/etc/prometheus/alerts.yml|$PWD/prometheus/alerts.yml|" prometheus/prometheus.yml > "$tmp/prometheus.yml"
  promtool check config "$tmp/prometheus.yml"
  promtool test rules prometheus/alerts.test.yml
else
  skipped+=("prometheus (no promtool)")
fi

if command -v jq > /dev/null; then
  jq -e '.uid and .title and (.panels | length > 0)' grafana/dashboards/trader.json > /dev/null
  jq -e '[.panels[].targets[]?.datasource.uid] | all(. == "prometheus")' grafana/dashboards/trader.json > /dev/null
  echo "grafana: dashboard JSON OK, every query on the provisioned data source"
  if command -v promtool > /dev/null; then
    # every panel query as a recording rule, so that promtool parses its PromQL
    { echo "groups: [{name: dashboard, rules: ["
      jq -r '.panels[].targets[]?.expr | @json' grafana/dashboards/trader.json | awk '{printf "%s{record: dashboard_query_%d, expr: %s}\n", (NR>1?",":""), NR, $0}'
      echo "]}]"; } > "$tmp/dashboard-rules.yml"
    promtool check rules "$tmp/dashboard-rules.yml"
  fi
else
  skipped+=("grafana dashboard (no jq)")
fi

if [ ${#skipped[@]} -gt 0 ]; then
  printf 'skipped: %s\n' "${skipped[@]}"
fi
echo "docker/ checks passed"
