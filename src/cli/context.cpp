#include "cli/context.h"

namespace ud::cli {

const std::string &Context::value(std::string_view option) const {
    static const std::string none;
    auto it = options.find(option);
    return it == options.end() ? none : it->second;
}

}  // namespace ud::cli
