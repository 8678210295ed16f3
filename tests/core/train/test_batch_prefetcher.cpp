// The ordered prefetch queue: items come back in index order whatever the
// worker count and however long each takes, no more than the window is
// computed ahead, a producer's exception reaches the consumer unchanged, and
// destroying the queue mid-sequence returns promptly.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/train/batch_prefetcher.h"

using synthforge::train::OrderedPrefetcher;
using namespace std::chrono_literals;

namespace {

/// Later items are faster, so with several workers they finish out of order.
std::string slowItem(std::size_t k) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 * ((k * 7) % 5)));
    return "item" + std::to_string(k * k);
}

}  // namespace

TEST(OrderedPrefetcher, ReturnsItemsInOrderForAnyWorkerCount) {
    for (int workers : {0, 1, 3, 8}) {
        OrderedPrefetcher<std::string> q(40, slowItem, workers, 4);
        EXPECT_EQ(q.size(), 40u);
        for (std::size_t k = 0; k < 40; ++k) {
            EXPECT_EQ(q.position(), k);
            const auto item = q.next();
            ASSERT_TRUE(item.has_value());
            EXPECT_EQ(*item, "item" + std::to_string(k * k)) << "workers " << workers;
        }
        EXPECT_FALSE(q.next().has_value());
        EXPECT_FALSE(q.next().has_value());
    }
    OrderedPrefetcher<int> empty(0, [](std::size_t) { return 1; }, 2, 1);
    EXPECT_FALSE(empty.next().has_value());
}

TEST(OrderedPrefetcher, ComputesNoMoreThanTheWindowAhead) {
    std::atomic<int> started{0};
    const int prefetch = 3;
    OrderedPrefetcher<int> q(
        100,
        [&](std::size_t k) {
            started.fetch_add(1);
            return static_cast<int>(k);
        },
        4, prefetch);
    EXPECT_EQ(*q.next(), 0);
    std::this_thread::sleep_for(50ms);  // a slow consumer: workers must wait
    // Consumed 1; the window allows items 1 .. 1 + prefetch.
    EXPECT_LE(started.load(), 1 + 1 + prefetch);
    EXPECT_GE(started.load(), 2);
    for (int k = 1; k < 10; ++k) EXPECT_EQ(*q.next(), k);
    std::this_thread::sleep_for(50ms);
    EXPECT_LE(started.load(), 10 + 1 + prefetch);
}

TEST(OrderedPrefetcher, RethrowsTheProducersExceptionForThatItem) {
    for (int workers : {0, 1, 3}) {
        OrderedPrefetcher<int> q(
            6,
            [](std::size_t k) -> int {
                if (k == 2) throw std::runtime_error("sample.png: seg: broken at item " + std::to_string(k));
                if (k == 4) throw std::invalid_argument("indices: 4");
                return static_cast<int>(k) * 10;
            },
            workers, 2);
        EXPECT_EQ(*q.next(), 0);
        EXPECT_EQ(*q.next(), 10);
        try {
            q.next();
            ADD_FAILURE() << "no exception, workers " << workers;
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "sample.png: seg: broken at item 2");
        }
        EXPECT_EQ(*q.next(), 30);  // the failed item counts as consumed
        EXPECT_THROW(q.next(), std::invalid_argument);
        EXPECT_EQ(*q.next(), 50);
        EXPECT_FALSE(q.next().has_value());
    }
}

TEST(OrderedPrefetcher, DestroyingMidSequenceDoesNotHang) {
    std::atomic<int> started{0};
    const auto t0 = std::chrono::steady_clock::now();
    {
        OrderedPrefetcher<std::vector<float>> q(
            100000,
            [&](std::size_t) {
                started.fetch_add(1);
                std::this_thread::sleep_for(2ms);
                return std::vector<float>(1000, 1.0f);
            },
            3, 8);
        q.next();
        q.next();
    }  // workers stop after the items they are computing
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(seconds, 2.0);
    EXPECT_LT(started.load(), 2 + 1 + 8 + 3);
    // Also when the consumer never asked for anything.
    { OrderedPrefetcher<int> q(1000, [](std::size_t k) { return static_cast<int>(k); }, 2, 2); }
}

TEST(OrderedPrefetcher, RejectsBadParameters) {
    auto f = [](std::size_t) { return 0; };
    EXPECT_THROW(OrderedPrefetcher<int>(3, f, -1, 1), std::invalid_argument);
    EXPECT_THROW(OrderedPrefetcher<int>(3, f, 1, 0), std::invalid_argument);
    EXPECT_THROW(OrderedPrefetcher<int>(3, nullptr, 1, 1), std::invalid_argument);
}
