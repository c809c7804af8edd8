#!/usr/bin/env bash
# Builds the benchmarks module and runs its JMH benchmarks; extra arguments go to JMH
# (e.g. scripts/jmh.sh LinearBenchmark -p batch=1). Needs a JDK 21+ (JAVA_HOME or /usr/lib/jvm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -DskipTests -pl benchmarks -am package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector \
  -cp "benchmarks/target/cairn-benchmarks.jar:benchmarks/target/lib/*" org.openjdk.jmh.Main "$@"
