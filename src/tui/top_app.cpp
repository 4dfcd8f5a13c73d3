#include "tui/top_app.h"

#include <curses.h>
#include <signal.h>
#include <time.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "render/name_text.h"
#include "tui/cursor.h"
#include "tui/detail.h"
#include "tui/rates.h"
#include "tui/rows.h"

namespace ud::tui {
namespace {

volatile sig_atomic_t g_stop = 0;

void on_stop(int) { g_stop = 1; }

std::uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

// The terminal in curses mode for as long as this lives: restored on every
// way out (return, exception, SIGINT, SIGTERM: those only set a flag the
// loop checks, so that endwin runs here and not in a signal handler).
class Terminal {
public:
    Terminal() {
        initscr();
        cbreak();
        noecho();
        keypad(stdscr, TRUE);
        curs_set(0);
        const char *no_color = std::getenv("NO_COLOR");
        color_ = has_colors() && !(no_color && *no_color);
        if (color_) {
            start_color();
            use_default_colors();
            init_pair(1, COLOR_BLACK, COLOR_CYAN);   // titles
            init_pair(2, COLOR_GREEN, -1);           // status
            init_pair(3, COLOR_YELLOW, -1);          // notes
        }
        struct sigaction sa {};
        sa.sa_handler = on_stop;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~Terminal() {
        endwin();
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    // Monochrome terminals and NO_COLOR get reverse video and bold only.
    int titles() const { return color_ ? COLOR_PAIR(1) : A_REVERSE; }
    int status() const { return color_ ? COLOR_PAIR(2) | A_BOLD : A_BOLD; }
    int note() const { return color_ ? COLOR_PAIR(3) : A_BOLD; }

private:
    bool color_ = false;
    struct sigaction old_int_ {}, old_term_ {};
};

const char *const kHelp[] = {
    "uringdump top: keys",
    "",
    "  Up/Down, j/k      move the selection (list) or scroll (details)",
    "  PgUp/PgDn         a page up or down",
    "  Home/End          first or last",
    "  Enter, Tab        switch between the list and the selected process's details",
    "  /                 filter by PID prefix or part of the name (empty: all)",
    "  s, >  / <         sort by the next / previous column",
    "  p, space          pause or resume refreshing",
    "  d                 set the refresh interval in seconds",
    "  ?                 this help",
    "  q, F10            quit",
    "",
    "press any key",
};

class TopApp {
public:
    TopApp(collect::Collector &c, const TopOptions &o) : collector_(c), opts_(o) {}

    int run() {
        Terminal term;
        term_ = &term;
        refresh_snapshot();
        while (!g_stop && !quit_) {
            rebuild_rows();
            draw();
            timeout(wait_ms());
            int ch = getch();
            if (g_stop) break;
            if (ch == ERR) {
                if (!paused_ && now_ns() >= next_ns_) refresh_snapshot();
                continue;
            }
            handle(ch);
        }
        return 0;
    }

private:
    std::size_t list_height() const { return LINES > 3 ? static_cast<std::size_t>(LINES - 3) : 1; }

    int wait_ms() const {
        if (paused_) return -1;
        std::uint64_t n = now_ns();
        return next_ns_ > n ? static_cast<int>((next_ns_ - n) / 1000000) + 1 : 0;
    }

    // The list needs counts only: a summary snapshot (fixed files and epoll
    // items counted in the kernel, no buffer segments) keeps top's cost low
    // with hundreds of processes. The details of the one selected process
    // are read in full.
    void refresh_snapshot() {
        snap_ = collector_.snapshot(opts_.pids, true);
        rates_.update(snap_);
        if (details_) refresh_details();
        next_ns_ = now_ns() + static_cast<std::uint64_t>(opts_.delay * 1e9);
        refreshes_++;
    }

    void rebuild_rows() {
        rows_ = make_rows(snap_, rates_, filter_, sort_);
        // The selection follows its process across refreshes and sorts.
        for (std::size_t i = 0; i < rows_.size(); i++)
            if (rows_[i].pid == selected_pid_) list_.select(i, rows_.size(), list_height());
        list_.fit(rows_.size(), list_height());
        if (!rows_.empty()) selected_pid_ = rows_[list_.selected()].pid;
    }

    void refresh_details() {
        detail_snap_ = selected_pid_ > 0 ? collector_.snapshot({selected_pid_}) : model::Snapshot{};
    }

    const model::Process *selected_process() const {
        for (auto &p : detail_snap_.processes)
            if (p.pid == selected_pid_) return &p;
        return nullptr;
    }

    void put_line(int y, const std::string &s, int attr = 0) {
        if (y < 0 || y >= LINES) return;
        if (attr) attron(attr);
        mvaddnstr(y, 0, s.c_str(), COLS);
        // Titles run the whole width.
        if (attr) {
            for (int x = static_cast<int>(s.size()); x < COLS; x++) mvaddch(y, x, ' ');
            attroff(attr);
        }
    }

    std::string status_line() const {
        std::string s = "uringdump top  " + std::to_string(snap_.processes.size()) + " processes  every " +
                        format_delay() + " s  " + (snap_.source == model::Source::bpf ? "bpf" : "procfs fallback");
        if (!collector_.using_bpf()) s += ": " + collector_.fallback_reason();
        if (paused_) s += "  [PAUSED]";
        if (!filter_.empty()) s += "  filter: " + filter_;
        return s;
    }

    std::string format_delay() const {
        char b[32];
        std::snprintf(b, sizeof(b), "%g", opts_.delay);
        return b;
    }

    // Drawn into the standard screen after erase(): curses sends only the
    // cells that differ from what the terminal shows, so nothing flickers.
    void draw() {
        erase();
        put_line(0, status_line(), term_->status());
        if (details_) {
            draw_details();
        } else {
            put_line(1, format_titles(sort_), term_->titles());
            for (std::size_t i = 0; i < list_height() && list_.top() + i < rows_.size(); i++) {
                std::size_t r = list_.top() + i;
                put_line(static_cast<int>(i) + 2, format_row(rows_[r], sort_), r == list_.selected() ? A_REVERSE : 0);
            }
            if (rows_.empty())
                put_line(2, filter_.empty() ? "no process holds an io_uring or epoll instance"
                                            : "no process matches the filter",
                         term_->note());
        }
        put_line(LINES - 1,
                 details_ ? "Enter/Tab list  Up/Down scroll  q quit  ? help"
                          : "Enter details  / filter  s sort  p pause  d interval  ? help  q quit");
        refresh();
    }

    void draw_details() {
        const model::Process *p = selected_process();
        std::vector<std::string> lines;
        if (p)
            lines = detail_lines(detail_snap_, *p, rates_);
        else
            lines.push_back("the process is gone");
        detail_count_ = lines.size();
        std::string title = "details";
        if (p) title += " of pid " + std::to_string(p->pid) + " (" + render::name_text(p->comm) + ")";
        put_line(1, title, term_->titles());
        detail_.fit(detail_count_, list_height());
        for (std::size_t i = 0; i < list_height() && detail_.top() + i < lines.size(); i++)
            put_line(static_cast<int>(i) + 2, lines[detail_.top() + i]);
    }

    // Reads a line at the bottom; empty optional on Esc.
    std::optional<std::string> prompt(const std::string &label, const std::string &initial) {
        std::string text = initial;
        timeout(-1);
        curs_set(1);
        for (;;) {
            move(LINES - 1, 0);
            clrtoeol();
            mvaddnstr(LINES - 1, 0, (label + text).c_str(), COLS);
            refresh();
            int ch = getch();
            if (g_stop || ch == 27) {
                curs_set(0);
                return std::nullopt;
            }
            if (ch == '\n' || ch == KEY_ENTER) break;
            if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && !text.empty())
                text.pop_back();
            else if (ch >= 32 && ch < 127)
                text += static_cast<char>(ch);
        }
        curs_set(0);
        return text;
    }

    void show_help() {
        erase();
        int y = 0;
        for (const char *line : kHelp) put_line(y++, line);
        refresh();
        timeout(-1);
        getch();
    }

    void sort_step(int step) {
        int n = static_cast<int>(Column::count);
        sort_ = static_cast<Column>((static_cast<int>(sort_) + step + n) % n);
    }

    void handle(int ch) {
        Cursor &c = details_ ? detail_ : list_;
        std::size_t count = details_ ? detail_count_ : rows_.size();
        long page = static_cast<long>(list_height());
        switch (ch) {
        case 'q':
        case KEY_F(10): quit_ = true; break;
        case KEY_UP:
        case 'k': c.move(-1, count, list_height()); break;
        case KEY_DOWN:
        case 'j': c.move(1, count, list_height()); break;
        case KEY_PPAGE: c.move(-page, count, list_height()); break;
        case KEY_NPAGE: c.move(page, count, list_height()); break;
        case KEY_HOME: c.home(); break;
        case KEY_END: c.end(count, list_height()); break;
        case '\n':
        case KEY_ENTER:
        case '\t':
            details_ = !details_;
            detail_.home();
            if (details_) refresh_details();
            break;
        case '/':
            if (auto f = prompt("filter (PID or name): ", filter_)) filter_ = *f;
            break;
        case 's':
        case '>': sort_step(1); break;
        case '<': sort_step(-1); break;
        case 'p':
        case ' ':
            paused_ = !paused_;
            if (!paused_) next_ns_ = now_ns();
            break;
        case 'd':
            if (auto d = prompt("refresh interval in seconds: ", format_delay())) {
                char *end = nullptr;
                double v = std::strtod(d->c_str(), &end);
                if (end && *end == 0 && v >= 0.1 && v <= 3600) {
                    opts_.delay = v;
                    next_ns_ = now_ns() + static_cast<std::uint64_t>(v * 1e9);
                }
            }
            break;
        case '?': show_help(); break;
        case KEY_RESIZE: break;  // LINES and COLS are new; the next draw fits them
        default: break;
        }
        if (!details_ && !rows_.empty()) selected_pid_ = rows_[std::min(list_.selected(), rows_.size() - 1)].pid;
    }

    collect::Collector &collector_;
    TopOptions opts_;
    Terminal *term_ = nullptr;
    model::Snapshot snap_;         // summary of every process, for the list
    model::Snapshot detail_snap_;  // the selected process in full
    RateTracker rates_;
    std::vector<ProcRow> rows_;
    Cursor list_, detail_;
    std::size_t detail_count_ = 0;
    int selected_pid_ = -1;
    Column sort_ = Column::pid;
    std::string filter_;
    bool details_ = false, paused_ = false, quit_ = false;
    std::uint64_t next_ns_ = 0;
    unsigned long refreshes_ = 0;
};

}  // namespace

int run_top(collect::Collector &collector, const TopOptions &opts) {
    g_stop = 0;
    return TopApp(collector, opts).run();
}

}  // namespace ud::tui
