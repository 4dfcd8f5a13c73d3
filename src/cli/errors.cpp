#include "cli/errors.h"

#include <cstdio>
#include <system_error>

#include "cli/json_doc.h"
#include "collect/bpf_reader.h"
#include "collect/text_iter.h"
#include "image/framing.h"
#include "render/json_out.h"

namespace ud::cli {
namespace {

bool g_json = false;
bool g_pretty = false;

}  // namespace

int exit_code_of(const std::exception &e, std::string *msg) {
    *msg = e.what();
    if (auto *err = dynamic_cast<const Error *>(&e)) return err->code();
    if (dynamic_cast<const collect::BpfUnavailable *>(&e)) {
        *msg = "BPF cannot be used: " + *msg;
        return kNoBpf;
    }
    if (dynamic_cast<const collect::PinPermissionError *>(&e)) return kPermission;
    if (dynamic_cast<const image::ImageError *>(&e)) return kBadImage;
    if (auto *sys = dynamic_cast<const std::system_error *>(&e)) *msg = sys->code().message();
    return kError;
}

void set_json_diagnostics(bool json, bool pretty) {
    g_json = json;
    g_pretty = pretty;
}

void diag(const char *kind, const std::string &msg) {
    if (!g_json) {
        std::fprintf(stderr, "uringdump: %s: %s\n", kind, msg.c_str());
        return;
    }
    // One line per diagnostic on stderr, even with -p: a stream of
    // objects is read line by line.
    {
        render::JsonOut j(stderr, false);
        j.begin_object().kv(kind, msg).end_object();
    }
    std::fputc('\n', stderr);
}

void report_error(const std::string &msg) {
    // After a document was started (a write failed half-way), the error
    // goes where a diagnostic goes rather than after half a document.
    if (!g_json || json_document_started()) {
        diag("error", msg);
        return;
    }
    try {
        print_json(g_pretty, [&](render::JsonOut &j) { j.begin_object().kv("error", msg).end_object(); });
    } catch (const std::exception &) {
        diag("error", msg);
    }
}

}  // namespace ud::cli
