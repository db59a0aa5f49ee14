// SPDX-License-Identifier: Apache-2.0
#include "pipeline/message_reuse.hpp"

namespace dcx::pipeline {
namespace {

// Beyond this many names the duplicate check below (quadratic) costs more than a rebuild.
constexpr size_t kMaxReusedAttributes = 16;

// True when `to` has exactly the names of `from`: as many entries, each name of `from` present
// and no name twice in `from` (a duplicate would leave one of `to`'s names unassigned).
bool same_names(const AttributeMap& to, const std::vector<std::pair<std::string, std::string>>& from) {
    if (to.size() != from.size() || from.size() > kMaxReusedAttributes) return false;
    for (size_t i = 0; i < from.size(); ++i) {
        if (to.find(from[i].first) == to.end()) return false;
        for (size_t j = 0; j < i; ++j) {
            if (from[j].first == from[i].first) return false;
        }
    }
    return true;
}

}  // namespace

void clear_for_reuse(danube::StreamMessage& m) {
    AttributeMap attributes;
    attributes.swap(*m.mutable_attributes());
    danube::MsgID* id = m.has_msg_id() ? m.release_msg_id() : nullptr;
    m.Clear();
    m.mutable_attributes()->swap(attributes);
    if (id) m.set_allocated_msg_id(id);
}

void assign_attributes(AttributeMap& to, const std::vector<std::pair<std::string, std::string>>& from) {
    if (!same_names(to, from)) to.clear();
    for (const auto& [name, value] : from) to[name] = value;  // reuses the entry and the value's storage
}

}  // namespace dcx::pipeline
