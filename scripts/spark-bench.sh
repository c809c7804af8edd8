#!/usr/bin/env bash
# Measures `bin/cairn spark-score` against Cairn scoring the same rows in one process without Spark
# (--compare-in-process: same batch size, rows read into memory first). The numbers in
# BENCHMARKS.md ("Batch inference on Apache Spark") come from this script.
#
#   scripts/spark-bench.sh [WORKDIR]     (default: /tmp/cairn-spark-bench)
#
# Environment: MLP_ROWS (default 1000000), WIDE_ROWS (default 20000), MASTER (default local[2]),
# BATCH (default 1024). Needs a JDK 21+ (JAVA_HOME) and a built project (bin/cairn builds it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/cairn-spark-bench}
MLP_ROWS=${MLP_ROWS:-1000000}
WIDE_ROWS=${WIDE_ROWS:-20000}
MASTER=${MASTER:-local[2]}
BATCH=${BATCH:-1024}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
mkdir -p "$WORK"
"$ROOT/bin/cairn" spark-score --help >/dev/null     # builds the project when needed
export CAIRN_LOG=${CAIRN_LOG:-warn}

gen() {
  "$JAVA" -cp "$(cat "$ROOT/spark/target/spark-classpath.txt")" --add-modules jdk.incubator.vector \
    --enable-native-access=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    "$ROOT/scripts/spark_bench_data.java" "$@" 2>>"$WORK/data.log"
}
data() {     # data ROWS FEATURES OUT
  [ -d "$3" ] || gen "$1" "$2" 8 "$3"
}
weights() {  # weights MODEL OUT: the model's initial (seeded) weights
  [ -f "$2" ] || gen weights "$1" "$2"
}

for spec in "mlp 20 $MLP_ROWS" "wide 1024 $WIDE_ROWS"; do
  set -- $spec
  model=$1 width=$2 rows=$3
  data "$rows" "$width" "$WORK/$model-$rows.parquet"
  weights "$model" "$WORK/$model.safetensors"
  echo "== $model: $rows rows x $width features, $MASTER, batch $BATCH"
  "$ROOT/bin/cairn" spark-score --model "$model" --weights "$WORK/$model.safetensors" \
    --input "$WORK/$model-$rows.parquet" --output "$WORK/$model-out.parquet" --overwrite \
    --master "$MASTER" --batch-rows "$BATCH" --device cpu --compare-in-process
done
