// Obstacles to a restore as dump and image check print them: one line each
// for people, an array of objects in JSON.
#pragma once

#include <cstdio>
#include <vector>

#include "image/restorability.h"
#include "render/json_out.h"

namespace ud::cli {

// [{"pid","where","kind","ring","slot","quiescence","detail"}...];
// quiescence: true when the obstacle is a ring that is not quiet.
void obstacles_json(render::JsonOut &j, const std::vector<image::Obstacle> &obstacles);

// "PREFIX: pid 12 io_uring fd 3: not quiet: ..." per obstacle.
void print_obstacles(std::FILE *f, const char *prefix, const std::vector<image::Obstacle> &obstacles);

}  // namespace ud::cli
