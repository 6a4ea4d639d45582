using NUnit.Framework;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

public class FunctionalMergeTests
{
    [Test]
    public void TwoInputModelWithSharedLayerConcatenateAndAddTrains()
    {
        Keras.ClearSession();
        Keras.Config.Seed(42);
        var a = Keras.Input([4], name: "in_a");
        var b = Keras.Input([4], name: "in_b");
        var shared = new Dense(3, activation: "tanh", name: "shared");
        var ha = shared.Apply(a);
        var hb = shared.Apply(b);                                  // same layer, same weights
        var sum = new Add().Apply(ha, hb);                          // (None, 3)
        var cat = new Concatenate().Apply(ha, hb, sum);             // (None, 9)
        Assert.That(sum.Shape, Is.EqualTo(new int?[] { null, 3 }));
        Assert.That(cat.Shape, Is.EqualTo(new int?[] { null, 9 }));
        var head = new Dense(1, name: "head");
        var model = new Model([a, b], [head.Apply(cat)]);
        // Shared Dense: 4·3 + 3 = 15 once; head: 9·1 + 1 = 10.
        Assert.That(model.CountParams(), Is.EqualTo(25L));
        Assert.That(model.TrainableWeights, Has.Count.EqualTo(4));

        var xa = torch.randn(32, 4);
        var xb = torch.randn(32, 4);
        var y = (xa.sum(1, keepdim: true) - xb.sum(1, keepdim: true)) * 0.5;

        // The model computes head(concat(tanh(xa W + c), tanh(xb W + c), their sum)).
        var w = shared.Kernel.Value;
        var c = shared.Bias!.Value;
        using (torch.no_grad())
        {
            var ea = (xa.matmul(w) + c).tanh();
            var eb = (xb.matmul(w) + c).tanh();
            var expected = torch.cat([ea, eb, ea + eb], 1).matmul(head.Kernel.Value) + head.Bias!.Value;
            Assert.That(Values(model.Predict([xa, xb], verbose: 0)[0]), Is.EqualTo(Values(expected)).Within(1e-5));
        }

        var before = Values(shared.Kernel.Value);
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.05), loss: "mse");
        var history = model.Fit([xa, xb], y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.That(history["loss"], Has.Count.EqualTo(2));
        Assert.That(history["loss"].All(double.IsFinite), Is.True);
        Assert.That(history["loss"][1], Is.LessThan(history["loss"][0]));
        Assert.That(Values(shared.Kernel.Value), Is.Not.EqualTo(before), "the shared kernel is trained");
    }
}
