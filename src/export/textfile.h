// The exporter's textfile mode: the metrics in Prometheus' text format,
// written for node_exporter's textfile collector. The file appears whole or
// not at all (image/atomic_file.h: an anonymous file in the same directory,
// synced, then renamed over the old one), so node_exporter never reads half
// of it.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace ud::exporter {

std::string to_text(const std::vector<prometheus::MetricFamily> &families);

// Replaces path with the text. Throws std::runtime_error saying what
// failed (the path escaped for a terminal).
void write_textfile(const std::string &path, const std::string &text);

}  // namespace ud::exporter
