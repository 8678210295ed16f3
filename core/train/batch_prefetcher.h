#pragma once
// An ordered prefetch queue: worker threads compute items 0, 1, 2, ... of a
// known count ahead of the consumer, and next() hands them out strictly in
// index order. Item k is produce(k) whichever thread computed it, so as long
// as produce is a pure function of k the sequence is the same for any number
// of workers (0 = computed synchronously inside next()).
//
// At most `prefetch` items are in flight or waiting beyond the one the
// consumer asks for next, which bounds memory. An exception thrown by
// produce(k) is captured and rethrown by the next() that asks for item k
// (the same exception object, so the same type and message); workers never
// let it escape (no std::terminate). The destructor stops the workers after
// the items they are computing and joins them: destroying the queue
// mid-sequence never hangs, provided produce itself returns.

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace synthforge::train {

template <typename T>
class OrderedPrefetcher {
public:
    using Producer = std::function<T(std::size_t)>;

    /// `count` items; `workers` threads (0: synchronous); `prefetch` >= 1
    /// items computed ahead. Throws std::invalid_argument naming the
    /// parameter for a negative worker count, prefetch < 1 or no producer.
    OrderedPrefetcher(std::size_t count, Producer produce, int workers, int prefetch)
        : count_(count), produce_(std::move(produce)), prefetch_(prefetch) {
        if (!produce_) throw std::invalid_argument("produce: empty function");
        if (workers < 0) throw std::invalid_argument("workers: " + std::to_string(workers) + " is negative");
        if (prefetch < 1) throw std::invalid_argument("prefetch: " + std::to_string(prefetch) + " is below 1");
        threads_.reserve(static_cast<std::size_t>(workers));
        try {
            for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
        } catch (...) {
            stopAndJoin();  // no destructor runs for a half-built object
            throw;
        }
    }

    OrderedPrefetcher(const OrderedPrefetcher&) = delete;
    OrderedPrefetcher& operator=(const OrderedPrefetcher&) = delete;

    ~OrderedPrefetcher() { stopAndJoin(); }

    std::size_t size() const { return count_; }
    /// Index of the item the next call to next() returns.
    std::size_t position() const {
        std::lock_guard<std::mutex> lock(mu_);
        return consumed_;
    }

    /// The next item in index order, or nullopt after the last. Rethrows the
    /// exception produce() threw for this item; the failed item counts as
    /// consumed, so a caller that catches it may go on with the next one.
    std::optional<T> next() {
        std::unique_lock<std::mutex> lock(mu_);
        if (consumed_ >= count_) return std::nullopt;
        const std::size_t k = consumed_;
        if (threads_.empty()) {
            ++consumed_;
            lock.unlock();
            return produce_(k);  // an exception simply propagates
        }
        cv_.wait(lock, [&] { return done_.count(k) != 0; });
        Slot slot = std::move(done_.at(k));
        done_.erase(k);
        ++consumed_;
        lock.unlock();
        cv_.notify_all();  // a worker may claim one more item now
        if (slot.error) std::rethrow_exception(slot.error);
        return std::move(slot.value);
    }

private:
    struct Slot {
        std::optional<T> value;
        std::exception_ptr error;
    };

    void stopAndJoin() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }

    void work() {
        std::unique_lock<std::mutex> lock(mu_);
        for (;;) {
            // Claim the next unclaimed item once it is within the window.
            cv_.wait(lock, [&] { return stop_ || claimed_ >= count_ || claimed_ < consumed_ + 1 + prefetch_; });
            if (stop_ || claimed_ >= count_) return;
            const std::size_t k = claimed_++;
            lock.unlock();
            Slot slot;
            try {
                slot.value.emplace(produce_(k));
            } catch (...) {
                slot.error = std::current_exception();
            }
            lock.lock();
            done_.emplace(k, std::move(slot));
            cv_.notify_all();
        }
    }

    const std::size_t count_;
    const Producer produce_;
    const std::size_t prefetch_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::size_t claimed_ = 0, consumed_ = 0;
    bool stop_ = false;
    std::map<std::size_t, Slot> done_;
    std::vector<std::thread> threads_;
};

}  // namespace synthforge::train
