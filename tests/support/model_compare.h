// Snapshots compared field by field, for the image round trips (the codec's
// unit tests and dump's integration tests).
//
// Complete by construction: every struct of model/snapshot.h has a defaulted
// operator==, so the verdict covers every field, including ones added later.
// Only what an image does not hold by design is set aside first, on both
// sides (canonical(), which says why for each), and model_compare.cpp stops
// the build when a struct gains a field, until someone has decided whether
// the image stores it.
#pragma once

#include <string>
#include <vector>

#include "model/snapshot.h"

namespace ud::test {

struct CompareOptions {
    // The two were collected at different moments (a live snapshot beside
    // one decoded from a dump taken just before it): taken_ns differs.
    bool same_moment = true;
};

// The snapshot as an image holds it: identities (kernel addresses, or the
// image's own numbers) renumbered 1, 2, 3... in order of first use, fd spans
// laid out in order of use, fields an image does not store cleared.
model::Snapshot canonical(model::Snapshot s, const CompareOptions &opts = {});

// Where written and read differ, one line each ("processes[0].rings[1].state
// differs"); empty when canonical(written) == canonical(read).
std::vector<std::string> model_differences(const model::Snapshot &written, const model::Snapshot &read,
                                           const CompareOptions &opts = {});

}  // namespace ud::test
