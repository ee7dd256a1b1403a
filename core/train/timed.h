#pragma once
// Wall-clock parts of a run's time profile (csq::TimeProfile), measured on the training thread.
#include <chrono>

namespace csq::train {

inline double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Adds the seconds of its scope to one part of the profile.
class Timed {
public:
    explicit Timed(double& part) : part_(part) {}
    ~Timed() { part_ += secondsSince(start_); }
    Timed(const Timed&) = delete;
    Timed& operator=(const Timed&) = delete;

private:
    double& part_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace csq::train
