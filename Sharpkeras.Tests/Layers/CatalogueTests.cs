using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>Checks every layer of the area the same way: shapes (computed, symbolic, real), config round trip, gradients.</summary>
public class CatalogueTests
{
    private static IEnumerable<TestCaseData> Layers()
    {
        (Func<Layer> make, int[] shape)[] cases =
        [
            (() => new Conv1D(3, 2, strides: 2, padding: "same"), [7, 2]),
            (() => new Conv2D(3, (2, 3), padding: "same", activation: "relu"), [5, 6, 2]),
            (() => new Conv3D(2, 2, dataFormat: "channels_first"), [2, 3, 4, 5]),
            (() => new Conv1DTranspose(2, 3, strides: 2, padding: "same"), [4, 3]),
            (() => new Conv2DTranspose(2, 3, strides: 2, outputPadding: 1), [3, 4, 2]),
            (() => new Conv3DTranspose(2, 2, strides: (1, 2, 2)), [2, 3, 3, 1]),
            (() => new DepthwiseConv1D(3, depthMultiplier: 2, padding: "same"), [6, 2]),
            (() => new DepthwiseConv2D(3, depthMultiplier: 2, strides: 2), [7, 7, 3]),
            (() => new SeparableConv1D(4, 2, depthMultiplier: 2), [6, 3]),
            (() => new SeparableConv2D(4, 3, padding: "same", dilationRate: 2), [6, 6, 2]),
            (() => new MaxPooling1D(3, strides: 2, padding: "same"), [7, 2]),
            (() => new MaxPooling2D(2), [5, 5, 2]),
            (() => new MaxPooling3D(2, padding: "same"), [3, 3, 3, 2]),
            (() => new AveragePooling1D(2), [5, 3]),
            (() => new AveragePooling2D((2, 3), strides: 1, padding: "same"), [4, 5, 2]),
            (() => new AveragePooling3D(2, dataFormat: "channels_first"), [2, 4, 4, 4]),
            (() => new GlobalMaxPooling1D(), [5, 3]),
            (() => new GlobalMaxPooling2D(keepDims: true), [3, 4, 2]),
            (() => new GlobalMaxPooling3D(), [2, 2, 2, 3]),
            (() => new GlobalAveragePooling1D(keepDims: true), [5, 3]),
            (() => new GlobalAveragePooling2D(), [3, 4, 2]),
            (() => new GlobalAveragePooling3D(dataFormat: "channels_first"), [3, 2, 2, 2]),
            (() => new BatchNormalization(), [4, 4, 3]),
            (() => new LayerNormalization(), [5, 4]),
            (() => new GroupNormalization(groups: 2), [3, 3, 4]),
        ];
        foreach (var (make, shape) in cases)
            yield return new TestCaseData(make, shape).SetName($"Catalogue_{make().GetType().Name}_{string.Join("x", shape)}");
    }

    [TestCaseSource(nameof(Layers))]
    public void ShapesConfigAndGradients(Func<Layer> make, int[] shape)
    {
        Keras.ClearSession();
        Keras.Config.Seed(8);
        int?[] batchShape = [null, .. shape.Select(d => (int?)d)];
        var layer = make();
        var computed = layer.ComputeOutputShape(batchShape);
        // Symbolic application gives the computed shape.
        var symbolic = layer.Apply(Keras.Input(shape: shape));
        Assert.That(symbolic.Shape, Is.EqualTo(computed), "symbolic shape");
        Assert.That(layer.OutputShape, Is.EqualTo(computed));
        // The real output has that shape too.
        var x = torch.randn([3, .. shape.Select(d => (long)d)]);
        var y = layer.Apply(x);
        Assert.That(y.shape, Is.EqualTo(computed.Select((d, i) => i == 0 ? 3L : (long)d!.Value).ToArray()), "real shape");
        // Rebuilt from its config: same shape and parameter count.
        AssertConfigRoundTrip(make(), batchShape);
        if (layer.TrainableWeights.Count > 0) AssertGradientReachesEveryTrainableWeight(layer, x);
    }
}
