#pragma once
// Where a run stands, saved in every checkpoint so that a resumed run continues exactly.
#include <cstdint>

namespace csq::io {

struct RunPosition {
    int epoch = 0;                // epoch in progress (0-based)
    int64_t batch = 0;            // next batch within that epoch
    int64_t step = 0;             // batches done since the start
    bool floatCommitted = false;  // the float warm-up is over: its weights were written into the bits
    bool ticketDrawn = false;     // the scheme is frozen
    double seconds = 0;           // training time so far (evaluation excluded)
    // running sums of the epoch in progress
    double epochLossSum = 0, epochCorrect = 0, epochSeen = 0;
};

}  // namespace csq::io
