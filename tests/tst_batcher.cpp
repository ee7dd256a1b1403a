// Batching and what feeds it: seeded epoch orders that a resumed run replays exactly, deterministic
// augmentation, per-channel normalization, the validation split and train_limit.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <set>
#include <vector>

#include <torch/torch.h>

#include <QtTest>

#include "csq/errors.h"
#include "data/augmentation.h"
#include "data/batcher.h"
#include "data/normalization.h"
#include "data/prefetcher.h"
#include "data/split.h"

using namespace csq::data;

namespace {

// Sample i has every pixel equal to i (so a batch tells which samples it holds) and label i % 10.
Dataset indexedDataset(int64_t n)
{
    auto ids = torch::arange(n, torch::kLong);
    auto images = ids.to(torch::kUInt8).view({n, 1, 1, 1}).expand({n, 1, 4, 4}).contiguous();
    return Dataset{images, ids.remainder(10), 10, "indexed", {}};
}

std::vector<int64_t> sampleIds(const torch::Tensor& images)
{
    auto ids = images.select(1, 0).select(1, 0).select(1, 0).to(torch::kLong).contiguous();
    return {ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel()};
}

std::vector<int64_t> epochOrder(Batcher& batcher, int64_t epoch)
{
    batcher.startEpoch(epoch);
    std::vector<int64_t> order;
    Batch batch;
    while (batcher.next(batch)) {
        auto ids = sampleIds(batch.images);
        order.insert(order.end(), ids.begin(), ids.end());
    }
    return order;
}

torch::Tensor randomImages(int64_t n, int64_t c, int64_t h, int64_t w, uint64_t seed)
{
    auto generator = at::detail::createCPUGenerator(seed);
    return torch::randint(0, 256, {n, c, h, w}, generator, torch::kUInt8);
}

}  // namespace

class TestBatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameOrder();
    void epochsDiffer();
    void everySampleOncePerEpoch_data();
    void everySampleOncePerEpoch();
    void seekReplaysIteration_data();
    void seekReplaysIteration();
    void rejectsBadArguments();
    void augmentationDeterministic();
    void flipMirrors();
    void cropIsShiftedWindow();
    void batcherAugments();
    void shardsMakeTheWholeBatch_data();
    void shardsMakeTheWholeBatch();
    void normalizationStatistics();
    void toFloatBatchNormalizes();
    void validationSplit();
    void validationSplitEdges();
    void limitKeepsClassesAndSeed();
    void prefetchKeepsOrder_data();
    void prefetchKeepsOrder();
    void prefetchStopsEarly();
    void prefetchRethrows();
};

void TestBatcher::sameSeedSameOrder()
{
    const auto data = indexedDataset(103);
    Batcher a(data, 10, 42, true), b(data, 10, 42, true), other(data, 10, 43, true);
    for (int64_t epoch : {0, 3}) {
        const auto order = epochOrder(a, epoch);
        QCOMPARE(epochOrder(b, epoch), order);
        QVERIFY(epochOrder(other, epoch) != order);
    }
    // Visiting epochs in another order changes nothing: each order is a function of (seed, epoch) alone.
    const auto epochFive = epochOrder(a, 5);
    epochOrder(b, 2);
    QCOMPARE(epochOrder(b, 5), epochFive);
}

void TestBatcher::epochsDiffer()
{
    Batcher batcher(indexedDataset(103), 16, 7, true);
    std::set<std::vector<int64_t>> orders;
    for (int64_t epoch = 0; epoch < 5; ++epoch) orders.insert(epochOrder(batcher, epoch));
    QCOMPARE(orders.size(), size_t{5});
    Batcher unshuffled(indexedDataset(20), 6, 7, false);
    std::vector<int64_t> identity(20);
    std::iota(identity.begin(), identity.end(), int64_t{0});
    QCOMPARE(epochOrder(unshuffled, 0), identity);
    QCOMPARE(epochOrder(unshuffled, 9), identity);
}

void TestBatcher::everySampleOncePerEpoch_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<bool>("shuffle");
    QTest::addColumn<bool>("dropLast");
    QTest::addColumn<int>("batches");
    QTest::addRow("103 / 10") << 103 << 10 << true << false << 11;
    QTest::addRow("103 / 10 drop last") << 103 << 10 << true << true << 10;
    QTest::addRow("100 / 10 drop last") << 100 << 10 << true << true << 10;
    QTest::addRow("103 / 103") << 103 << 103 << true << false << 1;
    QTest::addRow("103 / 200") << 103 << 200 << true << false << 1;
    QTest::addRow("103 / 200 drop last") << 103 << 200 << true << true << 0;
    QTest::addRow("7 / 1 in order") << 7 << 1 << false << false << 7;
    QTest::addRow("103 / 10 in order drop last") << 103 << 10 << false << true << 10;
}

// Batches are full (but perhaps the last), labels travel with their images, and no sample repeats.
void TestBatcher::everySampleOncePerEpoch()
{
    QFETCH(int, size);
    QFETCH(int, batchSize);
    QFETCH(bool, shuffle);
    QFETCH(bool, dropLast);
    QFETCH(int, batches);
    Batcher batcher(indexedDataset(size), batchSize, 1, shuffle, dropLast);
    QCOMPARE(batcher.batchesPerEpoch(), int64_t{batches});
    for (int64_t epoch : {0, 1}) {
        batcher.startEpoch(epoch);
        std::vector<int64_t> seen;
        Batch batch;
        int64_t count = 0;
        while (batcher.next(batch)) {
            QCOMPARE(batch.index, count++);
            const bool last = count == batches;
            QCOMPARE(batch.images.size(0), last && !dropLast ? size - (batches - 1) * batchSize : batchSize);
            QVERIFY(torch::equal(batch.labels, torch::tensor(sampleIds(batch.images)).remainder(10)));
            auto ids = sampleIds(batch.images);
            seen.insert(seen.end(), ids.begin(), ids.end());
        }
        QCOMPARE(count, int64_t{batches});
        QCOMPARE(batcher.position(), int64_t{batches});
        QVERIFY(!batcher.next(batch));
        std::sort(seen.begin(), seen.end());
        QVERIFY(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
        QCOMPARE(seen.size(), size_t(dropLast ? batches * batchSize : size));
    }
}

void TestBatcher::seekReplaysIteration_data()
{
    QTest::addColumn<bool>("augment");
    QTest::addRow("plain") << false;
    QTest::addRow("augmented") << true;
}

// Resuming at batch k (a fresh batcher, seek(k)) yields exactly what iterating k batches yields.
void TestBatcher::seekReplaysIteration()
{
    QFETCH(bool, augment);
    Dataset data{randomImages(53, 3, 6, 6, 5), torch::arange(53, torch::kLong).remainder(10), 10, "random", {}};
    const AugmentOptions options{augment ? 2 : 0, augment};
    Batcher running(data, 8, 99, true);
    running.setAugmentation(options);
    running.startEpoch(4);
    Batch expected;
    for (int64_t k = 0; running.next(expected); ++k) {
        Batcher resumed(data, 8, 99, true);
        resumed.setAugmentation(options);
        resumed.startEpoch(4);
        resumed.seek(k);
        QCOMPARE(resumed.position(), k);
        Batch batch;
        QVERIFY(resumed.next(batch));
        QCOMPARE(batch.index, k);
        QVERIFY(torch::equal(batch.images, expected.images));
        QVERIFY(torch::equal(batch.labels, expected.labels));
    }
}

void TestBatcher::rejectsBadArguments()
{
    const auto data = indexedDataset(10);
    QVERIFY_THROWS_EXCEPTION(csq::Error, Batcher(data, 0, 1, true));
    Batcher batcher(data, 4, 1, true);
    QCOMPARE(batcher.batchesPerEpoch(), int64_t{3});
    batcher.seek(3);  // the end of the epoch is a valid position
    Batch batch;
    QVERIFY(!batcher.next(batch));
    QVERIFY_THROWS_EXCEPTION(csq::Error, batcher.seek(4));
    QVERIFY_THROWS_EXCEPTION(csq::Error, batcher.seek(-1));
    QVERIFY_THROWS_EXCEPTION(csq::Error, batcher.setAugmentation(AugmentOptions{-1, false}));
}

void TestBatcher::augmentationDeterministic()
{
    const auto images = randomImages(32, 3, 8, 8, 1);
    const AugmentOptions options{3, true};
    const auto a = augmentBatch(images, options, 1234);
    QCOMPARE(a.sizes(), images.sizes());
    QCOMPARE(a.scalar_type(), torch::kUInt8);
    QVERIFY(torch::equal(a, augmentBatch(images, options, 1234)));
    QVERIFY(!torch::equal(a, augmentBatch(images, options, 1235)));
    QVERIFY(!torch::equal(a, images));
    QVERIFY(torch::equal(augmentBatch(images, AugmentOptions{}, 1234), images));  // disabled: untouched
}

// With flips only, each image comes back either as it was or mirrored left-right, and both happen.
void TestBatcher::flipMirrors()
{
    const auto images = randomImages(64, 2, 5, 7, 2);
    const auto out = augmentBatch(images, AugmentOptions{0, true}, 77);
    int flipped = 0, kept = 0;
    for (int64_t i = 0; i < images.size(0); ++i) {
        const bool same = torch::equal(out[i], images[i]);
        const bool mirrored = torch::equal(out[i], images[i].flip({2}));
        QVERIFY2(same != mirrored, "every image must be exactly itself or its mirror image");
        flipped += mirrored;
        kept += same;
    }
    QVERIFY(flipped > 10 && kept > 10);
}

// With padding p, each output is the H x W window at some offset (0..2p, 0..2p) of the zero-padded image.
void TestBatcher::cropIsShiftedWindow()
{
    const int p = 2;
    auto images = randomImages(40, 3, 6, 5, 3).clamp_min(1);  // no zeros inside: padding is recognizable
    const auto out = augmentBatch(images, AugmentOptions{p, false}, 5);
    auto padded = torch::constant_pad_nd(images, {p, p, p, p}, 0);
    std::set<std::pair<int, int>> offsets;
    for (int64_t i = 0; i < images.size(0); ++i) {
        int matches = 0;
        for (int dy = 0; dy <= 2 * p; ++dy)
            for (int dx = 0; dx <= 2 * p; ++dx)
                if (torch::equal(out[i], padded[i].narrow(1, dy, 6).narrow(2, dx, 5))) {
                    ++matches;
                    offsets.insert({dy, dx});
                }
        QCOMPARE(matches, 1);
    }
    QVERIFY(offsets.size() > 10);  // the offsets vary (25 are possible)
}

// The batcher applies augmentation per batch; labels are untouched.
void TestBatcher::batcherAugments()
{
    Dataset data{randomImages(20, 1, 6, 6, 4), torch::arange(20, torch::kLong).remainder(10), 10, "random", {}};
    Batcher plain(data, 20, 3, false), augmented(data, 20, 3, false);
    augmented.setAugmentation(AugmentOptions{1, true});
    Batch a, b;
    QVERIFY(plain.next(a) && augmented.next(b));
    QCOMPARE(b.images.sizes(), a.images.sizes());
    QVERIFY(!torch::equal(a.images, b.images));
    QVERIFY(torch::equal(a.labels, b.labels));
    QVERIFY(torch::equal(a.images, data.images));  // the dataset itself is never modified
}

void TestBatcher::shardsMakeTheWholeBatch_data()
{
    QTest::addColumn<int>("world");
    QTest::addColumn<bool>("augment");
    for (int world : {2, 3})
        for (bool augment : {false, true})
            QTest::addRow("%d ranks%s", world, augment ? ", augmented" : "") << world << augment;
}

// Data-parallel ranks each take a contiguous share of every batch (the last, short one included):
// in rank order the shares are the whole batch, augmented as one process augments it, and each
// knows the whole batch's size.
void TestBatcher::shardsMakeTheWholeBatch()
{
    QFETCH(int, world);
    QFETCH(bool, augment);
    Dataset data{randomImages(23, 1, 6, 6, 5), torch::arange(23, torch::kLong), 10, "random", {}};
    auto make = [&](int rank) {
        auto batcher = std::make_unique<Batcher>(data, 8, 7, true);
        if (augment) batcher->setAugmentation(AugmentOptions{1, true});
        if (rank >= 0) batcher->setShard(rank, world);
        batcher->startEpoch(1);
        return batcher;
    };
    auto whole = make(-1);
    std::vector<std::unique_ptr<Batcher>> ranks;
    for (int r = 0; r < world; ++r) ranks.push_back(make(r));
    Batch all;
    int batches = 0;
    while (whole->next(all)) {
        std::vector<torch::Tensor> images, labels;
        for (auto& rank : ranks) {
            Batch share;
            QVERIFY(rank->next(share));
            QCOMPARE(share.globalCount, all.images.size(0));
            images.push_back(share.images);
            labels.push_back(share.labels);
        }
        QVERIFY(torch::equal(torch::cat(images), all.images));
        QVERIFY(torch::equal(torch::cat(labels), all.labels));
        ++batches;
    }
    QCOMPARE(batches, 3);  // 8 + 8 + 7
    QVERIFY_THROWS_EXCEPTION(csq::Error, ranks[0]->setShard(world, world));
}

// Known statistics: channel 0 is half 0, half 255 (mean 0.5, std 0.5); channel 1 is constant 51
// (mean 0.2, std 0 clamped to a tiny positive value); channel 2 random, against torch in double.
void TestBatcher::normalizationStatistics()
{
    const int64_t n = 5000;  // more than one chunk
    auto images = torch::empty({n, 3, 4, 4}, torch::kUInt8);
    images.select(1, 0).narrow(0, 0, n / 2).fill_(0);
    images.select(1, 0).narrow(0, n / 2, n / 2).fill_(255);
    images.select(1, 1).fill_(51);
    images.select(1, 2).copy_(randomImages(n, 1, 4, 4, 9).select(1, 0));
    const auto stats = computeNormalization(images);
    QCOMPARE(stats.mean.size(), size_t{3});
    QVERIFY(std::abs(stats.mean[0] - 0.5f) < 1e-7f && std::abs(stats.std[0] - 0.5f) < 1e-7f);
    QVERIFY(std::abs(stats.mean[1] - 0.2f) < 1e-7f);
    QVERIFY(stats.std[1] > 0.0f && stats.std[1] < 1e-5f);
    auto channel2 = images.select(1, 2).to(torch::kDouble) / 255.0;
    QVERIFY(std::abs(stats.mean[2] - channel2.mean().item<double>()) < 1e-6);
    QVERIFY(std::abs(stats.std[2] - channel2.std(/*unbiased=*/false).item<double>()) < 1e-6);
}

void TestBatcher::toFloatBatchNormalizes()
{
    const auto images = randomImages(300, 3, 5, 5, 11);
    const auto stats = computeNormalization(images);
    const auto x = toFloatBatch(images, stats);
    QCOMPARE(x.scalar_type(), torch::kFloat);
    QCOMPARE(x.sizes(), images.sizes());
    auto reference =
        (images.to(torch::kDouble) / 255.0 - torch::tensor(stats.mean).to(torch::kDouble).view({1, 3, 1, 1})) /
        torch::tensor(stats.std).to(torch::kDouble).view({1, 3, 1, 1});
    QVERIFY((x.to(torch::kDouble) - reference).abs().max().item<double>() < 1e-5);
    auto perChannel = x.transpose(0, 1).reshape({3, -1}).to(torch::kDouble);
    QVERIFY((perChannel.mean(1)).abs().max().item<double>() < 1e-5);
    QVERIFY((perChannel.std(1, /*unbiased=*/false) - 1).abs().max().item<double>() < 1e-5);
    QVERIFY(torch::equal(toFloatBatch(images, {}), images.to(torch::kFloat) / 255.0f));
    QVERIFY_THROWS_EXCEPTION(csq::Error, toFloatBatch(images, Normalization{{0.5f}, {0.5f}}));
}

void TestBatcher::validationSplit()
{
    const auto data = indexedDataset(103);
    const auto split = splitValidation(data, 0.2, 8);
    QCOMPARE(split.validation.size(), int64_t{21});  // round(0.2 · 103)
    QCOMPARE(split.train.size(), int64_t{82});
    auto train = sampleIds(split.train.images), validation = sampleIds(split.validation.images);
    QVERIFY(std::is_sorted(train.begin(), train.end()) && std::is_sorted(validation.begin(), validation.end()));
    std::vector<int64_t> both;
    std::set_union(train.begin(), train.end(), validation.begin(), validation.end(), std::back_inserter(both));
    QCOMPARE(both.size(), size_t{103});  // disjoint and complete
    QVERIFY(torch::equal(split.validation.labels, torch::tensor(validation).remainder(10)));
    QCOMPARE(split.validation.classes, int64_t{10});
    QVERIFY(torch::equal(splitValidation(data, 0.2, 8).validation.images, split.validation.images));
    QVERIFY(!torch::equal(splitValidation(data, 0.2, 9).validation.images, split.validation.images));
}

void TestBatcher::validationSplitEdges()
{
    const auto data = indexedDataset(50);
    const auto none = splitValidation(data, 0.0, 1);
    QCOMPARE(none.validation.size(), int64_t{0});
    QCOMPARE(none.validation.channels(), int64_t{1});
    QVERIFY(torch::equal(none.train.images, data.images));
    QVERIFY_THROWS_EXCEPTION(csq::Error, splitValidation(data, 1.0, 1));
    QVERIFY_THROWS_EXCEPTION(csq::Error, splitValidation(data, -0.1, 1));
    QVERIFY_THROWS_EXCEPTION(csq::Error, splitValidation(data, 0.995, 1));  // rounds to all 50
}

void TestBatcher::limitKeepsClassesAndSeed()
{
    const auto data = indexedDataset(1000);
    const auto small = limit(data, 200, 3);
    QCOMPARE(small.size(), int64_t{200});
    QCOMPARE(small.classes, int64_t{10});
    auto counts = torch::bincount(small.labels, {}, 10);
    QVERIFY2(counts.min().item<int64_t>() >= 5 && counts.max().item<int64_t>() <= 35, "classes stay roughly balanced");
    QVERIFY(torch::equal(limit(data, 200, 3).labels, small.labels));
    QVERIFY(torch::equal(limit(data, 200, 3).images, small.images));
    QVERIFY(!torch::equal(limit(data, 200, 4).images, small.images));
    QCOMPARE(limit(data, 0, 3).size(), int64_t{1000});
    QCOMPARE(limit(data, -5, 3).size(), int64_t{1000});
    QCOMPARE(limit(data, 5000, 3).size(), int64_t{1000});
    const auto few = limit(indexedDataset(200), 30, 1);
    auto fewIds = sampleIds(few.images);
    QVERIFY(std::is_sorted(fewIds.begin(), fewIds.end()));
    QVERIFY(std::adjacent_find(fewIds.begin(), fewIds.end()) == fewIds.end());
    QVERIFY(fewIds.front() != 0 || fewIds.back() != 29);  // not simply the first 30
}

void TestBatcher::prefetchKeepsOrder_data()
{
    QTest::addColumn<int>("depth");
    QTest::newRow("in the step") << 0;
    QTest::newRow("one ahead") << 1;
    QTest::newRow("four ahead") << 4;
}

// Prefetching changes where a batch is prepared, never which batch comes next or what it holds,
// including from a mid-epoch seek and with augmentation.
void TestBatcher::prefetchKeepsOrder()
{
    QFETCH(int, depth);
    auto data = indexedDataset(103);
    Batcher plain(data, 10, 7, true), ahead(data, 10, 7, true);
    for (auto* b : {&plain, &ahead}) {
        b->setAugmentation({1, true});
        b->startEpoch(3);
        b->seek(2);
    }
    Prefetcher prefetcher(ahead, depth, [](Batch& b) { b.input = b.images.to(torch::kFloat).add(0.5); });
    Batch expected, got;
    int batches = 0;
    while (plain.next(expected)) {
        QVERIFY(prefetcher.next(got));
        QCOMPARE(got.index, expected.index);
        QVERIFY(torch::equal(got.images, expected.images));
        QVERIFY(torch::equal(got.labels, expected.labels));
        QVERIFY(torch::equal(got.input, expected.images.to(torch::kFloat).add(0.5)));
        ++batches;
    }
    QCOMPARE(batches, 9);  // 11 batches of 103 images, from the third on
    QVERIFY(!prefetcher.next(got));
    QVERIFY(!prefetcher.next(got));  // stays exhausted
}

// A run stopped mid-epoch destroys the prefetcher with batches waiting: it must join, not hang.
void TestBatcher::prefetchStopsEarly()
{
    auto data = indexedDataset(1000);
    Batcher batcher(data, 10, 1, true);
    int prepared = 0;
    {
        Prefetcher prefetcher(batcher, 3, [&prepared](Batch&) { ++prepared; });
        Batch batch;
        QVERIFY(prefetcher.next(batch));
        QCOMPARE(batch.index, int64_t{0});
    }
    QVERIFY(prepared >= 1 && prepared <= 5);  // bounded by the depth, not the epoch's 100 batches
    QVERIFY(batcher.position() <= 5);
}

void TestBatcher::prefetchRethrows()
{
    auto data = indexedDataset(50);
    Batcher batcher(data, 10, 1, false);
    Prefetcher prefetcher(batcher, 2, [](Batch& b) {
        if (b.index == 2) throw csq::Error("prepare", "batch 2 is bad");
    });
    Batch batch;
    QVERIFY(prefetcher.next(batch));
    QVERIFY(prefetcher.next(batch));
    QVERIFY_THROWS_EXCEPTION(csq::Error, prefetcher.next(batch));
}

QTEST_GUILESS_MAIN(TestBatcher)
#include "tst_batcher.moc"
