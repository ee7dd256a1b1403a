// Model specs and float weights: every spec mistake names its JSON path and says what to do; the
// built network has the spec's names and shapes and per-layer quantization; weights import by name and
// shape (through a name map), report every mismatch by name, and export back under the user's names.
#include <torch/torch.h>

#include <QtTest>

#include "csq/errors.h"
#include "csq/zoo.h"
#include "io/float_weights.h"
#include "models/model_spec.h"
#include "models/zoo.h"
#include "quant/bit_layer.h"
#include "quant/scheme_readout.h"

using namespace csq;

namespace {

const char* const kTinySpec = R"({"name": "tiny", "layers": [
  {"type": "conv", "name": "features.0", "out": 4, "kernel": 3, "padding": 1, "bias": false},
  {"type": "batchnorm", "name": "features.1"}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
  {"type": "residual", "name": "block", "body": [
     {"type": "conv", "name": "conv", "out": 8, "kernel": 3, "padding": 1, "stride": 2, "max_bits": 4},
     {"type": "batchnorm", "name": "bn"}],
   "shortcut": [{"type": "conv", "name": "proj", "out": 8, "kernel": 1, "stride": 2}]},
  {"type": "adaptive_avgpool"}, {"type": "flatten"}, {"type": "dropout", "p": 0.1},
  {"type": "linear", "name": "fc", "out": "classes", "quantize": false}]})";

const models::InputShape kInput{1, 8, 8, 5};

std::shared_ptr<models::Network> build(const std::string& spec, bool floatModel = false, int actBits = 0)
{
    return models::buildModel({"", floatModel, 8, actBits, spec, "spec.json"}, kInput);
}

// The message of the csq::Error `f` throws ("" when it does not throw).
template <class F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString buildError(const std::string& spec)
{
    return errorOf([&] { build(spec); });
}

}  // namespace

class TestModelSpec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void zooSpecsParse();
    void buildsNamesShapesAndQuantization();
    void floatModelHasNoBitLayers();
    void specErrors_data();
    void specErrors();
    void nameMapRenames();
    void importCopiesEveryTensor();
    void importReportsEveryMismatch();
    void dequantizedStateDictUsesTheirNames();
    void activationSignsFollowTheSpec();
    void dequantizedStateDictHoldsInputQuantizers();
};

void TestModelSpec::zooSpecsParse()
{
    std::vector<std::string> names;
    for (const auto& zoo : zooModels()) names.push_back(zoo.name);
    QCOMPARE(names, (std::vector<std::string>{"mlp", "lenet5", "resnet20"}));
    for (const auto& [name, description, text] : zooModels()) {
        QVERIFY(!description.empty());
        const auto spec = models::parseModelSpec(text, name);
        QCOMPARE(spec.name, name);
        QVERIFY(!spec.layers.empty());
    }
    QVERIFY(findZooModel("vgg") == nullptr);
    QVERIFY(errorOf([] { models::zooDefinition("vgg"); }).contains("choose one of: mlp, lenet5, resnet20"));
}

void TestModelSpec::buildsNamesShapesAndQuantization()
{
    auto net = build(kTinySpec);
    const auto params = net->named_parameters();
    for (const char* name : {"features.0.weight", "features.1.weight", "block.conv.weight", "block.conv.bias",
                             "block.bn.running_mean", "block.proj.weight", "fc.weight", "fc.bias"})
        QVERIFY2(params.contains(name) || net->named_buffers().contains(name), name);
    QVERIFY(!params.contains("features.0.bias"));
    QCOMPARE(params["block.conv.weight"].sizes(), (c10::IntArrayRef{8, 4, 3, 3}));
    QCOMPARE(params["fc.weight"].sizes(), (c10::IntArrayRef{5, 8}));

    const auto layers = quant::findBitLayers(*net);
    QCOMPARE(layers.size(), size_t{3});  // fc stays float
    QCOMPARE(layers[0].name, std::string("features.0"));
    QCOMPARE(layers[1].name, std::string("block.conv"));
    QCOMPARE(layers[1].layer->bits()->maxBits(), 4);
    QCOMPARE(layers[2].layer->bits()->maxBits(), 8);

    net->eval();
    auto out = net->forward(torch::randn({2, 1, 8, 8}));
    QCOMPARE(out.sizes(), (c10::IntArrayRef{2, 5}));
    QVERIFY(torch::isfinite(out).all().item<bool>());
}

void TestModelSpec::floatModelHasNoBitLayers()
{
    auto net = build(kTinySpec, true);
    QVERIFY(quant::findBitLayers(*net).empty());
    QVERIFY(net->named_parameters().contains("block.conv.weight"));
}

void TestModelSpec::specErrors_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("expected");
    auto layers = [](const char* body) { return QString(R"({"layers": [%1]})").arg(body); };
    const char* tail = R"({"type": "flatten"}, {"type": "linear", "out": "classes"})";
    QTest::newRow("not JSON") << QString("{\"layers\": [") << QStringList{"spec.json: JSON", "cannot be parsed"};
    QTest::newRow("no layers") << QString("{\"name\": \"x\"}") << QStringList{"spec.json: layers", "missing"};
    QTest::newRow("unknown top key") << QString(R"({"layers": [], "lyers": 1})") << QStringList{"lyers", "unknown key"};
    QTest::newRow("unknown type") << layers(R"({"type": "conv3d", "out": 4})")
                                  << QStringList{"layers[0].type", "unknown type 'conv3d'", "batchnorm"};
    QTest::newRow("unknown field") << layers(R"({"type": "relu", "inplace": true})")
                                   << QStringList{"layers[0].inplace", "not a field of a relu layer"};
    QTest::newRow("missing out") << layers(R"({"type": "conv", "kernel": 3})")
                                 << QStringList{"layers[0].out", "missing", "channels"};
    QTest::newRow("bad kernel") << layers(R"({"type": "conv", "out": 4, "kernel": 0})")
                                << QStringList{"layers[0].kernel", "whole number >= 1"};
    QTest::newRow("bad max bits") << layers(R"({"type": "linear", "out": 4, "max_bits": 20})")
                                  << QStringList{"layers[0].max_bits", "1..16"};
    QTest::newRow("linear before flatten") << layers(R"({"type": "linear", "out": "classes"})")
                                           << QStringList{"layers[0]", "needs flat input, got 1x8x8", "flatten"};
    QTest::newRow("conv after flatten")
        << layers(R"({"type": "flatten"}, {"type": "conv", "out": 4}, {"type": "linear", "out": "classes"})")
        << QStringList{"layers[1]", "needs an image input"};
    QTest::newRow("kernel too large")
        << layers(QString(R"({"type": "conv", "out": 4, "kernel": 9}, %1)").arg(tail).toUtf8())
        << QStringList{"layers[0]", "input 1x8x8 is smaller than the kernel 9", "image_size"};
    QTest::newRow("residual without projection")
        << layers(QString(R"({"type": "residual", "body": [{"type": "conv", "out": 4, "padding": 1}]}, %1)")
                      .arg(tail)
                      .toUtf8())
        << QStringList{"layers[0]", "body gives 4x8x8 but the shortcut 1x8x8", "shortcut"};
    QTest::newRow("duplicate name")
        << layers(
               QString(
                   R"({"type": "conv", "name": "a", "out": 1, "padding": 1}, {"type": "conv", "name": "a", "out": 1, "padding": 1}, %1)")
                   .arg(tail)
                   .toUtf8())
        << QStringList{"layers[1].name", "'a' names two layers"};
    QTest::newRow("wrong ending") << layers(R"({"type": "flatten"}, {"type": "linear", "out": 3})")
                                  << QStringList{"spec.json: layers", "ends in 3 features, not 5 class scores",
                                                 "\"classes\""};
}

void TestModelSpec::specErrors()
{
    QFETCH(QString, spec);
    QFETCH(QStringList, expected);
    const auto message = buildError(spec.toStdString());
    QVERIFY2(!message.isEmpty(), "the spec was accepted");
    for (const auto& part : expected) QVERIFY2(message.contains(part), qPrintable(message + " lacks " + part));
}

void TestModelSpec::nameMapRenames()
{
    const auto map =
        io::NameMap::parse(R"({"module.": "", "head.weight": "fc.weight", "enc.": "features."})", "map.json");
    QCOMPARE(map.ours("module.conv.weight"), std::string("conv.weight"));
    QCOMPARE(map.ours("head.weight"), std::string("fc.weight"));
    QCOMPARE(map.ours("enc.0.bias"), std::string("features.0.bias"));
    QCOMPARE(map.ours("other"), std::string("other"));
    QCOMPARE(map.theirs("fc.weight"), std::string("head.weight"));
    QCOMPARE(map.theirs("features.0.bias"), std::string("enc.0.bias"));
    QVERIFY(errorOf([] { io::NameMap::parse("[1]", "map.json"); }).contains("map.json: expected an object"));
    QVERIFY(errorOf([] { io::NameMap::parse(R"({"a": 1})", "map.json"); }).contains("map.json: a"));
}

void TestModelSpec::importCopiesEveryTensor()
{
    torch::manual_seed(1);
    auto source = build(kTinySpec);
    torch::manual_seed(2);
    auto target = build(kTinySpec);
    io::FloatWeights weights{{}, "state_dict"};
    for (const auto& [name, tensor] : io::floatTensors(*source))
        weights.tensors["m." + name] = tensor.is_floating_point() ? tensor.clone().add_(0.25) : tensor.clone().add_(1);
    const int copied = io::importFloatWeights(*target, weights, io::NameMap::parse(R"({"m.": ""})", "map"), "w.pt");
    QCOMPARE(copied, static_cast<int>(weights.tensors.size()));
    for (const auto& [name, tensor] : io::floatTensors(*target))
        QVERIFY2(torch::equal(tensor, weights.tensors.at("m." + name).to(tensor.dtype())), name.c_str());
    for (const auto& [name, tensor] : io::floatTensors(*target))
        QVERIFY2(name.find("bits.") == std::string::npos, name.c_str());  // CSQ's own tensors are not theirs
}

void TestModelSpec::importReportsEveryMismatch()
{
    auto net = build(kTinySpec);
    io::FloatWeights weights{{}, "state_dict"};
    for (const auto& [name, tensor] : io::floatTensors(*net)) weights.tensors[name] = tensor.clone();
    weights.tensors.erase("block.proj.weight");
    weights.tensors.erase("features.1.num_batches_tracked");  // optional, as in older PyTorch files
    weights.tensors["fc.weight"] = torch::zeros({5, 9});
    weights.tensors["extra.bias"] = torch::zeros({3});
    const auto message = errorOf([&] { io::importFloatWeights(*net, weights, {}, "w.pt"); });
    QVERIFY2(message.startsWith("w.pt: the weights do not match the model"), qPrintable(message));
    for (const char* part :
         {"missing from the file: block.proj.weight [8, 4, 1, 1]",
          "shapes differ: fc.weight: file [5, 9], model [5, 8]", "not in the model: extra.bias [3]", "--name-map"})
        QVERIFY2(message.contains(part), qPrintable(message + " lacks " + part));
    QVERIFY(!message.contains("num_batches_tracked"));
}

void TestModelSpec::dequantizedStateDictUsesTheirNames()
{
    auto net = build(kTinySpec);
    const auto map = io::NameMap::parse(R"({"enc.": "features."})", "map");
    const auto state = io::dequantizedStateDict(*net, map);
    QVERIFY(state.contains("enc.0.weight"));
    QVERIFY(!state.contains("features.0.weight"));
    QVERIFY(state.contains("fc.weight"));
    for (const auto& l : quant::findBitLayers(*net)) {
        auto& bits = l.layer->bits();
        bits->setExact(true);
        const auto exact = bits->forward().detach();
        const auto name = map.theirs(l.name + ".weight");
        QVERIFY2(torch::allclose(state.at(name), exact, 1e-6, 1e-7), name.c_str());
    }
}

// A layer's activations are unsigned only where its input has passed a ReLU (through pooling, flatten
// and dropout, or a residual add followed by one); after a conv, linear, batch norm or a residual add
// without activation they are signed, so negative inputs are not clipped at 0.
void TestModelSpec::activationSignsFollowTheSpec()
{
    const char* spec = R"({"name": "signs", "layers": [
      {"type": "conv", "name": "c0", "out": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
      {"type": "conv", "name": "c1", "out": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm", "name": "bn"},
      {"type": "conv", "name": "c2", "out": 4, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
      {"type": "residual", "name": "r", "body": [{"type": "conv", "name": "a", "out": 4, "kernel": 3, "padding": 1}],
       "activation": "none"},
      {"type": "flatten"}, {"type": "linear", "name": "l1", "out": 6}, {"type": "linear", "name": "l2", "out": 6},
      {"type": "relu"}, {"type": "dropout", "p": 0.1}, {"type": "linear", "name": "l3", "out": "classes"}]})";
    auto net = build(spec, false, 4);
    std::map<std::string, bool> expectSigned{{"c1", false}, {"c2", true}, {"r.a", false},
                                             {"l1", true},  {"l2", true}, {"l3", false}};
    for (const auto& l : quant::findBitLayers(*net)) {
        auto q = l.layer->inputQuantizer();
        if (l.name == "c0") {
            QVERIFY2(!q, "the first layer keeps float input");
            continue;
        }
        QVERIFY2(q, l.name.c_str());
        QVERIFY2(expectSigned.count(l.name), l.name.c_str());
        QVERIFY2(q->options.isSigned == expectSigned[l.name], l.name.c_str());
        // Calibrated on [-1, 1]: a signed quantizer keeps -0.5, an unsigned one clips it to 0.
        q->train();
        q->forward(torch::linspace(-1, 1, 101));
        q->eval();
        const double y = q->forward(torch::tensor({-0.5f})).item<double>();
        QVERIFY2(expectSigned[l.name] ? std::abs(y + 0.5) < 0.1 : y == 0.0, l.name.c_str());
    }
    net->train();
    QCOMPARE(net->forward(torch::randn({3, 1, 8, 8})).sizes(), (c10::IntArrayRef{3, 5}));
}

// With quantized activations the exported state dict holds every input quantizer (range, bits,
// sign) under the layer's name as the user knows it, so a user can rebuild the quantized network.
void TestModelSpec::dequantizedStateDictHoldsInputQuantizers()
{
    auto net = build(kTinySpec, false, 4);
    net->train();
    net->forward(torch::randn({4, 1, 8, 8}));  // calibrates the ranges
    const auto map = io::NameMap::parse(R"({"enc.": "features.", "b.": "block."})", "map");
    const auto state = io::dequantizedStateDict(*net, map);
    QVERIFY(!state.contains("enc.0.input_quantizer.range"));  // the first layer's input stays float
    for (const char* layer : {"b.conv", "b.proj"}) {
        const auto prefix = std::string(layer) + ".input_quantizer.";
        QVERIFY2(
            state.contains(prefix + "range") && state.contains(prefix + "bits") && state.contains(prefix + "signed"),
            layer);
        QCOMPARE(state.at(prefix + "bits").item<int64_t>(), int64_t{4});
        QCOMPARE(state.at(prefix + "signed").item<bool>(), false);  // after relu and max pool
    }
    for (const auto& l : quant::findBitLayers(*net))
        if (l.layer->inputQuantizer())
            QCOMPARE(state
                         .at(map.theirs(l.name + ".weight").substr(0, map.theirs(l.name + ".weight").size() - 7) +
                             ".input_quantizer.range")
                         .item<double>(),
                     l.layer->inputQuantizer()->range());
    QVERIFY(build(kTinySpec).get() &&
            !io::dequantizedStateDict(*build(kTinySpec), map).contains("b.conv.input_quantizer.range"));
}

QTEST_GUILESS_MAIN(TestModelSpec)
#include "tst_model_spec.moc"
