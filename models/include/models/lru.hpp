// A map that remembers recency: the building block of LRU caches.
//
// Entries live in a list ordered from most to least recently used; a hash map finds a key's
// node and is used only for lookup. Every walk over the entries (eviction, partial flush) goes
// through the list, so the order a decision sees is the order of use, never the hash map's
// order, which the standard library is free to choose.
//
// Left out: a size limit (the owner decides when to evict: it may want to count or trace the
// eviction) and any notion of expiry or weight.
#pragma once

#include <cstddef>
#include <iterator>
#include <list>
#include <unordered_map>
#include <utility>

#include "sim/check.hpp"

namespace models {

template <class K, class V>
class LruMap {
public:
    struct Node {
        K key;
        V value;
    };
    using List = std::list<Node>;
    using iterator = typename List::iterator;
    using const_iterator = typename List::const_iterator;

    std::size_t size() const noexcept { return list_.size(); }
    bool empty() const noexcept { return list_.empty(); }

    // Most recently used first.
    iterator begin() noexcept { return list_.begin(); }
    iterator end() noexcept { return list_.end(); }
    const_iterator begin() const noexcept { return list_.begin(); }
    const_iterator end() const noexcept { return list_.end(); }

    // end() if absent. Does not count as a use.
    iterator find(const K& key) {
        auto it = index_.find(key);
        return it == index_.end() ? list_.end() : it->second;
    }
    const_iterator find(const K& key) const {
        auto it = index_.find(key);
        return it == index_.end() ? list_.cend() : const_iterator(it->second);
    }

    // Marks the entry as the most recently used.
    void touch(iterator it) { list_.splice(list_.begin(), list_, it); }

    // Inserts a new key as the most recently used (the key must be absent).
    iterator insert(K key, V value) {
        SIM_ASSERT(index_.find(key) == index_.end(), "LruMap::insert of a key already present");
        list_.push_front(Node{key, std::move(value)});
        index_.emplace(std::move(key), list_.begin());
        return list_.begin();
    }

    // The least recently used entry (the map must not be empty).
    iterator lru() { return std::prev(list_.end()); }

    // Returns the iterator after the erased one (towards less recent).
    iterator erase(iterator it) {
        index_.erase(it->key);
        return list_.erase(it);
    }
    bool erase(const K& key) {
        auto it = index_.find(key);
        if (it == index_.end()) return false;
        list_.erase(it->second);
        index_.erase(it);
        return true;
    }
    void clear() noexcept {
        index_.clear();
        list_.clear();
    }

private:
    List list_;
    std::unordered_map<K, iterator> index_;  // looked up only, never iterated (the list keeps the order)
};

}  // namespace models
