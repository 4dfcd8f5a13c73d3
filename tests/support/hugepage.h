// One huge page of the hugetlb pool, reserved for a test: the default pool
// (/proc/sys/vm/nr_hugepages) grows by one for the reservation's life and
// shrinks by one after, leaving whatever others set meanwhile. Needs root and
// a kernel that can still find 2 MiB of contiguous memory; ok() says whether
// the page was had, why() why not.
#pragma once

#include <string>

namespace ud::test {

class HugePage {
public:
    HugePage();
    ~HugePage();
    HugePage(const HugePage &) = delete;
    HugePage &operator=(const HugePage &) = delete;

    bool ok() const { return grew_ && why_.empty(); }
    const std::string &why() const { return why_; }

private:
    bool grew_ = false;  // the pool holds one page more because of this
    std::string why_;
};

}  // namespace ud::test
