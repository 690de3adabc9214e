// A run's record on disk: its history, the replicas' final contents and the apply log, as JSON
// Lines, so the checkers run on a file exactly as on a live run (and other tools can read it).
//
// One JSON object per line, each with a "type"; times are integer nanoseconds of virtual time;
// strings are bytes (escaped as JSON requires, not checked for UTF-8). The first line is the
// header; the other lines may come in any order, but operations keep their order.
//
//   {"type":"history","version":1}
//   {"type":"op","id":1,"client":"c1","kind":"write","key":"k","value":"v1","invoked":1000000,
//    "completed":3500000,"outcome":"ok"}
//   {"type":"op","id":2,"client":"c2","kind":"read","key":"k","read":["v1"],"invoked":...,
//    "completed":...,"outcome":"ok"}
//   {"type":"op","id":3,"client":"c1","kind":"cas","key":"k","expected":"v1","value":"v2",
//    "swapped":true,"invoked":...,"completed":null,"outcome":"unknown"}
//   {"type":"final","replica":"kv-1","key":"k","values":["v1"],"version":"seq=1"}
//   {"type":"applied","time":2000000,"replica":"kv-1","key":"k","values":["v1"],"version":"seq=1",
//    "cause":"write"}
//
// "read" appears on reads, "value" on writes and cas, "expected" (a string or null: absent) and
// "swapped" on cas; "completed" is null for an operation that never completed; "values" is null
// in an applied entry whose key became absent. The reader is strict: an unknown type, an unknown,
// missing, duplicated or mistyped field, or anything after the object is an error, and the error
// names the line (and the field).
//
// Left out: compression, streaming very large files (a file is read whole into memory).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "models/check/history.hpp"
#include "models/check/replica_state.hpp"

namespace models::check {

struct Recording {
    History history;
    FinalState final_state;
    ApplyLog applied;
    friend bool operator==(const Recording&, const Recording&) = default;
};

void write_recording(std::ostream& out, const Recording& recording);
// nullopt on success; otherwise "line 7: field 'invoked': expected an integer".
std::optional<std::string> read_recording(std::istream& in, Recording& out);

// The same through a file; errors start with the path ("run.jsonl:7: ...").
std::optional<std::string> save_recording(const std::string& path, const Recording& recording);
std::optional<std::string> load_recording(const std::string& path, Recording& out);

}  // namespace models::check
