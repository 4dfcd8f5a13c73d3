// The join of ring slots and epoll targets to the fds of their process that
// hold the same struct file: one pass over the process's fds builds a table
// keyed on file identity, one lookup per slot or item reads it. No kcmp, no
// pairwise comparison.
#pragma once

#include "model/snapshot.h"

namespace ud::model {

// Fills Process::fd_pool and every FdSpan of the process, Ring::fds and
// Epoll::fds. Idempotent.
void join_fds(Process &p);

// The fds of a span, for views.
inline const int *span_begin(const Process &p, FdSpan s) { return p.fd_pool.data() + s.begin; }
inline const int *span_end(const Process &p, FdSpan s) { return p.fd_pool.data() + s.begin + s.count; }

}  // namespace ud::model
