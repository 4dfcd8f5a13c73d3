// The image encoder and decoder on a snapshot built by hand: what goes in
// comes back, renders the same, and holds no kernel address.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "image/image_check.h"
#include "support/image_bytes.h"
#include "support/image_file.h"
#include "support/model_compare.h"
#include "support/sample_snapshot.h"

using namespace ud;
using namespace ud::test;

namespace {

image::ImageInfo sample_info(const model::Snapshot &snap, const collect::BufferMemoryMap &memory) {
    image::ImageInfo info;
    info.tool_version = "test";
    info.kernel_release = "6.18.0";
    info.taken_unix_ns = 1700000000123456789ULL;
    info.pids = {100, 200};
    info.obstacles = image::find_obstacles(snap, memory);
    info.forced = !info.obstacles.empty();
    return info;
}

// Buffer contents: byte i of a buffer at addr is (addr + i) & 0xff; the
// buffer at 0x7f0000100064 can be read for 100 bytes only.
constexpr std::uint64_t kShortBuffer = 0x7f0000100064;

collect::MemoryRead fake_memory(int, std::uint64_t addr, std::span<char> out) {
    std::size_t n = out.size();
    if (addr >= kShortBuffer && addr < kShortBuffer + 5000) n = std::min<std::size_t>(n, kShortBuffer + 100 - addr);
    for (std::size_t i = 0; i < n; i++) out[i] = static_cast<char>((addr + i) & 0xff);
    return {n, n < out.size() ? EFAULT : 0};
}

// The images of the samples: BPF and fallback, with and without contents.
struct SampleImage {
    std::string name;
    model::Snapshot snap;
    std::string bytes;
};

std::vector<SampleImage> sample_images() {
    std::vector<SampleImage> out;
    for (bool procfs : {false, true}) {
        for (bool pages : {false, true}) {
            model::Snapshot snap = procfs ? sample_procfs_snapshot() : sample_snapshot();
            auto memory = sample_memory(snap);
            image::ImageInfo info = sample_info(snap, memory);
            info.with_pages = pages;
            std::string bytes = encode_image(info, snap, memory, fake_memory);
            out.push_back({procfs ? (pages ? "procfs, pages" : "procfs") : (pages ? "bpf, pages" : "bpf"), std::move(snap),
                           std::move(bytes)});
        }
    }
    return out;
}

namespace gpb = google::protobuf;

// Full names of the fields of m (and of the messages within it) that hold
// something other than their default.
void fields_set(const gpb::Message &m, std::set<std::string> &seen) {
    const gpb::Reflection *refl = m.GetReflection();
    std::vector<const gpb::FieldDescriptor *> fields;
    refl->ListFields(m, &fields);
    for (const auto *f : fields) {
        seen.insert(f->full_name());
        if (f->cpp_type() != gpb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
        if (f->is_repeated())
            for (int i = 0; i < refl->FieldSize(m, f); i++) fields_set(refl->GetRepeatedMessage(m, f, i), seen);
        else
            fields_set(refl->GetMessage(m, f), seen);
    }
}

// Every field of the schema reachable from d.
void schema_fields(const gpb::Descriptor *d, std::set<std::string> &all, std::set<const gpb::Descriptor *> &visited) {
    if (!visited.insert(d).second) return;
    for (int i = 0; i < d->field_count(); i++) {
        const gpb::FieldDescriptor *f = d->field(i);
        all.insert(f->full_name());
        if (f->message_type()) schema_fields(f->message_type(), all, visited);
    }
}

}  // namespace

TEST_CASE("image codec: every field of the model comes back, field by field") {
    for (auto &s : sample_images()) {
        CAPTURE(s.name);
        image::Image img = decode_image(s.bytes);
        auto diff = model_differences(s.snap, img.snap);
        std::string listed;
        for (auto &d : diff) listed += d + "\n";
        INFO(listed);
        CHECK(diff.empty());
    }
}

TEST_CASE("image codec: the samples write every field of the schema with a value other than its default") {
    // So that a field the encoder drops, or a new one it never writes,
    // shows in the field-by-field comparison above.
    std::set<std::string> all, seen;
    std::set<const gpb::Descriptor *> visited;
    schema_fields(uringdump::image::Record::descriptor(), all, visited);
    for (auto &s : sample_images())
        for (auto &r : image_records(s.bytes)) fields_set(r, seen);
    std::vector<std::string> missing;
    std::set_difference(all.begin(), all.end(), seen.begin(), seen.end(), std::back_inserter(missing));
    std::string listed;
    for (auto &m : missing) listed += "never written with a value: " + m + "\n";
    INFO(listed);
    CHECK(missing.empty());
    CHECK(all.size() > 100);  // the walk reached the whole schema
}

TEST_CASE("image codec: a decoded snapshot renders the same JSON and tables as the one written") {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    image::Image img = decode_image(encode_image(sample_info(snap, memory), snap, memory));
    CHECK(json_of(img.snap) == json_of(snap));
    CHECK(table_of(img.snap) == table_of(snap));
    CHECK(img.snap.taken_ns == snap.taken_ns);
    CHECK(img.snap.partial == snap.partial);
}

TEST_CASE("image codec: info, buffer memory and obstacles come back as written") {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    image::ImageInfo info = sample_info(snap, memory);
    REQUIRE(info.obstacles.size() >= 2);  // the partial note and the shared buffer at least
    image::Image img = decode_image(encode_image(info, snap, memory));
    CHECK(img.info.tool_version == info.tool_version);
    CHECK(img.info.kernel_release == info.kernel_release);
    CHECK(img.info.taken_unix_ns == info.taken_unix_ns);
    CHECK(img.info.pids == info.pids);
    CHECK(img.info.forced);
    CHECK_FALSE(img.info.with_pages);
    CHECK(img.info.obstacles == info.obstacles);
    CHECK(img.memory == memory);
    CHECK(img.contents.empty());
    CHECK(image::check_consistency(img).empty());
}

TEST_CASE("image codec: buffer contents are stored in pieces, and a short read ends them with its reason") {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    image::ImageInfo info = sample_info(snap, memory);
    info.with_pages = true;
    std::string bytes = encode_image(info, snap, memory, fake_memory);
    image::Image img = decode_image(bytes);
    REQUIRE(img.contents.size() == 2);  // the kernel buffer has none
    CHECK(img.contents[{100, 0, 0}].bytes == kBigBuffer);
    CHECK(img.contents[{100, 0, 0}].error.empty());
    CHECK(img.contents[{100, 0, 1}].bytes == 100);
    CHECK(img.contents[{100, 0, 1}].error.find("not mapped") != std::string::npos);
    CHECK(image::check_consistency(img).empty());

    // The bytes themselves, read with the generated classes.
    std::string data;
    int pieces = 0;
    for (auto &r : image_records(bytes)) {
        if (r.has_buffer() && r.buffer().slot() == 0) data.clear();
        if (!r.has_buffer_data() || pieces++ > 0) continue;
        data = r.buffer_data().data();
    }
    REQUIRE(data.size() == image::kDataPiece);  // the first piece of buffer 0
    std::string want(data.size(), '\0');
    for (std::size_t i = 0; i < want.size(); i++) want[i] = static_cast<char>((0x7f0000001000 + i) & 0xff);
    CHECK(data == want);
}

TEST_CASE("image codec: identities are numbered within the image, kernel addresses never written") {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    auto records = image_records(encode_image(sample_info(snap, memory), snap, memory));
    std::uint64_t largest = 0;
    auto see = [&](std::uint64_t id) { largest = std::max(largest, id); };
    for (auto &r : records) {
        for (auto &f : r.files().files()) see(f.id());
        for (auto &f : r.task_fds().fds()) see(f.file());
        for (auto &f : r.ring_files().files()) see(f.file());
        for (auto &i : r.epoll_items().items()) see(i.file());
        if (r.has_ring()) see(r.ring().id()), see(r.ring().file());
        if (r.has_epoll()) see(r.epoll().id()), see(r.epoll().file());
    }
    // Five files, two rings, two epoll sets: nine objects at most.
    CHECK(largest > 0);
    CHECK(largest <= 9);
}

TEST_CASE("image check: obstacles that the image's own contents do not give are reported") {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    image::ImageInfo info = sample_info(snap, memory);
    info.obstacles.pop_back();
    image::Image img = decode_image(encode_image(info, snap, memory));
    auto problems = image::check_consistency(img);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("obstacles") != std::string::npos);
}

TEST_CASE("image check: the restore plan counts what the image holds") {
    model::Snapshot snap = sample_snapshot();
    auto memory = sample_memory(snap);
    image::Image img = decode_image(encode_image(sample_info(snap, memory), snap, memory));
    auto plan = image::restore_plan(img);
    REQUIRE(plan.size() == snap.processes.size());
    const model::Ring &ring = snap.processes[0].rings[0];
    REQUIRE(plan[0].rings.size() == 2);
    CHECK(plan[0].rings[0].files == ring.files.size());
    CHECK(plan[0].rings[0].file_slots == ring.state.nr_files);
    // Slot 5 holds a file no fd holds; slot 9's fds are unknown, slot 0's file is fd 4 and 7.
    CHECK(plan[0].rings[0].files_without_fd == 1);
    CHECK(plan[0].rings[0].buffers == ring.buffers.size());
    CHECK(plan[0].rings[0].buffer_bytes == kBigBuffer + 5000 + 65536);
    REQUIRE(plan[0].epolls.size() == 1);
    CHECK(plan[0].epolls[0].items == snap.processes[0].epolls[0].items.size());
}

TEST_CASE("image check: slots out of order or beyond their table, and short segments, are reported") {
    model::Snapshot snap = sample_snapshot();
    model::Ring &ring = snap.processes[0].rings[0];
    std::swap(ring.files[0], ring.files[1]);  // slots 5, 0, 9
    ring.buffers[2].slot = ring.state.nr_bufs;  // one past the table
    ring.segments[0].len = 100;                 // buffer 0's segments no longer add up
    auto memory = sample_memory(snap);
    image::Image img = decode_image(encode_image(sample_info(snap, memory), snap, memory));
    auto problems = image::check_consistency(img);
    auto reported = [&](const std::string &what) {
        return std::any_of(problems.begin(), problems.end(),
                           [&](const std::string &p) { return p.find(what) != std::string::npos; });
    };
    CHECK(problems.size() == 3);
    CHECK(reported("fixed-file slot 0 out of order"));
    CHECK(reported("buffer slot 8 beyond the table of 8"));
    CHECK(reported(fmt::format("buffer slot 0: segments hold {} bytes of {}", kBigBuffer - 4096 + 100, kBigBuffer)));
}
