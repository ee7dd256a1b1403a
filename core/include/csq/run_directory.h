#pragma once
// The files of a run directory and of a sweep folder (docs/reference/run-directory.md, a contract;
// docs/architecture.md §5), by
// name, written once: the engine writes them under these names and every reader (the GUI, follow mode,
// sweeps, the interrupted-run offer) looks for them under these names. Torch-free.
namespace csq::run_files {

inline constexpr const char* kConfig = "config.json";
inline constexpr const char* kMetrics = "metrics.csv";
inline constexpr const char* kScheme = "scheme.json";
inline constexpr const char* kSummary = "summary.json";
inline constexpr const char* kCheckpoint = "checkpoint.pt";
inline constexpr const char* kQuantized = "quantized.pt";
inline constexpr const char* kQuantizedModule = "quantized_module.pt";
inline constexpr const char* kDequantizedStateDict = "dequantized_state_dict.pt";
inline constexpr const char* kTicketCosts = "ticket_costs.csv";
inline constexpr const char* kSensitivity = "sensitivity.csv";
// A sweep folder: its plan and its table of results; a seed group's aggregate is its kSummary.
inline constexpr const char* kSweepPlan = "sweep.json";
inline constexpr const char* kSweepResults = "results.csv";

}  // namespace csq::run_files
