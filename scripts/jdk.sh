# Sourced by ./vmm and ./bench: finds a JDK whose major version is at least JVMM_JDK_MIN (25)
# and sets JVMM_JAVA to its java. Looks at $JAVA_HOME, the java on PATH, then the usual JVM
# directories. Prints what is missing and returns 1 when there is none.
JVMM_JDK_MIN=25

# Sets JVMM_MAJOR to the major version of the java $1 (empty when unknown): read from the JDK's
# release file (no JVM is started to ask, which would cost 0.1 s per candidate), else asked of the
# JVM itself. The release file is looked for beside $1 first and only then beside the file $1 links
# to: each readlink is a process, some milliseconds on a small VM, and so is a $(...) around this.
jvmm_java_major() {
  local real=$1 line v
  JVMM_MAJOR=
  [ -f "${real%/bin/java}/release" ] || real=$(readlink -f "$1" 2>/dev/null) || real=$1
  if [ -f "${real%/bin/java}/release" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v#1.}; JVMM_MAJOR=${v%%[!0-9]*}; return 0 ;;
      esac
    done < "${real%/bin/java}/release"
  fi
  JVMM_MAJOR=$("$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1) || true
}

jvmm_find_jdk() {
  local candidates=() c
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  c=$(command -v java 2>/dev/null) && candidates+=("$c")
  for c in /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java /opt/*/bin/java \
           "$HOME"/.sdkman/candidates/java/*/bin/java "$HOME"/.jdks/*/bin/java; do
    [ -x "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    jvmm_java_major "$c"
    if [ -n "$JVMM_MAJOR" ] && [ "$JVMM_MAJOR" -ge "$JVMM_JDK_MIN" ]; then
      JVMM_JAVA="$c"
      case $c in
        /*/bin/java) JVMM_JAVA_HOME=${c%/bin/java}; JVMM_JAVA_HOME=${JVMM_JAVA_HOME%/} ;;
        *) JVMM_JAVA_HOME=$(cd "$(dirname "$c")/.." && pwd) ;;
      esac
      return 0
    fi
  done
  echo "jvmm: no JDK $JVMM_JDK_MIN or newer found (looked at \$JAVA_HOME, the java on PATH and" \
       "/usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman, ~/.jdks). Install a JDK >= $JVMM_JDK_MIN" \
       "or point JAVA_HOME at one." >&2
  return 1
}

# Rebuilds the named module and what it needs when any source or pom is newer than its stamp.
jvmm_build_if_stale() {
  local root=$1 module=$2 stamp="$1/$2/target/.jvmm-built" lock
  jvmm_built_fresh "$root" "$stamp" && return 0
  # launchers started together (serve-device, then a client; ./vmm and ./bench) build one at a
  # time: the others wait, then find the stamp fresh (flock is util-linux's; without it each builds, as before)
  if command -v flock >/dev/null 2>&1 && exec {lock}>>"$root/.jvmm-build.lock"; then
    flock "$lock"
    if jvmm_built_fresh "$root" "$stamp"; then
      exec {lock}>&-
      return 0
    fi
  fi
  echo "jvmm: building $module (first run, or sources changed) ..." >&2
  local rc=0
  (cd "$root" && ./mvnw -q -B -pl "$module" -am package -DskipTests) >&2 || rc=1
  [ $rc = 0 ] && touch "$stamp"
  [ -n "${lock:-}" ] && exec {lock}>&-
  return $rc
}

# True when STAMP exists and no pom.xml or main source under ROOT is newer than it.
#   jvmm_built_fresh ROOT STAMP
jvmm_built_fresh() {
  local root=$1 stamp=$2
  [ -f "$stamp" ] && [ -z "$(find "$root" \( -path "$root/.git" -o -name target -o -name node_modules \) -prune -o \
        \( -name pom.xml -o -path '*/src/main/*' \) -newer "$stamp" -print -quit)" ]
}

# The jar a module's build made in DIR (its target), not the tests' or sources' jar: sets JVMM_JAR.
jvmm_module_jar() {
  local j
  JVMM_JAR=
  for j in "$1"/*.jar; do
    case $j in *-tests.jar|*-sources.jar|*-javadoc.jar) continue ;; esac
    JVMM_JAR=$j
  done
  [ -n "$JVMM_JAR" ]
}

# The class path CP with its picocli jar replaced by OUT, a copy whose class files are rewritten to a
# version the start-up cache takes (org.jvmm.cli.UpgradeClassFiles, in the class path's first jar):
# sets JVMM_CP. OUT is made when missing or older than the picocli jar; returns 1 (JVMM_CP = CP)
# when there is no picocli jar or the rewrite failed, and the run uses the original jar.
#   jvmm_upgraded_picocli CP OUT
jvmm_upgraded_picocli() {
  local cp=$1 out=$2 entry pico="" IFS=:
  JVMM_CP=$cp
  for entry in $cp; do
    case ${entry##*/} in picocli-[0-9]*.jar) pico=$entry ;; esac
  done
  [ -n "$pico" ] || return 1
  if [ ! -s "$out" ] || [ "$pico" -nt "$out" ]; then
    "$JVMM_JAVA" -cp "${cp%%:*}" org.jvmm.cli.UpgradeClassFiles "$pico" "$out" >/dev/null 2>"$out.log" </dev/null || {
      echo "jvmm: could not rewrite $pico for the start-up cache (see $out.log); running the original" >&2
      rm -f "$out"
      return 1
    }
  fi
  JVMM_CP=${cp/"$pico"/"$out"}
}

# The JDK's ahead-of-time cache (JEPs 483, 514, 515) for a JVM command line: sets the array
# JVMM_AOT_FLAGS to the flags that start from CACHE, after making CACHE with a training run of
# TRAINER (a main class) when it is missing or stale; empty when JVMM_AOT=off or when no cache
# could be made. Stale means: made by another java than JVMM_JAVA or with other JVM options, or
# older than a jar of the class path (after -cp in the JVM options given). The check costs one
# stat per class path entry; CACHE.stamp holds the java and the options of the training.
# The JVM refuses a cache that still does not match (e.g. a JDK updated in place) and runs
# without it; -Xlog:aot=off keeps that quiet. The training's messages go to CACHE.log.
#   jvmm_aot CACHE TRAINER JVM-OPTIONS...
jvmm_aot() {
  local cache=$1 trainer=$2 made="" stale=no entry cp=""
  shift 2
  JVMM_AOT_FLAGS=()
  [ "${JVMM_AOT:-on}" = off ] && return 0
  local args=("$@") i
  for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[i]}" = -cp ] && cp=${args[i + 1]}
  done
  local key="$JVMM_JAVA $*"
  [ -f "$cache.stamp" ] && IFS= read -r made < "$cache.stamp"
  if [ "$made" != "$key" ]; then
    stale=yes
  else
    local IFS=:
    for entry in $cp; do
      if [ "$entry" -nt "$cache.stamp" ]; then stale=yes; break; fi
    done
  fi
  if [ "$stale" = yes ]; then
    echo "jvmm: making the start-up cache (once after each build; JVMM_AOT=off runs without) ..." >&2
    rm -f "$cache" 2>/dev/null || true
    # a training run that failed in part still leaves a cache of what ran
    "$JVMM_JAVA" -XX:AOTCacheOutput="$cache.$$" "$@" "$trainer" 2>/dev/null >"$cache.log" 2>&1 </dev/null || true
    if [ -s "$cache.$$" ] && mv -f "$cache.$$" "$cache" 2>/dev/null; then
      :
    else
      echo "jvmm: no start-up cache (the training run failed; see $cache.log); running without it" >&2
    fi
    rm -f "$cache.$$" "$cache.$$.config" 2>/dev/null || true
    # tried once for this key, made or not: the next run does not train again
    printf '%s\n' "$key" 2>/dev/null > "$cache.stamp" || true
  fi
  [ -s "$cache" ] && JVMM_AOT_FLAGS=(-XX:AOTCache="$cache" -Xlog:aot=off)
  return 0
}
