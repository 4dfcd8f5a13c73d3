#include "collect/percpu_offsets.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ud::collect {

std::optional<std::uint32_t> cpu_list_end(const std::string &list) {
    std::uint32_t end = 0;
    bool any = false;
    std::stringstream ss(list);
    std::string range;
    while (std::getline(ss, range, ',')) {
        while (!range.empty() && (range.back() == '\n' || range.back() == ' ')) range.pop_back();
        if (range.empty()) continue;
        const char *p = range.c_str();
        char *after = nullptr;
        unsigned long first = std::strtoul(p, &after, 10);
        if (after == p) return std::nullopt;
        unsigned long last = first;
        if (*after == '-') {
            const char *q = after + 1;
            last = std::strtoul(q, &after, 10);
            if (after == q || last < first) return std::nullopt;
        }
        if (*after) return std::nullopt;
        if (last >= 1u << 20) return std::nullopt;  // not a CPU number any kernel has
        end = std::max<std::uint32_t>(end, static_cast<std::uint32_t>(last) + 1);
        any = true;
    }
    return any ? std::optional<std::uint32_t>(end) : std::nullopt;
}

std::uint32_t possible_nodes(const std::string &possible) {
    std::ifstream nodes(possible);
    std::string list;
    if (!std::getline(nodes, list)) return 1;
    return cpu_list_end(list).value_or(1);
}

std::optional<PercpuOffsets> find_percpu_offsets(const std::string &kallsyms, const std::string &possible) {
    PercpuOffsets out;
    std::ifstream cpus(possible);
    std::string list;
    if (!std::getline(cpus, list)) return std::nullopt;
    auto end = cpu_list_end(list);
    if (!end) return std::nullopt;
    out.nr_cpu_ids = *end;

    // One sequential scan; lines are "ADDR TYPE NAME[\t[MODULE]]".
    FILE *f = std::fopen(kallsyms.c_str(), "re");
    if (!f) return std::nullopt;
    char line[512];
    while (std::fgets(line, sizeof(line), f)) {
        char *name = std::strchr(line, ' ');
        if (!name || !(name = std::strchr(name + 1, ' '))) continue;
        name++;
        if (std::strncmp(name, "__per_cpu_offset", 16) != 0 || (name[16] != '\n' && name[16] != '\t')) continue;
        out.array = std::strtoull(line, nullptr, 16);
        break;
    }
    std::fclose(f);
    // A zero address: the symbol is missing, or kptr_restrict hides it.
    if (!out.array) return std::nullopt;
    return out;
}

}  // namespace ud::collect
