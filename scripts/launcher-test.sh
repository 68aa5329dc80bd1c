#!/usr/bin/env bash
# The launcher's start-up cache (./vmm, scripts/jdk.sh jvmm_aot), checked from the outside: cases
# 1-7 run ./vmm --version with the cache in a temporary directory (JVMM_AOT_CACHE) and assert the
# exact output and status, what the launcher said on stderr, and whether the JVM started from the
# cache (-Xlog:class+load names org.jvmm.cli.Main's source); 8 and 9 boot a pseries guest (its
# status, and with strace the jars it opens); 10 starts two launchers at once. Run by .ci/run after
# the tests; builds vmm-core first when it is stale (as ./vmm does). Exit status 0 when every case
# passed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cache="$dir/jvmm.aot"
failures=0
version=$(sed -n 's/.*version = "\(jvmm [^"]*\)".*/\1/p' "$root/vmm-core/src/main/java/org/jvmm/cli/Main.java")

fail() {
  echo "launcher-test: FAIL: $*" >&2
  failures=$((failures + 1))
}

# run NAME [ENV...]: ./vmm --version with the class-load log on; sets out, err, status, from_cache
run() {
  local name=$1
  shift
  status=0
  env JVMM_AOT_CACHE="$cache" JVMM_JAVA_OPTS="-Xlog:class+load=info:file=$dir/$name.classes" "$@" \
    "$root/vmm" --version >"$dir/$name.out" 2>"$dir/$name.err" || status=$?
  out=$(<"$dir/$name.out")
  err=$(<"$dir/$name.err")
  if grep -q 'org.jvmm.cli.Main source: shared objects file' "$dir/$name.classes" 2>/dev/null; then
    from_cache=yes
  else
    from_cache=no
  fi
  [ "$status" = 0 ] || fail "$name: status $status, not 0 (stderr: $err)"
  [ "$out" = "$version" ] || fail "$name: printed '$out', not '$version'"
}

making="jvmm: making the start-up cache (once after each build; JVMM_AOT=off runs without) ..."

# make sure vmm-core is built, so that no case below measures a build
"$root/vmm" --version >/dev/null 2>&1 </dev/null || JVMM_AOT=off "$root/vmm" --version

# 1. no cache: the launcher trains once, says so, and the run itself starts from the new cache
run missing
[ "$err" = "$making" ] || fail "missing: stderr '$err', not the training notice"
[ -s "$cache" ] || fail "missing: no cache written at $cache"
[ "$from_cache" = yes ] || fail "missing: Main was not loaded from the new cache"

# 2. a fresh cache: no training, no message, classes from the cache
run fresh
[ -z "$err" ] || fail "fresh: stderr '$err', not empty"
[ "$from_cache" = yes ] || fail "fresh: Main was not loaded from the cache"
# picocli runs from the launcher's rewritten copy (its own class files are too old for the cache)
grep -q 'picocli.CommandLine source: shared objects file' "$dir/fresh.classes" ||
  fail "fresh: picocli.CommandLine was not loaded from the cache"

# 3. stale by the launcher's check (a class path jar newer than the training): trained again
touch -d '2000-01-01' "$cache.stamp"
run stale-jar
[ "$err" = "$making" ] || fail "stale-jar: stderr '$err', not the training notice"
[ "$from_cache" = yes ] || fail "stale-jar: Main was not loaded from the new cache"

# 4. stale in a way the check cannot see (the file itself replaced): the JVM refuses it, quietly
printf 'not an AOT cache' >"$cache"
run refused
[ -z "$err" ] || fail "refused: stderr '$err', not empty"
[ "$from_cache" = no ] || fail "refused: Main came from a cache the JVM should have refused"

# 5. made with other JVM options or another java (the stamp's key differs): trained again
echo "/elsewhere/bin/java -Xmx1g" >"$cache.stamp"
run other-java
[ "$err" = "$making" ] || fail "other-java: stderr '$err', not the training notice"
[ "$from_cache" = yes ] || fail "other-java: Main was not loaded from the new cache"

# 6. JVMM_AOT=off: no cache used or made
rm -f "$cache" "$cache.stamp"
run off JVMM_AOT=off
[ -z "$err" ] || fail "off: stderr '$err', not empty"
[ ! -e "$cache" ] || fail "off: a cache was written"
[ "$from_cache" = no ] || fail "off: Main came from a cache"

# 7. a cache that cannot be written: one notice, the run goes on without it
cache="$dir/no-such-dir/jvmm.aot"
run unwritable
[ "$err" = "$making"$'\n'"jvmm: no start-up cache (the training run failed; see $cache.log); running without it" ] ||
  fail "unwritable: stderr '$err'"
[ "$from_cache" = no ] || fail "unwritable: Main came from a cache"

# 8. a machine run ends with its status whether main returns (status 0, nothing else running) or
# calls System.exit (any other status): a pseries boot, then a refused option
cache="$dir/jvmm-9.aot"
status=0
JVMM_AOT_CACHE="$cache" "$root/vmm" -M pseries -bios "$root/guest-tests/images/ppc64/edu-be.bin" \
  >"$dir/boot.out" 2>"$dir/boot.err" </dev/null || status=$?
[ "$status" = 0 ] || fail "boot: status $status, not 0 (stderr: $(<"$dir/boot.err"))"
passes=$(grep -c '^PASS: ' "$dir/boot.out" || true)
[ "$passes" = 8 ] || fail "boot: $passes PASS lines, not 8"
grep -qx 'jvmm: the guest powered off (RTAS power-off)' "$dir/boot.out" || fail "boot: no power-off line"
status=0
JVMM_AOT_CACHE="$cache" "$root/vmm" -M pseries -timeout 0 >"$dir/bad.out" 2>"$dir/bad.err" </dev/null || status=$?
[ "$status" = 2 ] || fail "bad option: status $status, not 2"

# 9. a pseries boot from the cache opens none of the class path's jars: a class or resource not found
# there (picocli's look for Groovy, System.exit's for a LoggerFinder) would open all of them
if command -v strace >/dev/null 2>&1; then
  JVMM_AOT_CACHE="$cache" strace -f -qq -e trace=openat -o "$dir/boot.strace" "$root/vmm" -M pseries \
    -bios "$root/guest-tests/images/ppc64/edu-be.bin" >/dev/null 2>&1 </dev/null || fail "jars: the traced boot failed"
  jars=$(grep -E '\.jar", [^)]*\) = [0-9]' "$dir/boot.strace" | sed -E 's/.*"([^"]*\.jar)".*/\1/' | sort -u || true)
  [ -z "$jars" ] || fail "jars: a pseries boot opened $(echo "$jars" | wc -l) jars: $(echo "$jars" | head -3 | tr '\n' ' ')"
  cases=10
else
  echo "launcher-test: case 9 (the jars a boot opens) skipped: strace is not installed" >&2
  cases=9
fi

# 10. two launchers started together with vmm-core stale (serve-device, then a client): one builds,
# the other waits for it and finds the build fresh; both run
touch -d '2000-01-01' "$root/vmm-core/target/.jvmm-built"
JVMM_AOT=off "$root/vmm" --version >"$dir/a.out" 2>"$dir/a.err" </dev/null & a=$!
JVMM_AOT=off "$root/vmm" --version >"$dir/b.out" 2>"$dir/b.err" </dev/null & b=$!
sa=0 sb=0
wait "$a" || sa=$?
wait "$b" || sb=$?
[ "$sa/$sb" = 0/0 ] || fail "together: statuses $sa and $sb, not 0 and 0"
[ "$(cat "$dir/a.out")/$(cat "$dir/b.out")" = "$version/$version" ] || fail "together: printed '$(cat "$dir/a.out" "$dir/b.out")'"
builds=$(cat "$dir/a.err" "$dir/b.err" | grep -c '^jvmm: building vmm-core' || true)
[ "$builds" = 1 ] || fail "together: $builds builds, not 1 (stderr: $(cat "$dir/a.err" "$dir/b.err"))"

if [ "$failures" -gt 0 ]; then
  echo "launcher-test: $failures failed" >&2
  exit 1
fi
echo "launcher-test: $cases cases passed (cache missing, fresh, stale jar, refused, other java, off, unwritable, a machine run's status,$([ "$cases" = 10 ] && echo " the jars a boot opens,") two at once)"
