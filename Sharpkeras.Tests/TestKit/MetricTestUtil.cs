using Sharpkeras.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Metrics;

internal static class MetricTestUtil
{
    public static Tensor T2(float[,] v) => torch.tensor(v);

    public static double Value(Metric m)
    {
        using var r = m.Result();
        return r.to(ScalarType.Float64).cpu().item<double>();
    }
}
