using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>
/// A one-channel channels_first batch reaches the CPU convolution restrided as channels_last (no copy), so oneDNN
/// runs its nhwc kernels: the values and gradients are the convolution's, and the output carries channels_last strides.
/// </summary>
public class ChannelsLastWhenFreeTests
{
    [Test]
    public void OneChannelChannelsFirstInputRunsChannelsLastWithTheSameResult()
    {
        torch.manual_seed(7);
        using var conv = new Conv2D(4, kernelSize: 3, padding: "same", dataFormat: "channels_first");
        var x = torch.randn(2, 1, 5, 6);
        var y = conv.Apply(x, training: true);
        var w = conv.Variables[0].Value;
        var b = conv.Variables[1].Value;
        var expected = nn.functional.conv2d(x, w, b, padding: [1, 1]);
        Assert.That(y.allclose(expected, rtol: 0, atol: 1e-6), Is.True);
        // (N, C, H, W) = (2, 4, 5, 6) in channels_last memory: C is the innermost dimension.
        Assert.That(y.stride(), Is.EqualTo(new long[] { 120, 1, 24, 4 }));
        Assert.That(x.stride(), Is.EqualTo(new long[] { 30, 30, 6, 1 }), "the caller's tensor is left as it was");
        (y * y).sum().backward();
        var gw = w.grad!.clone();
        w.grad = null;
        (expected * expected).sum().backward();
        Assert.That(gw.allclose(w.grad!, rtol: 1e-5, atol: 1e-5), Is.True, "kernel gradient");
    }

    [Test]
    public void ManyChannelChannelsFirstInputIsNotCopied()
    {
        using var conv = new Conv2D(4, kernelSize: 3, dataFormat: "channels_first");
        var y = conv.Apply(torch.randn(2, 3, 5, 6));
        Assert.That(y.is_contiguous(), Is.True, "a 3-channel nchw batch stays nchw (converting it would be a copy)");
    }
}
