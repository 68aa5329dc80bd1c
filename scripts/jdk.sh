# Sourced by ./vmm and ./bench: finds a JDK whose major version is at least JVMM_JDK_MIN (25)
# and sets JVMM_JAVA to its java. Looks at $JAVA_HOME, the java on PATH, then the usual JVM
# directories. Prints what is missing and returns 1 when there is none.
JVMM_JDK_MIN=25

# The major version of the java $1: read from the JDK's release file (no JVM start, which would cost
# 0.1 s per candidate), else asked of the JVM itself.
jvmm_java_major() {
  local real line v
  real=$(readlink -f "$1" 2>/dev/null) || real=$1
  if [ -f "${real%/bin/java}/release" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v#1.}; echo "${v%%[!0-9]*}"; return 0 ;;
      esac
    done < "${real%/bin/java}/release"
  fi
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

jvmm_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  c=$(command -v java 2>/dev/null) && candidates+=("$c")
  for c in /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java /opt/*/bin/java \
           "$HOME"/.sdkman/candidates/java/*/bin/java "$HOME"/.jdks/*/bin/java; do
    [ -x "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    major=$(jvmm_java_major "$c")
    if [ -n "$major" ] && [ "$major" -ge "$JVMM_JDK_MIN" ]; then
      JVMM_JAVA="$c"
      JVMM_JAVA_HOME=$(cd "$(dirname "$c")/.." && pwd)
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
  local root=$1 module=$2 stamp="$1/$2/target/.jvmm-built"
  if [ -f "$stamp" ] && [ -z "$(find "$root" -path "$root/.git" -prune -o \
        \( -name pom.xml -o -path '*/src/main/*' \) -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "jvmm: building $module (first run, or sources changed) ..." >&2
  (cd "$root" && ./mvnw -q -B -pl "$module" -am package -DskipTests) >&2 || return 1
  touch "$stamp"
}
