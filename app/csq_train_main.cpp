// csq-train: the headless front end of the CSQ engine. Parses flags into a TrainingConfig, runs a
// Session with a progress printer, and maps Ctrl-C to "finish the batch, save, exit 130".
#include <atomic>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <mutex>

#include <unistd.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "cli_progress.h"
#include "csq/config.h"
#include "csq/config_fields.h"
#include "csq/distributed.h"
#include "csq/errors.h"
#include "csq/evaluate.h"
#include "csq/sensitivity.h"
#include "csq/runtime.h"
#include "csq/session.h"
#include "csq/sweep.h"
#include "csq/version.h"

namespace po = boost::program_options;

namespace {

std::atomic<bool> interrupted{false};
extern "C" void onInterrupt(int)
{
    // Said at once (write is async-signal-safe); the run stops at its next batch boundary.
    static const char said[] = "\ncsq-train: interrupted; finishing the batch and saving a checkpoint\n";
    if (interrupted.exchange(true)) return;
    const auto written = write(STDERR_FILENO, said, sizeof said - 1);
    static_cast<void>(written);
}

template <class T>
std::string dflt(const T& value)
{
    std::ostringstream s;
    s << " (default: " << value << ")";
    return s.str();
}

// The flags of one --help section, from the config's field table (csq/config_fields.h): each with its
// help line and its default.
void addConfigFlags(po::options_description& section, csq::FieldSection which)
{
    const csq::TrainingConfig defaults;
    for (const auto& f : csq::configFields()) {
        if (!*f.flag || f.section != which) continue;
        const std::string value = *f.defaultText ? f.defaultText : csq::fieldValueText(f, defaults);
        const auto help = f.kind() == csq::FlagKind::Switch || value.empty() ? std::string(f.help)
                                                                             : std::string(f.help) + dflt(value);
        auto add = section.add_options();
        switch (f.kind()) {
            case csq::FlagKind::Text:
                add(f.flag, po::value<std::string>(), help.c_str());
                break;
            case csq::FlagKind::Whole:
                add(f.flag, po::value<int64_t>(), help.c_str());
                break;
            case csq::FlagKind::Real:
                add(f.flag, po::value<double>(), help.c_str());
                break;
            case csq::FlagKind::Switch:
                add(f.flag, help.c_str());
                break;
        }
    }
}

po::options_description describeOptions()
{
    po::options_description general("General");
    general.add_options()("help,h", "print this help and exit")(
        "version", "print the versions of csq-train, LibTorch and Boost and exit")(
        "config-reference", "print every config.json key (default, meaning, flag) as Markdown and exit")(
        "config", po::value<std::string>(), "read settings from a config.json; flags below override it");
    addConfigFlags(general, csq::FieldSection::General);
    general.add_options()("resume", po::value<std::string>(), "continue the run saved in this checkpoint.pt")(
        "evaluate", po::value<std::string>(),
        "print the test accuracy of this quantized.pt or quantized_module.pt and exit")(
        "results", po::value<std::string>(),
        "print the results of a run, seed group, sweep or a folder of them (a study), means ± sd over seeds, "
        "and exit")("format", po::value<std::string>()->default_value("md"), "with --results: md (a table) or csv")(
        "logits", po::value<int>()->default_value(0),
        "with --evaluate: also print the logits of the first N test images")(
        "sensitivity",
        "measure the model as the config starts it (a model file's weights, --weights) without training: the "
        "loss and accuracy each layer alone adds on 1..N bits, on 1024 training images; print them as a table "
        "(with --format csv as sensitivity.csv's rows), with --out also write <out>/sensitivity.csv, and exit")(
        "sweep", po::value<std::string>(),
        "run the config at each of these target bits, e.g. 1.5,2,3,4, each in <out>/mixed-<bits>; rerunning "
        "resumes an interrupted sweep")("uniform", po::value<std::string>(),
                                        "with --sweep: also uniform baselines at these bits, e.g. 2,3,4")(
        "seeds", po::value<std::string>(),
        "run once per seed, e.g. 1,2,3, each in <out>/seed-<k>, and write their aggregate (mean, sd, min, max "
        "of accuracy and bits) to <out>/summary.json; with --sweep each point is such a group, "
        "<out>/mixed-2/seed-<k>, and results.csv holds the aggregates; rerunning resumes")(
        "parallel", po::value<int>()->default_value(1),
        "with --sweep or --seeds: runs side by side, sharing the threads");
    po::options_description model("Model and data");
    addConfigFlags(model, csq::FieldSection::ModelAndData);
    po::options_description quant("Quantization and budget");
    addConfigFlags(quant, csq::FieldSection::QuantizationAndBudget);
    po::options_description optim("Optimization and run");
    addConfigFlags(optim, csq::FieldSection::OptimizationAndRun);
    const csq::DistributedSettings dd;
    po::options_description parallel("Data-parallel run: one csq-train per rank (torch c10d, Gloo over TCP)");
    parallel.add_options()("world-size", po::value<int>(),
                           "processes in the run (default: $WORLD_SIZE, else 1 = not distributed)")(
        "rank", po::value<int>(),
        "this process, 0..world-size-1; rank 0 writes the run files (default: $RANK, else 0)")(
        "master", po::value<std::string>(),
        ("HOST:PORT where rank 0 listens (default: $MASTER_ADDR:$MASTER_PORT, else " + dd.masterAddr + ":" +
         std::to_string(dd.masterPort) + ")")
            .c_str())(
        "dist-timeout", po::value<double>(),
        ("seconds to wait for the other ranks, at the start and at each exchange" + dflt(dd.timeoutSeconds)).c_str());
    po::options_description all("csq-train options");
    all.add(general).add(model).add(quant).add(optim).add(parallel);
    return all;
}

// Flags override the config file through its JSON form, so both share one parser and its messages.
csq::TrainingConfig configFrom(const po::variables_map& vm)
{
    const auto base = vm.count("config") ? csq::loadConfig(vm["config"].as<std::string>()) : csq::TrainingConfig{};
    auto merged = boost::json::parse(csq::toJson(base)).as_object();
    // --epochs over a schedule nobody set (the defaults' proportions, csq::followsDefaultSchedule: the
    // GUI's rule too) scales it; schedule flags then override their part of it.
    const bool rescaled = vm.count("epochs") && csq::followsDefaultSchedule(base);
    if (rescaled) {
        csq::TrainingConfig scaled = base;
        csq::scaleScheduleTo(scaled, static_cast<int>(vm["epochs"].as<int64_t>()));
        merged["float_epochs"] = scaled.floatEpochs;
        merged["ticket_epoch"] = scaled.ticketEpoch;
        merged["finetune_epochs"] = scaled.finetuneEpochs;
    }
    for (const auto& f : csq::configFields()) {
        if (!*f.flag || !vm.count(f.flag)) continue;
        switch (f.kind()) {
            case csq::FlagKind::Text:
                merged[f.key] = vm[f.flag].as<std::string>();
                break;
            case csq::FlagKind::Whole:
                merged[f.key] = vm[f.flag].as<int64_t>();
                break;
            case csq::FlagKind::Real:
                merged[f.key] = vm[f.flag].as<double>();
                break;
            case csq::FlagKind::Switch:
                merged[f.key] = true;
                break;
        }
    }
    auto config = csq::configFromJson(boost::json::serialize(merged), "command line");
    if (rescaled)
        std::cout << "csq-train: --epochs " << config.epochs << " over the default schedule: float warm-up "
                  << config.floatEpochs << ", ticket at " << config.ticketEpoch << ", " << config.finetuneEpochs
                  << " finetune epoch(s) after epoch " << config.epochs
                  << " (the defaults' proportions where no flag set them)" << std::endl;
    return config;
}

// Environment first (WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT), flags over it.
csq::DistributedSettings distributedFrom(const po::variables_map& vm)
{
    auto s = csq::distributedFromEnvironment();
    if (vm.count("world-size")) s.worldSize = vm["world-size"].as<int>();
    if (vm.count("rank")) s.rank = vm["rank"].as<int>();
    if (vm.count("dist-timeout")) s.timeoutSeconds = vm["dist-timeout"].as<double>();
    if (vm.count("master")) {
        const auto master = vm["master"].as<std::string>();
        const auto colon = master.rfind(':');
        if (colon == std::string::npos || colon == 0)
            throw csq::Error("--master", "expected HOST:PORT, got '" + master + "'", "e.g. --master 10.0.0.1:29500");
        s.masterAddr = master.substr(0, colon);
        try {
            size_t used = 0;
            s.masterPort = std::stoi(master.substr(colon + 1), &used);
            if (used != master.size() - colon - 1) throw std::invalid_argument("trailing text");
        } catch (const std::exception&) {
            throw csq::Error("--master", "the port in '" + master + "' is not a number",
                             "e.g. --master 10.0.0.1:29500");
        }
    }
    csq::requireValid(s);
    return s;
}

int evaluate(const po::variables_map& vm)
{
    const auto data = vm.count("data") ? vm["data"].as<std::string>() : std::string();
    const int threads = vm.count("threads") ? static_cast<int>(vm["threads"].as<int64_t>()) : 0;
    const auto result =
        csq::evaluateQuantizedModel(vm["evaluate"].as<std::string>(), data, vm["logits"].as<int>(), threads);
    std::cout.precision(10);
    std::cout << "model: " << result.model << "\ndataset: " << result.dataset << "\nimages: " << result.images
              << "\ntest_accuracy_quantized: " << result.accuracy << '\n';
    for (const auto& row : result.logits) {
        std::cout << "logits:";
        for (float v : row) std::cout << ' ' << v;
        std::cout << '\n';
    }
    return 0;
}

// What each layer alone adds when rounded onto 1..N bits, before any training.
int sensitivity(const po::variables_map& vm)
{
    const auto config = configFrom(vm);
    csq::configureThreads(config.threads);
    const auto measured = csq::measureSensitivity(config);
    const auto csv = csq::sensitivityCsv(measured);
    std::cout << (vm["format"].as<std::string>() == "csv" ? csv : csq::sensitivityTable(measured));
    if (vm.count("out")) std::cerr << "wrote " << csq::writeSensitivity(vm["out"].as<std::string>(), measured) << '\n';
    return 0;
}

// The results of a folder (a run, a group, a sweep, a study's folder of them) as a table.
int results(const po::variables_map& vm)
{
    const auto dir = vm["results"].as<std::string>();
    const auto format = vm["format"].as<std::string>();
    if (format != "md" && format != "csv") throw csq::Error("--format", "expected md or csv, got '" + format + "'");
    const auto found = csq::readResults(dir);
    std::cout << (format == "csv" ? csq::resultsCsv(found) : csq::resultsMarkdown(found));
    return 0;
}

// A sweep, a seed group, or a sweep of seed groups: all run through the sweep runner.
int sweep(const po::variables_map& vm)
{
    csq::SweepPlan plan;
    plan.base = configFrom(vm);
    const char* what = vm.count("sweep") ? "--sweep" : "--seeds";
    if (distributedFrom(vm).enabled())
        throw csq::Error(what, "runs in one process", "start it without --world-size or WORLD_SIZE");
    if (vm.count("seeds")) {
        if (vm.count("seed")) throw csq::Error("--seeds", "given with --seed", "give one of them");
        if (vm.count("resume"))
            throw csq::Error("--seeds", "given with --resume", "rerun the --seeds command to resume its runs");
        plan.seeds = csq::parseSeedList(vm["seeds"].as<std::string>(), "--seeds");
    }
    if (vm.count("sweep"))
        plan.budgets = csq::parseNumberList(vm["sweep"].as<std::string>(), "--sweep");
    else if (vm.count("uniform"))
        throw csq::Error("--uniform", "needs --sweep", "add --sweep with the mixed budgets");
    if (vm.count("uniform")) plan.uniformBits = csq::parseUniformBits(vm["uniform"].as<std::string>(), "--uniform");
    plan.directory = !plan.base.outDir.empty() ? plan.base.outDir
                     : vm.count("sweep")       ? "runs/sweep-" + plan.base.model
                                               : "runs/seeds-" + plan.base.model;
    plan.parallel = std::max(1, vm["parallel"].as<int>());
    std::mutex printing;
    csq::SweepProgress progress;
    progress.log = [&printing](const std::string& run, const std::string& line) {
        std::lock_guard lock(printing);
        std::cout << '[' << run << "] " << line << std::endl;
    };
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::cout << "sweep: " << plan.runs().size() << " runs in " << plan.directory << ", " << plan.parallel
              << " at a time" << std::endl;
    const auto results = csq::runSweep(plan, progress, &interrupted);
    std::cout << csq::resultsCsv(results);
    if (interrupted) {
        std::cerr << "csq-train: interrupted; run the same command again to resume it\n";
        return 130;
    }
    const auto points = plan.seeds.empty() ? plan.runs().size() : plan.groups().size();
    return results.size() == points ? 0 : 1;
}

int train(const po::variables_map& vm)
{
    csq::TrainingConfig config = configFrom(vm);
    const auto distributed = distributedFrom(vm);
    csq::configureThreads(config.threads);
    csq::cli::ProgressPrinter printer(isatty(STDOUT_FILENO) != 0, config.totalEpochs(), distributed.rank > 0);
    // Read at start-up, before any thread exists.
    if (const char* freeze = std::getenv("CSQ_TEST_FREEZE_AT_STEP"))  // NOLINT(concurrency-mt-unsafe)
        printer.freezeAtStep(std::atoll(freeze));
    // Gloo writes to its peers with writev, which raises SIGPIPE when a peer has died: ignored, the
    // write fails with EPIPE and the rank stops with "lost the other ranks" instead of vanishing.
    if (distributed.enabled()) std::signal(SIGPIPE, SIG_IGN);
    csq::Session session(printer);
    session.setDistributed(distributed);
    // The training thread sees the flag at its next batch, stops there and saves a checkpoint.
    session.linkStop(&interrupted);
    if (vm.count("resume")) {
        const auto out = vm.count("out") ? vm["out"].as<std::string>() : std::string();
        session.startFromCheckpoint(vm["resume"].as<std::string>(), out);
    } else {
        session.start(config);
    }
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    session.wait();
    if (printer.failed()) return 1;
    return printer.finished() ? 0 : 130;  // another rank was interrupted: all stopped with a checkpoint
}

}  // namespace

int main(int argc, char** argv)
{
    csq::configureAllocator();  // first, before any thread starts
    const auto options = describeOptions();
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "csq-train: " << e.what() << "\nTry 'csq-train --help'.\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << "Usage: csq-train [options]\n"
                     "Train a network with CSQ mixed-precision quantization, headless. With no options it\n"
                     "trains lenet5 on Fashion-MNIST towards 2 bits and writes a run directory under runs/.\n\n"
                  << options << '\n';
        return 0;
    }
    if (vm.count("config-reference")) {
        std::cout << csq::configReferenceMarkdown();
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "csq-train " << csq::kVersion << " (LibTorch " << csq::torchVersion() << ", Boost "
                  << csq::boostVersion() << ")\n";
        return 0;
    }
    try {
        if (vm.count("results")) return results(vm);
        if (vm.count("sensitivity")) return sensitivity(vm);
        return vm.count("evaluate")                                            ? evaluate(vm)
               : vm.count("sweep") || vm.count("seeds") || vm.count("uniform") ? sweep(vm)
                                                                               : train(vm);
    } catch (const std::exception& e) {
        std::cerr << "csq-train: " << e.what() << '\n';
        return 1;
    }
}
