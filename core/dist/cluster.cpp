// Cluster over c10d: a TCPStore at rank 0 for the rendezvous and the config check, a Gloo process
// group for the collectives. Compiled with USE_C10D_GLOO, as Debian's LibTorch was.
#include "dist/cluster.h"

#include <chrono>
#include <cstdlib>
#include <map>

#include <boost/json.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "csq/errors.h"

namespace csq::dist {

namespace json = boost::json;

struct Cluster::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
    std::chrono::milliseconds timeout{};
};

namespace {

std::string where(const DistributedSettings& s)
{
    return "rank " + std::to_string(s.rank) + "/" + std::to_string(s.worldSize);
}

std::string master(const DistributedSettings& s)
{
    return s.masterAddr + ":" + std::to_string(s.masterPort);
}

bool isLoopback(const std::string& host)
{
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// The network device Gloo binds: GLOO_SOCKET_IFNAME when set (as in PyTorch), the loopback for a
// run on one machine, else the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> glooDevice(const DistributedSettings& s)
{
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    if (isLoopback(s.masterAddr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

std::string firstDifference(const std::string& root, const std::string& mine, int rank)
{
    json::object a, b;
    try {
        a = json::parse(root).as_object();
        b = json::parse(mine).as_object();
    } catch (const std::exception&) {
        return "the texts differ";
    }
    std::map<std::string, std::pair<std::string, std::string>> keys;
    for (const auto& kv : a) keys[std::string(kv.key())].first = json::serialize(kv.value());
    for (const auto& kv : b) keys[std::string(kv.key())].second = json::serialize(kv.value());
    for (const auto& [key, values] : keys)
        if (values.first != values.second)
            return key + " is " + (values.first.empty() ? "missing" : values.first) + " on rank 0 but " +
                   (values.second.empty() ? "missing" : values.second) + " on rank " + std::to_string(rank);
    return "the texts differ";
}

std::vector<uint8_t> bytes(const std::string& s)
{
    return {s.begin(), s.end()};
}

// c10d's errors carry a C++ backtrace; the user needs the first line.
std::string reason(const std::exception& e)
{
    if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) return c10->what_without_backtrace();
    return e.what();
}

}  // namespace

Cluster::Cluster(DistributedSettings settings, std::unique_ptr<Impl> impl)
    : settings_(std::move(settings)), impl_(std::move(impl))
{
}

Cluster::~Cluster() = default;

std::unique_ptr<Cluster> Cluster::join(const DistributedSettings& s)
{
    requireValid(s);
    auto impl = std::make_unique<Impl>();
    impl->timeout = std::chrono::milliseconds(static_cast<int64_t>(s.timeoutSeconds * 1000));
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(s.masterPort);
    options.isServer = s.rank == 0;
    options.numWorkers = static_cast<std::size_t>(s.worldSize);
    options.waitWorkers = true;
    options.timeout = impl->timeout;
    try {
        impl->store = c10::make_intrusive<c10d::TCPStore>(s.masterAddr, options);
    } catch (const std::exception& e) {
        const std::string seconds = std::to_string(static_cast<int>(s.timeoutSeconds)) + " s";
        if (s.rank == 0)
            throw Error(where(s),
                        "the master at " + master(s) + " did not gather all " + std::to_string(s.worldSize) +
                            " ranks within " + seconds + ": " + reason(e),
                        "is the port free, and was every other rank started with the same --master and --world-size?");
        throw Error(where(s), "cannot reach the master at " + master(s) + " within " + seconds + ": " + reason(e),
                    "start rank 0 there (it listens on that port) and check the address, port and firewall");
    }
    try {
        auto groupOptions = c10d::ProcessGroupGloo::Options::create(impl->timeout);
        groupOptions->devices.push_back(glooDevice(s));
        impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, s.rank, s.worldSize, groupOptions);
    } catch (const std::exception& e) {
        throw Error(where(s),
                    "the ranks did not all connect within " + std::to_string(static_cast<int>(s.timeoutSeconds)) +
                        " s: " + reason(e),
                    "check that every rank started (see its output); on several machines set GLOO_SOCKET_IFNAME to "
                    "the network interface the ranks share");
    }
    return std::unique_ptr<Cluster>(new Cluster(s, std::move(impl)));
}

void Cluster::requireSameAsRoot(const std::string& what, const std::string& jsonObject)
{
    const std::string key = "csq/" + what + "/";
    impl_->store->set(key + std::to_string(rank()), bytes(jsonObject));
    std::string root;
    try {
        const auto value = impl_->store->get(key + "0");
        root.assign(value.begin(), value.end());
    } catch (const std::exception& e) {
        throw Error(where(settings_), "rank 0 never published its " + what + ": " + reason(e), "check rank 0's output");
    }
    // One flag per rank, summed: every rank learns who differs and stops with the same reason.
    auto differs = torch::zeros({worldSize()}, torch::kFloat);
    differs[rank()] = root == jsonObject ? 0.0f : 1.0f;
    std::vector<torch::Tensor> flags{differs};
    sum(flags, ("the " + what + " check").c_str());
    for (int r = 1; r < worldSize(); ++r) {
        if (flags[0][r].item<float>() == 0.0f) continue;
        std::string theirs;
        const auto value = impl_->store->get(key + std::to_string(r));
        theirs.assign(value.begin(), value.end());
        throw Error(where(settings_), "the ranks disagree on the " + what + ": " + firstDifference(root, theirs, r),
                    "start every rank with the same config, flags and dataset");
    }
}

namespace {

// Packs the tensors of one dtype into a flat CPU buffer, runs `collective` on it, and hands back views
// of the result. Never written in place: a gradient may be an expanded or shared tensor.
template <typename Collective>
void packed(std::vector<torch::Tensor>& tensors, Collective&& collective)
{
    std::map<c10::ScalarType, std::vector<size_t>> byType;
    for (size_t i = 0; i < tensors.size(); ++i) byType[tensors[i].scalar_type()].push_back(i);
    for (const auto& [type, indices] : byType) {
        std::vector<torch::Tensor> flat;
        for (size_t i : indices) flat.push_back(tensors[i].detach().reshape({-1}).to(torch::kCPU));
        auto buffer = torch::cat(flat);
        collective(buffer);
        int64_t offset = 0;
        for (size_t i : indices) {
            auto& t = tensors[i];
            const int64_t n = t.numel();
            t = buffer.narrow(0, offset, n).view(t.sizes()).to(t.device());
            offset += n;
        }
    }
}

}  // namespace

void Cluster::sum(std::vector<torch::Tensor>& tensors, const char* during)
{
    packed(tensors, [&](torch::Tensor& buffer) {
        std::vector<at::Tensor> message{buffer};
        try {
            impl_->group->allreduce(message)->wait(impl_->timeout);
        } catch (const std::exception& e) {
            throw Error(where(settings_), std::string("lost the other ranks during ") + during + ": " + reason(e),
                        "another rank stopped or its machine is unreachable: see its output; restart every rank "
                        "with --resume on the last checkpoint");
        }
    });
}

void Cluster::broadcastFromRoot(std::vector<torch::Tensor>& tensors, const char* during)
{
    packed(tensors, [&](torch::Tensor& buffer) {
        std::vector<at::Tensor> message{buffer};
        try {
            impl_->group->broadcast(message, c10d::BroadcastOptions{0})->wait(impl_->timeout);
        } catch (const std::exception& e) {
            throw Error(where(settings_), std::string("lost the other ranks during ") + during + ": " + reason(e),
                        "another rank stopped or its machine is unreachable: see its output");
        }
    });
}

}  // namespace csq::dist
