#include "tui/cursor.h"

namespace ud::tui {

void Cursor::fit(std::size_t count, std::size_t height) {
    if (count == 0) {
        selected_ = top_ = 0;
        return;
    }
    if (selected_ >= count) selected_ = count - 1;
    if (height == 0) height = 1;
    if (selected_ < top_) top_ = selected_;
    if (selected_ >= top_ + height) top_ = selected_ - height + 1;
    if (top_ + height > count) top_ = count > height ? count - height : 0;
}

void Cursor::move(long delta, std::size_t count, std::size_t height) {
    long s = static_cast<long>(selected_) + delta;
    if (s < 0) s = 0;
    selected_ = static_cast<std::size_t>(s);
    fit(count, height);
}

void Cursor::end(std::size_t count, std::size_t height) {
    selected_ = count ? count - 1 : 0;
    fit(count, height);
}

void Cursor::select(std::size_t i, std::size_t count, std::size_t height) {
    selected_ = i;
    fit(count, height);
}

}  // namespace ud::tui
