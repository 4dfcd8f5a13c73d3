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
#include "cli/exit_codes.h"
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

bool check_usage(const Context &ctx) {
    if (ctx.check && (!ctx.output.empty() || ctx.force || ctx.pages)) {
        p_err("dump --check writes nothing: -o, --force and --pages do not go with it");
        return false;
    }
    if (!ctx.check && ctx.output.empty()) {
        p_err("dump needs -o PATH, the image to write (or --check to only check)");
        return false;
    }
    if (ctx.args.empty()) {
        p_err("dump needs the PIDs of the processes to dump");
        return false;
    }
    return true;
}

// dump --check: the obstacles on stdout; exit 0 when there are none.
int report_check(const Context &ctx, const std::vector<image::Obstacle> &obstacles) {
    if (ctx.json) {
        {
            render::JsonOut j(stdout, ctx.pretty);
            j.begin_object().kv_b("dumpable", obstacles.empty()).key("obstacles");
            obstacles_json(j, obstacles);
            j.end_object();
        }
        std::fputc('\n', stdout);
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
    info.with_pages = ctx.pages;
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
        {
            render::JsonOut j(stdout, ctx.pretty);
            j.begin_object();
            render::name_kv(j, "path", ctx.output);
            j.kv_u("frames", w.frames()).kv_u("bytes", w.bytes())
                .kv_u("processes", snap.processes.size()).kv_u("rings", rings).kv_u("epolls", epolls)
                .kv_u("buffers", buffers).kv_b("pages", info.with_pages).kv_u("content_bytes", stats.content_bytes);
            j.key("unread").begin_array();
            for (auto &line : stats.unread) j.str(line);
            j.end_array().key("obstacles");
            obstacles_json(j, info.obstacles);
            j.end_object();
        }
        std::fputc('\n', stdout);
        return;
    }
    std::printf("wrote %s: %zu process%s, %zu ring%s, %zu epoll set%s, %zu buffer%s; %llu frames, %llu bytes",
                render::name_text(ctx.output).c_str(), snap.processes.size(), snap.processes.size() == 1 ? "" : "es",
                rings, rings == 1 ? "" : "s", epolls, epolls == 1 ? "" : "s", buffers, buffers == 1 ? "" : "s",
                static_cast<unsigned long long>(w.frames()), static_cast<unsigned long long>(w.bytes()));
    if (info.with_pages)
        std::printf(", %llu bytes of buffer contents", static_cast<unsigned long long>(stats.content_bytes));
    if (!info.obstacles.empty())
        std::printf(", %zu obstacle%s marked", info.obstacles.size(), info.obstacles.size() == 1 ? "" : "s");
    std::printf("\n");
}

}  // namespace

int cmd_dump(Context &ctx) {
    if (!check_usage(ctx)) return kUsage;
    std::vector<int> pids;
    int code = kOk;
    if (!parse_pids(ctx.args, pids, &code)) return code;
    // Say so before the work, not after it; linking at the end is what
    // really keeps an existing image.
    if (!ctx.check && !ctx.force && image::path_exists(ctx.output)) {
        p_err(fmt::format("{} exists (dump --force replaces it)", render::name_text(ctx.output)));
        return kError;
    }
    std::optional<model::Snapshot> taken = take_snapshot(ctx, pids, &code);
    if (!taken) return code;
    const model::Snapshot &snap = *taken;
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
    if (ctx.check) return report_check(ctx, obstacles);
    if (!flaws.empty()) {
        print_obstacles(stderr, "uringdump: obstacle: ", obstacles);
        p_err(fmt::format("not dumped: the snapshot is inconsistent ({} flaw{}: image check would reject the image), "
                          "which --force does not override",
                          flaws.size(), flaws.size() == 1 ? "" : "s"));
        return kNotRestorable;
    }
    if (!obstacles.empty() && !ctx.force) {
        print_obstacles(stderr, "uringdump: obstacle: ", obstacles);
        p_err(fmt::format("not dumped: {} obstacle{} above (dump --check lists them; --force writes the image with "
                          "them marked)",
                          obstacles.size(), obstacles.size() == 1 ? "" : "s"));
        return kNotRestorable;
    }
    print_obstacles(stderr, "uringdump: note: marked in the image: ", obstacles);

    bool first_read = true;
    image::ContentReader read = [&](int pid, std::uint64_t addr, std::span<char> out) {
        if (first_read) image::stop_point("pages");
        first_read = false;
        return collect::read_process_memory(pid, addr, out);
    };
    try {
        image::AtomicFile file(ctx.output, ctx.force);
        image::FrameWriter w(file.fd());
        image::WriteStats stats = image::write_image(w, info, snap, memory, read);
        image::stop_point("written");
        file.commit();
        for (auto &line : stats.unread) p_note(line);
        report_written(ctx, snap, w, stats, info);
    } catch (const std::system_error &e) {
        p_err(fmt::format("{}: {}", render::name_text(ctx.output), e.code().message()));
        return kError;
    } catch (const std::runtime_error &e) {
        p_err(e.what());
        return kError;
    }
    return kOk;
}

}  // namespace ud::cli
