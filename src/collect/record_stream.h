// Splits the bytes read from an iterator fd into records (bpf/records.h),
// checking each record's size against its type. Reads may end anywhere; a
// record cut by the end of a read waits for the next one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "records.h"

namespace ud::collect {

// The size a record of this type must have; 0 for an unknown type.
std::size_t record_size(std::uint16_t type);

class RecordStream {
public:
    using Sink = std::function<void(const ud_hdr &)>;

    explicit RecordStream(Sink sink) : sink_(std::move(sink)) {}

    // Feeds bytes; calls the sink for every complete record. Throws
    // std::runtime_error on a record of unknown type or wrong size.
    void feed(const char *data, std::size_t len);

    // True when no partial record is pending.
    bool at_boundary() const { return pending_.empty(); }

private:
    void emit(const char *rec);

    Sink sink_;
    std::vector<char> pending_;
};

}  // namespace ud::collect
