// detail::Chunked: the kernel's tables whose elements never move as they grow.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sim/chunked.hpp"

namespace {

TEST(Chunked, ElementsKeepTheirPlaceAndValueAsItGrowsPastManyChunks) {
    sim::detail::Chunked<std::uint64_t, 3> table;  // chunks of 8: 1,000 elements make 125 of them
    std::vector<const std::uint64_t*> places;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        const std::uint32_t at = table.grow();
        ASSERT_EQ(at, i);
        EXPECT_EQ(table[at], 0u) << "a new element starts value-initialised";
        table[at] = 7u * i + 1;
        places.push_back(&table[at]);
    }
    EXPECT_EQ(table.size(), 1000u);
    for (std::uint32_t i = 0; i < 1000; ++i) {
        EXPECT_EQ(&table[i], places[i]) << "element " << i << " moved";
        EXPECT_EQ(*places[i], 7u * i + 1);
    }
}

}  // namespace
