// uringdump image show PATH | image check PATH: what crit is to CRIU's
// images. show decodes an image back into a snapshot and renders it with
// show's own renderers; check validates it and lists what a restore needs.
#include <fcntl.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <system_error>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/obstacle_report.h"
#include "image/decoder.h"
#include "image/image_check.h"
#include "model/describe.h"
#include "render/name_json.h"
#include "render/name_text.h"

namespace ud::cli {
namespace {

std::string utc(std::uint64_t unix_ns) {
    time_t t = static_cast<time_t>(unix_ns / 1000000000ULL);
    tm parts;
    char buf[64];
    if (!gmtime_r(&t, &parts) || !std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &parts)) return "?";
    return buf;
}

void plan_json(render::JsonOut &j, const std::vector<image::ProcessPlan> &plan) {
    j.begin_array();
    for (auto &p : plan) {
        j.begin_object().kv_i("pid", p.pid);
        render::name_kv(j, "comm", p.comm);
        j.key("io_uring").begin_array();
        for (auto &r : p.rings)
            j.begin_object().kv("where", r.label).kv_u("flags", r.flags).kv_u("sq_entries", r.sq_entries)
                .kv_u("cq_entries", r.cq_entries).kv_u("sq_tail", r.sq_tail).kv_u("cq_tail", r.cq_tail)
                .kv_u("files", r.files).kv_u("file_slots", r.file_slots).kv_u("files_without_fd", r.files_without_fd)
                .kv_u("buffers", r.buffers).kv_u("buffer_bytes", r.buffer_bytes)
                .kv_u("buffers_without_contents", r.buffers_without_contents).end_object();
        j.end_array().key("epoll").begin_array();
        for (auto &e : p.epolls) j.begin_object().kv_i("fd", e.fd).kv_u("items", e.items).end_object();
        j.end_array().end_object();
    }
    j.end_array();
}

void plan_text(const std::vector<image::ProcessPlan> &plan, bool with_pages) {
    std::printf("a restore would recreate:\n");
    for (auto &p : plan) {
        std::printf("  pid %d (%s)\n", p.pid, render::name_text(p.comm).c_str());
        for (auto &r : p.rings) {
            std::printf("    %s: io_uring_setup(%u entries, %u CQ entries, flags %s), advanced to SQ %u CQ %u\n",
                        r.label.c_str(), r.sq_entries, r.cq_entries, model::setup_flags_str(r.flags).c_str(),
                        r.sq_tail, r.cq_tail);
            if (r.file_slots || r.files)
                std::printf("      fixed files: %zu in a table of %zu slots, %zu of them held by no fd\n", r.files,
                            r.file_slots, r.files_without_fd);
            if (r.buffers) {
                std::string contents = !with_pages              ? "contents not in the image (dump without --pages)"
                                       : r.buffers_without_contents ? fmt::format("contents of {} missing", r.buffers_without_contents)
                                                                    : "contents in the image";
                std::printf("      registered buffers: %zu, %llu bytes, %s\n", r.buffers,
                            static_cast<unsigned long long>(r.buffer_bytes), contents.c_str());
            }
        }
        for (auto &e : p.epolls) std::printf("    epoll fd %d: %zu items to add\n", e.fd, e.items);
    }
}

int check(const Context &ctx, const std::string &path, const image::Image &img) {
    std::vector<std::string> problems = image::check_consistency(img);
    for (auto &line : problems) p_err(fmt::format("{}: inconsistent image: {}", render::name_text(path), line));
    if (!problems.empty()) return kBadImage;
    const image::ImageInfo &info = img.info;
    auto plan = image::restore_plan(img);
    const char *source = img.snap.source == model::Source::bpf ? "bpf" : "procfs";
    if (ctx.json) {
        {
            render::JsonOut j(stdout, ctx.pretty);
            j.begin_object();
            render::name_kv(j, "path", path);
            j.kv_b("valid", true).kv_u("frames", img.frames).kv_u("bytes", img.bytes)
                .kv("tool_version", info.tool_version).kv("kernel_release", info.kernel_release)
                .kv_u("taken_unix_ns", info.taken_unix_ns).kv("source", source).kv_b("pages", info.with_pages)
                .kv_b("forced", info.forced).key("restore");
            plan_json(j, plan);
            j.key("obstacles");
            obstacles_json(j, info.obstacles);
            j.end_object();
        }
        std::fputc('\n', stdout);
    } else {
        std::printf("%s: valid image: %llu frames, %llu bytes; magic, version, checksums and contents agree\n",
                    render::name_text(path).c_str(), static_cast<unsigned long long>(img.frames),
                    static_cast<unsigned long long>(img.bytes));
        std::printf("written by uringdump %s on Linux %s at %s, read through %s, buffer contents %s\n",
                    render::name_text(info.tool_version).c_str(), render::name_text(info.kernel_release).c_str(),
                    utc(info.taken_unix_ns).c_str(), source,
                    info.with_pages ? "included" : "not included");
        plan_text(plan, info.with_pages);
        if (info.obstacles.empty()) {
            std::printf("obstacles: none\n");
        } else {
            std::printf("obstacles (written with --force):\n");
            print_obstacles(stdout, "  ", info.obstacles);
        }
    }
    return info.obstacles.empty() ? kOk : kNotRestorable;
}

}  // namespace

int cmd_image(Context &ctx) {
    if (ctx.args.size() != 2 || (ctx.args[0] != "show" && ctx.args[0] != "check")) {
        p_err("usage: uringdump image show PATH | image check PATH");
        return kUsage;
    }
    const std::string &path = ctx.args[1];
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        p_err(fmt::format("cannot open {}: {}", render::name_text(path), std::strerror(errno)));
        return kError;
    }
    image::Image img;
    try {
        image::FdSource src(fd);
        img = image::read_image(src);
        ::close(fd);
    } catch (const image::ImageError &e) {
        ::close(fd);
        p_err(fmt::format("{}: {}", render::name_text(path), e.what()));
        return kBadImage;
    } catch (const std::system_error &e) {
        ::close(fd);
        p_err(fmt::format("cannot read {}: {}", render::name_text(path), e.code().message()));
        return kError;
    }
    if (ctx.args[0] == "check") return check(ctx, path, img);
    note_gaps(img.snap);
    return print_snapshot(ctx, img.snap);
}

}  // namespace ud::cli
