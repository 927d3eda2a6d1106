#!/usr/bin/env bash
# The benchmark runner: starts PostgreSQL (embedded), Kubo and the service, seeds pins with COPY,
# measures the service with Gatling, then the anchors under the same load (pgbench on the same
# PostgreSQL, ipfs pin add on the same Kubo, IPFS Cluster's pinning-service API) and prints one
# table of figures and ratios (ours ÷ anchor). See loadtests/README.md.
#
#   loadtests/run-benchmark.sh                 the issue's scale: 10M pins, 1M in one tenant
#   loadtests/run-benchmark.sh --smoke         tiny data, 3 s per scenario (proves every part works)
#   loadtests/run-benchmark.sh --help          every option
#
# The seeded database is kept (~/.cache/atpin/bench/<scale>) and reused by the next run of the same
# scale. Results: loadtests/target/bench/results.md; Gatling's HTML reports: loadtests/target/bench/gatling/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=find-jdk.sh
source "$root/loadtests/find-jdk.sh"
find_jdk

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then set -- --help=true; fi
echo "== building the service and the benchmarks (./mvnw -B -q -ntp -DskipTests -pl loadtests -am package)" >&2
./mvnw -B -q -ntp -DskipTests -pl loadtests -am package
classpath="loadtests/target/classes:$(cat loadtests/target/benchmark-classpath.txt)"
# Gatling reflects into java.lang (its own launchers open it the same way).
exec "$JAVA_HOME/bin/java" -Xms1g -Xmx2g --add-opens=java.base/java.lang=ALL-UNNAMED -Dbench.repo="$root" -cp "$classpath" dev.atpin.loadtests.bench.BenchRunner "$@"
