// Writes a file that appears whole or not at all. The data goes to an
// anonymous file (O_TMPFILE) in the target's directory, mode 0600; commit()
// syncs it and only then gives it its name. A process killed at any moment
// before leaves nothing behind: an anonymous file has no name to leave.
//
// The name is never followed if it is a symlink: without `replace`, linking
// fails on any existing name, symlink or not; with it, rename() replaces the
// name itself. Replacing needs a temporary name for the two calls between
// link and rename (".uringdump-tmp-" and 16 random hex digits, short enough
// beside any NAME), which a kill exactly there leaves behind holding a
// complete image.
//
// Where O_TMPFILE is not supported, that temporary name is used from the
// start and removed on any failure short of a kill.
#pragma once

#include <string>

namespace ud::image {

class AtomicFile {
public:
    // Throws std::runtime_error saying what failed, for the path (escaped
    // as render/name_text.h escapes names, ready for a terminal).
    AtomicFile(const std::string &path, bool replace);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    int fd() const { return fd_; }
    // Syncs the data, names the file, syncs the directory. Throws
    // std::runtime_error; an existing name without `replace` says so.
    void commit();

private:
    std::string temp_name();
    int link_as(const std::string &name);

    std::string path_, base_, temp_;
    std::string shown_;  // path_ as messages quote it (render/name_text.h)
    bool replace_;
    bool named_ = false;  // the data lives under temp_ (no O_TMPFILE)
    bool committed_ = false;
    int dir_ = -1, fd_ = -1;
};

// Whether something exists at path, a symlink included (not followed).
bool path_exists(const std::string &path);

}  // namespace ud::image
