#!/usr/bin/env bash
# Gathers everything scripts/gpu-check.sh needs on a GPU machine that has no Java, no Maven and no
# network into the git-ignored folder .gpu/ (kept under 64 MiB, the most a device run carries):
#
#   .gpu/lib/        the jars of every module with their runtime dependencies (JCuda/JCublas with their
#                    linux-x86_64 natives only, slimmed of the NVRTC/nvPTXCompiler bindings Cairn never
#                    loads; SLF4J; the samples' CLI when the samples module builds)
#   .gpu/test-classes/  cuda-backend's compiled tests
#   .gpu/core-test-classes/  core's compiled tests (the op suite, whose CUDA variants run on the GPU)
#   .gpu/samples-test-classes/  the samples' compiled tests (golden and reference-model cases)
#   .gpu/junit-platform-console-standalone.jar   runs those tests without Maven
#   .gpu/jre.tar.gz  a Java runtime made with ../shared/device/make-jre.sh (50 MB, 29 MB packed;
#                    gpu-check.sh unpacks it to .gpu/jre)
#
# Usage, from anywhere:  scripts/gpu/prepare.sh      (then run scripts/gpu-check.sh on the GPU machine)
# Environment: JAVA_HOME (default the Temurin 25 JDK), MVN (default mvn), SHARED (default ../shared or
# /work/shared, where device/make-jre.sh lives).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
MVN=${MVN:-mvn}
JUNIT_CONSOLE_VERSION=${JUNIT_CONSOLE_VERSION:-1.14.1}
SHARED=${SHARED:-}
if [ -z "$SHARED" ]; then
  for s in "$root/../shared" "$root/shared" /work/shared; do
    [ -x "$s/device/make-jre.sh" ] && { SHARED=$s; break; }
  done
fi
[ -n "$SHARED" ] || { echo "error: cannot find shared/device/make-jre.sh (set SHARED)" >&2; exit 1; }

log=$root/target/gpu-prepare.log
mkdir -p "$root/target"
: >"$log"
mvnq() { "$MVN" -q -B "$@" >>"$log" 2>&1; }

echo "building backend-api, core, cpu-backend and cuda-backend (log: $log)"
mvnq -pl backend-api,core,cpu-backend,cuda-backend -am install -DskipTests
mvnq -pl cuda-backend,core test-compile

rm -rf .gpu
mkdir -p .gpu/lib .gpu/test-classes
grep -qx '.gpu/' .gitignore 2>/dev/null || grep -qx '/.gpu/' .git/info/exclude 2>/dev/null \
  || echo '/.gpu/' >>.git/info/exclude

samples_ok=0
echo "building samples (the CLI)"
if mvnq -pl samples -am package -DskipTests && ls samples/target/cairn-samples*.jar >/dev/null 2>&1; then
  samples_ok=1
  cp samples/target/cairn-samples*.jar .gpu/lib/
  cp samples/target/lib/*.jar .gpu/lib/
  # the op, golden and reference-model tests (device-parameterized: their CUDA variants run on the GPU)
  if mvnq -pl samples -am test-compile; then
    mkdir -p .gpu/samples-test-classes
    cp -r samples/target/test-classes/. .gpu/samples-test-classes/
    rm -rf .gpu/samples-test-classes/fashion-mnist-subset
  fi
else
  echo "warning: the samples module did not build (see $log); .gpu gets the CUDA tests but no CLI" >&2
fi
# cuda-backend and cpu-backend with their runtime dependencies (also covers a failed samples build).
mvnq -pl cuda-backend dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/.gpu/lib"
cp cuda-backend/target/cairn-cuda-backend-*.jar .gpu/lib/
cp cpu-backend/target/cairn-cpu-backend-*.jar .gpu/lib/ 2>/dev/null || true
cp backend-api/target/cairn-backend-api-*.jar core/target/cairn-core-*.jar .gpu/lib/
mvnq -pl core dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/.gpu/lib"
mvnq dependency:copy -Dartifact=org.slf4j:slf4j-simple:2.0.17 -DoutputDirectory="$root/.gpu/lib"
rm -f .gpu/lib/*-tests.jar .gpu/lib/*windows-x86_64*.jar .gpu/lib/*-sources.jar .gpu/lib/*-javadoc.jar
# Cairn's jars of this version only (target/ folders may still hold jars of an older version)
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
for j in .gpu/lib/cairn-*.jar; do
  case $j in *-"$version".jar|*/cairn-samples.jar) ;; *) rm -f "$j" ;; esac
done

# Slim the JCuda natives: Cairn loads libJCudaDriver (and JCuda's runtime binding for pointers) but never
# NVRTC or the nvPTXCompiler binding (24 MB unpacked).
for j in .gpu/lib/jcuda-natives-*-linux-x86_64.jar; do
  [ -f "$j" ] || continue
  zip -q -d "$j" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' >/dev/null 2>&1 || true
done

cp -r cuda-backend/target/test-classes/. .gpu/test-classes/
mkdir -p .gpu/core-test-classes
cp -r core/target/test-classes/. .gpu/core-test-classes/
mvnq dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE_VERSION \
  -DoutputDirectory="$root/.gpu"
mv .gpu/junit-platform-console-standalone-*.jar .gpu/junit-platform-console-standalone.jar

echo "making the Java runtime"
"$SHARED/device/make-jre.sh" .gpu/jre >>"$log" 2>&1
# carried packed (about 29 MB instead of 50): gpu-check.sh unpacks it on the GPU machine
tar -czf .gpu/jre.tar.gz -C .gpu jre
rm -rf .gpu/jre

echo "samples CLI included: $([ $samples_ok = 1 ] && echo yes || echo NO)"
ls .gpu/lib
du -sh .gpu
size_kb=$(du -sk .gpu | cut -f1)
if [ "$size_kb" -gt $((64 * 1024)) ]; then
  echo "error: .gpu is ${size_kb} KiB, over the 64 MiB a device run carries" >&2
  exit 1
fi
echo "ready: run scripts/gpu-check.sh on the GPU machine (carry .gpu)"
