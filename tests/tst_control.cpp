// Control, the mailbox between a session's callers and its training thread: a stop always ends a pause
// (no lost wake-up, raced many times), a linked stop (a sweep's) ends it too, and tasks posted to a
// paused run are run while it waits. A waiter that does not return in time is released and fails the
// test instead of hanging it.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <QtTest>

#include "train/control.h"

using csq::train::Control;
using namespace std::chrono_literals;

class TestControl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stopAlwaysEndsAPause();
    void linkedStopEndsAPause();
    void tasksRunWhilePaused();
};

namespace {

// Whether waitWhilePaused returns within `limit` once `act` has run; a stuck waiter is released.
bool returnsAfter(Control& control, const std::function<void()>& act, std::chrono::milliseconds limit = 2000ms)
{
    auto waiter = std::async(std::launch::async, [&] { control.waitWhilePaused(); });
    act();
    if (waiter.wait_for(limit) == std::future_status::ready) return true;
    control.setPaused(false);
    waiter.wait();
    return false;
}

}  // namespace

void TestControl::stopAlwaysEndsAPause()
{
    for (int i = 0; i < 3000; ++i) {
        Control control;
        control.setPaused(true);
        std::atomic<bool> go{false};
        const bool returned = returnsAfter(control, [&] {
            std::thread stopper([&] {
                while (!go) std::this_thread::yield();
                control.requestStop();
            });
            go = true;
            stopper.join();
        });
        QVERIFY2(returned, qPrintable(QStringLiteral("a stop was lost at iteration %1").arg(i)));
        QVERIFY(control.stopRequested());
    }
}

void TestControl::linkedStopEndsAPause()
{
    std::atomic<bool> sweepStopped{false};
    Control control;
    control.linkStop(&sweepStopped);
    control.setPaused(true);
    QVERIFY(returnsAfter(control, [&] {
        std::this_thread::sleep_for(20ms);
        sweepStopped = true;
    }));
    QVERIFY(control.stopRequested());
}

void TestControl::tasksRunWhilePaused()
{
    Control control;
    control.setPaused(true);
    std::promise<void> ran;
    auto waiter = std::async(std::launch::async, [&] { control.waitWhilePaused(); });
    control.postTask([&] { ran.set_value(); });
    QVERIFY(ran.get_future().wait_for(2000ms) == std::future_status::ready);
    QVERIFY(waiter.wait_for(50ms) == std::future_status::timeout);  // still paused after the task
    control.setPaused(false);
    QVERIFY(waiter.wait_for(2000ms) == std::future_status::ready);
}

QTEST_GUILESS_MAIN(TestControl)
#include "tst_control.moc"
