using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;

namespace Sharpkeras.Tests.LayersCore;

/// <summary>The Activation layer's symbolic shapes agree with what its call returns.</summary>
public class ActivationLayerTests
{
    [Test]
    public void GluHalvesTheLastAxisSymbolicallyAndEagerly()
    {
        var input = Keras.Input([3, 6]);
        var h = new Activation("glu").Apply(input);
        Assert.That(h.Shape, Is.EqualTo(new int?[] { null, 3, 3 }));
        var model = new Model(input, new Dense(2).Apply(h));
        Assert.That(model.CountParams(), Is.EqualTo(3 * 2 + 2), "the Dense after glu is built on 3 features");
        // glu([a, b]) = a · sigmoid(b): with b = 0, a · 0.5.
        var y = new Activation("glu").Apply(T([1f, 2f, 0f, 0f], 1, 4));
        AssertClose(y, [0.5, 1.0]);
        Assert.That(new Activation("relu").ComputeOutputShape([null, 5]), Is.EqualTo(new int?[] { null, 5 }));
        Assert.Throws<ArgumentException>(() => new Activation("glu").ComputeOutputShape([null, 5]));
    }
}
