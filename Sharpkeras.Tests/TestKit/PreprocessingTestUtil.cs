using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

internal static class PreprocessingTestUtil
{
    public static float[] Vals(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    /// <summary>A batch of <paramref name="n"/> copies of one (H, W, C) image.</summary>
    public static Tensor Copies(Tensor image, long n) => image.unsqueeze(0).expand(n, -1, -1, -1).contiguous();

    /// <summary>How many distinct images (exact values) a batch holds.</summary>
    public static int DistinctImages(Tensor batch)
    {
        var set = new HashSet<string>();
        for (long i = 0; i < batch.shape[0]; i++)
            set.Add(string.Join(",", Vals(batch[i]).Select(v => MathF.Round(v, 3))));
        return set.Count;
    }
}
