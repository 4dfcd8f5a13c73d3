// What `uringdump top` was asked to do.
#pragma once

#include <vector>

namespace ud::tui {

struct TopOptions {
    double delay = 1.0;     // seconds between refreshes (-d)
    bool batch = false;     // plain text (-b)
    long iterations = -1;   // refreshes to do (-n); -1: until quit
    std::vector<int> pids;  // empty: every process with a ring or epoll set
};

}  // namespace ud::tui
