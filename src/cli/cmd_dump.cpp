// uringdump dump PID... -o PATH [--force] [--pages] | dump --check PID...:
// a checkpoint image of the processes' rings and epoll sets. Written only
// when every ring is quiet and nothing is beyond a restore (or, with
// --force, with the obstacles marked), and only ever whole.
#include <fmt/format.h>
#include <sys/utsname.h>
#include <time.h>

#include <cstdio>
#include <system_error>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/json_doc.h"
#include "cli/obstacle_report.h"
#include "collect/memory_map.h"
#include "collect/process_memory.h"
#include "image/atomic_file.h"
#include "image/encoder.h"
#include "image/image_check.h"
#include "image/stop_point.h"
#include "render/name_json.h"
#include "render/name_text.h"
#include "version.h"

namespace ud::cli {
namespace {

const Option kOptions[] = {
    {"output", 'o', "PATH", "the image to write (not replaced unless --force)"},
    {"force", 0, {}, "write despite obstacles (marked in the image); replace PATH"},
    {"pages", 0, {}, "include the contents of every registered buffer"},
    {"check", 0, {}, "only report whether an image could be written"},
};

void check_usage(const Context &ctx) {
    if (ctx.has("check") && (ctx.has("output") || ctx.has("force") || ctx.has("pages")))
        throw usage_error("dump --check writes nothing: -o, --force and --pages do not go with it");
    if (!ctx.has("check") && !ctx.has("output"))
        throw usage_error("dump needs -o PATH, the image to write (or --check to only check)");
    if (ctx.args.empty()) throw usage_error("dump needs the PIDs of the processes to dump");
}

// dump --check: the obstacles on stdout; exit 0 when there are none.
int report_check(const Context &ctx, const std::vector<image::Obstacle> &obstacles) {
    if (ctx.json) {
        print_json(ctx, [&](render::JsonOut &j) {
            j.begin_object().kv_b("dumpable", obstacles.empty()).key("obstacles");
            obstacles_json(j, obstacles);
            j.end_object();
        });
    } else {
        print_obstacles(stdout, "", obstacles);
        if (obstacles.empty())
            std::printf("nothing in the way: dump would write the image\n");
        else
            std::printf("%zu obstacle%s: dump would refuse (dump --force writes the image with them marked)\n",
                        obstacles.size(), obstacles.size() == 1 ? "" : "s");
    }
    return obstacles.empty() ? kOk : kNotRestorable;
}

image::ImageInfo image_info(const Context &ctx, const std::vector<int> &pids, std::vector<image::Obstacle> obstacles) {
    image::ImageInfo info;
    info.tool_version = UD_VERSION;
    utsname u;
    if (::uname(&u) == 0) info.kernel_release = u.release;
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    info.taken_unix_ns = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
    info.pids = pids;
    info.with_pages = ctx.has("pages");
    info.forced = !obstacles.empty();
    info.obstacles = std::move(obstacles);
    return info;
}

void report_written(const Context &ctx, const model::Snapshot &snap, const image::FrameWriter &w,
                    const image::WriteStats &stats, const image::ImageInfo &info) {
    std::size_t rings = 0, epolls = 0, buffers = 0;
    for (auto &p : snap.processes) {
        rings += p.rings.size();
        epolls += p.epolls.size();
        for (auto &r : p.rings) buffers += r.buffers.size();
    }
    if (ctx.json) {
        print_json(ctx, [&](render::JsonOut &j) {
            j.begin_object();
            render::name_kv(j, "path", ctx.value("output"));
            j.kv_u("frames", w.frames())
                .kv_u("bytes", w.bytes())
                .kv_u("processes", snap.processes.size())
                .kv_u("rings", rings)
                .kv_u("epolls", epolls)
                .kv_u("buffers", buffers)
                .kv_b("pages", info.with_pages)
                .kv_u("content_bytes", stats.content_bytes);
            j.key("unread").begin_array();
            for (auto &line : stats.unread) j.str(line);
            j.end_array().key("obstacles");
            obstacles_json(j, info.obstacles);
            j.end_object();
        });
        return;
    }
    std::printf("wrote %s: %zu process%s, %zu ring%s, %zu epoll set%s, %zu buffer%s; %llu frames, %llu bytes",
                render::name_text(ctx.value("output")).c_str(), snap.processes.size(),
                snap.processes.size() == 1 ? "" : "es", rings, rings == 1 ? "" : "s", epolls, epolls == 1 ? "" : "s",
                buffers, buffers == 1 ? "" : "s", static_cast<unsigned long long>(w.frames()),
                static_cast<unsigned long long>(w.bytes()));
    if (info.with_pages)
        std::printf(", %llu bytes of buffer contents", static_cast<unsigned long long>(stats.content_bytes));
    if (!info.obstacles.empty())
        std::printf(", %zu obstacle%s marked", info.obstacles.size(), info.obstacles.size() == 1 ? "" : "s");
    std::printf("\n");
}

int run_dump(Context &ctx) {
    check_usage(ctx);
    const bool check = ctx.has("check"), force = ctx.has("force");
    const std::string &output = ctx.value("output");
    std::vector<int> pids = parse_pids(ctx.args);
    // Say so before the work, not after it; linking at the end is what
    // really keeps an existing image.
    if (!check && !force && image::path_exists(output))
        throw Error(kError, fmt::format("{} exists (dump --force replaces it)", render::name_text(output)));
    const model::Snapshot snap = take_snapshot(ctx, pids);
    collect::BufferMemoryMap memory = collect::classify_buffers(snap);
    std::vector<image::Obstacle> obstacles = image::find_obstacles(snap, memory);
    image::ImageInfo info = image_info(ctx, pids, obstacles);
    // What `image check` would say of the image: a snapshot it would reject
    // is never written, not even with --force (the collector drops what it
    // finds torn; this is the same check image check makes, run before the
    // image exists rather than after).
    std::vector<std::string> flaws = image::check_parts(info, snap, memory, {});
    for (auto &flaw : flaws)
        obstacles.push_back({image::ObstacleKind::partial, 0, {}, {}, "snapshot", "inconsistent: " + flaw});
    if (check) return report_check(ctx, obstacles);
    if (!flaws.empty()) {
        diag_obstacles("obstacle", obstacles);
        throw Error(kNotRestorable,
                    fmt::format("not dumped: the snapshot is inconsistent ({} flaw{}: image check would reject the "
                                "image), which --force does not override",
                                flaws.size(), flaws.size() == 1 ? "" : "s"));
    }
    if (!obstacles.empty() && !force) {
        diag_obstacles("obstacle", obstacles);
        throw Error(kNotRestorable,
                    fmt::format("not dumped: {} obstacle{} above (dump --check lists them; --force writes the image "
                                "with them marked)",
                                obstacles.size(), obstacles.size() == 1 ? "" : "s"));
    }
    diag_obstacles("note", obstacles, "marked in the image: ");

    bool first_read = true;
    image::ContentReader read = [&](int pid, std::uint64_t addr, std::span<char> out) {
        if (first_read) image::stop_point("pages");
        first_read = false;
        return collect::read_process_memory(pid, addr, out);
    };
    try {
        image::AtomicFile file(output, force);
        image::FrameWriter w(file.fd());
        image::WriteStats stats = image::write_image(w, info, snap, memory, read);
        image::stop_point("written");
        file.commit();
        for (auto &line : stats.unread) p_note(line);
        report_written(ctx, snap, w, stats, info);
    } catch (const std::system_error &e) {
        throw Error(kError, fmt::format("{}: {}", render::name_text(output), e.code().message()));
    } catch (const std::runtime_error &e) {
        throw Error(kError, e.what());  // the encoder's, never a bad image (exit 6)
    }
    return kOk;
}

}  // namespace

const Command &dump_command() {
    static const Command c{"dump",
                           "PID... -o PATH [--force] [--pages]\n--check PID...",
                           "write a checkpoint image of the processes' rings and epoll sets, or only check that one "
                           "can be written",
                           kOptions,
                           {},
                           run_dump,
                           "pids"};
    return c;
}

}  // namespace ud::cli
