using NUnit.Framework;
using Sharpkeras.Engine;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>
/// Hand-computed gradients through the convolution layers, with batch 2 and kernels &gt; 1: the cases where
/// libtorch 2.10's oneDNN backend returned wrong input gradients on this project's machines (see OneDnnGuard).
/// With loss = Σ y and all-ones kernels, d loss / d x[p] = the number of windows covering p (times the outputs per window).
/// Runs once with libtorch's native kernels and once with oneDNN (<c>Keras.Config.ConvolutionBackend</c>).
/// </summary>
[TestFixture("native")]
[TestFixture("onednn")]
[NonParallelizable]
public class ConvolutionGradientTests(string backend)
{
    private string _saved = "auto";

    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        _saved = Keras.Config.ConvolutionBackend;
        Keras.Config.ConvolutionBackend = backend;
    }

    [TearDown]
    public void TearDown() => Keras.Config.ConvolutionBackend = _saved;

    [Test]
    public void BackendIsInUse()
    {
        var conv = new Conv1D(1, 2);
        conv.Apply(torch.ones(2, 4, 1));
        Assert.That(Keras.Config.ActiveConvolutionBackend, Is.EqualTo(backend));
        Assert.That(OneDnnGuard.OneDnnFlag(), Is.EqualTo(backend == "onednn"));
    }

    private static Tensor InputGrad(Layer layer, Tensor x, params Tensor[] weights)
    {
        layer.Apply(x);
        layer.SetWeights(weights);
        var xx = x.clone().requires_grad_(true);
        layer.Apply(xx, training: true).sum().backward();
        return xx.grad!;
    }

    [Test]
    public void Conv1DInputAndKernelGradients()
    {
        // Steps 4, kernel 2: windows {0,1}, {1,2}, {2,3} → d/dx = [1, 2, 2, 1] per sample.
        // d/dk[j] = Σ_n Σ_t x[n, t + j]: k0 = (1+2+3) + (5+6+7) = 24, k1 = (2+3+4) + (6+7+8) = 30.
        var conv = new Conv1D(1, 2, useBias: false);
        var x = T([1, 2, 3, 4, 5, 6, 7, 8], 2, 4, 1);
        AssertClose(InputGrad(conv, x, torch.ones(2, 1, 1)), [1, 2, 2, 1, 1, 2, 2, 1], [2, 4, 1]);
        AssertClose(conv.Kernel.Value.grad!.reshape(2), [24, 30], [2]);
    }

    [Test]
    public void Conv2DInputGradientBothLayouts()
    {
        // 3×3 map, 2×2 ones kernel, valid: coverage counts [[1, 2, 1], [2, 4, 2], [1, 2, 1]].
        float[] counts = [1, 2, 1, 2, 4, 2, 1, 2, 1];
        var expected = counts.Concat(counts).ToArray();
        var x = torch.randn(2, 3, 3, 1);
        AssertClose(InputGrad(new Conv2D(1, 2, useBias: false), x, torch.ones(2, 2, 1, 1)), expected, [2, 3, 3, 1]);
        var xf = torch.randn(2, 1, 3, 3);
        AssertClose(InputGrad(new Conv2D(1, 2, useBias: false, dataFormat: "channels_first"), xf, torch.ones(2, 2, 1, 1)), expected, [2, 1, 3, 3]);
        // Two input and three output channels: each input cell feeds 3 filters → counts × 3 on both channels.
        var x2 = torch.randn(2, 3, 3, 2);
        var g = InputGrad(new Conv2D(3, 2, useBias: false), x2, torch.ones(2, 2, 2, 3));
        AssertClose(g.select(3, 1), counts.Concat(counts).Select(c => 3 * c).ToArray(), [2, 3, 3]);
    }

    [Test]
    public void DepthwiseAndGroupedInputGradients()
    {
        // DepthwiseConv2D with multiplier 2 and ones kernels: each input channel feeds 2 outputs → 2 × counts.
        float[] counts = [1, 2, 1, 2, 4, 2, 1, 2, 1];
        var x = torch.randn(2, 3, 3, 2);
        var g = InputGrad(new DepthwiseConv2D(2, depthMultiplier: 2, useBias: false), x, torch.ones(2, 2, 2, 2));
        AssertClose(g.select(3, 0), counts.Concat(counts).Select(c => 2 * c).ToArray(), [2, 3, 3]);
        AssertClose(g.select(3, 1), counts.Concat(counts).Select(c => 2 * c).ToArray(), [2, 3, 3]);
        var gd = InputGrad(new DepthwiseConv2D(2, useBias: false), x, torch.ones(2, 2, 2, 1));
        AssertClose(gd.select(3, 1), counts.Concat(counts).ToArray(), [2, 3, 3]);
    }

    [Test]
    public void Conv3DAndTransposedInputGradients()
    {
        // 3×3×3 volume, 2×2×2 ones kernel: coverage = product of per-axis counts [1, 2, 1]: corner 1, center 8.
        var x = torch.randn([2, 3, 3, 3, 1]);
        var g = InputGrad(new Conv3D(1, 2, useBias: false), x, torch.ones([2, 2, 2, 1, 1]));
        Assert.That(g[0, 0, 0, 0, 0].item<float>(), Is.EqualTo(1f));
        Assert.That(g[1, 1, 1, 1, 0].item<float>(), Is.EqualTo(8f));
        Assert.That(g[1, 1, 0, 1, 0].item<float>(), Is.EqualTo(4f));
        Assert.That(g.sum().item<float>(), Is.EqualTo(2 * 8 * 8f), "8 windows × 8 cells per sample");
        // Conv2DTranspose, stride 2, valid, kernel [[1, 2], [3, 4]]: each input cell writes its own block, d/dx = 1+2+3+4 = 10.
        var t = new Conv2DTranspose(1, 2, strides: 2, useBias: false);
        var gt = InputGrad(t, torch.randn(2, 2, 3, 1), T([1, 2, 3, 4], 2, 2, 1, 1));
        AssertClose(gt, Enumerable.Repeat(10f, 12).ToArray(), [2, 2, 3, 1]);
    }
}
