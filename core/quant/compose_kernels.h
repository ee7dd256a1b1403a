#pragma once
// The loops of the fused bit composition (bit_compose.cpp) over one chunk of elements [begin, end) of
// every bit plane, on raw arrays, compiled per CPU level (quant/cpu_clones.h): the gates'
// exponential vectorises only with AVX2's blends, and the composition's cost is these loops. Planes
// are [bits, n], row-major.
#include <cstdint>

namespace csq::quant::kernels {

// sP, sQ = σ(β P), σ(β Q) and u = Σ_b coeff_b (sP_b − sQ_b), over [begin, end) of every plane.
void composeForward(const float* P, const float* Q, const float* coeff, int64_t bits, int64_t n, int64_t begin,
                    int64_t end, float beta, float* sP, float* sQ, float* u);
void composeForward(const double* P, const double* Q, const double* coeff, int64_t bits, int64_t n, int64_t begin,
                    int64_t end, double beta, double* sP, double* sQ, double* u);

// From the saved gates and the upstream gradient g of W = s·u, over [begin, end):
//   gP_b = g · s coeff_b β · sP_b (1 − sP_b),   gQ_b = −g · s coeff_b β · sQ_b (1 − sQ_b),
//   sums[b] = Σ g (sP_b − sQ_b) (times s: the gradient of coeff_b),   sums[bits] = Σ g u (the scale's).
// Sums are in double over fixed lanes, so a chunk's sums do not depend on the thread count.
void composeBackward(const float* sP, const float* sQ, const float* coeff, const float* u, const float* g, int64_t bits,
                     int64_t n, int64_t begin, int64_t end, float scale, float beta, float* gP, float* gQ,
                     double* sums);
void composeBackward(const double* sP, const double* sQ, const double* coeff, const double* u, const double* g,
                     int64_t bits, int64_t n, int64_t begin, int64_t end, double scale, double beta, double* gP,
                     double* gQ, double* sums);

}  // namespace csq::quant::kernels
