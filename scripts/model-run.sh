#!/usr/bin/env bash
# Long model runs: scripts/model-run.sh type1|spapr OPS [SEED]
# Builds vfio-device's test classes and runs org.jvmm.vfio.iommu.ModelRun: OPS operations of the
# TYPE1 or sPAPR TCE reference-model test (the jqwik properties' harness and generator), printing
# operations run, divergences (0 expected), the seed (give it back to replay) and the time.
# Extra Maven flags (e.g. -o to stay offline) go in MVN_FLAGS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/jdk.sh"
jvmm_find_jdk || exit 1
export JAVA_HOME="$JVMM_JAVA_HOME"
if [ $# -lt 2 ]; then
  echo "usage: scripts/model-run.sh type1|spapr OPS [SEED]" >&2
  exit 2
fi
cd "$root"
cpfile=vfio-device/target/test-runtime-classpath.txt
./mvnw -B -q ${MVN_FLAGS:-} test-compile dependency:build-classpath -pl vfio-device \
  -Dmdep.outputFile=target/test-runtime-classpath.txt -Dmdep.includeScope=test >&2
cp="vfio-device/target/test-classes:vfio-device/target/classes:$(cat "$cpfile")"
exec "$JVMM_JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" org.jvmm.vfio.iommu.ModelRun "$@"
