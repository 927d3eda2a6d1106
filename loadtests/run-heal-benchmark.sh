#!/usr/bin/env bash
# Self-healing and pin throughput on three real Kubo nodes with the packaged service
# (service/src/test/java/dev/atpin/process/HealBenchmark.java). Prints two BENCH lines:
#   pins/s reaching `pinned` through the service (R=1) vs a bare sequential `pin/add` loop on the same nodes,
#   and the time to restore R=2 for every content after a kill -9 of the node holding most of them.
#
#   loadtests/run-heal-benchmark.sh            1,000 contents, Kubo-direct
#   loadtests/run-heal-benchmark.sh 10000      10,000 contents
#   BENCH_BACKEND=kubo,ipfs-cluster loadtests/run-heal-benchmark.sh
#       also pins/s through the IPFS Cluster backend (three cluster peers, each with its own Kubo) against the
#       same bare pin/add loop on those Kubo nodes (BENCH_BACKEND=ipfs-cluster: that one only)
#   BENCH_WARMUP=0 loadtests/run-heal-benchmark.sh
#       no unmeasured warm-up of the service before its pins/s (default: 500 other contents pinned first; a
#       production service is warm, a just-started JVM is not; the bare loop is unchanged either way)
#   BENCH_PROFILE=true loadtests/run-heal-benchmark.sh 3000
#       also JFR of the service, pg_stat_statements, placement rows by state and the claim query's plan during the
#       restore (slower itself: for finding where the time goes, not for the figures)
#
# Builds and packages the service first. Other work on the machine skews the figures: note the load.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=find-jdk.sh
source "$root/loadtests/find-jdk.sh"
find_jdk
contents="${1:-1000}"
backend="${BENCH_BACKEND:-kubo}"
profile="${BENCH_PROFILE:-false}"
warmup="${BENCH_WARMUP:-500}"
mkdir -p "$root/loadtests/target"
echo "== $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
./mvnw -B -ntp -pl service verify -Dtest=NONE -DfailIfNoTests=false -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=HealBenchmark -Datpin.bench.contents="$contents" -Datpin.bench.backend="$backend" -Datpin.bench.profile="$profile" -Datpin.bench.warmup="$warmup" -Dfailsafe.timeout=7200 \
  | tee "$root/loadtests/target/heal-benchmark.log" | grep -E '^BENCH|Tests run|ERROR' || true
