#pragma once
// Writes a small, learnable MNIST-style IDX dataset (plain files) for end-to-end tests: each class
// is a bright square at its own position on a noisy background, so a few epochs reach high accuracy.
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace csq::test {

inline void writeBigEndian(std::ofstream& out, uint32_t v)
{
    const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    out.write(bytes, 4);
}

inline void writeIdxPair(const std::string& imagesPath, const std::string& labelsPath, int count, uint32_t seed)
{
    constexpr int side = 28;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60), jitter(-1, 1);
    std::ofstream images(imagesPath, std::ios::binary), labels(labelsPath, std::ios::binary);
    writeBigEndian(images, 0x00000803);
    writeBigEndian(images, static_cast<uint32_t>(count));
    writeBigEndian(images, side);
    writeBigEndian(images, side);
    writeBigEndian(labels, 0x00000801);
    writeBigEndian(labels, static_cast<uint32_t>(count));
    std::vector<char> pixels(side * side);
    for (int i = 0; i < count; ++i) {
        const int label = i % 10;
        const int top = 3 + (label / 5) * 12 + jitter(rng), left = 2 + (label % 5) * 5 + jitter(rng);
        for (int p = 0; p < side * side; ++p) pixels[static_cast<size_t>(p)] = static_cast<char>(noise(rng));
        for (int y = top; y < top + 8; ++y)
            for (int x = left; x < left + 4; ++x) pixels[static_cast<size_t>(y * side + x)] = static_cast<char>(230);
        images.write(pixels.data(), side * side);
        labels.put(static_cast<char>(label));
    }
}

// dir/{train,t10k}-{images-idx3,labels-idx1}-ubyte
inline void writeSyntheticDataset(const std::string& dir, int trainCount = 1200, int testCount = 300)
{
    writeIdxPair(dir + "/train-images-idx3-ubyte", dir + "/train-labels-idx1-ubyte", trainCount, 11);
    writeIdxPair(dir + "/t10k-images-idx3-ubyte", dir + "/t10k-labels-idx1-ubyte", testCount, 12);
}

}  // namespace csq::test
