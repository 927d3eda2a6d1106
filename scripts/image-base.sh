#!/usr/bin/env bash
# A minimal base image for the service, assembled on this machine (registry images cannot be pulled here): the
# local JDK, the shared libraries it needs copied from the host, a non-root user 185, as a
# Docker-format tarball that Jib takes as `tar://…` (quarkus.jib.base-jvm-image). Tests only: the image users
# pull is built on the default base, an Eclipse Temurin 21 JRE.
#   scripts/image-base.sh OUT.tar
set -euo pipefail
out="${1:?usage: image-base.sh OUT.tar}"
command -v podman >/dev/null || { echo "image-base.sh: needs podman (apt-get install podman)" >&2; exit 1; }
jdk="${JAVA_HOME:?JAVA_HOME must name a JDK with jlink}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{opt,etc,tmp,work,lib64,usr/bin} && chmod 1777 "$root/tmp"
# the local JDK as it is (a JDK 25 without jmods cannot jlink every module); the image's size does not matter here
cp -a "$(readlink -f "$jdk")" "$root/opt/java"
rm -rf "$root/opt/java/lib/src.zip" "$root/opt/java/jmods" "$root/opt/java/man"
# every shared library the JRE's binaries and libraries load, at the same paths as on the host
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/lib/ {print $1}' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
ln -s /opt/java/bin/java "$root/usr/bin/java"
printf 'root:x:0:0:root:/root:/sbin/nologin\njboss:x:185:185:atpin:/work:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\njboss:x:185:\n' > "$root/etc/group"
tar -C "$root" -cf "$work/rootfs.tar" .
tag="localhost/atpin-test-base:$(date +%s)"
podman import --change 'ENV PATH=/opt/java/bin:/usr/bin' --change 'ENV JAVA_HOME=/opt/java' \
  "$work/rootfs.tar" "$tag" >/dev/null
rm -f "$out"
podman save --format docker-archive -o "$out" "$tag" >/dev/null
podman rmi "$tag" >/dev/null
echo "$out"
