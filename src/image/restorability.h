// Whether a snapshot can be checkpointed: every ring quiet (nothing queued,
// unreaped, overflowed or in flight) and no state a restore could not
// recreate. A pure function of the snapshot and of how the buffers' memory
// is mapped, so that `image check` can recompute it from an image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collect/memory_map.h"
#include "model/snapshot.h"

namespace ud::image {

// Numbered as Obstacle.Kind in uringdump.proto.
enum class ObstacleKind : int {
    partial = 1,
    state_unknown = 2,
    sq_pending = 3,
    cq_pending = 4,
    cq_overflow = 5,
    in_flight = 6,
    sqpoll = 7,
    provided_buffers = 8,
    personalities = 9,
    eventfd = 10,
    iowq_limits = 11,
    napi = 12,
    zcrx = 13,
    restrictions = 14,
    buffer_memory = 15,
};
inline constexpr int kLastObstacleKind = 15;

// A request an in-flight obstacle names: what the ring is waiting on.
struct ObstacleRequest {
    std::string opcode;  // "recv", as show names it
    std::uint64_t user_data = 0;
    std::optional<int> fd;  // lowest fd of the process holding its file
    std::string waiting;    // "poll", "timeout", ... (show's "waiting")
    bool operator==(const ObstacleRequest &) const = default;
};

struct Obstacle {
    ObstacleKind kind = ObstacleKind::partial;
    int pid = 0;                       // 0: the snapshot as a whole
    std::optional<std::uint32_t> ring; // index among the process's rings
    std::optional<std::uint32_t> slot; // buffer slot
    std::string where;                 // "io_uring fd 3"
    std::string detail;
    std::vector<ObstacleRequest> requests;  // in-flight: the requests listed on the ring's lists
    bool operator==(const Obstacle &) const = default;
};

// "sq-pending", "sqpoll", ... as JSON and uringdump-dump(8) name them.
std::string_view obstacle_name(ObstacleKind k);
// True for what makes a ring not quiet; false for state a restore cannot recreate.
bool is_quiescence(ObstacleKind k);

// Everything in the way of a restore, in snapshot order.
std::vector<Obstacle> find_obstacles(const model::Snapshot &snap, const collect::BufferMemoryMap &memory);

// "pid 12 io_uring fd 3: not quiet: 1 submission queued ..." (no newline).
std::string obstacle_line(const Obstacle &o);

// "io_uring fd 3", or "io_uring (no fd)".
std::string ring_label(const model::Ring &r);

}  // namespace ud::image
