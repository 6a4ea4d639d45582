using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PureHDF;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.KerasFixtureUtil;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

/// <summary>
/// .keras files in Keras 3's exact layout (written by make_keras_fixtures.py with h5py, every empty "vars" group and
/// "name" attribute included) load and predict what numpy computes from Keras's layer formulas; and Sharpkeras writes
/// those same models back with the same groups, datasets and names.
/// </summary>
public class KerasFormatFixtureTests : TempFolderTest
{

    private static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.That(a.shape, Is.EqualTo(b.shape));
        return (a.to(ScalarType.Float32) - b).abs().max().item<float>();
    }

    private static byte[] Weights(string keras) => ReadZip(keras).Single(e => e.Name == "model.weights.h5").Data;

    [Test]
    public void MixedFunctionalFileWithAttentionScoresMatchesNumpy()
    {
        var model = Model.Load(Fixture("functional_mixed.keras"), compile: false);
        Assert.That(model.GetLayer("attention"), Is.TypeOf<MultiHeadAttention>());
        Assert.That(((MultiHeadAttention)model.GetLayer("attention")).UseCausalMask, Is.True, "use_causal_mask from the node's kwargs");
        Assert.That(model.GetLayer("bidirectional"), Is.TypeOf<Bidirectional>());
        Assert.That(model.GetLayer("upsample"), Is.TypeOf<Conv2DTranspose>());
        Assert.That(model.GetLayer("separable"), Is.TypeOf<SeparableConv2D>());
        Assert.That(model.GetLayer("head"), Is.TypeOf<Sequential>());
        var (x, y) = Expected("functional_mixed");
        var predicted = model.PredictOnBatch(x);
        Assert.That(predicted, Has.Length.EqualTo(2), "the head's output and the attention scores");
        Assert.That(MaxDiff(predicted[0], y[0]), Is.LessThan(1e-5));
        Assert.That(MaxDiff(predicted[1], y[1]), Is.LessThan(1e-5));
    }

    [Test]
    public void MaskedSequentialRnnFileMatchesNumpy()
    {
        var model = Model.Load(Fixture("sequential_masked_rnn.keras"), compile: false);
        Assert.That(model.Layers.Select(l => l.GetType()),
            Is.EqualTo(new[] { typeof(Embedding), typeof(LSTM), typeof(LayerNormalization), typeof(SimpleRNN), typeof(Dense) }));
        var (x, y) = Expected("sequential_masked_rnn");
        Assert.That(MaxDiff(model.Predict(x[0], verbose: 0), y[0]), Is.LessThan(1e-5));
    }

    [Test]
    public void Keras213FileWithLayerCheckpointDependenciesLoads()
    {
        // Keras 2.13 named the layer lists "_layer_checkpoint_dependencies"; Keras 3's loader falls back to it, so do we.
        var model = Model.Load(Fixture("legacy_checkpoint_dependencies.keras"), compile: false);
        var (x, y) = Expected("legacy_checkpoint_dependencies");
        Assert.That(MaxDiff(model.Predict(x[0], verbose: 0), y[0]), Is.LessThan(1e-5));
    }

    [TestCase("functional_mixed.keras")]
    [TestCase("sequential_masked_rnn.keras")]
    public void SavingTheLoadedModelWritesKerasLayoutGroupForGroup(string fixture)
    {
        // The fixture has Keras's groups (every object's "vars", empty or not, named by its "name" attribute);
        // Sharpkeras's writer must produce the same set of groups, attributes and dataset shapes.
        var model = Model.Load(Fixture(fixture), compile: false);
        var path = Path.Combine(Dir, fixture);
        model.Save(path);
        var theirs = Layout(new MemoryStream(Weights(Fixture(fixture))));
        var ours = Layout(new MemoryStream(Weights(path)));
        Assert.That(ours, Is.EqualTo(theirs));

        // And the config Keras would read: the same layer classes, the attention flags as call arguments.
        var cfg = JsonNode.Parse(Encoding.UTF8.GetString(ReadZip(path).Single(e => e.Name == "config.json").Data))!;
        var original = JsonNode.Parse(Encoding.UTF8.GetString(ReadZip(Fixture(fixture)).Single(e => e.Name == "config.json").Data))!;
        string Classes(JsonNode c) => string.Join(",", c["config"]!["layers"]!.AsArray().Select(l => l!["class_name"]!.GetValue<string>()));
        Assert.That(Classes(cfg), Is.EqualTo(Classes(original)));
        if (fixture == "functional_mixed.keras")
        {
            var mha = cfg["config"]!["layers"]!.AsArray().Single(l => l!["class_name"]!.GetValue<string>() == "MultiHeadAttention")!;
            Assert.That(mha["inbound_nodes"]![0]!["kwargs"]!.ToJsonString(), Is.EqualTo("{\"return_attention_scores\":true,\"use_causal_mask\":true}"));
        }
    }

    [Test]
    public void OptimizerGroupHoldsKerasVariablesInKerasOrder()
    {
        // Keras's Optimizer.save_own_variables: iterations, learning_rate, then (Adam) momentum and velocity of each
        // trainable weight in turn, in the order of model.trainable_variables (the weights file's group order).
        var model = new Sequential([new Dense(3, inputShape: [2]), new BatchNormalization(), new Dense(1)]);
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.01), loss: "mse");
        model.Fit(torch.randn(8, 2), torch.randn(8, 1), batchSize: 4, epochs: 1, verbose: 0);
        var path = Path.Combine(Dir, "adam.weights.h5");
        model.SaveWeights(path);
        using var h5 = PureHDF.H5File.OpenRead(path);
        var group = h5.Group("optimizer/vars");
        Assert.That(group.Attribute("name").Read<string>(), Is.EqualTo(model.Optimizer!.Name));
        Assert.That(h5.Dataset("optimizer/vars/0").Read<long>(), Is.EqualTo(2L), "two steps");
        Assert.That(h5.Dataset("optimizer/vars/1").Read<float>(), Is.EqualTo(0.01f));
        // Trainable weights: dense kernel (2,3), bias (3), BN gamma (3), beta (3), dense_1 kernel (3,1), bias (1).
        long[][] shapes = [[2, 3], [3], [3], [3], [3, 1], [1]];
        Assert.That(group.Children().Count(), Is.EqualTo(2 + 2 * shapes.Length));
        for (int i = 0; i < shapes.Length; i++)
            for (int s = 0; s < 2; s++)
            {
                var ds = h5.Dataset($"optimizer/vars/{2 + 2 * i + s}");
                Assert.That(ds.Space.Dimensions.Select(d => (long)d), Is.EqualTo(shapes[i]), $"slot {s} of weight {i}");
            }
        // The first momentum is Adam's exp_avg of the first kernel: (1 − β1)·g after one step, not zero.
        Assert.That(h5.Dataset("optimizer/vars/2").Read<float[]>().Any(v => v != 0), Is.True);
        // Loading the weights back ignores the optimizer group.
        var fresh = new Sequential([new Dense(3, inputShape: [2]), new BatchNormalization(), new Dense(1)]);
        fresh.LoadWeights(path);
        AssertWeightsBitEqual(model.GetWeights(), fresh.GetWeights());
    }

    [Test]
    public void WriterUsesKerasAttributeNamesForNestedModelsCellsAndSharedLayers()
    {
        var innerIn = Keras.Input(shape: [4]);
        var inner = new Model(innerIn, new Dense(3).Apply(innerIn), name: "inner");
        var x = Keras.Input(shape: [5, 4]);
        var shared = new Dense(4, name: "shared");
        var h = shared.Apply(new RNN(new StackedRNNCells([new SimpleRNNCell(2), new LSTMCell(4)]), returnSequences: true).Apply(x));
        h = shared.Apply(new Bidirectional(new RNN(new GRUCell(2), returnSequences: true)).Apply(h));
        var model = new Model(x, inner.Apply(new GlobalAveragePooling1D().Apply(h)), name: "outer");
        var path = Path.Combine(Dir, "nested.keras");
        model.Save(path);
        var layout = Layout(new MemoryStream(Weights(path)));
        string[] expected =
        [
            "G vars outer", "G layers/input_layer/vars " + model.Layers[0].Name,
            "G layers/rnn/vars rnn", "G layers/rnn/cell/vars stacked_rnn_cells",
            "D layers/rnn/cell/cells/simple_rnn_cell/vars/0 (4, 2)", "D layers/rnn/cell/cells/lstm_cell/vars/2 (16)",
            "G layers/bidirectional/forward_layer/cell/vars gru_cell", "D layers/bidirectional/backward_layer/cell/vars/1 (2, 6)",
            "D layers/dense/vars/0 (4, 4)", "G layers/functional/vars inner", "D layers/functional/layers/dense/vars/0 (4, 3)",
            "G layers/global_average_pooling1d/vars global_average_pooling1d",
        ];
        Assert.That(layout, Is.SupersetOf(expected));
        // Keras names Bidirectional's halves "forward_<name>" and "backward_<name>".
        Assert.That(layout.Single(l => l.StartsWith("G layers/bidirectional/forward_layer/vars ", StringComparison.Ordinal)), Does.EndWith(" forward_rnn_1"), "the second RNN is rnn_1");
        // The shared Dense is saved once, under the first name Keras gives it.
        Assert.That(layout.Count(l => l.StartsWith("D layers/dense", StringComparison.Ordinal)), Is.EqualTo(2));
        var loaded = Model.Load(path);
        var input = torch.randn(2, 5, 4);
        Assert.That(BitEqual(model.Predict(input, verbose: 0), loaded.Predict(input, verbose: 0)), Is.True);

        // Keras's InputLayer config has exactly its own keys; a Sequential lists its input layer first.
        var seq = new Sequential([new Dense(2, inputShape: [3])], name: "seq");
        var spath = Path.Combine(Dir, "seq.keras");
        seq.Save(spath);
        var cfg = JsonNode.Parse(Encoding.UTF8.GetString(ReadZip(spath).Single(e => e.Name == "config.json").Data))!;
        var first = cfg["config"]!["layers"]![0]!;
        Assert.That(first["class_name"]!.GetValue<string>(), Is.EqualTo("InputLayer"));
        Assert.That(first["config"]!.AsObject().Select(kv => kv.Key), Is.EquivalentTo(new[] { "batch_shape", "dtype", "sparse", "ragged", "name", "optional" }));
    }
}
