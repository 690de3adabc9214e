// History files: JSON Lines written and read strictly (see history_file.hpp for the format).
#include "models/check/history_file.hpp"

#include <fstream>
#include <istream>
#include <ostream>
#include <set>

#include "json_line.hpp"

namespace models::check {

namespace {

using detail::JsonField;
using detail::JsonValue;

constexpr std::int64_t format_version = 1;

// ---- writing --------------------------------------------------------------------------------

class Line {
public:
    Line& field(std::string_view key, std::string_view value) {
        open(key);
        detail::append_json_string(s_, value);
        return *this;
    }
    // Without it a string literal would pick the bool overload.
    Line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    Line& field(std::string_view key, std::int64_t value) {
        open(key);
        s_ += std::to_string(value);
        return *this;
    }
    Line& field(std::string_view key, bool value) {
        open(key);
        s_ += value ? "true" : "false";
        return *this;
    }
    Line& field(std::string_view key, const std::vector<std::string>& values) {
        open(key);
        s_ += '[';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) s_ += ',';
            detail::append_json_string(s_, values[i]);
        }
        s_ += ']';
        return *this;
    }
    Line& null(std::string_view key) {
        open(key);
        s_ += "null";
        return *this;
    }
    Line& time(std::string_view key, sim::Time t) {
        if (t == sim::time_never) return null(key);
        return field(key, static_cast<std::int64_t>(t.time_since_epoch().count()));
    }
    std::string done() { return s_ + "}\n"; }

private:
    void open(std::string_view key) {
        s_ += s_.size() == 1 ? "" : ",";
        detail::append_json_string(s_, key);
        s_ += ':';
    }
    std::string s_ = "{";
};

// ---- reading --------------------------------------------------------------------------------

// The fields of one line, taken one by one; whatever is left over at the end is unknown.
class Fields {
public:
    explicit Fields(std::vector<JsonField> fields) : fields_(std::move(fields)), used_(fields_.size(), false) {}

    std::optional<std::string> error;

    const JsonValue* find(std::string_view key) {
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (fields_[i].key == key) {
                used_[i] = true;
                return &fields_[i].value;
            }
        }
        return nullptr;
    }
    const JsonValue* need(std::string_view key, JsonValue::Type type, bool nullable = false) {
        const JsonValue* v = find(key);
        if (v == nullptr) {
            fail("missing field '" + std::string(key) + "'");
            return nullptr;
        }
        if (v->type == type || (nullable && v->type == JsonValue::Type::null)) return v;
        fail("field '" + std::string(key) + "': expected " + std::string(detail::to_string(type)) +
             (nullable ? " or null" : "") + ", got " + std::string(detail::to_string(v->type)));
        return nullptr;
    }
    std::string string(std::string_view key) {
        const JsonValue* v = need(key, JsonValue::Type::string);
        return v ? v->string : std::string();
    }
    std::int64_t integer(std::string_view key) {
        const JsonValue* v = need(key, JsonValue::Type::integer);
        return v ? v->integer : 0;
    }
    std::vector<std::string> strings(std::string_view key) {
        const JsonValue* v = need(key, JsonValue::Type::strings);
        return v ? v->strings : std::vector<std::string>{};
    }
    std::optional<std::vector<std::string>> nullable_strings(std::string_view key) {
        const JsonValue* v = need(key, JsonValue::Type::strings, true);
        if (v == nullptr || v->type == JsonValue::Type::null) return std::nullopt;
        return v->strings;
    }
    sim::Time time(std::string_view key, bool nullable) {
        const JsonValue* v = need(key, JsonValue::Type::integer, nullable);
        if (v == nullptr || v->type == JsonValue::Type::null) return sim::time_never;
        return sim::Time(sim::Duration(v->integer));
    }
    void fail(std::string message) {
        if (!error) error = std::move(message);
    }
    // Any field not taken is unknown to this record type.
    void finish(std::string_view type) {
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (!used_[i])
                fail("unknown field '" + fields_[i].key + "' for a record of type '" + std::string(type) + "'");
        }
    }

private:
    std::vector<JsonField> fields_;
    std::vector<bool> used_;
};

template <class E>
bool parse_enum(std::string_view text, std::initializer_list<E> all, E& out) {
    for (E e : all) {
        if (to_string(e) == text) {
            out = e;
            return true;
        }
    }
    return false;
}

void read_op(Fields& f, Recording& out) {
    Operation op;
    const std::int64_t id = f.integer("id");
    if (id <= 0 && !f.error) f.fail("field 'id': must be positive");
    op.id = static_cast<std::uint64_t>(id);
    op.client = f.string("client");
    const std::string kind = f.string("kind");
    if (!f.error && !parse_enum(kind, {OpKind::read, OpKind::write, OpKind::cas}, op.kind)) {
        f.fail("field 'kind': expected read, write or cas, got '" + kind + "'");
    }
    op.key = f.string("key");
    if (op.kind == OpKind::read) {
        op.read = f.strings("read");
    } else {
        op.value = f.string("value");
    }
    if (op.kind == OpKind::cas) {
        const JsonValue* e = f.need("expected", JsonValue::Type::string, true);
        if (e && e->type == JsonValue::Type::string) op.expected = e->string;
        const JsonValue* s = f.need("swapped", JsonValue::Type::boolean);
        if (s) op.swapped = s->boolean;
    }
    op.invoked = f.time("invoked", false);
    op.completed = f.time("completed", true);
    const std::string outcome = f.string("outcome");
    if (!f.error && !parse_enum(outcome, {Outcome::ok, Outcome::fail, Outcome::unknown}, op.outcome)) {
        f.fail("field 'outcome': expected ok, fail or unknown, got '" + outcome + "'");
    }
    if (!f.error && op.completed != sim::time_never && op.completed < op.invoked) {
        f.fail("field 'completed': before 'invoked'");
    }
    f.finish("op");
    if (!f.error) out.history.ops.push_back(std::move(op));
}

void read_final(Fields& f, Recording& out) {
    const std::string replica = f.string("replica");
    const std::string key = f.string("key");
    Cell cell{f.strings("values"), f.string("version")};
    f.finish("final");
    if (f.error) return;
    Contents& contents = out.final_state[replica];
    if (contents.count(key) != 0) {
        f.fail("replica '" + replica + "' key '" + key + "' appears twice");
        return;
    }
    contents.emplace(key, std::move(cell));
}

void read_applied(Fields& f, Recording& out) {
    Applied a;
    a.time = f.time("time", false);
    a.replica = f.string("replica");
    a.key = f.string("key");
    auto values = f.nullable_strings("values");
    const std::string version = f.string("version");
    if (values) a.cell = Cell{std::move(*values), version};
    a.cause = f.string("cause");
    f.finish("applied");
    if (!f.error) out.applied.push_back(std::move(a));
}

}  // namespace

void write_recording(std::ostream& out, const Recording& recording) {
    out << Line().field("type", "history").field("version", format_version).done();
    for (const Operation& op : recording.history.ops) {
        Line line;
        line.field("type", "op")
            .field("id", static_cast<std::int64_t>(op.id))
            .field("client", op.client)
            .field("kind", to_string(op.kind))
            .field("key", op.key);
        if (op.kind == OpKind::read)
            line.field("read", op.read);
        else
            line.field("value", op.value);
        if (op.kind == OpKind::cas) {
            if (op.expected)
                line.field("expected", *op.expected);
            else
                line.null("expected");
            line.field("swapped", op.swapped);
        }
        line.time("invoked", op.invoked).time("completed", op.completed).field("outcome", to_string(op.outcome));
        out << line.done();
    }
    for (const auto& [replica, contents] : recording.final_state) {
        for (const auto& [key, cell] : contents) {
            out << Line()
                       .field("type", "final")
                       .field("replica", replica)
                       .field("key", key)
                       .field("values", cell.values)
                       .field("version", cell.version)
                       .done();
        }
    }
    for (const Applied& a : recording.applied) {
        Line line;
        line.field("type", "applied").time("time", a.time).field("replica", a.replica).field("key", a.key);
        if (a.cell)
            line.field("values", a.cell->values).field("version", a.cell->version);
        else
            line.null("values").field("version", "");
        out << line.field("cause", a.cause).done();
    }
}

std::optional<std::string> read_recording(std::istream& in, Recording& out) {
    out = Recording{};
    std::string text;
    std::size_t number = 0;
    std::set<std::uint64_t> ids;
    std::vector<JsonField> fields;
    bool header = false;
    while (std::getline(in, text)) {
        ++number;
        auto located = [&](const std::string& message) { return "line " + std::to_string(number) + ": " + message; };
        if (text.empty()) return located("empty line");
        if (auto e = detail::parse_json_line(text, fields)) return located(*e);
        Fields f(std::move(fields));
        const std::string type = f.string("type");
        if (f.error) return located(*f.error);
        if (!header) {
            if (type != "history") return located("expected the header {\"type\":\"history\",\"version\":1} first");
            const std::int64_t version = f.integer("version");
            f.finish("history");
            if (f.error) return located(*f.error);
            if (version != format_version) return located("unsupported version " + std::to_string(version));
            header = true;
            continue;
        }
        if (type == "op") {
            read_op(f, out);
            if (!f.error && !ids.insert(out.history.ops.back().id).second) {
                f.fail("operation id " + std::to_string(out.history.ops.back().id) + " appears twice");
            }
        } else if (type == "final") {
            read_final(f, out);
        } else if (type == "applied") {
            read_applied(f, out);
        } else if (type == "history") {
            f.fail("a second header");
        } else {
            f.fail("field 'type': unknown record type '" + type + "' (expected op, final or applied)");
        }
        if (f.error) return located(*f.error);
    }
    if (in.bad()) return "read error";
    if (!header) return "empty file: expected the header line";
    return std::nullopt;
}

std::optional<std::string> save_recording(const std::string& path, const Recording& recording) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return path + ": cannot open for writing";
    write_recording(out, recording);
    out.flush();
    if (!out) return path + ": write failed";
    return std::nullopt;
}

std::optional<std::string> load_recording(const std::string& path, Recording& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return path + ": cannot open";
    if (auto e = read_recording(in, out)) {
        // "line 7: ..." becomes "path:7: ..."
        if (e->rfind("line ", 0) == 0) return path + ":" + e->substr(5);
        return path + ": " + *e;
    }
    return std::nullopt;
}

}  // namespace models::check
