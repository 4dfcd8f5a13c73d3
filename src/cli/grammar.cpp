#include "cli/grammar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "cli/errors.h"
#include "render/json_out.h"
#include "render/name_text.h"

namespace ud::cli {
namespace {

const Option kGlobal[] = {
    {"json", 'j', {}, "JSON output"},
    {"pretty", 'p', {}, "indented JSON output (implies -j)"},
    {"debug", 'd', {}, "libbpf's messages and where the time went"},
    {"require-bpf", 0, {}, "fail instead of falling back to /proc"},
    {"procfs", 0, {}, "read /proc only, without BPF (also URINGDUMP_NO_BPF=1)"},
    {"version", 'V', {}, "print the version"},
    {"help", 'h', {}, "print the help of the command given so far"},
};

std::string quoted(std::string_view word) { return "'" + render::name_text(std::string(word)) + "'"; }

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); i++) out += (i ? ", " : "") + v[i];
    return out;
}

// The subcommand `word` names: an exact name, else the one name it is a
// prefix of ("sh" for show; a hidden command only by its whole name).
// "help" is a word of every level: *help is set when it is the one meant.
const Command *find_subcommand(std::span<const Command> table, std::string_view word, std::string_view where,
                               bool *help) {
    *help = false;
    std::vector<const Command *> matches;
    bool help_matches = !word.empty() && std::string_view("help").starts_with(word);
    for (auto &c : table) {
        if (c.name == word) return &c;
        if (!c.hidden && !word.empty() && c.name.starts_with(word)) matches.push_back(&c);
    }
    if (word == "help" || (help_matches && matches.empty())) {
        *help = true;
        return nullptr;
    }
    if (matches.size() == 1 && !help_matches) return matches[0];
    std::string see = where.empty() ? "uringdump help" : fmt::format("uringdump {} help", where);
    if (matches.empty())
        throw usage_error(fmt::format("unknown {}command {} (see {})", where.empty() ? "" : std::string(where) + " ",
                                      quoted(word), see));
    std::vector<std::string> names;
    for (auto *c : matches) names.push_back(std::string(c->name));
    if (help_matches) names.push_back("help");
    throw usage_error(fmt::format("ambiguous {}command {}: {}", where.empty() ? "" : std::string(where) + " ",
                                  quoted(word), join(names)));
}

struct Found {
    const Option *option = nullptr;
    bool global = false;
};

// A long option by exact name or unique prefix, the command's own first.
Found find_long(std::span<const Option> own, std::string_view name) {
    for (auto &o : own)
        if (o.name == name) return {&o, false};
    for (auto &o : global_options())
        if (o.name == name) return {&o, true};
    std::vector<Found> matches;
    for (auto &o : own)
        if (o.name.starts_with(name)) matches.push_back({&o, false});
    for (auto &o : global_options()) {
        bool shadowed = false;
        for (auto &m : matches) shadowed |= m.option->name == o.name;
        if (!shadowed && o.name.starts_with(name)) matches.push_back({&o, true});
    }
    if (matches.size() == 1) return matches[0];
    if (matches.empty()) return {};
    std::vector<std::string> names;
    for (auto &m : matches) names.push_back("--" + std::string(m.option->name));
    throw usage_error(fmt::format("ambiguous option '--{}': {}", render::name_text(std::string(name)), join(names)));
}

Found find_short(std::span<const Option> own, char c) {
    for (auto &o : own)
        if (o.short_name == c) return {&o, false};
    for (auto &o : global_options())
        if (o.short_name == c) return {&o, true};
    return {};
}

// Walks argv once: words descend the tables, options go to the command
// reached so far (its own first, then the global ones).
class Parser {
public:
    Parser(int argc, char **argv, Context &ctx) : argc_(argc), argv_(argv), ctx_(ctx) {}

    Invocation run() {
        std::span<const Command> level = top_commands();
        const Command *node = nullptr;  // null: the top level
        bool only_words = false;
        for (i_ = 1; i_ < argc_; i_++) {
            std::string a = argv_[i_];
            if (!only_words && a == "--") {
                only_words = true;
                continue;
            }
            if (!only_words && a.size() > 1 && a[0] == '-') {
                if (auto done = option(a, node)) return *done;
                continue;
            }
            if (!level.empty()) {
                // After "help", a word names whose help (uringdump help
                // dump, uringdump iter help pin).
                bool help = false;
                const Command *sub = find_subcommand(level, a, inv_.words, &help);
                if (help) {
                    help_ = true;
                    continue;
                }
                node = sub;
                inv_.words += (inv_.words.empty() ? "" : " ") + std::string(sub->name);
                level = sub->subcommands;
                continue;
            }
            ctx_.args.push_back(a);
        }
        if (help_) return help_result(node);
        if (!node) throw usage_error("missing command (see uringdump help)");
        if (!node->subcommands.empty()) {
            std::vector<std::string> names;
            for (auto &c : node->subcommands) names.push_back(std::string(c.name));
            throw usage_error(
                fmt::format("{} needs a command: {} (see uringdump {} help)", inv_.words, join(names), inv_.words));
        }
        if (ctx_.args.size() == 1 && ctx_.args[0] == "help") return help_result(node);
        inv_.command = node;
        return inv_;
    }

private:
    Invocation help_result(const Command *node) {
        inv_.action = Invocation::Action::help;
        inv_.command = node;
        return inv_;
    }

    void set(const Found &f, const std::string &value) {
        const Option &o = *f.option;
        if (!f.global) {
            ctx_.options[std::string(o.name)] = value;
            return;
        }
        if (o.name == "json")
            ctx_.json = true;
        else if (o.name == "pretty")
            ctx_.json = ctx_.pretty = true;
        else if (o.name == "debug")
            ctx_.debug = true;
        else if (o.name == "require-bpf")
            ctx_.require_bpf = true;
        else if (o.name == "procfs")
            ctx_.force_procfs = true;
    }

    // The value of an option that takes one: glued ("-d0.5", "--delay=0.5")
    // or the next word.
    std::string value_of(const Option &o, const std::string &spelled, std::optional<std::string> glued) {
        std::string v;
        if (glued)
            v = *glued;
        else if (i_ + 1 < argc_)
            v = argv_[++i_];
        if (v.empty())
            throw usage_error(fmt::format("option {} needs a value ({})", render::name_text(spelled), o.value));
        return v;
    }

    std::optional<Invocation> special(const Found &f, const Command *node) {
        if (!f.global) return std::nullopt;
        if (f.option->name == "version") {
            inv_.action = Invocation::Action::version;
            return inv_;
        }
        if (f.option->name == "help") return help_result(node);
        return std::nullopt;
    }

    std::optional<Invocation> option(const std::string &a, const Command *node) {
        std::span<const Option> own = node ? node->options : std::span<const Option>();
        std::string where = node ? " of " + inv_.words : "";
        if (a.starts_with("--")) {
            std::string name = a.substr(2);
            std::optional<std::string> glued;
            if (auto eq = name.find('='); eq != std::string::npos) {
                glued = name.substr(eq + 1);
                name.resize(eq);
            }
            Found f = find_long(own, name);
            if (!f.option)
                throw usage_error(fmt::format("unknown option '{}'{} (see uringdump {}help)", render::name_text(a),
                                              where, node ? inv_.words + " " : ""));
            if (f.option->value.empty() && glued)
                throw usage_error(fmt::format("option --{} takes no value", f.option->name));
            if (auto done = special(f, node)) return done;
            set(f, f.option->value.empty() ? "" : value_of(*f.option, a, glued));
            return std::nullopt;
        }
        // Short options, clustered ("-jp"); one taking a value ends the
        // cluster ("-d0.5").
        for (std::size_t k = 1; k < a.size(); k++) {
            Found f = find_short(own, a[k]);
            if (!f.option)
                throw usage_error(fmt::format("unknown option '-{}'{} (see uringdump {}help)",
                                              render::name_text(std::string(1, a[k])), where,
                                              node ? inv_.words + " " : ""));
            if (auto done = special(f, node)) return done;
            if (f.option->value.empty()) {
                set(f, "");
                continue;
            }
            std::optional<std::string> glued;
            if (k + 1 < a.size()) glued = a.substr(k + 1);
            set(f, value_of(*f.option, "-" + std::string(1, a[k]), glued));
            break;
        }
        return std::nullopt;
    }

    int argc_;
    char **argv_;
    Context &ctx_;
    int i_ = 1;
    bool help_ = false;  // "help" was one of the words
    Invocation inv_;
};

std::string option_spelling(const Option &o) {
    std::string s = o.short_name ? fmt::format("-{}, --{}", o.short_name, o.name) : fmt::format("    --{}", o.name);
    if (!o.value.empty()) s += " " + std::string(o.value);
    return s;
}

void print_options(std::FILE *f, const char *title, std::span<const Option> options) {
    if (options.empty()) return;
    std::size_t width = 0;
    for (auto &o : options) width = std::max(width, option_spelling(o).size());
    std::fprintf(f, "\n%s:\n", title);
    for (auto &o : options)
        std::fprintf(f, "  %-*s  %.*s\n", static_cast<int>(width), option_spelling(o).c_str(),
                     static_cast<int>(o.help.size()), o.help.data());
}

// The synopsis forms of a command: one per line of Command::synopsis.
std::vector<std::string_view> forms(std::string_view synopsis) {
    std::vector<std::string_view> out;
    while (true) {
        auto nl = synopsis.find('\n');
        out.push_back(synopsis.substr(0, nl));
        if (nl == std::string_view::npos) return out;
        synopsis.remove_prefix(nl + 1);
    }
}

void print_commands(std::FILE *f, std::span<const Command> table) {
    std::size_t width = 4;
    for (auto &c : table)
        if (!c.hidden) width = std::max(width, c.name.size());
    std::fprintf(f, "\nCommands:\n");
    for (auto &c : table)
        if (!c.hidden)
            std::fprintf(f, "  %-*.*s  %.*s\n", static_cast<int>(width), static_cast<int>(c.name.size()), c.name.data(),
                         static_cast<int>(c.summary.size()), c.summary.data());
    std::fprintf(f, "  %-*s  %s\n", static_cast<int>(width), "help", "print this help");
}

void option_json(render::JsonOut &j, const Option &o) {
    j.begin_object().kv("name", o.name);
    if (o.short_name)
        j.kv("short", std::string(1, o.short_name));
    else
        j.key("short").null();
    if (o.value.empty())
        j.key("value").null();
    else
        j.kv("value", o.value);
    j.kv("help", o.help).end_object();
}

void command_json(render::JsonOut &j, const Command &c) {
    j.begin_object().kv("name", c.name).kv("summary", c.summary).key("synopsis").begin_array();
    for (auto form : forms(c.synopsis)) j.str(form);
    j.end_array().kv("args", c.args).key("options").begin_array();
    for (auto &o : c.options) option_json(j, o);
    j.end_array().key("commands").begin_array();
    for (auto &s : c.subcommands)
        if (!s.hidden) command_json(j, s);
    j.end_array().end_object();
}

}  // namespace

std::span<const Option> global_options() { return kGlobal; }

Invocation parse_command_line(int argc, char **argv, Context &ctx) { return Parser(argc, argv, ctx).run(); }

void print_help(std::FILE *f, const Command *c, std::string_view words) {
    if (!c) {
        std::fprintf(f,
                     "Usage: uringdump [OPTIONS] COMMAND [ARGS]\n"
                     "       uringdump help | COMMAND help\n");
        print_commands(f, top_commands());
        print_options(f, "Options (before or after the command)", global_options());
        std::fprintf(f,
                     "\nEach command is matched by any unique prefix (uringdump sh = uringdump show).\n"
                     "See uringdump(8) and uringdump-COMMAND(8).\n");
        return;
    }
    bool first = true;
    auto usage = [&](std::string_view rest) {
        std::fprintf(f, "%s uringdump %.*s%s%.*s\n", first ? "Usage:" : "      ", static_cast<int>(words.size()),
                     words.data(), rest.empty() ? "" : " ", static_cast<int>(rest.size()), rest.data());
        first = false;
    };
    if (c->subcommands.empty()) {
        for (auto form : forms(c->synopsis)) usage(form);
    } else {
        for (auto &s : c->subcommands)
            for (auto form : forms(s.synopsis))
                usage(std::string(s.name) + (form.empty() ? "" : " ") + std::string(form));
    }
    usage("help");
    std::fprintf(f, "\n%.*s\n", static_cast<int>(c->summary.size()), c->summary.data());
    if (!c->subcommands.empty()) print_commands(f, c->subcommands);
    print_options(f, "Options", c->options);
    std::string page(words.substr(0, words.find(' ')));
    std::fprintf(f, "\nGlobal options: see uringdump help. See uringdump-%s(8).\n", page.c_str());
}

void grammar_json(render::JsonOut &j) {
    j.begin_object().key("options").begin_array();
    for (auto &o : global_options()) option_json(j, o);
    j.end_array().key("commands").begin_array();
    for (auto &c : top_commands())
        if (!c.hidden) command_json(j, c);
    j.end_array().end_object();
}

}  // namespace ud::cli
