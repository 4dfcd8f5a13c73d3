// The one error path: a command throws Error with its exit code (or lets a
// library's exception through), main catches once and reports it with
// report_error. Without -j/-p, diagnostics are one line each on stderr,
// "uringdump: error: ..." / "uringdump: note: ...". Under -j/-p the error is
// the JSON document on stdout, {"error":"..."}, as bpftool prints it, and
// notes are JSON lines on stderr, {"note":"..."}, so that neither stream
// holds anything but JSON.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include "cli/exit_codes.h"

namespace ud::cli {

class Error : public std::runtime_error {
public:
    Error(int code, const std::string &msg) : std::runtime_error(msg), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

// A bad command line (exit 2).
inline Error usage_error(const std::string &msg) { return Error(kUsage, msg); }

// The exit code and the message of any exception a command throws: Error
// carries its own; the collector's and the image decoder's are mapped here,
// in one place (no BPF: 7, a permission: 4, a corrupt image: 6, else 1).
int exit_code_of(const std::exception &e, std::string *msg);

// Set once the command line is parsed: diagnostics as JSON lines.
void set_json_diagnostics(bool json, bool pretty);

// One diagnostic line on stderr: "uringdump: KIND: msg" or {"KIND":"msg"}.
void diag(const char *kind, const std::string &msg);
inline void p_note(const std::string &msg) { diag("note", msg); }

// An error, reported once: the stderr line, or under -j/-p the JSON
// document on stdout (its only document: every command prints its JSON
// once, at its end, see json_doc.h).
void report_error(const std::string &msg);

}  // namespace ud::cli
