// The path /proc/PID/fd/N would show for a file, rebuilt from a FILE record:
// the dentry names the BPF walk gathered (leaf first), plus what d_path()
// adds itself: " (deleted)" for unlinked files, and the d_dname forms of
// pseudo filesystems ("socket:[123]", "pipe:[45]", "anon_inode:[eventfd]").
#pragma once

#include <string>

#include "records.h"

namespace ud::model {

struct RebuiltPath {
    std::string path;
    bool exact = true;  // false: a form we can only approximate (unknown pseudo fs, too long)
};

RebuiltPath rebuild_path(const ud_file &rec);

}  // namespace ud::model
