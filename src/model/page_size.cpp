#include "model/page_size.h"

#include <unistd.h>

#include <bit>

namespace ud::model {

std::uint32_t system_page_size() {
    static const std::uint32_t size = static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

std::uint32_t page_shift(std::uint64_t page_size) { return static_cast<std::uint32_t>(std::countr_zero(page_size)); }

}  // namespace ud::model
