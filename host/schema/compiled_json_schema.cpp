// SPDX-License-Identifier: Apache-2.0
#include "schema/compiled_json_schema.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

// SSE2 (every x86-64) lets the reader scan strings 16 bytes at a time. Its aligned loads may read
// past the end of the text within the same 16 bytes (never across a page), which AddressSanitizer
// reports: not under ASan.
#if defined(__SSE2__) && !defined(__SANITIZE_ADDRESS__)
#if defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define RAPIDJSON_SSE2
#endif
#else
#define RAPIDJSON_SSE2
#endif
#endif
#include <rapidjson/error/error.h>
#include <rapidjson/reader.h>
#include <rapidjson/stream.h>
#include <re2/re2.h>

#include "dcx/sdk/json_payload.hpp"

namespace dcx::schema {
namespace {

// JSON value types as bits; "number" in a schema is integer | fraction. A number is an integer
// exactly when nlohmann (and so valijson) would read it as one: no fraction, no exponent, fits 64 bits.
enum : uint8_t {
    kNull = 1,
    kBoolean = 2,
    kInteger = 4,
    kFraction = 8,
    kString = 16,
    kArray = 32,
    kObject = 64,
    kAnyType = 127,
};

constexpr int32_t kAnything = -1;  // node index: no constraint on this value or anything inside it
constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();
constexpr size_t kMaxSchemaDepth = 64;  // deeper schemas are left to valijson

// An enum/const member this can compare without valijson's number rules: null, booleans, strings
// and integers. Others (fractions, arrays, objects) are left out: a value matching only those is
// not accepted here, and valijson decides.
struct Literal {
    uint8_t type = kNull;
    bool boolean = false;
    int64_t integer = 0;
    std::string string;
};

struct Member {
    std::string name;
    bool is_property = false;  // listed in "properties" (else only in "required")
    int32_t node = kAnything;  // its schema when is_property
    int required_bit = -1;
};

struct Node {
    uint8_t types = kAnyType;  // 0: nothing is accepted here (the `false` schema, or an undecidable const)
    bool has_enum = false;
    std::vector<Literal> literals;  // the enum members this can compare (see Literal)
    bool has_const = false;
    Literal const_value;  // when has_const; a const this cannot compare clears `types`
    // numbers, compared as doubles as valijson does
    std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
    // strings: lengths in code points
    uint64_t min_length = 0, max_length = kUnbounded;
    std::unique_ptr<re2::RE2> pattern;
    // arrays
    int32_t items = kAnything;
    uint64_t min_items = 0, max_items = kUnbounded;
    // objects
    std::vector<Member> members;  // sorted by name
    std::vector<int32_t> member_table;  // open addressing by name_hash: index into members, or -1
    uint32_t table_mask = 0;
    uint64_t required_mask = 0;
    enum class Extra : uint8_t { allow, forbid, check } additional = Extra::allow;
    int32_t additional_node = kAnything;
    uint64_t max_properties = kUnbounded;
};

// FNV-1a: the keys are short, and a probe costs less than a binary search of string compares.
uint32_t name_hash(std::string_view name) {
    uint32_t h = 2166136261u;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
}

void build_member_table(Node& node) {
    if (node.members.empty()) return;
    size_t size = 4;
    while (size < node.members.size() * 2) size *= 2;
    node.member_table.assign(size, -1);
    node.table_mask = static_cast<uint32_t>(size - 1);
    for (size_t i = 0; i < node.members.size(); ++i) {
        uint32_t slot = name_hash(node.members[i].name) & node.table_mask;
        while (node.member_table[slot] >= 0) slot = (slot + 1) & node.table_mask;
        node.member_table[slot] = static_cast<int32_t>(i);
    }
}

const Member* find_member(const Node& node, std::string_view name) {
    if (node.members.empty()) return nullptr;
    for (uint32_t slot = name_hash(name) & node.table_mask;; slot = (slot + 1) & node.table_mask) {
        const int32_t i = node.member_table[slot];
        if (i < 0) return nullptr;
        const Member& m = node.members[static_cast<size_t>(i)];
        if (m.name == name) return &m;
    }
}

bool is_annotation(const std::string& key) {
    static const std::set<std::string, std::less<>> kAnnotations = {
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly", "writeOnly", "definitions",
    };
    return kAnnotations.count(key) != 0;
}

std::optional<Literal> literal_of(const nlohmann::json& v) {
    Literal l;
    if (v.is_null()) l.type = kNull;
    else if (v.is_boolean()) l.type = kBoolean, l.boolean = v.get<bool>();
    else if (v.is_number_integer() && !v.is_number_unsigned()) l.type = kInteger, l.integer = v.get<int64_t>();
    else if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        l.type = kInteger, l.integer = static_cast<int64_t>(v.get<uint64_t>());
    } else if (v.is_string()) l.type = kString, l.string = v.get<std::string>();
    else return std::nullopt;
    return l;
}

bool is_count(const nlohmann::json& v) { return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0); }

// Builds the node list from a schema document. The first keyword (or keyword form) it does not
// model ends the compilation; why_not() names it and where.
class Compiler {
public:
    explicit Compiler(const nlohmann::json& root) : root_(root) {}

    /// The root node's index (kAnything when the schema is `true`).
    int32_t compile_root() { return compile(root_, "", 0); }
    bool failed() const { return !why_not_.empty(); }
    std::string why_not() const { return why_not_; }
    std::vector<Node> take_nodes() {
        for (auto& node : nodes_) build_member_table(node);
        return std::move(nodes_);
    }

private:
    int32_t fail(std::string what, const std::string& where) {
        if (why_not_.empty()) why_not_ = std::move(what) + " at " + (where.empty() ? "/" : where);
        return kAnything;
    }

    // Returns the node index for `schema`: kAnything for `true` (and on failure).
    int32_t compile(const nlohmann::json& schema, const std::string& where, size_t depth) {
        if (failed()) return kAnything;
        if (depth > kMaxSchemaDepth) return fail("nesting deeper than " + std::to_string(kMaxSchemaDepth), where);
        if (schema.is_boolean() && schema.get<bool>()) return kAnything;
        if (schema.is_object()) {
            if (const auto ref = schema.find("$ref"); ref != schema.end()) return compile_ref(schema, *ref, where, depth);
        }
        const auto index = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();
        compile_into(index, schema, where, depth);
        return index;
    }

    void compile_into(int32_t index, const nlohmann::json& schema, const std::string& where, size_t depth) {
        if (schema.is_boolean()) {
            if (!schema.get<bool>()) nodes_[static_cast<size_t>(index)].types = 0;
            return;
        }
        if (!schema.is_object()) {
            fail("a schema that is not an object", where);
            return;
        }
        for (const auto& [key, value] : schema.items()) {
            if (is_annotation(key)) continue;
            if (key == "id" && depth == 0) continue;  // valijson's base URI; "#..." refs still mean this document
            if (!keyword(index, key, value, where + "/" + key, depth)) fail("'" + key + "'", where);
            if (failed()) return;
        }
    }

    // Local refs only ("#", "#/definitions/x"); the target gets one node, so recursion works.
    int32_t compile_ref(const nlohmann::json& schema, const nlohmann::json& ref, const std::string& where, size_t depth) {
        for (const auto& [key, _] : schema.items()) {
            if (key != "$ref" && !is_annotation(key)) return fail("'" + key + "' beside '$ref'", where);
        }
        if (!ref.is_string()) return fail("a '$ref' that is not a string", where);
        const auto& text = ref.get_ref<const std::string&>();
        if (text.empty() || text[0] != '#' || text.find('%') != std::string::npos) {
            return fail("'$ref' \"" + text + "\" (only local refs are compiled)", where);
        }
        const std::string pointer = text.substr(1);
        if (const auto it = refs_.find(pointer); it != refs_.end()) return it->second;
        const nlohmann::json* target = nullptr;
        try {
            target = &root_.at(nlohmann::json::json_pointer(pointer));
        } catch (const nlohmann::json::exception&) {
            return fail("'$ref' \"" + text + "\" that does not resolve", where);
        }
        if (target->is_object() && target->contains("$ref")) return fail("'$ref' \"" + text + "\" to another '$ref'", where);
        const auto index = static_cast<int32_t>(nodes_.size());
        refs_.emplace(pointer, index);
        nodes_.emplace_back();
        compile_into(index, *target, "#" + pointer, depth + 1);
        return index;
    }

    bool keyword(int32_t index, const std::string& key, const nlohmann::json& v, const std::string& at, size_t depth) {
        auto node = [&]() -> Node& { return nodes_[static_cast<size_t>(index)]; };
        if (key == "type") return types(node(), v);
        if (key == "enum") {
            if (!v.is_array()) return false;
            node().has_enum = true;
            for (const auto& e : v) {
                if (auto l = literal_of(e)) node().literals.push_back(std::move(*l));
            }
            return true;
        }
        if (key == "const") {
            auto l = literal_of(v);
            node().has_const = true;
            if (l) node().const_value = std::move(*l);
            else node().types = 0;  // a fraction, array or object: valijson decides
            return true;
        }
        if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" || key == "exclusiveMaximum") {
            if (!v.is_number()) return false;
            const double d = v.get<double>();
            if (key == "minimum") node().minimum = d;
            else if (key == "maximum") node().maximum = d;
            else if (key == "exclusiveMinimum") node().exclusive_minimum = d;
            else node().exclusive_maximum = d;
            return true;
        }
        if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems" || key == "maxProperties") {
            if (!is_count(v)) return false;
            const uint64_t n = v.get<uint64_t>();
            if (key == "minLength") node().min_length = n;
            else if (key == "maxLength") node().max_length = n;
            else if (key == "minItems") node().min_items = n;
            else if (key == "maxItems") node().max_items = n;
            else node().max_properties = n;
            return true;
        }
        if (key == "pattern") {
            if (!v.is_string()) return false;
            re2::RE2::Options options;  // exactly as the patched valijson compiles it
            options.set_log_errors(false);
            auto re = std::make_unique<re2::RE2>(v.get<std::string>(), options);
            if (!re->ok()) return false;
            node().pattern = std::move(re);
            return true;
        }
        if (key == "uniqueItems") return v.is_boolean() && !v.get<bool>();
        if (key == "items") {
            if (v.is_array()) return false;  // tuple form
            const int32_t child = compile(v, at, depth + 1);
            node().items = child;
            return true;
        }
        if (key == "required") {
            if (!v.is_array()) return false;
            for (const auto& name : v) {
                if (!name.is_string()) return false;
                Member& m = member(index, name.get<std::string>());
                if (m.required_bit >= 0) continue;
                if (required_count(index) >= 64) return false;
                m.required_bit = required_count(index);
                node().required_mask |= uint64_t{1} << m.required_bit;
            }
            return true;
        }
        if (key == "properties") {
            if (!v.is_object()) return false;
            for (const auto& [name, sub] : v.items()) {
                const int32_t child = compile(sub, at + "/" + name, depth + 1);
                if (failed()) return true;
                Member& m = member(index, name);
                m.is_property = true;
                m.node = child;
            }
            return true;
        }
        if (key == "additionalProperties") {
            if (v.is_boolean()) {
                node().additional = v.get<bool>() ? Node::Extra::allow : Node::Extra::forbid;
                return true;
            }
            const int32_t child = compile(v, at, depth + 1);
            node().additional = child == kAnything ? Node::Extra::allow : Node::Extra::check;
            node().additional_node = child;
            return true;
        }
        return false;  // anyOf, format, patternProperties, minProperties (duplicate keys), ...: valijson
    }

    static bool types(Node& node, const nlohmann::json& v) {
        auto bit = [](const nlohmann::json& name) -> uint8_t {
            if (!name.is_string()) return 0;
            const auto& s = name.get_ref<const std::string&>();
            if (s == "null") return kNull;
            if (s == "boolean") return kBoolean;
            if (s == "integer") return kInteger;
            if (s == "number") return kInteger | kFraction;
            if (s == "string") return kString;
            if (s == "array") return kArray;
            if (s == "object") return kObject;
            return 0;
        };
        uint8_t allowed = 0;
        if (v.is_array()) {
            for (const auto& name : v) {
                const uint8_t b = bit(name);
                if (!b) return false;
                allowed |= b;
            }
        } else {
            allowed = bit(v);
            if (!allowed) return false;
        }
        node.types &= allowed;  // keeps a cleared set cleared, whichever keyword came first
        return true;
    }

    Member& member(int32_t index, const std::string& name) {
        auto& members = nodes_[static_cast<size_t>(index)].members;
        auto it = std::lower_bound(members.begin(), members.end(), name,
                                   [](const Member& m, const std::string& n) { return m.name < n; });
        if (it == members.end() || it->name != name) it = members.insert(it, Member{name, false, kAnything, -1});
        return *it;
    }

    int required_count(int32_t index) const {
        int n = 0;
        for (const auto& m : nodes_[static_cast<size_t>(index)].members) n += m.required_bit >= 0 ? 1 : 0;
        return n;
    }

    const nlohmann::json& root_;
    std::vector<Node> nodes_;
    std::map<std::string, int32_t> refs_;  // JSON pointer -> node
    std::string why_not_;
};

}  // namespace

struct CompiledJsonSchema::Program {
    std::vector<Node> nodes;  // nodes[0] is the root (when the root constrains anything)
    int32_t root = kAnything;

    // Parse state, reused so that a warm check allocates nothing.
    struct Frame {
        int32_t node;
        bool is_array;
        int32_t child;  // the node of the next value inside
        uint64_t count = 0;
        uint64_t seen_required = 0;
    };
    std::vector<Frame> frames;
    std::string text;
    rapidjson::Reader reader;

    // rapidjson SAX handler. Returning false stops the parse: the record is not accepted here.
    int32_t next_value_node() const { return frames.empty() ? root : frames.back().child; }

    const Node* begin_value() {
        if (!frames.empty() && frames.back().is_array) ++frames.back().count;
        const int32_t n = next_value_node();
        return n == kAnything ? nullptr : &nodes[static_cast<size_t>(n)];
    }

    // A value from the record, as enum/const compare it (strings point into the parser's buffer).
    struct Scalar {
        uint8_t type = kNull;
        bool boolean = false;
        int64_t integer = 0;
        std::string_view string;
    };

    static bool literal_allowed(const Node& node, const Scalar& value) {
        auto equal = [&](const Literal& l) {
            if (l.type != value.type) return false;
            switch (value.type) {
                case kNull: return true;
                case kBoolean: return l.boolean == value.boolean;
                case kInteger: return l.integer == value.integer;
                case kString: return l.string == value.string;
                default: return false;
            }
        };
        if (node.has_const && !equal(node.const_value)) return false;
        return !node.has_enum || std::any_of(node.literals.begin(), node.literals.end(), equal);
    }

    bool scalar(const Scalar& value) {
        const Node* node = begin_value();
        if (!node) return true;
        if (!(node->types & value.type)) return false;
        return !(node->has_enum || node->has_const) || literal_allowed(*node, value);
    }

    bool number(uint8_t type, double as_double, std::optional<int64_t> exact) {
        const Node* node = begin_value();
        if (!node) return true;
        if (!(node->types & type)) return false;
        if (node->has_enum || node->has_const) {
            if (!exact) return false;  // fractions and huge integers: valijson's number equality decides
            if (!literal_allowed(*node, Scalar{kInteger, false, *exact, {}})) return false;
        }
        if (node->minimum && as_double < *node->minimum) return false;
        if (node->maximum && as_double > *node->maximum) return false;
        if (node->exclusive_minimum && as_double <= *node->exclusive_minimum) return false;
        if (node->exclusive_maximum && as_double >= *node->exclusive_maximum) return false;
        return true;
    }

    bool string(std::string_view s) {
        const Node* node = begin_value();
        if (!node) return true;
        if (!(node->types & kString)) return false;
        if (node->min_length > 0 || node->max_length != kUnbounded) {
            // valijson counts code points up to the first NUL; such strings are left to it.
            if (std::memchr(s.data(), 0, s.size()) != nullptr) return false;
            uint64_t code_points = 0;
            for (const char c : s) code_points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
            if (code_points < node->min_length || code_points > node->max_length) return false;
        }
        if (node->pattern && !re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *node->pattern)) return false;
        return !(node->has_enum || node->has_const) || literal_allowed(*node, Scalar{kString, false, 0, s});
    }

    bool open(bool is_array) {
        const Node* node = begin_value();
        if (frames.size() >= sdk::detail::kMaxJsonDepth) return false;  // serde's limit: deeper fails
        if (!node) {
            frames.push_back(Frame{kAnything, is_array, kAnything});
            return true;
        }
        if (!(node->types & (is_array ? kArray : kObject))) return false;
        if (node->has_enum || node->has_const) return false;  // containers in enum/const: valijson decides
        const auto index = static_cast<int32_t>(node - nodes.data());
        frames.push_back(Frame{index, is_array, is_array ? node->items : kAnything});
        return true;
    }

    bool key(std::string_view name) {
        Frame& f = frames.back();
        ++f.count;
        if (f.node == kAnything) {
            f.child = kAnything;
            return true;
        }
        const Node& node = nodes[static_cast<size_t>(f.node)];
        const Member* m = find_member(node, name);
        if (m && m->required_bit >= 0) f.seen_required |= uint64_t{1} << m->required_bit;
        if (m && m->is_property) {
            f.child = m->node;
            return true;
        }
        switch (node.additional) {
            case Node::Extra::allow: f.child = kAnything; return true;
            case Node::Extra::forbid: return false;
            case Node::Extra::check: f.child = node.additional_node; return true;
        }
        return false;
    }

    bool close() {
        const Frame f = frames.back();
        frames.pop_back();
        if (f.node == kAnything) return true;
        const Node& node = nodes[static_cast<size_t>(f.node)];
        if (f.is_array) return f.count >= node.min_items && f.count <= node.max_items;
        return (f.seen_required & node.required_mask) == node.required_mask && f.count <= node.max_properties;
    }
};

namespace {

struct Handler {
    CompiledJsonSchema::Program& p;
    bool Null() { return p.scalar({kNull, false, 0, {}}); }
    bool Bool(bool b) { return p.scalar({kBoolean, b, 0, {}}); }
    // Numbers arrive as text (kParseNumbersAsStringsFlag) and are read the way nlohmann reads them:
    // an integer when there is no fraction or exponent and it fits 64 bits, else a double,
    // correctly rounded (rapidjson's own fast double parsing may be off by an ulp at a bound).
    bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
        const char* end = s + n;
        if (std::find_if(s, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
            int64_t i = 0;
            if (const auto r = std::from_chars(s, end, i); r.ec == std::errc() && r.ptr == end) {
                return p.number(kInteger, static_cast<double>(i), i);
            }
            uint64_t u = 0;
            if (const auto r = std::from_chars(s, end, u); r.ec == std::errc() && r.ptr == end) {
                return p.number(kInteger, static_cast<double>(u), std::nullopt);  // above int64: no literal equals it
            }
        }
        double d = 0;
        const auto r = std::from_chars(s, end, d);
        if (r.ec != std::errc() || r.ptr != end) return false;  // out of range: not a finite number
        return p.number(kFraction, d, std::nullopt);
    }
    // Not called with kParseNumbersAsStringsFlag.
    bool Int(int) { return false; }
    bool Uint(unsigned) { return false; }
    bool Int64(int64_t) { return false; }
    bool Uint64(uint64_t) { return false; }
    bool Double(double) { return false; }
    bool String(const char* s, rapidjson::SizeType n, bool) { return p.string(std::string_view(s, n)); }
    bool StartObject() { return p.open(false); }
    bool Key(const char* s, rapidjson::SizeType n, bool) { return p.key(std::string_view(s, n)); }
    bool EndObject(rapidjson::SizeType) { return p.close(); }
    bool StartArray() { return p.open(true); }
    bool EndArray(rapidjson::SizeType) { return p.close(); }
};

}  // namespace

std::unique_ptr<CompiledJsonSchema> CompiledJsonSchema::compile(const nlohmann::json& schema, std::string& why_not) {
    Compiler compiler(schema);
    const int32_t root = compiler.compile_root();
    if (compiler.failed()) {
        why_not = compiler.why_not();
        return nullptr;
    }
    auto program = std::make_unique<Program>();
    program->nodes = compiler.take_nodes();
    program->root = root;
    program->frames.reserve(sdk::detail::kMaxJsonDepth);
    return std::unique_ptr<CompiledJsonSchema>(new CompiledJsonSchema(std::move(program)));
}

CompiledJsonSchema::CompiledJsonSchema(std::unique_ptr<Program> program) : program_(std::move(program)) {}
CompiledJsonSchema::~CompiledJsonSchema() = default;

bool CompiledJsonSchema::accepts(std::string_view json_text, Utf8 utf8) {
    // rapidjson reads a NUL byte as the end of input; JSON text never holds one raw.
    if (json_text.empty() || std::memchr(json_text.data(), 0, json_text.size()) != nullptr) return false;
    Program& p = *program_;
    p.frames.clear();
    p.text.assign(json_text);  // parsed in place: strings are unescaped into this copy
    rapidjson::InsituStringStream stream(p.text.data());
    Handler handler{p};
    // In situ, numbers as text: the reader never touches its own stack, so it allocates nothing
    // (and rapidjson 1.1.0's stack does arithmetic on a null pointer on first use, which UBSan
    // reports). Recursion is bounded by open(): it refuses the 128th nested level before descending.
    constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
    const rapidjson::ParseResult result = utf8 == Utf8::check
                                              ? p.reader.Parse<kFlags | rapidjson::kParseValidateEncodingFlag>(stream, handler)
                                              : p.reader.Parse<kFlags>(stream, handler);
    return !result.IsError();
}

}  // namespace dcx::schema
