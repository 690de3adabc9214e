// An array that grows at the end and whose elements never move: chunks of 2^Bits elements,
// allocated as it grows. For tables the kernel indexes by a small integer while code running from
// one of their elements may add more: the callback slots (a callback schedules others) and the
// network's in-flight packets (a delivery sends the reply).
//
// Left out: shrinking, and iteration (the owners keep their own free lists).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace sim::detail {

template <class T, unsigned Bits>
class Chunked {
public:
    T& operator[](std::uint32_t i) noexcept { return chunks_[i >> Bits][i & mask]; }
    std::uint32_t size() const noexcept { return size_; }

    // One more element (value-initialised the first time its chunk is made); its index.
    std::uint32_t grow() {
        if ((size_ >> Bits) >= chunks_.size()) chunks_.push_back(std::make_unique<T[]>(std::size_t{1} << Bits));
        return size_++;
    }

private:
    static constexpr std::uint32_t mask = (1u << Bits) - 1;
    std::vector<std::unique_ptr<T[]>> chunks_;
    std::uint32_t size_ = 0;
};

}  // namespace sim::detail
