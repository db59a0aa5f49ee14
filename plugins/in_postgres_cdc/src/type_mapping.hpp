// SPDX-License-Identifier: Apache-2.0
// Column values to JSON, by the column's type OID from the Relation message (or the snapshot
// query's result). pgoutput protocol 1 sends every value in its type's text output form; the
// plugin's replication session fixes DateStyle=ISO, TimeZone=UTC, bytea_output=hex and
// extra_float_digits=3, so the forms below are the only ones to expect.
//
//   bool                           true / false
//   int2, int4, int8, oid          JSON integer
//   float4, float8                 JSON number; NaN and +-Infinity as the strings PostgreSQL prints
//   numeric                        string (exact; "NaN" too)
//   json, jsonb                    the JSON value itself
//   bytea                          standard base64 of the bytes
//   timestamp                      "2024-05-01T12:30:00.123456" (no zone)
//   timestamptz                    "2024-05-01T12:30:00.123456Z"
//   text, varchar, char, name, uuid, date, time, interval, ...   string
//   arrays, enums, ranges, geometry, user-defined and unknown types   string: the text form
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dcx::pgcdc {

/// Built-in type OIDs (src/include/catalog/pg_type.dat); stable across PostgreSQL versions.
namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23,
                          kText = 25, kOid = 26, kJson = 114, kXml = 142, kFloat4 = 700, kFloat8 = 701,
                          kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083, kTimestamp = 1114,
                          kTimestamptz = 1184, kInterval = 1186, kTimetz = 1266, kNumeric = 1700, kUuid = 2950,
                          kJsonb = 3802;
}  // namespace oid

/// True for the types mapped above to something other than their plain text form, and for the
/// built-in string-like types (text, varchar, uuid, date, ...). False for arrays, user-defined
/// and other types, which go out as text (worth a note in the log).
bool is_mapped_type(uint32_t type_oid);

/// The JSON value of one column value in text form.
nlohmann::json text_value_to_json(uint32_t type_oid, std::string_view text);

/// `text` when it is valid UTF-8, otherwise a copy with each invalid byte replaced by U+FFFD.
/// The session asks for client_encoding UTF8, but a SQL_ASCII database converts nothing, and
/// JSON text, keys and attributes must be UTF-8.
std::string utf8_text(std::string_view text);

/// A value pgoutput sent in binary form (never with protocol 1 unless asked): base64 string.
nlohmann::json binary_value_to_json(std::string_view bytes);

}  // namespace dcx::pgcdc
