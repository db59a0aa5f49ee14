#!/usr/bin/env bash
# Every plugin given exports exactly one dynamic symbol: dcx_plugin_entry.
set -euo pipefail
status=0
for so in "$@"; do
  exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWui]$/ {print $3}' | sort)
  if [[ "$exported" != "dcx_plugin_entry" ]]; then
    echo "FAIL: $so exports: $(echo $exported)"; status=1
  else
    echo "ok: $so exports only dcx_plugin_entry"
  fi
done
exit $status
