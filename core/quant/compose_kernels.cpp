#include "quant/compose_kernels.h"

#include <cmath>
#include <cstring>

#include "quant/cpu_clones.h"

#define CSQ_INLINE inline __attribute__((always_inline))

namespace csq::quant::kernels {

namespace {

// e^x in single precision, written so that it vectorises: x = n ln2 + r with |r| ≤ ln2/2 (ln2 in two
// parts, Cody–Waite), e^r by Cephes' degree-6 polynomial, 2^n written into the exponent. Within 2 ulp
// of e^x; x is clamped to where 2^n stays a normal float, which changes σ only below 1e-38.
CSQ_INLINE float vectorExp(float x)
{
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
    const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t exponent = (static_cast<int32_t>(n == n ? n : 0.0f) + 127) << 23;  // NaN stays NaN through p
    float twoToN;
    std::memcpy(&twoToN, &exponent, sizeof twoToN);
    return p * twoToN;
}

CSQ_INLINE float sigmoid(float t)
{
    return 1.0f / (1.0f + vectorExp(-t));
}
CSQ_INLINE double sigmoid(double t)
{
    return 1.0 / (1.0 + std::exp(-t));
}

template <class T>
CSQ_INLINE void forwardLoop(const T* P, const T* Q, const T* coeff, int64_t bits, int64_t n, int64_t begin, int64_t end,
                            T beta, T* sP, T* sQ, T* u)
{
    for (int64_t i = begin; i < end; ++i) u[i] = T(0);
    for (int64_t b = 0; b < bits; ++b) {
        const T* p = P + b * n;
        const T* q = Q + b * n;
        T* gp = sP + b * n;
        T* gq = sQ + b * n;
        const T c = coeff[b];
        for (int64_t i = begin; i < end; ++i) {
            const T a = sigmoid(beta * p[i]), d = sigmoid(beta * q[i]);
            gp[i] = a;
            gq[i] = d;
            u[i] += c * (a - d);
        }
    }
}

// Sums over kLanes interleaved double accumulators (element i into lane i mod kLanes), added lane by
// lane at the end: a fixed order that vectorises.
constexpr int64_t kLanes = 8;

CSQ_INLINE double laneSum(const double* lanes)
{
    double total = 0;
    for (int64_t l = 0; l < kLanes; ++l) total += lanes[l];
    return total;
}

template <class T>
CSQ_INLINE void backwardLoop(const T* sP, const T* sQ, const T* coeff, const T* u, const T* g, int64_t bits, int64_t n,
                             int64_t begin, int64_t end, T scale, T beta, T* gP, T* gQ, double* sums)
{
    const int64_t whole = begin + (end - begin) / kLanes * kLanes;
    double lanes[kLanes] = {};
    for (int64_t i = begin; i < whole; i += kLanes)
        for (int64_t l = 0; l < kLanes; ++l) lanes[l] += static_cast<double>(g[i + l] * u[i + l]);
    double tail = 0;
    for (int64_t i = whole; i < end; ++i) tail += static_cast<double>(g[i] * u[i]);
    sums[bits] = laneSum(lanes) + tail;
    for (int64_t b = 0; b < bits; ++b) {
        const T* p = sP + b * n;
        const T* q = sQ + b * n;
        T* gp = gP + b * n;
        T* gq = gQ + b * n;
        const T slope = scale * coeff[b] * beta;
        double bitLanes[kLanes] = {};
        for (int64_t i = begin; i < whole; i += kLanes)
            for (int64_t l = 0; l < kLanes; ++l) {
                const T a = p[i + l], d = q[i + l], gi = g[i + l];
                gp[i + l] = gi * slope * a * (T(1) - a);
                gq[i + l] = -gi * slope * d * (T(1) - d);
                bitLanes[l] += static_cast<double>(gi * (a - d));
            }
        double bitTail = 0;
        for (int64_t i = whole; i < end; ++i) {
            const T a = p[i], d = q[i], gi = g[i];
            gp[i] = gi * slope * a * (T(1) - a);
            gq[i] = -gi * slope * d * (T(1) - d);
            bitTail += static_cast<double>(gi * (a - d));
        }
        sums[b] = (laneSum(bitLanes) + bitTail) * static_cast<double>(scale);
    }
}

}  // namespace

CSQ_CPU_CLONES void composeForward(const float* P, const float* Q, const float* coeff, int64_t bits, int64_t n,
                                   int64_t begin, int64_t end, float beta, float* sP, float* sQ, float* u)
{
    forwardLoop(P, Q, coeff, bits, n, begin, end, beta, sP, sQ, u);
}

void composeForward(const double* P, const double* Q, const double* coeff, int64_t bits, int64_t n, int64_t begin,
                    int64_t end, double beta, double* sP, double* sQ, double* u)
{
    forwardLoop(P, Q, coeff, bits, n, begin, end, beta, sP, sQ, u);
}

CSQ_CPU_CLONES void composeBackward(const float* sP, const float* sQ, const float* coeff, const float* u,
                                    const float* g, int64_t bits, int64_t n, int64_t begin, int64_t end, float scale,
                                    float beta, float* gP, float* gQ, double* sums)
{
    backwardLoop(sP, sQ, coeff, u, g, bits, n, begin, end, scale, beta, gP, gQ, sums);
}

void composeBackward(const double* sP, const double* sQ, const double* coeff, const double* u, const double* g,
                     int64_t bits, int64_t n, int64_t begin, int64_t end, double scale, double beta, double* gP,
                     double* gQ, double* sums)
{
    backwardLoop(sP, sQ, coeff, u, g, bits, n, begin, end, scale, beta, gP, gQ, sums);
}

}  // namespace csq::quant::kernels
