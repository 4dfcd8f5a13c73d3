// Obstacles to a restore as dump and image check print them: one line each
// for people, an array of objects in JSON.
#pragma once

#include <cstdio>
#include <string>
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

namespace ud::cli {

// One diagnostic per obstacle on stderr (errors.h): "uringdump: KIND:
// PREFIXpid 12 ...", or its JSON line under -j.
void diag_obstacles(const char *kind, const std::vector<image::Obstacle> &obstacles, const std::string &prefix = "");

}  // namespace ud::cli
