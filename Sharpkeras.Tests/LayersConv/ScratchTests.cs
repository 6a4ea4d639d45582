using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class ScratchTests
{
    [Test]
    public void Scratch()
    {
        var a = new Conv2D(4, 3, strides: 2, padding: "same");
        var b = new Conv2D(4, (3, 3), strides: (2, 1));
        var c = new Conv2D(4, [3, 3], strides: [2, 2], dilationRate: 1);
        var x = torch.randn(2, 9, 9, 3);
        foreach (var l in new[] { a, b, c })
        {
            var y = l.Apply(x);
            TestContext.Out.WriteLine($"{l.Name} {string.Join(",", y.shape)} stride {string.Join(",", y.stride())} contig {y.is_contiguous()} {string.Join(",", l.GetWeights()[0].shape)}");
        }
        var d = new Conv2D(8, 2, strides: 1, padding: "same");
        var y2 = d.Apply(torch.randn(2, 16, 16, 8));
        TestContext.Out.WriteLine($"{string.Join(",", y2.shape)} stride {string.Join(",", y2.stride())} contig {y2.is_contiguous()}");
    }
}
