#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The install + out-of-tree plugin test (ctest -L packaging):
#   1. `cmake --install` the build tree into a temporary prefix and check the layout;
#   2. the pkg-config file resolves to that prefix and its headers compile as C;
#   3. examples/in_loadavg is configured and built in its own build tree with
#      find_package(DanubeConnect) from that prefix (and nothing of the source tree), then installed
#      into the prefix's plugins directory;
#   4. the plugin exports only dcx_plugin_entry;
#   5. the installed danube-connectd accepts it with --check, then runs it against the installed
#      danube-test-broker until 5 records are in the broker's journal, and drains on SIGTERM (exit 0).
# Usage: install_and_run_example.sh BUILD_DIR SOURCE_DIR CMAKE GENERATOR CXX_COMPILER
set -euo pipefail

build_dir=$1 source_dir=$2 cmake=$3 generator=$4 cxx=$5
records=5

work=$(realpath "$(mktemp -d "${TMPDIR:-/tmp}/dcx-packaging.XXXXXX")")
prefix=$work/prefix
pids=()
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((status != 0)); then
    echo "FAIL (exit $status); logs in $work:"
    for f in "$work"/*.log; do [[ -f $f ]] && { echo "--- $f"; tail -n 40 "$f"; }; done
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok (${SECONDS}s): $*"; }
# Waits (bounded, 100 ms steps) until the command succeeds.
wait_for() {
  local seconds=$1; shift
  for ((i = 0; i < seconds * 10; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}

# 1. install into a temporary prefix ------------------------------------------------------------
"$cmake" --install "$build_dir" --prefix "$prefix" > "$work/install.log"
for f in bin/danube-connectd bin/danube-test-broker lib/danube-connectd/plugins/in_datagen.so \
         include/dcx/plugin_api.h include/dcx/version.h include/dcx/ext/config_schema.h \
         include/dcx/sdk/source_connector.hpp \
         lib/cmake/DanubeConnect/DanubeConnectConfig.cmake lib/cmake/DanubeConnect/DanubeConnectConfigVersion.cmake \
         lib/cmake/DanubeConnect/DanubeConnectTargets.cmake lib/cmake/DanubeConnect/plugin_exports.map \
         lib/pkgconfig/danube-connect-plugin.pc lib/systemd/system/danube-connectd.service; do
  [[ -e $prefix/$f ]] || fail "not installed: $f"
done
grep -qx "ExecStart=$prefix/bin/danube-connectd" "$prefix/lib/systemd/system/danube-connectd.service" \
  || fail "the installed unit does not start $prefix/bin/danube-connectd"
# Every plugin of the build (build/plugins/*.so: dcx_add_plugin and cargo-built ones) is installed.
for so in "$build_dir"/plugins/*.so; do
  [[ -f $prefix/lib/danube-connectd/plugins/$(basename "$so") ]] || fail "plugin not installed: $(basename "$so")"
done
for f in "$prefix"/bin/* "$prefix"/lib/danube-connectd/plugins/*.so; do
  if readelf -d "$f" | grep -E 'R(UN)?PATH' | grep -qF "$build_dir"; then fail "$f has a RUNPATH into the build tree"; fi
done
ok "installed into $prefix ($(wc -l < "$build_dir/install_manifest.txt") files; plugins: $(cd "$prefix/lib/danube-connectd/plugins" && echo *.so))"

# 2. pkg-config -----------------------------------------------------------------------------------
if command -v pkg-config > /dev/null; then
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  cflags=$(pkg-config --cflags danube-connect-plugin)
  [[ $(realpath "$(pkg-config --variable=includedir danube-connect-plugin)") == "$prefix/include" ]] \
    || fail "pkg-config includedir is not $prefix/include"
  [[ -f $(pkg-config --variable=exports_map danube-connect-plugin) ]] || fail "pkg-config exports_map missing"
  printf '#include <dcx/plugin_api.h>\n#include <dcx/ext/config_schema.h>\nint main(void) { return DCX_ABI_VERSION_MAJOR - 1; }\n' \
    > "$work/pc_check.c"
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags "$work/pc_check.c" || fail "headers do not compile with pkg-config's cflags"
  ok "pkg-config danube-connect-plugin: $cflags"
  unset PKG_CONFIG_PATH
fi

# 3. the out-of-tree example against the installed package ----------------------------------------
# A copy of the example, so nothing of the source tree is next to it. No build type (-O0): this
# checks the package, not the optimizer, and saves CPU time in CI.
cp -r "$source_dir/examples/in_loadavg" "$work/in_loadavg"
"$cmake" -S "$work/in_loadavg" -B "$work/example-build" -G "$generator" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_COMPILE_WARNING_AS_ERROR=ON > "$work/example-configure.log"
found=$(sed -n 's/^DanubeConnect_DIR:PATH=//p' "$work/example-build/CMakeCache.txt")
[[ $(realpath "$found") == "$prefix/lib/cmake/DanubeConnect" ]] || fail "find_package(DanubeConnect) found $found"
"$cmake" --build "$work/example-build" > "$work/example-build.log"
# No --prefix: the example installs into the prefix of the DanubeConnect package it was built with.
"$cmake" --install "$work/example-build" > "$work/example-install.log"
so=$prefix/lib/danube-connectd/plugins/in_loadavg.so
[[ -f $so ]] || fail "in_loadavg.so was not installed into the plugins directory"
ok "examples/in_loadavg built with find_package(DanubeConnect) from $found"

# 4. symbol hygiene --------------------------------------------------------------------------------
"$source_dir/tests/plugin-api/check_exports.sh" "$so" > "$work/exports.log" || { cat "$work/exports.log"; fail "in_loadavg.so exports more than dcx_plugin_entry"; }
exports=$(< "$work/exports.log")
ok "${exports#ok: }"

# 5. the installed daemon runs it ------------------------------------------------------------------
connectd=$prefix/bin/danube-connectd
broker=$prefix/bin/danube-test-broker
plugins=$prefix/lib/danube-connectd/plugins
"$broker" --listen 127.0.0.1:0 --port-file "$work/broker.port" --data-dir "$work/broker-data" \
  2> "$work/broker.log" &
pids+=($!)
wait_for 20 test -s "$work/broker.port" || fail "danube-test-broker did not start"
port=$(< "$work/broker.port")

# plugins_dir: the daemon's default lookup (<exe>/../plugins, else /usr/lib/danube-connectd/plugins)
# finds installed plugins only for prefix /usr; see docs/deployment.md.
cat > "$work/connector.toml" << EOF
danube_service_url = "http://127.0.0.1:$port"
connector_name = "packaging-test"
plugin = "in_loadavg"
plugins_dir = "$plugins"
data_dir = "$work/state"

[http]
address = "127.0.0.1"
port = 0

[loadavg]
topic = "/default/loadavg"
interval_ms = 20
max_records = $records
host = "packaging-test"
EOF
"$connectd" --check --config "$work/connector.toml" > "$work/check.log" 2>&1 || fail "danube-connectd --check refused the config"
grep -q "configuration OK" "$work/check.log" || fail "--check did not say configuration OK"
ok "installed danube-connectd --check loads in_loadavg: $(grep -o 'loaded plugin.*' "$work/check.log" | head -n 1)"
# Informational: without plugins_dir the daemon looks in <exe>/../plugins, else
# /usr/lib/danube-connectd/plugins, so it finds this prefix's plugins only when the prefix is /usr.
sed '/^plugins_dir = /d' "$work/connector.toml" > "$work/default-lookup.toml"
if "$connectd" --check --config "$work/default-lookup.toml" > "$work/default-lookup.log" 2>&1; then
  echo "note: the default plugin lookup finds $plugins"
else
  echo "note: the default plugin lookup does not find $plugins (prefix is not /usr; plugins_dir needed)"
fi

CONNECTOR_CONFIG_PATH=$work/connector.toml "$connectd" > "$work/connectd.log" 2>&1 &
connectd_pid=$!
pids+=("$connectd_pid")
journal=$work/broker-data/journal.jsonl
count_records() {
  "$broker" consume --journal "$journal" -t /default/loadavg > "$work/count.out" 2> /dev/null || true
  grep -c '^Received message: ' "$work/count.out" || true
}
enough() { [[ -f $journal ]] && (($(count_records) >= records)); }
wait_for 30 enough || fail "the broker's journal has $(count_records) of $records records"
kill -TERM "$connectd_pid"
code=0
wait "$connectd_pid" || code=$?
((code == 0)) || fail "danube-connectd exited $code after SIGTERM"
got=$(count_records)
((got == records)) || fail "journal has $got records on /default/loadavg, expected $records"
"$broker" consume --journal "$journal" -t /default/loadavg > "$work/consumed.log"
grep -q '"host":"packaging-test"' "$work/consumed.log" || fail "records do not carry the example's payload"
[[ -f $work/state/offsets/packaging-test.json ]] || fail "no committed offsets in data_dir"
ok "installed daemon published $got in_loadavg records to the installed test broker, drained on SIGTERM"
echo "    $(grep -m 1 '^Received message: ' "$work/consumed.log")"
