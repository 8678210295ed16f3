#include "core/train/torch_process_group.h"

// ProcessGroupGloo.hpp compiles to nothing unless the LibTorch build's Gloo
// switch is on; Debian's libtorch (and PyTorch's binaries) are built with
// it, and the symbols live in libtorch_cpu. The Gloo headers themselves come
// from Debian's libgloo-dev. Every call below reads the same in LibTorch
// 1.13 and 2.x (2.x only adds defaulted arguments), so no version switch.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <utility>

namespace synthforge::train {

namespace {

bool isLoopback(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Gloo's pairs need an address the other ranks can reach. On one machine
// with a loopback rendezvous that is the loopback; otherwise the network
// interface that GLOO_SOCKET_IFNAME names (as in PyTorch), else the address
// this host's name resolves to (falling back to the loopback).
std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& masterAddr) {
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    if (isLoopback(masterAddr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

struct TorchProcessGroup::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

std::string where(const DistributedEnv& env) {
    return "rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) +
           ", rendezvous MASTER_ADDR:MASTER_PORT " + env.masterAddr + ":" + std::to_string(env.masterPort);
}

[[noreturn]] void fail(const DistributedEnv& env, const std::string& what, const std::string& why,
                       std::chrono::milliseconds timeout) {
    throw std::runtime_error("process group (" + where(env) + "): " + what + " failed within the " +
                             std::to_string(timeout.count()) + " ms timeout (a rank that never started, died " +
                             "or is unreachable): " + why);
}

// c10::Error's what() carries a C++ backtrace; the message is enough.
std::string reason(const std::exception& e) {
    if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
    return e.what();
}

const char* const kJoinedKey = "synthforge/joined";
const char* const kAllJoinedKey = "synthforge/all_joined";

// Every rank counts itself in; rank 0 waits until all have, then tells them.
// (The TCPStore server's own wait for its workers gives up silently at the
// timeout, and Gloo's mesh would then wait a second timeout: this reports a
// missing rank once, with how many arrived.)
void joinAll(c10d::Store& store, const DistributedEnv& env, std::chrono::milliseconds timeout) {
    store.add(kJoinedKey, 1);
    if (env.rank != 0) {
        store.wait({kAllJoinedKey}, timeout);
        return;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int64_t joined = 0;
    while ((joined = store.add(kJoinedKey, 0)) < env.worldSize) {
        if (std::chrono::steady_clock::now() >= deadline)
            throw std::runtime_error("only " + std::to_string(joined) + " of " + std::to_string(env.worldSize) +
                                     " ranks joined");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    store.set(kAllJoinedKey, std::vector<uint8_t>{1});
}

}  // namespace

TorchProcessGroup::TorchProcessGroup(const DistributedEnv& env, ProcessGroupOptions options)
    : env_(env), options_(options) {
    if (options_.timeout.count() <= 0) throw std::invalid_argument("process group: timeout must be positive");
    if (options_.bucketBytes == 0) throw std::invalid_argument("process group: bucketBytes must be positive");
    if (!env_.distributed()) return;
    if (env_.masterPort <= 0 || env_.masterPort > 65535)
        throw std::invalid_argument("MASTER_PORT: " + std::to_string(env_.masterPort) + " is no TCP port");
    // A peer that dies closes its sockets; writing to one then raises
    // SIGPIPE, whose default action would kill this rank silently instead
    // of letting Gloo report the failure (Python ignores SIGPIPE, so
    // PyTorch's own ranks never see it).
    std::signal(SIGPIPE, SIG_IGN);
    impl_ = std::make_unique<Impl>();
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(env_.masterPort);
        so.isServer = env_.rank == 0;
        so.numWorkers = static_cast<std::size_t>(env_.worldSize);
        // A rank that never starts is reported by joinAll, at the
        // rendezvous, not at the first step.
        so.waitWorkers = false;
        so.timeout = options_.timeout;
        impl_->store = c10::make_intrusive<c10d::TCPStore>(env_.masterAddr, so);
        joinAll(*impl_->store, env_, options_.timeout);
    } catch (const std::exception& e) {
        fail(env_, "the TCPStore rendezvous", reason(e), options_.timeout);
    }
    try {
        auto go = c10d::ProcessGroupGloo::Options::create(options_.timeout);
        go->devices.push_back(glooDevice(env_.masterAddr));
        go->threads = 2;
        impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env_.rank, env_.worldSize, go);
    } catch (const std::exception& e) {
        fail(env_, "connecting Gloo's pairs", reason(e), options_.timeout);
    }
}

TorchProcessGroup::~TorchProcessGroup() = default;

namespace {

void checkTensors(const std::vector<torch::Tensor>& tensors, const char* what, bool floating = true) {
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        const std::string name = std::string(what) + ": tensor " + std::to_string(i);
        if (!t.defined()) throw std::invalid_argument(name + " is undefined");
        if (!t.device().is_cpu()) throw std::invalid_argument(name + " is not on the CPU (Gloo needs CPU tensors)");
        if (floating && !t.is_floating_point()) throw std::invalid_argument(name + " is not of a floating dtype");
    }
}

// Runs `collective` on buckets: consecutive tensors of one dtype, flattened
// into one contiguous tensor of at most `bucketBytes` (a larger tensor is a
// bucket of its own), then copied back. Every rank forms the same buckets
// because every rank passes the same shapes in the same order.
template <class Collective>
void inBuckets(std::vector<torch::Tensor>& tensors, std::size_t bucketBytes, Collective collective) {
    torch::NoGradGuard noGrad;
    std::size_t begin = 0;
    while (begin < tensors.size()) {
        std::size_t end = begin, bytes = 0;
        const auto dtype = tensors[begin].scalar_type();
        while (end < tensors.size() && tensors[end].scalar_type() == dtype) {
            const std::size_t b = tensors[end].numel() * tensors[end].element_size();
            if (end > begin && bytes + b > bucketBytes) break;
            bytes += b;
            ++end;
        }
        std::vector<torch::Tensor> flat;
        flat.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i) flat.push_back(tensors[i].detach().reshape({-1}));
        torch::Tensor bucket = torch::cat(flat);
        collective(bucket);
        int64_t offset = 0;
        for (std::size_t i = begin; i < end; ++i) {
            const int64_t n = tensors[i].numel();
            tensors[i].detach().copy_(bucket.narrow(0, offset, n).view(tensors[i].sizes()));
            offset += n;
        }
        begin = end;
    }
}

}  // namespace

void TorchProcessGroup::allReduceMean(std::vector<torch::Tensor>& tensors) { allReduce(tensors, true); }

void TorchProcessGroup::allReduceSum(std::vector<torch::Tensor>& tensors) { allReduce(tensors, false); }

void TorchProcessGroup::allReduce(std::vector<torch::Tensor>& tensors, bool mean) {
    checkTensors(tensors, mean ? "allReduceMean" : "allReduceSum");
    if (!impl_) return;
    inBuckets(tensors, options_.bucketBytes, [&](torch::Tensor& bucket) {
        std::vector<at::Tensor> one{bucket};
        c10d::AllreduceOptions opts;
        opts.reduceOp = c10d::ReduceOp::SUM;
        opts.timeout = options_.timeout;
        try {
            impl_->group->allreduce(one, opts)->wait();
        } catch (const std::exception& e) {
            fail(env_, "all-reduce", reason(e), options_.timeout);
        }
        if (mean) bucket.div_(env_.worldSize);
    });
}

void TorchProcessGroup::broadcastFrom0(std::vector<torch::Tensor>& tensors) {
    checkTensors(tensors, "broadcastFrom0", false);
    if (!impl_) return;
    inBuckets(tensors, options_.bucketBytes, [&](torch::Tensor& bucket) {
        std::vector<at::Tensor> one{bucket};
        c10d::BroadcastOptions opts;
        opts.rootRank = 0;
        opts.rootTensor = 0;
        opts.timeout = options_.timeout;
        try {
            impl_->group->broadcast(one, opts)->wait();
        } catch (const std::exception& e) {
            fail(env_, "broadcast", reason(e), options_.timeout);
        }
    });
}

void TorchProcessGroup::barrier() {
    if (!impl_) return;
    c10d::BarrierOptions opts;
    opts.timeout = options_.timeout;
    try {
        impl_->group->barrier(opts)->wait();
    } catch (const std::exception& e) {
        fail(env_, "barrier", reason(e), options_.timeout);
    }
}

}  // namespace synthforge::train
