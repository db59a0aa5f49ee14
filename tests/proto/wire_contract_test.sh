#!/usr/bin/env bash
# proto/ must be wire-identical to Danube v0.15.1's protos: same packages, services, messages,
# field numbers and types. Compiled descriptors (without comments or source positions) of both
# must be byte-identical. Skips (77) when the reference copy is not beside the repository.
set -euo pipefail
protoc=$1 project=$2 reference=$3 work=$4
if [[ ! -d "$reference" ]]; then
  echo "SKIP: reference protos not found at $reference"; exit 77
fi
mkdir -p "$work"
status=0
for f in DanubeApi.proto SchemaRegistry.proto; do
  "$protoc" -I "$project" --descriptor_set_out="$work/project-$f.pb" "$project/$f"
  "$protoc" -I "$reference" --descriptor_set_out="$work/reference-$f.pb" "$reference/$f"
  if cmp -s "$work/project-$f.pb" "$work/reference-$f.pb"; then
    echo "ok: $f is wire-identical to the reference"
  else
    echo "FAIL: $f differs from $reference/$f"; status=1
  fi
done
exit $status
