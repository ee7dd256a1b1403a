// csq-bench: training-step speed and peak memory of CSQ against plain float training of the same
// network, interleaving the variants in one process so that machine noise hits them alike. Peak
// memory is measured per variant in a child process of its own (a process's peak never goes down).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include <unistd.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "bench/step_bench.h"
#include "csq/errors.h"
#include "csq/runtime.h"
#include "csq/version.h"

namespace po = boost::program_options;
using csq::bench::BenchModel;

namespace {

// The settings: resnet20 on 3x32x32 at batch 128, lenet5 on 1x28x28 at batch 256.
const std::map<std::string, BenchModel> kModels{{"resnet20", {"resnet20", 3, 32, 32, 128}},
                                                {"lenet5", {"lenet5", 1, 28, 28, 256}}};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median seconds per step of every variant, stepping them in turn.
std::map<std::string, double> timeInterleaved(std::vector<csq::bench::Variant>& variants, int warmup, int steps)
{
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < warmup; ++i)
        for (auto& v : variants) v.step();
    std::map<std::string, std::vector<double>> seconds;
    for (int i = 0; i < steps; ++i)
        for (auto& v : variants) {
            const auto start = Clock::now();
            v.step();
            seconds[v.name].push_back(std::chrono::duration<double>(Clock::now() - start).count());
        }
    std::map<std::string, double> out;
    for (auto& [name, s] : seconds) out[name] = median(s);
    return out;
}

// Runs this program again as `--probe model:variant` and reads the peak it prints.
double probePeakMiB(const std::string& self, const std::string& model, const std::string& variant, int threads, int steps)
{
    const std::string command = "'" + self + "' --probe " + model + ":" + variant + " --threads " +
                                std::to_string(threads) + " --steps " + std::to_string(steps);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) throw csq::Error("csq-bench", "cannot start the memory probe", "check that " + self + " is executable");
    double mib = -1;
    if (std::fscanf(pipe.get(), "peak_rss_mib %lf", &mib) != 1 || mib <= 0)
        throw csq::Error("csq-bench", "the memory probe of " + model + ":" + variant + " printed no figure");
    return mib;
}

int probe(const std::string& spec, int maxBits, int steps)
{
    const auto colon = spec.find(':');
    const auto model = kModels.find(spec.substr(0, colon));
    if (colon == std::string::npos || model == kModels.end())
        throw csq::Error("--probe", "expected MODEL:VARIANT, got '" + spec + "'");
    auto v = csq::bench::buildVariant(model->second, spec.substr(colon + 1), maxBits, 1);
    for (int i = 0; i < std::max(2, steps); ++i) v.step();
    std::cout << "peak_rss_mib " << csq::bench::peakRssMiB() << std::endl;
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    po::options_description options("csq-bench options");
    options.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("models", po::value<std::string>()->default_value("resnet20,lenet5"),
         "comma-separated: resnet20 (3x32x32, batch 128), lenet5 (1x28x28, batch 256)")
        ("threads", po::value<int>()->default_value(0), "intra-op threads, 0 = physical cores")
        ("steps", po::value<int>()->default_value(20), "timed steps per variant (median reported)")
        ("warmup", po::value<int>()->default_value(3), "untimed steps per variant first")
        ("max-bits", po::value<int>()->default_value(8), "max bits N of the CSQ variants")
        ("no-memory", "skip the per-variant peak-memory probes")
        ("json", po::value<std::string>(), "also write the figures to this JSON file")
        ("probe", po::value<std::string>(), "internal: run MODEL:VARIANT alone and print its peak memory");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, options), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << "Usage: csq-bench [options]\nTimes training steps of float vs CSQ (search, finetune) and "
                         "integer-model inference; prints medians, ratios and peak memory.\n\n"
                      << options << '\n';
            return 0;
        }
        if (vm.count("version")) {
            std::cout << "csq-bench " << csq::kVersion << " (LibTorch " << csq::torchVersion() << ")\n";
            return 0;
        }
        const int threads = csq::configureThreads(vm["threads"].as<int>());
        const int steps = std::max(1, vm["steps"].as<int>()), warmup = std::max(0, vm["warmup"].as<int>());
        const int maxBits = vm["max-bits"].as<int>();
        if (vm.count("probe")) return probe(vm["probe"].as<std::string>(), maxBits, warmup + steps);

        boost::json::object report;
        std::string list = vm["models"].as<std::string>();
        for (size_t start = 0; start <= list.size();) {
            const size_t end = std::min(list.find(',', start), list.size());
            const std::string name = list.substr(start, end - start);
            start = end + 1;
            if (name.empty()) continue;
            const auto model = kModels.find(name);
            if (model == kModels.end())
                throw csq::Error("--models", "unknown model '" + name + "'", "use resnet20 and/or lenet5");
            const auto& m = model->second;
            std::cout << name << ": batch " << m.batch << ", " << m.channels << "x" << m.height << "x" << m.width
                      << ", max " << maxBits << " bits, " << threads << " thread(s), median of " << steps << " steps\n";
            auto variants = csq::bench::buildVariants(m, maxBits, 1);
            const auto perStep = timeInterleaved(variants, warmup, steps);
            auto ips = [&](const char* v) { return static_cast<double>(m.batch) / perStep.at(v); };
            boost::json::object row{{"threads", threads},
                                    {"batch", m.batch},
                                    {"steps", steps},
                                    {"float_ips", ips("float")},
                                    {"csq_search_ips", ips("csq_search")},
                                    {"csq_finetune_ips", ips("csq_finetune")},
                                    {"csq_finetune_bits_ips", ips("csq_finetune_bits")},
                                    {"quantized_infer_ips", ips("quantized_infer")},
                                    {"ratio_search", perStep.at("csq_search") / perStep.at("float")},
                                    {"ratio_finetune", perStep.at("csq_finetune") / perStep.at("float")},
                                    {"ratio_finetune_bits", perStep.at("csq_finetune_bits") / perStep.at("float")}};
            std::cout << std::fixed << std::setprecision(1);
            for (const char* v : {"float", "csq_search", "csq_finetune", "csq_finetune_bits", "quantized_infer"})
                std::cout << "  " << std::left << std::setw(18) << v << std::right << std::setw(9) << ips(v)
                          << " img/s  " << std::setw(8) << perStep.at(v) * 1e3 << " ms/step\n";
            std::cout << std::setprecision(3) << "  ratio CSQ/float step time: search " << row["ratio_search"].as_double()
                      << ", finetune " << row["ratio_finetune"].as_double() << " (bits-mode finetune "
                      << row["ratio_finetune_bits"].as_double() << ")\n";
            if (!vm.count("no-memory")) {
                const std::string self = "/proc/self/exe";
                char resolved[4096] = {};
                const ssize_t len = readlink(self.c_str(), resolved, sizeof resolved - 1);
                const std::string exe = len > 0 ? std::string(resolved, static_cast<size_t>(len)) : argv[0];
                const int probeSteps = std::min(steps + warmup, 5);
                const double floatMiB = probePeakMiB(exe, name, "float", threads, probeSteps);
                const double searchMiB = probePeakMiB(exe, name, "csq_search", threads, probeSteps);
                const double finetuneMiB = probePeakMiB(exe, name, "csq_finetune", threads, probeSteps);
                row["peak_rss_float_mb"] = floatMiB;
                row["peak_rss_csq_mb"] = std::max(searchMiB, finetuneMiB);
                row["peak_rss_csq_search_mb"] = searchMiB;
                row["peak_rss_csq_finetune_mb"] = finetuneMiB;
                std::cout << std::setprecision(1) << "  peak RSS (MiB, whole process): float " << floatMiB << ", search "
                          << searchMiB << ", finetune " << finetuneMiB << " -> CSQ/float "
                          << std::setprecision(3) << std::max(searchMiB, finetuneMiB) / floatMiB << '\n';
            }
            report[name] = std::move(row);
        }
        if (vm.count("json")) {
            std::ofstream out(vm["json"].as<std::string>());
            out << boost::json::serialize(report) << '\n';
            if (!out) throw csq::Error(vm["json"].as<std::string>(), "cannot write the JSON report");
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "csq-bench: " << e.what() << '\n';
        return 1;
    }
}
