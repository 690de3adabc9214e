#include "explore/json.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

#include "faultline/input_file.hpp"
#include "faultline/json_error.hpp"
#include "sim/values.hpp"

namespace faultline::explore {

namespace {
// One container being parsed: an object's keys so far and the one being read, or an array's index.
struct OpenContainer {
    bool array = false;
    std::set<std::string> keys;
    std::string key;
    std::size_t items = 0;  // an array's elements so far
};

// "faults.plan[0]": where the innermost container sits, in JsonReader's notation.
std::string path_of(const std::vector<OpenContainer>& open) {
    std::string path;
    for (std::size_t i = 0; i + 1 < open.size(); ++i) {
        if (open[i].array)
            path += "[" + std::to_string(open[i].items - 1) + "]";
        else
            path += (path.empty() ? "" : ".") + open[i].key;
    }
    return path;
}
}  // namespace

Json parse_json_input(const std::string& text, const std::string& file) {
    std::vector<OpenContainer> open;
    auto element = [&open] {  // a value starts: an array's next element
        if (!open.empty() && open.back().array) ++open.back().items;
    };
    const Json::parser_callback_t check = [&](int, Json::parse_event_t event, Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start:
            case Json::parse_event_t::array_start:
                element();
                open.push_back({.array = event == Json::parse_event_t::array_start});
                break;
            case Json::parse_event_t::object_end:
            case Json::parse_event_t::array_end:
                open.pop_back();
                break;
            case Json::parse_event_t::key: {
                // nlohmann keeps the last of two equal keys: the file would mean what its reader
                // did not see ("seed": 1, "seed": 2 replays seed 2).
                OpenContainer& object = open.back();
                object.key = parsed.get<std::string>();
                if (!object.keys.insert(object.key).second) {
                    const std::string path = path_of(open);
                    throw InputError(file + ": field '" + (path.empty() ? "" : path + ".") + object.key +
                                     "' is given twice; each field once");
                }
                break;
            }
            case Json::parse_event_t::value:
                element();
                break;
        }
        return true;
    };
    try {
        return Json::parse(text, check);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number past a double's range
        throw InputError(file + ": not valid JSON" + json_error_detail(e.what()));
    }
}

Json read_json_file(const std::string& path) {
    if (auto why = not_a_file_to_read(path)) throw InputError(path + ": " + *why + ", not a JSON file");
    const std::optional<std::string> text = read_whole_file(path);
    if (!text) throw InputError(path + ": cannot read: " + std::strerror(errno));
    return parse_json_input(*text, path);
}

namespace {
std::filesystem::path normal_path(const std::string& p) {
    std::error_code ec;
    std::filesystem::path n = std::filesystem::weakly_canonical(std::filesystem::absolute(p), ec);
    if (ec) n = std::filesystem::absolute(p).lexically_normal();
    return n.has_filename() ? n : n.parent_path();  // "DIR/" names DIR
}
}  // namespace

void check_job_dir_place(const std::string& dir, const std::string& flag) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path at = fs::weakly_canonical(fs::absolute(dir), ec);
    for (fs::path p = at.parent_path(); p.has_relative_path(); p = p.parent_path()) {
        if (fs::exists(p / "job.json", ec)) {
            throw InputError(flag + " " + dir + ": is inside the fuzzing job " + p.string() +
                             " (its job.json); choose a directory outside it");
        }
    }
    if (fs::exists(at / "job.json", ec) || !fs::is_directory(at, ec)) return;  // a job itself, or new
    // Below it, three levels deep at most (shard-0/, runs/nightly/shard-0/).
    for (auto it = fs::recursive_directory_iterator(at, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() >= 3) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory(ec) && fs::exists(it->path() / "job.json", ec)) {
            throw InputError(flag + " " + dir + ": holds the fuzzing job " + it->path().string() +
                             " (its job.json); a job here would enclose it. Choose a directory of its own");
        }
    }
}

bool is_within(const std::string& path, const std::string& dir) {
    const std::filesystem::path inner = normal_path(dir);
    for (std::filesystem::path p = normal_path(path); p.has_relative_path(); p = p.parent_path()) {
        if (p == inner) return true;
    }
    return false;
}

std::optional<std::string> job_file_named(const std::string& file, const std::string& dir) {
    const std::filesystem::path self = normal_path(file), job = normal_path(dir);
    for (const char* own : {"job.json", "results.jsonl", "results.jsonl.partial", "summary.json", ".lock"}) {
        std::error_code ec;  // by name, or the same inode by another (a hard link)
        if ((self.parent_path() == job && self.filename() == own) ||
            (std::filesystem::equivalent(self, job / own, ec) && !ec))
            return "the job's " + std::string(own);
    }
    if (is_within(file, (job / "artifacts").string())) return "in the job's artifacts directory";
    return std::nullopt;
}

std::optional<std::string> enclosing_job_file(const std::string& file) {
    namespace fs = std::filesystem;
    const fs::path parent = normal_path(file).parent_path();
    std::vector<fs::path> dirs{parent};
    if (parent.filename() == "artifacts") dirs.push_back(parent.parent_path());
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        if (!fs::is_regular_file(dir / "job.json", ec)) continue;
        if (auto own = job_file_named(file, dir.string())) return *own + " (" + dir.string() + ")";
    }
    return std::nullopt;
}

void check_writable_parent(const std::string& file, const std::string& flag, const std::string& out_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    // Not standard output by the usual '-': the command prints its own lines there.
    if (file == "-") throw InputError(flag + " -: name a file (standard output is where the command prints)");
    if (!out_dir.empty()) {
        if (const auto own = job_file_named(file, out_dir)) {
            throw InputError(flag + " " + file + ": is " + *own + " (" + out_dir + "); name a file of its own, e.g. " +
                             (fs::path(out_dir) / "junit.xml").string());
        }
    }
    // Nor any fuzzing job's own files (another job's, or a shard's), whichever command writes.
    if (const auto own = enclosing_job_file(file))
        throw InputError(flag + " " + file + ": is " + *own + "; name a file of its own");
    if (fs::is_directory(file, ec)) throw InputError(flag + " " + file + ": is a directory; name a file in it");
    if (fs::exists(file, ec) && ::access(file.c_str(), W_OK) != 0)
        throw InputError(flag + " " + file + ": cannot be written: " + std::strerror(errno));
    const std::string target = path_through_links(file);  // a link is written through: its target's directory counts
    const char* const via = target == file ? "" : " (where the link points)";
    const fs::path parent = fs::absolute(target).parent_path().lexically_normal();
    if (!out_dir.empty()) {
        fs::path out = fs::absolute(out_dir).lexically_normal();
        if (!out.has_filename()) out = out.parent_path();  // "--out DIR/" names DIR
        fs::path self = fs::absolute(file).lexically_normal();
        if (!self.has_filename()) self = self.parent_path();
        if (self == out) throw InputError(flag + " " + file + ": is the output directory; name a file in it");
        if (parent == out) return;
    }
    if (!fs::is_directory(parent, ec)) {
        // A path through a file (t.ftrace/x): the file is there, and is no directory.
        const bool there = fs::exists(parent, ec);
        throw InputError(flag + " " + file + ": " +
                         (there ? parent.string() + " is not a directory" : "no directory " + parent.string()) + via);
    }
    if (::access(parent.c_str(), W_OK) != 0)
        throw InputError(flag + " " + file + ": cannot write in " + parent.string() + via + ": " +
                         std::strerror(errno));
}

namespace {
std::string type_name(const Json& j) {
    if (j.is_null()) return "null";
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a boolean";
    if (j.is_number()) return "a number";
    if (j.is_array()) return "an array";
    return "an object";
}
}  // namespace

void JsonReader::fail(const std::string& what) const {
    if (path_.empty()) throw InputError(file_ + ": " + what);
    throw InputError(file_ + ": field '" + path_ + "': " + what);
}

JsonReader JsonReader::at(std::string_view key) const {
    auto r = find(key);
    if (!r) {
        const std::string child = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
        if (path_.empty()) throw InputError(file_ + ": field '" + child + "' is missing");
        throw InputError(file_ + ": field '" + child + "' is missing");
    }
    return *r;
}

std::optional<JsonReader> JsonReader::find(std::string_view key) const {
    if (!value_->is_object()) fail("expected an object, found " + type_name(*value_));
    auto it = value_->find(std::string(key));
    if (it == value_->end() || it->is_null()) return std::nullopt;
    return JsonReader(file_, *it, path_.empty() ? std::string(key) : path_ + "." + std::string(key));
}

std::string JsonReader::str() const {
    if (!value_->is_string()) fail("expected a string, found " + type_name(*value_));
    return value_->get<std::string>();
}

std::uint64_t JsonReader::u64() const {
    if (!value_->is_number_unsigned() && !(value_->is_number_integer() && value_->get<std::int64_t>() >= 0)) {
        fail("expected a non-negative integer, found " + (value_->is_number() ? value_->dump() : type_name(*value_)));
    }
    return value_->get<std::uint64_t>();
}

std::int64_t JsonReader::i64() const {
    if (!value_->is_number_integer()) fail("expected an integer, found " + type_name(*value_));
    return value_->get<std::int64_t>();
}

double JsonReader::number() const {
    if (!value_->is_number()) fail("expected a number, found " + type_name(*value_));
    return value_->get<double>();
}

bool JsonReader::boolean() const {
    if (!value_->is_boolean()) fail("expected true or false, found " + type_name(*value_));
    return value_->get<bool>();
}

sim::Duration JsonReader::duration() const {
    const std::string text = str();
    sim::Duration d{};
    if (auto e = sim::parse_value(text, d)) fail("'" + text + "' is not a duration like 250ms: " + *e);
    return d;
}

std::uint64_t JsonReader::hex64() const {
    const std::string text = str();
    if (text.empty() || text.size() > 16 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        fail("'" + text + "' is not a 16-digit hexadecimal hash");
    }
    return std::stoull(text, nullptr, 16);
}

std::vector<JsonReader> JsonReader::items() const {
    if (!value_->is_array()) fail("expected an array, found " + type_name(*value_));
    std::vector<JsonReader> out;
    for (std::size_t i = 0; i < value_->size(); ++i)
        out.emplace_back(file_, (*value_)[i], path_ + "[" + std::to_string(i) + "]");
    return out;
}

std::vector<std::pair<std::string, JsonReader>> JsonReader::members() const {
    if (!value_->is_object()) fail("expected an object, found " + type_name(*value_));
    std::vector<std::pair<std::string, JsonReader>> out;
    for (auto it = value_->begin(); it != value_->end(); ++it) {
        out.emplace_back(it.key(), JsonReader(file_, it.value(), path_.empty() ? it.key() : path_ + "." + it.key()));
    }
    return out;
}

std::string JsonReader::scalar_text() const {
    if (value_->is_string()) return value_->get<std::string>();
    if (value_->is_number() || value_->is_boolean()) return value_->dump();
    fail("expected a string or a number, found " + type_name(*value_));
}

}  // namespace faultline::explore
