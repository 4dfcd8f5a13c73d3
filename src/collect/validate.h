// The collector's one check of a snapshot before anything shows it, for
// what the BPF side cannot guarantee: a table read without the kernel's
// locks may come back torn (a buffer whose segments are not the buffer's,
// a slot beyond the table the ring's state gave, an item twice). What fails
// is dropped and said so in Snapshot::partial: exact or marked, never an
// item the process does not hold. The checks are model/consistency.h's,
// the ones `image check` applies to an image.
#pragma once

#include "model/snapshot.h"

namespace ud::collect {

void drop_flawed(model::Snapshot &snap);

}  // namespace ud::collect
