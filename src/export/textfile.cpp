#include "export/textfile.h"

#include <prometheus/text_serializer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "image/atomic_file.h"
#include "render/name_text.h"

namespace ud::exporter {

std::string to_text(const std::vector<prometheus::MetricFamily> &families) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return out.str();
}

void write_textfile(const std::string &path, const std::string &text) {
    image::AtomicFile file(path, true);
    // AtomicFile makes 0600 files (images may hold secrets); metrics do not,
    // and node_exporter usually runs as another user.
    if (::fchmod(file.fd(), 0644) != 0)
        throw std::runtime_error("cannot set the mode of " + render::name_text(path) + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(file.fd(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw std::runtime_error("cannot write " + render::name_text(path) + ": " +
                                     std::strerror(n < 0 ? errno : EIO));
        done += static_cast<std::size_t>(n);
    }
    file.commit();
}

}  // namespace ud::exporter
