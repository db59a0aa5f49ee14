// SPDX-License-Identifier: Apache-2.0
// One StreamMessage carries record after record without reallocating. protobuf's Clear() keeps
// string capacity but frees the map entries and the msg_id sub-message, which would cost a few
// allocations per record; these keep them. Plugins set the same attribute names on every record,
// so the previous record's entries are overwritten in place when the names match.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/map.h>

#include "DanubeApi.pb.h"

namespace dcx::pipeline {

using AttributeMap = google::protobuf::Map<std::string, std::string>;

/// Clears every field of `m`, keeping the storage of its strings, its attribute entries and its
/// msg_id (whose fields the publisher sets on every send).
void clear_for_reuse(danube::StreamMessage& m);

/// Makes `to` hold exactly `from` (a later duplicate name wins, as with repeated assignment).
void assign_attributes(AttributeMap& to, const std::vector<std::pair<std::string, std::string>>& from);

}  // namespace dcx::pipeline
