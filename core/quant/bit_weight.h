#pragma once
// The bit-level parameterization of one layer's weight (docs/method.md): bit-plane logits P and Q,
// a scale s and per-layer mask logits m, composed into a soft weight through sigmoid gates, or into
// the exact integer weight with step gates.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "quant/bit_lattice.h"

namespace csq::quant {

inline constexpr int kMinBits = 1;
inline constexpr int kMaxBits = 16;

// The top `bits` of a maxBits-bit layer kept (kept[b], b = 0 the LSB): a uniform grid over [-scale, scale].
std::vector<bool> topBitsKept(int maxBits, int bits);

struct BitInit {
    double bitLogit = 2.0;   // |logit| written into P/Q for a set (+) or clear (-) bit
    double maskLogit = 2.0;  // initial mask logit (> 0: every bit kept)
};

class BitWeightImpl : public torch::nn::Module {
public:
    BitWeightImpl(std::vector<int64_t> weightShape, int maxBits);

    // W = s * sum_b c_b (f(P_b) - f(Q_b)) f(m_b), c_b = 2^b / (2^N - 1); step gates in exact mode.
    torch::Tensor forward();

    // Writes float weights w0 as bits: s = max|w0|, q = round(|w0|/s (2^N-1)) into P (w0 > 0) or Q.
    void initFromFloat(const torch::Tensor& w0, const BitInit& init = {});

    // Loads an exact integer weight (codes q, scale, kept bits) as saturated logits; exact mode then
    // reproduces s * q / (2^N - 1) bit for bit.
    void setFromCodes(const torch::Tensor& codes, const torch::Tensor& scaleValue, const std::vector<bool>& kept);

    void setBeta(double beta) { beta_ = beta; }
    double beta() const { return beta_; }
    // Exact mode: every gate is a step; forward() gives the integer model's weight.
    void setExact(bool exact) { exact_ = exact; }
    // Ticket: mask gates become steps and the mask logits stop training; the scheme is frozen.
    void drawTicket();
    bool ticketDrawn() const { return ticket_; }
    // Held at max bits: all bits kept and frozen, outside the budget term.
    void holdAtMaxBits(double maskLogit) { holdAtBits(maxBits_, maskLogit); }
    // Keeps the top `bits` bits (a uniform k-bit grid over [-scale, scale]) and leaves the search.
    void holdAtBits(int bits, double maskLogit);
    // Keeps exactly these bits (kept[b], b = 0 LSB; at least one) and leaves the search.
    void holdAtKept(const std::vector<bool>& kept, double maskLogit);
    bool searchable() const { return searchable_; }
    // Lattice training (the default finetune once the ticket is drawn): `latent`, the layer's float
    // weight, is rounded onto the codes the kept bits can express, with a straight-through gradient to
    // the latent and the LSQ gradient (rounded - unrounded code) to the scale. integerCodes() and exact
    // mode read the same rounding. Call again after the mask changes (a loaded checkpoint).
    void trainOnLattice(const torch::Tensor& latent);
    bool onLattice() const { return latent_.defined(); }
    // Sets the scale that rounds w onto the lattice with the least squared error (after trainOnLattice).
    void fitScaleToLattice(const torch::Tensor& w);
    // Sets the mask logits to +/-magnitude for a chosen set of kept bits (hand-built schemes).
    void setKeptBits(const std::vector<bool>& kept, double magnitude);

    // q = sum_{b kept} 2^b (1[P_b >= 0] - 1[Q_b >= 0]), as int32 of the weight's shape.
    torch::Tensor integerCodes() const;
    // Mask gates f(m_b) now (steps after the ticket), detached, shape [N].
    torch::Tensor maskGates() const;
    // sum_b f(m_b), differentiable in m while the scheme is searched; a constant afterwards.
    torch::Tensor maskGateSum() const;
    // Kept bits: m_b >= 0, and at least minBits() of them: the bits of largest m_b make up the rest (a
    // layer of zero bits would zero its weights and cut the network). 1.0/0.0 in the mask's dtype, [N].
    torch::Tensor keptMask() const;
    // The fewest bits the layer keeps (1 unless a layer rule says MIN..): the search, the ticket and the
    // measured ticket's allocation never go below it. At most maxBits.
    void setMinBits(int bits);
    int minBits() const { return minBits_; }
    std::vector<bool> keptBits() const;  // keptMask() as bools, b = 0 (LSB) first

    int maxBits() const { return maxBits_; }
    int64_t numel() const;
    const std::vector<int64_t>& shape() const { return shape_; }
    double levels() const { return static_cast<double>((int64_t{1} << maxBits_) - 1); }

    torch::Tensor P, Q, scale, mask;

private:
    torch::Tensor maskGateTensor() const;  // differentiable unless the ticket is drawn
    const torch::Tensor& planeWeights();   // c_b, [N] in the scale's dtype and device, kept between steps
    void writeCodes(const torch::Tensor& signedCodes, double logit);
    void writeDigits(const torch::Tensor& plus, const torch::Tensor& minus, double logit);
    torch::Tensor latticeCodes(const torch::Tensor& v) const;  // nearest lattice code of float codes v
    torch::Tensor scaleWithLsqGradient() const;                // the scale's value, its gradient scaled (LSQ)
    std::vector<int64_t> planeShape() const;                   // [N, 1, 1, ...] to broadcast per-bit values

    std::vector<int64_t> shape_;
    torch::Tensor latent_;  // shares the layer's float weight while on the lattice
    torch::Tensor planeWeights_;
    BitLattice lattice_;
    int maxBits_;
    int minBits_ = 1;
    double beta_ = 1.0;
    bool exact_ = false;
    bool ticket_ = false;
    bool searchable_ = true;
};
TORCH_MODULE(BitWeight);

}  // namespace csq::quant
