// csq-train: the headless front end of the CSQ engine.
#include <iostream>

#include <boost/program_options.hpp>

#include "csq/runtime.h"
#include "csq/version.h"

namespace po = boost::program_options;

int main(int argc, char** argv)
{
    po::options_description options("csq-train options");
    options.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the versions of csq-train, LibTorch and Boost and exit")
        ("threads", po::value<int>()->default_value(0), "intra-op threads (0 = physical cores)");
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
                     "Train a network with CSQ mixed-precision quantization, headless.\n\n"
                  << options << '\n';
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "csq-train " << csq::kVersion << " (LibTorch " << csq::torchVersion() << ", Boost "
                  << csq::boostVersion() << ")\n";
        return 0;
    }
    const int threads = csq::configureThreads(vm["threads"].as<int>());
    std::cout << "csq-train " << csq::kVersion << ": " << threads << " threads; training lands with the engine.\n";
    return 0;
}
