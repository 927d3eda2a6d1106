# Sourced by the loadtests scripts: exports JAVA_HOME as a JDK >= 21 (JAVA_HOME, java on PATH, then
# /usr/lib/jvm/*), the same search as ./atpin.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    local v; v="$(java_major "$home/bin/java")"; v="${v%%.*}"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME="$home"; return; fi
  done
  echo "$(basename "$0"): needs a JDK 21 or newer (JAVA_HOME, PATH or /usr/lib/jvm)." >&2
  exit 1
}
