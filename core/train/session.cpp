// Session: runs a Trainer on its own thread and routes calls from other threads to it.
#include "csq/session.h"

#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "csq/errors.h"
#include "dist/cluster.h"
#include "train/control.h"
#include "train/trainer.h"

namespace csq {

namespace {

// The session whose training thread this is (null elsewhere).
thread_local const void* trainingFor = nullptr;

}  // namespace

struct Session::Impl {
    explicit Impl(Observer& o) : observer(o) {}

    Observer& observer;
    mutable std::mutex mutex;
    std::unique_ptr<train::Trainer> trainer;
    std::unique_ptr<train::Control> control;
    // The training thread is joined and replaced under its own lock: joining under `mutex` would
    // block the thread's own last steps, which take it.
    std::mutex threadMutex;
    std::thread thread;
    bool running = false;
    TrainingConfig config;  // the config in force, kept here so readers need not touch the trainer
    DistributedSettings distributed;
    const std::atomic<bool>* linkedStop = nullptr;

    // Runs `work` on the trainer: at the next batch boundary while running, directly otherwise.
    void withTrainer(const std::function<void(train::Trainer&)>& work)
    {
        std::unique_lock lock(mutex);
        if (!running) {
            if (!trainer) throw Error("session", "nothing to export yet", "start or load a run first");
            work(*trainer);
            return;
        }
        auto done = std::make_shared<std::promise<void>>();
        auto future = done->get_future();
        control->postTask([this, work, done] {
            try {
                if (!trainer) throw Error("session", "the run is still loading its data", "try again in a moment");
                work(*trainer);
                done->set_value();
            } catch (...) {
                done->set_exception(std::current_exception());
            }
        });
        lock.unlock();
        future.get();
    }

    // Runs the trainer; on divergence under on_divergence = rollback, resumes from the last checkpoint
    // with half the learning rates, at most kMaxRollbacks times.
    void runWithRollbacks()
    {
        for (int rollbacks = 0;; ++rollbacks) {
            try {
                trainer->run(*control);
                return;
            } catch (const train::Diverged& e) {
                const auto checkpoint = trainer->checkpointPath();
                std::error_code ec;
                // Ranks of a data-parallel run stop together instead: only rank 0 has the checkpoint.
                if (trainer->config().onDivergence != DivergencePolicy::Rollback || rollbacks == kMaxRollbacks ||
                    distributed.enabled() || !std::filesystem::exists(checkpoint, ec))
                    throw;
                observer.onLog(std::string(e.what()) +
                               "; rolling back to the last checkpoint with half the learning rates");
                auto next = train::Trainer::resume(checkpoint, observer, trainer->runDir(), 0.5);
                std::lock_guard guard(mutex);
                trainer = std::move(next);
                config = trainer->config();
            }
        }
    }

    void launch(std::function<std::unique_ptr<train::Trainer>()> build)
    {
        std::lock_guard threadLock(threadMutex);
        std::unique_lock lock(mutex);
        if (running) throw Error("session", "a run is already in progress", "stop it first");
        lock.unlock();
        if (thread.joinable()) thread.join();
        lock.lock();
        control = std::make_unique<train::Control>();
        control->linkStop(linkedStop);
        running = true;
        thread = std::thread([this, build] {
            trainingFor = this;
            try {
                auto built = build();
                if (distributed.enabled()) built->joinCluster(dist::Cluster::join(distributed));
                {
                    std::lock_guard guard(mutex);
                    trainer = std::move(built);
                    config = trainer->config();
                }
                runWithRollbacks();
            } catch (const std::exception& e) {
                observer.onFailed(e.what());
            }
            {
                std::lock_guard guard(mutex);
                running = false;
                control->runTasks();  // exports posted while the run ended still get an answer
            }
            observer.onEnded();
        });
    }
};

Session::Session(Observer& observer) : d(std::make_unique<Impl>(observer)) {}

Session::~Session()
{
    stop();
    wait();
}

void Session::start(const TrainingConfig& config)
{
    requireValid(config);
    {
        std::lock_guard lock(d->mutex);
        if (!d->running) d->config = config;
    }
    d->launch([this, config] { return std::make_unique<train::Trainer>(config, d->observer); });
}

void Session::startFromCheckpoint(const std::string& checkpointPath, const std::string& runDir)
{
    d->launch([this, checkpointPath, runDir] { return train::Trainer::resume(checkpointPath, d->observer, runDir); });
}

void Session::setDistributed(const DistributedSettings& settings)
{
    requireValid(settings);
    std::lock_guard lock(d->mutex);
    d->distributed = settings;
}

void Session::linkStop(const std::atomic<bool>* flag)
{
    std::lock_guard lock(d->mutex);
    d->linkedStop = flag;
}

void Session::pause()
{
    std::lock_guard lock(d->mutex);
    if (d->control) d->control->setPaused(true);
}

void Session::resume()
{
    std::lock_guard lock(d->mutex);
    if (d->control) d->control->setPaused(false);
}

void Session::stop()
{
    std::lock_guard lock(d->mutex);
    if (d->control) d->control->requestStop();
}

void Session::finalizeNow()
{
    std::lock_guard lock(d->mutex);
    if (d->control) d->control->requestFinalize();
}

void Session::measureSensitivity()
{
    std::lock_guard lock(d->mutex);
    if (!d->running || !d->control)
        throw Error("sensitivity", "no run is going", "start a run, or measure the model before Start");
    if (d->distributed.enabled())
        throw Error("sensitivity", "a data-parallel rank measures only with its peers", "set sensitivity_every");
    d->control->postTask([this] {
        if (!d->trainer || !d->trainer->quantized()) {
            d->observer.onLog("sensitivity: this model has no quantized layers to measure");
            return;
        }
        try {
            d->trainer->reportSensitivity();
        } catch (const std::exception& e) {
            d->observer.onLog(std::string("sensitivity not measured: ") + e.what());
        }
    });
}

void Session::update(const ConfigPatch& patch)
{
    std::lock_guard lock(d->mutex);
    d->config = applied(d->config, patch);  // throws on an invalid value, before it reaches the run
    if (d->control && d->running) d->control->post(patch);
}

void Session::wait()
{
    if (trainingFor == d.get()) return;  // its own training thread (an observer's callback) cannot join itself
    std::lock_guard lock(d->threadMutex);
    if (d->thread.joinable()) d->thread.join();
}

bool Session::running() const
{
    std::lock_guard lock(d->mutex);
    return d->running;
}

bool Session::paused() const
{
    std::lock_guard lock(d->mutex);
    return d->control && d->control->paused();
}

TrainingConfig Session::config() const
{
    std::lock_guard lock(d->mutex);
    return d->config;
}

std::string Session::runDir() const
{
    std::lock_guard lock(d->mutex);
    return d->trainer ? d->trainer->runDir() : std::string();
}

void Session::saveCheckpoint(const std::string& path)
{
    d->withTrainer([&](train::Trainer& t) { t.saveCheckpoint(path); });
}

void Session::exportScheme(const std::string& path)
{
    d->withTrainer([&](train::Trainer& t) { t.exportScheme(path); });
}

void Session::exportQuantized(const std::string& path)
{
    d->withTrainer([&](train::Trainer& t) { t.exportQuantized(path); });
}

void Session::exportMetrics(const std::string& path)
{
    d->withTrainer([&](train::Trainer& t) { t.writeMetrics(path); });
}

}  // namespace csq
