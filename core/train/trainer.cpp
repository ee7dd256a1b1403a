// Trainer: the batch loop, phases, live control, snapshots and epoch evaluation (run files: trainer_files.cpp).
#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "csq/enum_names.h"
#include "csq/errors.h"
#include "csq/runtime.h"
#include "csq/schedule.h"
#include "csq/run_directory.h"
#include "data/batcher.h"
#include "data/prefetcher.h"
#include "io/atomic_file.h"
#include "io/float_weights.h"
#include "train/evaluator.h"
#include "train/loss_ticket.h"
#include "train/run_model.h"
#include "train/timed.h"

namespace csq::train {

using Clock = std::chrono::steady_clock;

// Sums over the batches since the last snapshot, kept on the device: one host sync per snapshot.
struct Trainer::Window {
    torch::Tensor ce, budget, correct;
    int64_t images = 0, batches = 0;
    Clock::time_point start = Clock::now();
};

double Trainer::batchesPerEpoch() const
{
    const int64_t n = data_.train.size();
    return static_cast<double>((n + config_.batchSize - 1) / config_.batchSize);
}

void Trainer::setGates(double beta)
{
    if (beta == lastBeta_) return;
    for (auto& l : layers_) l.layer->bits()->setBeta(beta);
    lastBeta_ = beta;
}

// End of the float warm-up: the trained float weights become the bits (docs/method.md).
void Trainer::commitFloatWeights()
{
    const quant::BitInit init{config_.bitLogitInit, config_.maskLogitInit};
    for (auto& l : layers_)
        if (l.layer->floatMode()) l.layer->commitFloatWeights(init);
    position_.floatCommitted = true;
}

// The phase changes due at t. Called before the batch at t trains, never between an epoch's last
// batch and its evaluation, so that an epoch row shows the model of the phase it names.
void Trainer::applyPhaseChanges(double t)
{
    if (!position_.floatCommitted && t >= config_.floatEpochs) commitFloatWeights();
    const double ticketAt = config_.holdsScheme() ? config_.floatEpochs : config_.ticketEpoch;
    if (!position_.ticketDrawn && t >= ticketAt && quantized()) drawTicket();
}

// The phase of the model as it stands after the batches up to t: from the state, not the clock.
Phase Trainer::modelPhase(double t) const
{
    if (!quantized() || !position_.floatCommitted) return Phase::Float;
    if (!position_.ticketDrawn) return Phase::Search;
    return t - 1e-9 < config_.epochs ? Phase::Ticket : Phase::Finetune;
}

void Trainer::drawTicket()
{
    // Lattice finetune starts from the weights the network was trained with, soft masks included: the
    // kept bits then say how many codes a layer has, the fitted scale where they lie.
    std::vector<torch::Tensor> trained;
    if (config_.finetuneMode == FinetuneMode::Lattice) {
        torch::NoGradGuard noGrad;
        for (auto& l : layers_) trained.push_back(l.layer->bits()->forward().detach().clone());
    }
    // A resumed run's ticket is already drawn: the checkpoint's scheme stands.
    if (!position_.ticketDrawn && config_.ticketByLoss && !config_.holdsScheme()) {
        Timed timed(time_.ticket);
        const auto images = calibrationImages(data_.train, ranks_);
        const auto ticket = drawTicketByLoss({*model_, layers_, trained, images, norm_, EvalSettings{device_}, ranks_},
                                             config_.budgetMode, config_.targetBits);
        observer_.onLog(ticket.logLine);
        if (writesFiles()) io::writeFileAtomic(file(run_files::kTicketCosts), ticket.csv);
    } else if (!position_.ticketDrawn) {
        if (config_.ticketMeetsBudget) {
            const int changed = quant::meetBudget(layers_, config_.budgetMode, config_.targetBits);
            if (changed > 0)
                observer_.onLog("ticket: " + std::to_string(changed) + " marginal bit(s) set to meet the budget");
        }
        if (config_.contiguousBits) {
            const int moved = quant::makeKeptBitsContiguous(layers_);
            if (moved > 0)
                observer_.onLog("ticket: " + std::to_string(moved) +
                                " bit(s) moved to make each layer's kept bits contiguous");
        }
    }
    for (size_t i = 0; i < layers_.size(); ++i) {
        auto& bits = layers_[i].layer->bits();
        bits->drawTicket();
        bits->mask.mutable_grad().reset();  // undefined grad: the optimizer leaves the mask alone
        if (trained.empty()) continue;
        auto& layer = *layers_[i].layer;
        layer.trainOnLattice(trained[i]);
        optim_.forget(layer.weight);  // the float warm-up's momentum for this tensor is stale
    }
    position_.ticketDrawn = true;
}

// Live patches and "finalize now", taken at a batch boundary.
void Trainer::applyControl(Control& control, double t)
{
    control.runTasks();
    const auto patch = control.takePatch();
    if (!patch.empty()) {
        try {
            config_ = applied(config_, patch);
        } catch (const Error& e) {
            observer_.onLog(std::string("live change ignored: ") + e.what());
        }
    }
    if (control.takeFinalize()) {
        if (position_.ticketDrawn || t >= config_.epochs) {
            observer_.onLog("the scheme is already frozen");
        } else if (t < config_.floatEpochs) {
            observer_.onLog("finalize ignored: the float warm-up runs until epoch " +
                            std::to_string(config_.floatEpochs));
        } else {
            config_.ticketEpoch = std::max(t, 1e-6);
            observer_.onLog("scheme finalized at epoch " + std::to_string(t));
        }
    }
    applyPhaseChanges(t);
}

void Trainer::prepareInput(data::Batch& batch) const
{
    batch.input = data::toFloatBatch(batch.images, norm_);
    if (device_.is_cuda()) batch.input = batch.input.pin_memory();  // lets the copy below overlap
}

void Trainer::trainStep(const data::Batch& batch, double t, Window& w, bool wantStop)
{
    const auto& images = batch.images;
    const bool search = quantized() && !position_.ticketDrawn && t >= config_.floatEpochs;
    const double beta = betaAt(config_, t);
    setGates(beta);
    const double factor = lrFactorAt(config_, t);
    const double bitFactor = config_.bitLrFollowsBeta ? factor * config_.beta0 / beta : factor;
    optim_.setLearningRates(config_, factor, bitFactor);

    auto x = batch.input.defined() ? batch.input.to(device_, /*non_blocking=*/true)
                                   : data::toFloatBatch(images, norm_).to(device_);
    auto y = batch.labels.to(device_);
    auto logits = model_->forward(x);
    auto ce = torch::cross_entropy_loss(logits, y);
    auto loss = ce;
    torch::Tensor budget;
    if (search && config_.lambda > 0) {
        const double target = budgetTargetAt(config_, t);
        auto deltaS = quant::precisionTensor(layers_, config_.budgetMode) - target;
        budget = quant::budgetLoss(layers_, config_.budgetMode, config_.lambda, deltaS, target,
                                   {config_.budgetPower, config_.sizePrice});
        loss = loss + budget;
    }
    // This rank's share of the whole batch: the ranks' gradients, weighted so and summed, are the
    // gradient of the whole batch's mean loss.
    // One process: the share is 1 and the loss is left as it is.
    const double share =
        static_cast<double>(images.size(0)) / static_cast<double>(std::max<int64_t>(1, batch.globalCount));
    optim_.zeroGrad();
    (ranks_.many() ? loss * share : loss).backward();
    averageGradients(wantStop);
    optim_.step();

    torch::NoGradGuard noGrad;
    auto correct = logits.argmax(1).eq(y).sum();
    auto b = budget.defined() ? budget.detach() : torch::zeros({}, ce.options());
    const auto n = static_cast<double>(images.size(0));
    epochLoss_ += ce.detach().to(torch::kDouble) * n;
    epochCorrect_ += correct;
    epochSeen_ += n;
    auto ceShare = ranks_.many() ? ce.detach() * share : ce.detach();
    if (ranks_.many()) b = b * share;
    w.ce = w.ce.defined() ? w.ce + ceShare : ceShare;
    w.budget = w.budget.defined() ? w.budget + b : b;
    w.correct = w.correct.defined() ? w.correct + correct : correct;
    w.images += images.size(0);
    ++w.batches;
}

void Trainer::emitSnapshot(Window& w, double t)
{
    Snapshot s;
    s.phase = modelPhase(t);
    s.epoch = position_.epoch;
    s.t = t;
    s.step = position_.step;
    s.totalSteps = static_cast<int64_t>(batchesPerEpoch()) * config_.totalEpochs();
    s.totalEpochs = config_.totalEpochs();
    s.beta = betaAt(config_, t);
    s.lambda = config_.lambda;
    // The target the budget term aims at now: it moves during a budget ramp.
    s.targetBits = t >= config_.floatEpochs ? budgetTargetAt(config_, t) : config_.targetBits;
    s.budgetMode = config_.budgetMode;
    s.lr = config_.lr * lrFactorAt(config_, t);
    readSchemeInto(layers_, s);
    s.deltaS = quantized() ? s.precision.measure(config_.budgetMode) - s.targetBits : 0.0;
    if (w.batches > 0) {
        auto sums = torch::stack({w.ce, w.budget, w.correct.to(w.ce.scalar_type())}).to(torch::kCPU, torch::kDouble);
        // The whole batches' figures, as one process would log them.
        std::vector<torch::Tensor> reduced{sums, torch::full({1}, static_cast<double>(w.images), torch::kDouble)};
        ranks_.sum(reduced, "a snapshot");
        sums = reduced[0];
        w.images = static_cast<int64_t>(reduced[1].item<double>());
        s.ce = sums[0].item<double>() / static_cast<double>(w.batches);
        s.budgetLoss = sums[1].item<double>() / static_cast<double>(w.batches);
        s.trainAccuracy = 100.0 * sums[2].item<double>() / static_cast<double>(w.images);
        if (!std::isfinite(s.ce) || !std::isfinite(s.budgetLoss))
            throw Diverged("training",
                           "diverged at epoch " + std::to_string(position_.epoch + 1) + ", step " +
                               std::to_string(position_.step) + ": the loss is " +
                               (std::isnan(s.ce) ? "NaN" : "infinite") + "; the last checkpoint is kept as it was",
                           "lower the learning rates (lr, bit_lr) or set on_divergence to rollback");
    }
    const double seconds = secondsSince(w.start);
    s.imagesPerSecond = seconds > 0 ? static_cast<double>(w.images) / seconds : 0.0;
    const double perStep = stepsThisSession_ > 0 ? time_.steps / static_cast<double>(stepsThisSession_) : 0.0;
    s.etaSeconds = perStep * static_cast<double>(std::max<int64_t>(0, s.totalSteps - s.step));
    metrics_.addStep(s);
    observer_.onSnapshot(s);
    w = Window{};
}

void Trainer::averageGradients(bool wantStop)
{
    if (!ranks_.many()) return;  // one process: its gradient is the batch's
    std::vector<torch::Tensor> params, grads;
    for (auto& p : model_->parameters())
        if (p.grad().defined()) {
            params.push_back(p);
            grads.push_back(p.grad());
        }
    grads.push_back(torch::full({1}, wantStop ? 1.0f : 0.0f));
    ranks_.sum(grads, "the gradient exchange");
    for (size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i];
    agreedStop_ = agreedStop_ || grads.back().item<float>() > 0;
}

int64_t Trainer::countCorrect(const data::Dataset& dataset, bool exact)
{
    const EvalSettings eval{device_};
    // Each rank evaluates its contiguous share (one process: the whole set); the counts are summed.
    const auto [begin, end] = ranks_.share(dataset.size());
    data::Dataset share = dataset;
    share.images = dataset.images.narrow(0, begin, end - begin);
    share.labels = dataset.labels.narrow(0, begin, end - begin);
    const int64_t mine =
        exact ? exactCorrectCount(*model_, layers_, share, norm_, eval) : correctCount(*model_, share, norm_, eval);
    std::vector<torch::Tensor> count{torch::full({1}, mine, torch::kInt64)};
    ranks_.sum(count, "the evaluation");
    return count[0].item<int64_t>();
}

double Trainer::percentCorrect(const data::Dataset& dataset, bool exact)
{
    Timed timed(time_.evaluation);
    const int64_t n = dataset.size();
    return n > 0 ? 100.0 * static_cast<double>(countCorrect(dataset, exact)) / static_cast<double>(n) : 0.0;
}

bool Trainer::softIsExact() const
{
    return std::all_of(layers_.begin(), layers_.end(), [](const quant::NamedBitLayer& l) {
        return l.layer->floatMode() || l.layer->bits()->onLattice();
    });
}

EpochResult Trainer::finishEpoch(int epoch, double epochSeconds, double epochImages)
{
    EpochResult r;
    r.epoch = epoch;
    const double tEnd = epoch + 1.0;
    r.phase = modelPhase(tEnd);
    r.trainLoss = position_.epochSeen > 0 ? position_.epochLossSum / position_.epochSeen : 0.0;
    r.trainAccuracy = position_.epochSeen > 0 ? 100.0 * position_.epochCorrect / position_.epochSeen : 0.0;
    r.testAccuracy = percentCorrect(data_.test, false);
    r.testAccuracyQuantized = quantized() && !softIsExact() ? percentCorrect(data_.test, true) : r.testAccuracy;
    if (data_.validation.size() > 0) r.validationAccuracy = percentCorrect(data_.validation, false);
    r.precision = modelPrecision(quant::readScheme(layers_));
    r.beta = betaAt(config_, std::min(tEnd, static_cast<double>(config_.totalEpochs())) - 1e-9);
    r.targetBits = config_.targetBits;
    r.seconds = epochSeconds;
    r.imagesPerSecond = epochSeconds > 0 ? epochImages / epochSeconds : 0.0;
    return r;
}

void Trainer::run(Control& control)
{
    configureThreads(config_.threads);  // per thread under OpenMP: set on the training thread itself
    prepareRunDir();
    time_.startup = secondsSince(created_);
    data::Batcher batcher(data_.train, config_.batchSize, config_.seed, true);
    batcher.setAugmentation({config_.cropPadding, config_.horizontalFlip});
    batcher.setShard(ranks_.rank(), ranks_.count());
    while (position_.epoch < config_.totalEpochs()) {
        if (!runEpoch(batcher, control)) {
            saveCheckpoint(file(run_files::kCheckpoint));
            if (writesFiles()) {
                Timed timed(time_.files);
                metrics_.write(file(run_files::kMetrics));
                exportScheme(file(run_files::kScheme));
            }
            observer_.onLog("stopped at epoch " + std::to_string(position_.epoch + 1) + ", batch " +
                            std::to_string(position_.batch) + "; checkpoint saved");
            return;
        }
        endEpoch();
    }
    finishPhases();
    auto summary = summarize();
    writeFinalFiles(summary);
    observer_.onFinished(summary);
}

bool Trainer::runEpoch(data::Batcher& batcher, Control& control)
{
    const double perEpoch = static_cast<double>(batcher.batchesPerEpoch());
    batcher.startEpoch(position_.epoch);
    if (position_.batch > 0) batcher.seek(position_.batch);
    seedEpochSums();
    Window window;
    data::Prefetcher prefetcher(batcher, config_.prefetchBatches, [this](data::Batch& b) { prepareInput(b); });
    data::Batch batch;
    while (true) {
        control.waitWhilePaused();
        // One process stops when asked; ranks stop where they agreed to, at the same batch.
        if (ranks_.many() ? agreedStop_ : control.stopRequested()) return false;
        {
            Timed timed(time_.data);
            if (!prefetcher.next(batch)) return true;  // the epoch's end: evaluated before any phase change
        }
        const double t = position_.epoch + static_cast<double>(position_.batch) / perEpoch;
        applyControl(control, t);
        if (batch.globalCount < ranks_.count()) {  // a last batch too small to share
            ++position_.batch;
            ++position_.step;
            continue;
        }
        const auto start = Clock::now();
        trainStep(batch, t, window, control.stopRequested());
        const double seconds = secondsSince(start);
        time_.steps += seconds;
        ++position_.batch;
        ++position_.step;
        ++stepsThisSession_;
        epochSeconds_ += seconds;
        epochImages_ += static_cast<double>(batch.globalCount);
        if (position_.step % config_.logEvery == 0 || position_.batch == batcher.batchesPerEpoch()) {
            {
                Timed timed(time_.snapshots);
                emitSnapshot(window, position_.epoch + static_cast<double>(position_.batch) / perEpoch);
            }
            writeLiveFiles();
        }
    }
}

// The epoch's sums live on the device, seeded from the position so that a resumed epoch adds in
// exactly the order an uninterrupted one does; position_ mirrors them at checkpoints.
// In a data-parallel run rank 0 holds the resumed part and every rank adds its own images; the
// ranks' sums add up to the whole epoch's.
void Trainer::seedEpochSums()
{
    const auto on = torch::TensorOptions().device(device_);
    const bool base = ranks_.isRoot();
    epochLoss_ = torch::full({}, base ? position_.epochLossSum : 0.0, on.dtype(torch::kDouble));
    epochCorrect_ = torch::full({}, static_cast<int64_t>(base ? position_.epochCorrect : 0), on.dtype(torch::kInt64));
    epochSeen_ = base ? position_.epochSeen : 0.0;
}

void Trainer::syncEpochSums()
{
    if (!epochLoss_.defined()) return;
    std::vector<torch::Tensor> sums{
        torch::stack({epochLoss_.to(torch::kCPU), epochCorrect_.to(torch::kCPU, torch::kDouble),
                      torch::full({}, epochSeen_, torch::kDouble)})};
    ranks_.sum(sums, "the epoch's sums");
    position_.epochLossSum = sums[0][0].item<double>();
    position_.epochCorrect = sums[0][1].item<double>();
    position_.epochSeen = sums[0][2].item<double>();
}

void Trainer::endEpoch()
{
    syncEpochSums();
    position_.seconds += epochSeconds_;
    lastEpoch_ = finishEpoch(position_.epoch, epochSeconds_, epochImages_);
    epochSeconds_ = epochImages_ = 0;
    metrics_.addEpoch(lastEpoch_, position_.step);
    observer_.onEpoch(lastEpoch_);
    reportCollapse();
    if (quantized() && config_.sensitivityEvery > 0 && (position_.epoch + 1) % config_.sensitivityEvery == 0)
        reportSensitivity();
    ++position_.epoch;
    position_.batch = 0;
    position_.epochLossSum = position_.epochCorrect = position_.epochSeen = 0;
    seedEpochSums();
    saveCheckpoint(file(run_files::kCheckpoint));  // autosave: a crash loses at most the epoch in progress
    if (writesFiles()) {
        Timed timed(time_.files);
        metrics_.write(file(run_files::kMetrics));
    }
}

// An epoch at chance is said once, with what to try; under on_divergence rollback it is a divergence
// (thrown before this epoch's checkpoint replaces the last one).
void Trainer::reportCollapse()
{
    if (collapsedEpoch_ > 0 || !collapsedToChance(lastEpoch_, shape_.classes)) return;
    collapsedEpoch_ = lastEpoch_.epoch + 1;
    char line[400];
    std::snprintf(line, sizeof line,
                  "the network has collapsed to chance in epoch %d: train %.2f%%, test %.2f%%, loss %.4f = ln %lld; "
                  "it guesses one class. Try a float warm-up (float_epochs 1 or more) or lower learning rates "
                  "(lr, bit_lr)",
                  collapsedEpoch_, lastEpoch_.trainAccuracy, lastEpoch_.testAccuracy, lastEpoch_.trainLoss,
                  static_cast<long long>(shape_.classes));
    if (config_.onDivergence == DivergencePolicy::Rollback)
        throw Diverged("epoch " + std::to_string(collapsedEpoch_), line);
    observer_.onLog(std::string("warning: ") + line);
}

// Phase changes due at the very end (a ticket at t = epochs with no finetune epochs) come after the
// last epoch row, which shows the searched model; the summary reports the frozen model, evaluated.
void Trainer::finishPhases()
{
    const bool drawn = position_.ticketDrawn;
    applyPhaseChanges(config_.totalEpochs());
    if (position_.ticketDrawn == drawn) return;
    lastEpoch_.testAccuracy = percentCorrect(data_.test, false);
    lastEpoch_.testAccuracyQuantized = softIsExact() ? lastEpoch_.testAccuracy : percentCorrect(data_.test, true);
    char line[160];
    std::snprintf(line, sizeof line, "ticket drawn at the end of the run: test %.2f%%, exact %.2f%%",
                  lastEpoch_.testAccuracy, lastEpoch_.testAccuracyQuantized);
    observer_.onLog(line);
}

RunSummary Trainer::summarize() const
{
    RunSummary s;
    s.model = modelName_;
    s.dataset = data_.train.name.empty() ? config_.data : data_.train.name;
    s.budgetMode = toString(config_.budgetMode);
    s.maxBits = config_.maxBits;
    s.targetBits = config_.targetBits;
    s.layers = quant::readScheme(layers_);
    s.precision = modelPrecision(s.layers);
    s.testAccuracy = lastEpoch_.testAccuracy;
    s.testAccuracyQuantized = lastEpoch_.testAccuracyQuantized;
    s.epochs = config_.totalEpochs();
    s.seconds = position_.seconds;
    s.imagesPerSecond =
        position_.seconds > 0 ? static_cast<double>(data_.train.size()) * s.epochs / position_.seconds : 0;
    s.runDir = runDir_;
    s.floatModel = config_.floatModel;
    s.importedTestAccuracy = importedAccuracy_;
    s.collapsedEpoch = collapsedEpoch_;
    s.cost = costOf(s.layers, config_.actBits);
    for (const auto& p : model_->named_parameters())
        if (!io::csqOwn(p.key())) s.totalParams += p.value().numel();
    return s;
}

}  // namespace csq::train
