using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Onnx.OnnxTestUtil;

namespace Sharpkeras.Tests.Onnx;

/// <summary>ONNX export of the transposed convolutions: Keras's output sizes for every padding, stride and output padding.</summary>
public class OnnxConvolutionExportTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 21;
    private double Check(Layer layer, int?[] inputShape, long[] batchShape)
    {
        var input = Keras.Input(shape: inputShape);
        var model = new Model(input, layer.Apply(input), name: "m_" + layer.Name);
        Randomize(model);
        long[] small = [1, .. batchShape[1..]];
        return ExportAndCompare(model, Dir, [torch.randn(batchShape)], [torch.randn(small)]);
    }

    // (padding, strides, outputPadding, kernel, dilation): valid and same, with and without output padding,
    // kernels smaller and larger than the stride (the window extends past the full result when k < s).
    private static IEnumerable<TestCaseData> Transposed2D()
    {
        yield return new TestCaseData("valid", 1, null, 3, 1);
        yield return new TestCaseData("valid", 2, null, 3, 1);
        yield return new TestCaseData("valid", 3, null, 2, 1);
        yield return new TestCaseData("valid", 3, 1, 2, 1);
        yield return new TestCaseData("same", 2, null, 3, 1);
        yield return new TestCaseData("same", 2, null, 4, 1);
        yield return new TestCaseData("same", 3, 2, 3, 1);
        yield return new TestCaseData("same", 1, null, 3, 2);
        yield return new TestCaseData("valid", 1, null, 2, 3);
    }

    [TestCaseSource(nameof(Transposed2D))]
    public void Conv2DTransposeMatchesPredict(string padding, int strides, int? outputPadding, int kernel, int dilation)
    {
        var layer = new Conv2DTranspose(3, kernel, strides: strides, padding: padding, outputPadding: outputPadding,
            dilationRate: dilation, activation: "relu");
        Assert.That(Check(layer, [5, 4, 2], [3, 5, 4, 2]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void Conv1DAndConv3DTransposeAndChannelsFirstMatchPredict()
    {
        Assert.That(Check(new Conv1DTranspose(4, 3, strides: 2, padding: "same", outputPadding: 1), [7, 3], [2, 7, 3]), Is.LessThanOrEqualTo(1e-4));
        Assert.That(Check(new Conv1DTranspose(2, 2, strides: 3, useBias: false), [5, 3], [2, 5, 3]), Is.LessThanOrEqualTo(1e-4));
        Assert.That(Check(new Conv3DTranspose(2, (2, 3, 2), strides: (2, 1, 2), padding: "same"), [3, 4, 3, 2], [2, 3, 4, 3, 2]), Is.LessThanOrEqualTo(1e-4));
        Assert.That(Check(new Conv3DTranspose(2, 2, strides: 3, padding: "valid", outputPadding: 2), [2, 3, 2, 1], [2, 2, 3, 2, 1]), Is.LessThanOrEqualTo(1e-4));
        Assert.That(Check(new Conv2DTranspose(3, 3, strides: 2, padding: "same", dataFormat: "channels_first"), [2, 5, 4], [2, 2, 5, 4]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void ConvolutionsAndPoolingChannelsFirstMatchPredict()
    {
        var input = Keras.Input(shape: [3, 8, 8]);
        var h = new Conv2D(4, 3, padding: "same", dataFormat: "channels_first").Apply(input);
        h = new MaxPooling2D(2, dataFormat: "channels_first").Apply(h);
        h = new DepthwiseConv2D(3, dataFormat: "channels_first").Apply(h);
        h = new GlobalAveragePooling2D(dataFormat: "channels_first").Apply(h);
        var model = new Model(input, h, name: "cf");
        Randomize(model);
        Assert.That(ExportAndCompare(model, Dir, [torch.randn(2, 3, 8, 8)], [torch.randn(1, 3, 8, 8)]), Is.LessThanOrEqualTo(1e-4));
    }
}
