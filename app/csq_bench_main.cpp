// csq-bench: training-step speed and peak memory of CSQ against plain float training of the same
// network, interleaving the variants in one process so that machine noise hits them alike. Peak
// memory is measured per variant in a child process of its own (a process's peak never goes down).
// When Debian's PyTorch is importable it also times PyTorch's float step of the same network (the
// zoo or spec network built by scripts/pytorch_float_step.py, which csq-bench carries, or the very
// TorchScript module loaded with torch.jit.load), right after.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>

#include "bench/step_bench.h"
#include "csq/errors.h"
#include "csq/runtime.h"
#include "csq/version.h"
#include "io/atomic_file.h"
#include "models/script_network.h"
#include "models/zoo.h"
#include "pytorch_float_step.h"

namespace po = boost::program_options;
using csq::bench::BenchModel;

namespace {

// The benchmark's settings: resnet20 on 3x32x32 at batch 128, lenet5 on 1x28x28 at batch 256.
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

// Runs this program again as `--probe model:variant` (with the flags that name the model) and reads the
// peak it prints.
double probePeakMiB(const std::string& self, const std::string& modelFlags, const std::string& model,
                    const std::string& variant, int threads, int steps)
{
    const std::string command = "'" + self + "' " + modelFlags + " --probe '" + model + ":" + variant + "' --threads " +
                                std::to_string(threads) + " --steps " + std::to_string(steps);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) throw csq::Error("csq-bench", "cannot start the memory probe", "check that " + self + " is executable");
    double mib = -1;
    if (std::fscanf(pipe.get(), "peak_rss_mib %lf", &mib) != 1 || mib <= 0)
        throw csq::Error("csq-bench", "the memory probe of " + model + ":" + variant + " printed no figure");
    return mib;
}

struct PytorchStep {
    double seconds = 0;
    int64_t parameters = 0;  // of the network PyTorch built from the spec
    std::string torch;       // its version
};

// PyTorch's float training step of the same network, from the companion script run by `python`;
// nullopt (and the reason on stdout) when that python has no torch or the script fails.
std::optional<PytorchStep> timePytorchFloat(const std::string& python, const BenchModel& m, bool channelsLast,
                                            int threads, int warmup, int steps)
{
    char dir[] = "/tmp/csq-bench-XXXXXX";
    if (!mkdtemp(dir)) throw csq::Error("csq-bench", "cannot make a temporary folder for the PyTorch step");
    const std::string script = std::string(dir) + "/pytorch_float_step.py", spec = std::string(dir) + "/model";
    std::ofstream(script) << csq::bench::kPytorchFloatStepScript;
    const auto definition = m.definition.empty() ? csq::models::zooDefinition(m.name) : m.definition;
    std::ofstream(spec, std::ios::binary) << definition;
    // A TorchScript model is timed as the very module (torch.jit.load); a spec as the network it describes.
    const bool module = csq::models::isTorchScriptArchive(definition);
    const std::string command = "'" + python + "' '" + script + "' " + (module ? "--module '" : "--spec '") + spec +
                                "' --shape " + std::to_string(m.channels) + "," + std::to_string(m.height) + "," +
                                std::to_string(m.width) + " --batch " + std::to_string(m.batch) + " --classes " +
                                std::to_string(m.classes) + " --threads " + std::to_string(threads) + " --warmup " +
                                std::to_string(warmup) + " --steps " + std::to_string(steps) +
                                (channelsLast ? " --channels-last" : "") + " 2>&1";
    std::string output;
    int status = -1;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        char buffer[4096];
        while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
        status = pclose(pipe);
    }
    std::remove(script.c_str());
    std::remove(spec.c_str());
    rmdir(dir);
    try {
        const auto line = output.substr(output.rfind('{') == std::string::npos ? 0 : output.rfind('{'));
        const auto json = boost::json::parse(line).as_object();
        if (status == 0)
            return PytorchStep{json.at("seconds_per_step").to_number<double>(),
                               json.at("parameters").to_number<int64_t>(), json.at("torch").as_string().c_str()};
    } catch (const std::exception&) {
    }
    const auto last = output.find_last_not_of('\n');
    std::cout << "  pytorch_float" << (channelsLast ? "_nhwc" : "     ")
              << " not measured: " << (output.empty() ? python + " did not run" : output.substr(0, last + 1)) << '\n';
    return std::nullopt;
}

// Every variant's median step, interleaved: the report row, printed as it goes.
boost::json::object timeSteps(const BenchModel& m, int maxBits, int threads, int warmup, int steps)
{
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
        std::cout << "  " << std::left << std::setw(18) << v << std::right << std::setw(9) << ips(v) << " img/s  "
                  << std::setw(8) << perStep.at(v) * 1e3 << " ms/step\n";
    std::cout << std::setprecision(3) << "  ratio CSQ/float step time: search " << row["ratio_search"].as_double()
              << ", finetune " << row["ratio_finetune"].as_double() << " (bits-mode finetune "
              << row["ratio_finetune_bits"].as_double() << ")\n";
    return row;
}

// PyTorch's float step of the same network beside the row's CSQ search step, when `python` has torch:
// in PyTorch's default layout (NCHW, what most PyTorch code runs) and in NHWC, the layout CSQ's
// networks run in on the CPU (spec_network.cpp), so the layout's own gain is not counted as CSQ's.
void addPytorchSteps(boost::json::object& row, const std::string& python, const BenchModel& m, int maxBits, int threads,
                     int warmup, int steps)
{
    const auto ours = csq::bench::floatParameterCount(m, maxBits);
    for (const bool channelsLast : {false, true}) {
        const auto py = timePytorchFloat(python, m, channelsLast, threads, warmup, steps);
        if (!py) return;
        if (py->parameters != ours)
            throw csq::Error("csq-bench",
                             "PyTorch built " + std::to_string(py->parameters) + " parameters from the " + m.name +
                                 " spec, csq-bench's float network has " + std::to_string(ours),
                             "scripts/pytorch_float_step.py must build every layer type of the spec");
        const std::string suffix = channelsLast ? "_nhwc" : "";
        const double pytorchIps = static_cast<double>(m.batch) / py->seconds;
        const double ratio = pytorchIps / row["csq_search_ips"].as_double();  // step time, CSQ over PyTorch
        row["pytorch_float" + suffix + "_ips"] = pytorchIps;
        row["ratio_search_pytorch" + suffix] = ratio;
        row["pytorch_version"] = py->torch;
        std::cout << std::setprecision(1) << "  " << std::left << std::setw(18) << "pytorch_float" + suffix
                  << std::right << std::setw(9) << pytorchIps << " img/s  " << std::setw(8) << py->seconds * 1e3
                  << " ms/step (PyTorch " << py->torch << ", " << (channelsLast ? "NHWC" : "NCHW") << ", the same "
                  << ours << " parameters, timed after)\n";
        std::cout << std::setprecision(3) << "  ratio CSQ search / PyTorch float" << (channelsLast ? " NHWC" : "")
                  << " step time: " << ratio << '\n';
    }
}

// Peak memory of float, search and finetune, each in a child process of this program.
void addPeakMemory(boost::json::object& row, const char* argv0, const std::string& modelFlags, const BenchModel& m,
                   int threads, int probeSteps)
{
    char resolved[4096] = {};
    const ssize_t len = readlink("/proc/self/exe", resolved, sizeof resolved - 1);
    const std::string exe = len > 0 ? std::string(resolved, static_cast<size_t>(len)) : argv0;
    const double floatMiB = probePeakMiB(exe, modelFlags, m.name, "float", threads, probeSteps);
    const double searchMiB = probePeakMiB(exe, modelFlags, m.name, "csq_search", threads, probeSteps);
    const double finetuneMiB = probePeakMiB(exe, modelFlags, m.name, "csq_finetune", threads, probeSteps);
    row["peak_rss_float_mb"] = floatMiB;
    row["peak_rss_csq_mb"] = std::max(searchMiB, finetuneMiB);
    row["peak_rss_csq_search_mb"] = searchMiB;
    row["peak_rss_csq_finetune_mb"] = finetuneMiB;
    std::cout << std::setprecision(1) << "  peak RSS (MiB, whole process): float " << floatMiB << ", search "
              << searchMiB << ", finetune " << finetuneMiB << " -> CSQ/float " << std::setprecision(3)
              << std::max(searchMiB, finetuneMiB) / floatMiB << '\n';
}

constexpr int kTraceSteps = 20;

int probe(const std::vector<BenchModel>& models, const std::string& spec, int maxBits, int steps,
          const std::string& trace)
{
    const auto colon = spec.rfind(':');
    const auto model = std::find_if(models.begin(), models.end(),
                                    [&](const BenchModel& m) { return m.name == spec.substr(0, colon); });
    if (colon == std::string::npos || model == models.end())
        throw csq::Error("--probe", "expected MODEL:VARIANT of a benchmarked model, got '" + spec + "'");
    auto v = csq::bench::buildVariant(*model, spec.substr(colon + 1), maxBits, 1);
    for (int i = 0; i < std::max(2, steps); ++i) v.step();
    if (!trace.empty()) {
        // Every ATen operator of kTraceSteps more steps with its time (scripts/step_trace.py sums them).
        torch::autograd::profiler::RecordProfile guard(trace);
        for (int i = 0; i < kTraceSteps; ++i) v.step();
    }
    std::cout << "peak_rss_mib " << csq::bench::peakRssMiB() << std::endl;
    return 0;
}

// Three whole numbers "C,H,W".
std::array<int64_t, 3> shapeFrom(const std::string& text)
{
    std::array<int64_t, 3> shape{};
    char tail = 0;
    if (std::sscanf(text.c_str(), "%ld,%ld,%ld%c", &shape[0], &shape[1], &shape[2], &tail) != 3 || shape[0] < 1 ||
        shape[1] < 1 || shape[2] < 1)
        throw csq::Error("--shape", "expected CHANNELS,HEIGHT,WIDTH, got '" + text + "'", "e.g. --shape 1,28,28");
    return shape;
}

// The networks to time: the model file's (--model-spec, with --shape, --batch and --classes) or the zoo's (--models).
std::vector<BenchModel> benchModels(const po::variables_map& vm)
{
    if (vm.count("model-spec")) {
        const auto path = vm["model-spec"].as<std::string>();
        const auto shape = shapeFrom(vm["shape"].as<std::string>());
        BenchModel m{std::filesystem::path(path).stem().string(),
                     shape[0],
                     shape[1],
                     shape[2],
                     std::max(1, vm["batch"].as<int>()),
                     csq::io::readFile(path),
                     path,
                     std::max(2, vm["classes"].as<int>())};
        return {m};
    }
    std::vector<BenchModel> out;
    const std::string list = vm["models"].as<std::string>();
    for (size_t start = 0; start <= list.size();) {
        const size_t end = std::min(list.find(',', start), list.size());
        const std::string name = list.substr(start, end - start);
        start = end + 1;
        if (name.empty()) continue;
        const auto model = kModels.find(name);
        if (model == kModels.end())
            throw csq::Error("--models", "unknown model '" + name + "'",
                             "use resnet20 and/or lenet5, or --model-spec FILE");
        out.push_back(model->second);
    }
    return out;
}

// The flags a memory probe needs to build the same model file.
std::string modelFlags(const po::variables_map& vm)
{
    if (!vm.count("model-spec")) return {};
    return "--model-spec '" + vm["model-spec"].as<std::string>() + "' --shape " + vm["shape"].as<std::string>() +
           " --batch " + std::to_string(vm["batch"].as<int>()) + " --classes " +
           std::to_string(vm["classes"].as<int>());
}

}  // namespace

int main(int argc, char** argv)
{
    csq::configureAllocator();  // first, before any thread starts
    po::options_description options("csq-bench options");
    options.add_options()("help,h", "print this help and exit")("version", "print the version and exit")(
        "models", po::value<std::string>()->default_value("resnet20,lenet5"),
        "comma-separated: resnet20 (3x32x32, batch 128), lenet5 (1x28x28, batch 256)")(
        "model-spec", po::value<std::string>(),
        "time this model instead: a TorchScript archive (PyTorch times the very module) or a JSON model spec")(
        "shape", po::value<std::string>()->default_value("1,28,28"), "with --model-spec: input CHANNELS,HEIGHT,WIDTH")(
        "batch", po::value<int>()->default_value(128), "with --model-spec: batch size")(
        "classes", po::value<int>()->default_value(10), "with --model-spec: classes of the output")(
        "threads", po::value<int>()->default_value(0), "intra-op threads, 0 = physical cores")(
        "steps", po::value<int>()->default_value(20), "timed steps per variant (median reported)")(
        "warmup", po::value<int>()->default_value(3), "untimed steps per variant first")(
        "max-bits", po::value<int>()->default_value(8), "max bits N of the CSQ variants")(
        "no-memory", "skip the per-variant peak-memory probes")(
        "python", po::value<std::string>()->default_value("/usr/bin/python3"),
        "Python whose PyTorch times the float step of the same network, in NCHW and in NHWC (Debian's python3-torch)")(
        "no-pytorch", "skip PyTorch's float steps")("json", po::value<std::string>(),
                                                    "also write the figures to this JSON file")(
        "probe", po::value<std::string>(), "internal: run MODEL:VARIANT alone and print its peak memory")(
        "trace", po::value<std::string>(),
        "with --probe: after its steps, write a Chrome trace (chrome://tracing) of 20 more steps to this "
        "file, every ATen operator with its time; scripts/step_trace.py compares two");
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
        const auto models = benchModels(vm);
        if (vm.count("probe"))
            return probe(models, vm["probe"].as<std::string>(), maxBits, warmup + steps,
                         vm.count("trace") ? vm["trace"].as<std::string>() : std::string());

        boost::json::object report;
        for (const auto& m : models) {
            std::cout << m.name << ": batch " << m.batch << ", " << m.channels << "x" << m.height << "x" << m.width
                      << ", max " << maxBits << " bits, " << threads << " thread(s), median of " << steps << " steps\n";
            auto row = timeSteps(m, maxBits, threads, warmup, steps);
            if (!vm.count("no-pytorch"))
                addPytorchSteps(row, vm["python"].as<std::string>(), m, maxBits, threads, warmup, steps);
            if (!vm.count("no-memory"))
                addPeakMemory(row, argv[0], modelFlags(vm), m, threads, std::min(steps + warmup, 5));
            report[m.name] = std::move(row);
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
