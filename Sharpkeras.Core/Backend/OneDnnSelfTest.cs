using System.Globalization;
using static TorchSharp.torch;

namespace Sharpkeras.Engine;

/// <summary>
/// The known-answer check that <see cref="OneDnnGuard"/> runs once before the first convolution of a process:
/// a handful of float32 conv1d / conv2d / depthwise convolutions, as the convolution layers call them (contiguous
/// and channels_last-strided inputs, batch 2, kernels &gt; 1, strides, dilations, padding), whose outputs, input
/// gradients and weight gradients are compared with values computed here by direct summation in double.
/// </summary>
/// <remarks>
/// Every input, weight, bias and upstream gradient is a small integer, so every exact result is an integer far
/// below 2^24 and float32 represents every partial sum exactly: a correct kernel gives the reference value up to
/// rounding-free arithmetic, whatever its summation order. The errors this guards against (a gradient summing the
/// wrong windows, an output read through the wrong strides) are off by whole units; the tolerance is 1e-3.
/// Costs a few milliseconds, once. Uses no random generator, so it never shifts a seeded run.
/// </remarks>
internal static class OneDnnSelfTest
{
    /// <summary>One convolution to check: rank 1 uses H = 1 internally.</summary>
    internal sealed record Case(string Op, int Rank, int Batch, int InChannels, int OutChannels, int Height, int Width,
        int Kernel, int Stride, int Padding, int Dilation, int Groups, bool ChannelsLast)
    {
        /// <summary>Spatial output length along one axis.</summary>
        public int Out(int n) => (n + 2 * Padding - Dilation * (Kernel - 1) - 1) / Stride + 1;

        /// <inheritdoc />
        public override string ToString()
        {
            string size = Rank == 1 ? $"length {Width}" : $"{Height}×{Width}";
            string k = Rank == 1 ? $"{Kernel}" : $"{Kernel}×{Kernel}";
            return string.Create(CultureInfo.InvariantCulture,
                $"{Op}, {(ChannelsLast ? "channels_last-strided" : "contiguous")} float32 input, batch {Batch}, {InChannels}→{OutChannels} channels, " +
                $"{size}, kernel {k}, stride {Stride}, padding {Padding}, dilation {Dilation}, groups {Groups}");
        }
    }

    /// <summary>A convolution as the layers call it: (rank, input, weight, bias, stride, padding, dilation, groups).</summary>
    internal delegate Tensor ConvFn(int rank, Tensor x, Tensor w, Tensor b, long stride, long padding, long dilation, long groups);

    /// <summary>The checked configurations.</summary>
    internal static readonly Case[] Cases =
    [
        new("conv1d", 1, 2, 2, 3, 1, 9, 3, 1, 1, 1, 1, false),
        new("conv1d", 1, 2, 2, 3, 1, 9, 3, 2, 0, 2, 1, true),
        new("conv2d", 2, 2, 3, 4, 6, 6, 3, 1, 1, 1, 1, false),
        new("conv2d", 2, 2, 3, 4, 6, 6, 3, 1, 1, 1, 1, true),
        new("conv2d", 2, 2, 1, 6, 8, 8, 5, 1, 2, 1, 1, true),
        new("conv2d", 2, 3, 2, 3, 7, 7, 3, 2, 1, 2, 1, true),
        new("depthwise conv2d", 2, 2, 3, 3, 6, 6, 3, 1, 1, 1, 3, true),
        new("depthwise conv2d", 2, 2, 3, 3, 6, 6, 3, 1, 1, 1, 3, false),
        new("depthwise conv2d (multiplier 2)", 2, 2, 3, 6, 6, 6, 3, 1, 0, 1, 3, false),
    ];

    /// <summary>libtorch's own convolutions, as the convolution layers calls them.</summary>
    internal static Tensor TorchConv(int rank, Tensor x, Tensor w, Tensor b, long stride, long padding, long dilation, long groups) => rank == 1
        ? nn.functional.conv1d(x, w, b, stride, padding, dilation, groups)
        : nn.functional.conv2d(x, w, b, [stride, stride], [padding, padding], [dilation, dilation], groups);

    /// <summary>
    /// Runs every case with <paramref name="conv"/> (libtorch's by default) under the backend settings in force.
    /// Returns null when all agree, otherwise a description of the first failing case and value.
    /// </summary>
    /// <param name="conv">The convolution to check; tests pass deliberately wrong ones.</param>
    public static string? Run(ConvFn? conv = null)
    {
        conv ??= TorchConv;
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        foreach (var c in Cases)
        {
            var failure = Check(c, conv);
            if (failure != null) return $"{c}: {failure}";
        }
        return null;
    }

    private static float[] Ints(int count, int seed, int range)
    {
        // Deterministic small integers in [-range, range], no random generator.
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(((i * 7 + seed * 13) % (2 * range + 1)) - range);
        return v;
    }

    private static string? Check(Case c, ConvFn conv)
    {
        int n = c.Batch, ci = c.InChannels, co = c.OutChannels, h = c.Height, wd = c.Width;
        int kh = c.Rank == 1 ? 1 : c.Kernel, kw = c.Kernel, cig = ci / c.Groups, cog = co / c.Groups;
        int oh = c.Rank == 1 ? 1 : c.Out(h), ow = c.Out(wd);
        var xv = Ints(n * ci * h * wd, 1, 3);
        var wv = Ints(co * cig * kh * kw, 2, 2);
        var bv = Ints(co, 3, 2);
        var gv = Ints(n * co * oh * ow, 4, 2);

        // Reference by direct summation (NCHW, double).
        var y = new double[n * co * oh * ow];
        var dx = new double[xv.Length];
        var dw = new double[wv.Length];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
            {
                int grp = o / cog;
                for (int p = 0; p < oh; p++)
                    for (int q = 0; q < ow; q++)
                    {
                        int yi = ((b * co + o) * oh + p) * ow + q;
                        double acc = bv[o];
                        double g = gv[yi];
                        for (int cc = 0; cc < cig; cc++)
                        {
                            int chan = grp * cig + cc;
                            for (int i = 0; i < kh; i++)
                            {
                                int r = c.Rank == 1 ? 0 : p * c.Stride - c.Padding + i * c.Dilation;
                                if (r < 0 || r >= h) continue;
                                for (int j = 0; j < kw; j++)
                                {
                                    int s = q * c.Stride - c.Padding + j * c.Dilation;
                                    if (s < 0 || s >= wd) continue;
                                    int xi = ((b * ci + chan) * h + r) * wd + s;
                                    int wi = ((o * cig + cc) * kh + i) * kw + j;
                                    acc += xv[xi] * (double)wv[wi];
                                    dx[xi] += g * wv[wi];
                                    dw[wi] += g * xv[xi];
                                }
                            }
                        }
                        y[yi] = acc;
                    }
            }

        // libtorch.
        long[] xShape = c.Rank == 1 ? [n, ci, wd] : [n, ci, h, wd];
        long[] wShape = c.Rank == 1 ? [co, cig, kw] : [co, cig, kh, kw];
        long[] toLast = c.Rank == 1 ? [0, 2, 1] : [0, 2, 3, 1];
        long[] toFirst = c.Rank == 1 ? [0, 2, 1] : [0, 3, 1, 2];
        var xFirst = torch.tensor(xv, xShape, ScalarType.Float32);
        // A channels_last-strided input is what the layers pass: a permuted view of an N…C tensor.
        var leaf = (c.ChannelsLast ? xFirst.permute(toLast).contiguous() : xFirst).requires_grad_(true);
        var x = c.ChannelsLast ? leaf.permute(toFirst) : leaf;
        var w = torch.tensor(wv, wShape, ScalarType.Float32).requires_grad_(true);
        var bias = torch.tensor(bv, [co], ScalarType.Float32);
        var upstream = torch.tensor(gv, c.Rank == 1 ? [n, co, ow] : [n, co, oh, ow], ScalarType.Float32);
        var output = conv(c.Rank, x, w, bias, c.Stride, c.Padding, c.Dilation, c.Groups);
        long[] expectedShape = c.Rank == 1 ? [n, co, ow] : [n, co, oh, ow];
        if (!output.shape.SequenceEqual(expectedShape))
            return $"output shape [{string.Join(", ", output.shape)}], expected [{string.Join(", ", expectedShape)}]";
        output.mul(upstream).sum().backward();
        var gx = leaf.grad is { } lg ? (c.ChannelsLast ? lg.permute(toFirst) : lg) : null;
        return Compare("output", output, y, expectedShape)
            ?? (gx is null ? "no input gradient" : Compare("input gradient", gx, dx, xShape))
            ?? (w.grad is not { } wg ? "no weight gradient" : Compare("weight gradient", wg, dw, wShape));
    }

    private static string? Compare(string what, Tensor actual, double[] expected, long[] shape)
    {
        var got = actual.detach().contiguous().to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(got[i] - expected[i]) <= 1e-3) continue;
            var index = new long[shape.Length];
            long rest = i;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            return string.Create(CultureInfo.InvariantCulture,
                $"{what} at [{string.Join(", ", index)}] is {got[i]:G9}, expected {expected[i]:G9}");
        }
        return null;
    }
}
