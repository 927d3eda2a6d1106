#!/usr/bin/env bash
# Runs the firehose decoding benchmark (JMH) and prints JMH's result table: frames per second for
# irrelevant frames (header-only filtering) and for full verification of relevant commits.
# See loadtests/README.md.
#
#   loadtests/run-firehose-benchmark.sh                      all four benchmarks, about 2 minutes
#   loadtests/run-firehose-benchmark.sh fullVerification     only those whose name matches the regex
#   loadtests/run-firehose-benchmark.sh -- -p repos=200      extra JMH options after --
#   loadtests/run-firehose-benchmark.sh headerOnly -- -wi 1 -i 2 -prof gc
#
# Builds the service and this module first (tests skipped). JSON results go to
# loadtests/target/firehose-benchmark.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=find-jdk.sh
source "$root/loadtests/find-jdk.sh"
find_jdk

pattern="FirehoseDecodeBenchmark"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  pattern="FirehoseDecodeBenchmark\\.($1)"
  shift
fi
[ "${1:-}" = "--" ] && shift

echo "== building (./mvnw -B -q -ntp -DskipTests -pl loadtests -am package)"
./mvnw -B -q -ntp -DskipTests -pl loadtests -am package

classpath="loadtests/target/classes:$(cat loadtests/target/benchmark-classpath.txt)"
echo "== running JMH: $pattern (JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(nproc) CPUs;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'): other work on the machine skews the figures)"
# The corpus cache saves each forked JVM the few seconds of generating the frames; it is keyed by the
# generator's bytecode and parameters, so it is never stale.
exec "$JAVA_HOME/bin/java" -Datpin.bench.corpusCache="$root/loadtests/target/corpus-cache" \
  -cp "$classpath" org.openjdk.jmh.Main "$pattern" \
  -rf json -rff "$root/loadtests/target/firehose-benchmark.json" "$@"
