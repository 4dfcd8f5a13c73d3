// Where the selection and the scroll position of a list stand, kept valid
// as the list grows, shrinks and the window changes size. Pure.
#pragma once

#include <cstddef>

namespace ud::tui {

class Cursor {
public:
    // Moves by delta rows (negative: up), clamped to [0, count).
    void move(long delta, std::size_t count, std::size_t height);
    void home() { selected_ = top_ = 0; }
    void end(std::size_t count, std::size_t height);
    // Puts the selection on row i (e.g. the same process after a refresh).
    void select(std::size_t i, std::size_t count, std::size_t height);
    // After the list or the window changed: clamp and keep the selection shown.
    void fit(std::size_t count, std::size_t height);

    std::size_t selected() const { return selected_; }
    std::size_t top() const { return top_; }

private:
    std::size_t selected_ = 0, top_ = 0;
};

}  // namespace ud::tui
