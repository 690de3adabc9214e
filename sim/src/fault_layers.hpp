// Overlapping fault windows of one kind on one target. Two limps on one host, or a pause inside
// a pause, must not undo each other out of order: the newest open window's value applies, and
// when it closes the next newest's does; when none is left, the value from before the first.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace sim::detail {

template <class T>
class Layers {
public:
    // `current` is the value now (kept as the base when this is the first open window).
    template <class Set>
    void open(std::uint64_t id, T value, T current, Set&& set) {
        if (layers_.empty()) base_ = current;
        layers_.emplace_back(id, value);
        set(value);
    }
    template <class Set>
    void close(std::uint64_t id, Set&& set) {
        auto it = std::find_if(layers_.begin(), layers_.end(), [id](const auto& l) { return l.first == id; });
        if (it == layers_.end()) return;
        layers_.erase(it);
        set(layers_.empty() ? base_ : layers_.back().second);
    }
    bool empty() const noexcept { return layers_.empty(); }
    const std::vector<std::pair<std::uint64_t, T>>& open_layers() const noexcept { return layers_; }

private:
    T base_{};
    std::vector<std::pair<std::uint64_t, T>> layers_;
};

// Layers for every (target id) of one fault kind, and the ids of window openings.
template <class T>
struct LayerTable {
    std::map<std::uint32_t, Layers<T>> by_target;
    std::uint64_t next_id = 0;
};

template <class T>
std::shared_ptr<LayerTable<T>> make_layer_table() {
    return std::make_shared<LayerTable<T>>();
}

}  // namespace sim::detail
