#include "cli/obstacle_report.h"

#include "cli/errors.h"

namespace ud::cli {

void obstacles_json(render::JsonOut &j, const std::vector<image::Obstacle> &obstacles) {
    j.begin_array();
    for (auto &o : obstacles) {
        j.begin_object().kv_i("pid", o.pid).kv("where", o.where).kv("kind", image::obstacle_name(o.kind));
        if (o.ring) j.kv_u("ring", *o.ring);
        if (o.slot) j.kv_u("slot", *o.slot);
        j.kv_b("quiescence", image::is_quiescence(o.kind)).kv("detail", o.detail);
        if (o.kind == image::ObstacleKind::in_flight) {
            j.key("requests").begin_array();
            for (auto &q : o.requests) {
                j.begin_object().kv("opcode", q.opcode).kv_u("user_data", q.user_data);
                if (q.fd)
                    j.kv_i("fd", *q.fd);
                else
                    j.key("fd").null();
                j.kv("waiting", q.waiting).end_object();
            }
            j.end_array();
        }
        j.end_object();
    }
    j.end_array();
}

void print_obstacles(std::FILE *f, const char *prefix, const std::vector<image::Obstacle> &obstacles) {
    for (auto &o : obstacles) std::fprintf(f, "%s%s\n", prefix, image::obstacle_line(o).c_str());
}

void diag_obstacles(const char *kind, const std::vector<image::Obstacle> &obstacles, const std::string &prefix) {
    for (auto &o : obstacles) diag(kind, prefix + image::obstacle_line(o));
}

}  // namespace ud::cli
