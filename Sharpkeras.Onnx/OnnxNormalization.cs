using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>The normalization layers in inference mode, with Keras's formulas (biased variance, epsilon inside the root).</summary>
internal static class OnnxNormalization
{
    /// <summary>Inference-mode batch normalization folded into one multiply and one add on the feature axis.</summary>
    public static string BatchNorm(OnnxGraphBuilder g, BatchNormalization bn, OnnxValue x, string hint)
    {
        int rank = x.Shape.Length;
        int axis = bn.Axis < 0 ? bn.Axis + rank : bn.Axis;
        using var scope = torch.NewDisposeScope();
        var mean = OnnxLayers.Weight(bn, "moving_mean").to(ScalarType.Float64);
        var variance = OnnxLayers.Weight(bn, "moving_variance").to(ScalarType.Float64);
        var gamma = bn.Scale ? OnnxLayers.Weight(bn, "gamma").to(ScalarType.Float64) : torch.ones_like(mean);
        var beta = bn.Center ? OnnxLayers.Weight(bn, "beta").to(ScalarType.Float64) : torch.zeros_like(mean);
        var scale = gamma / (variance + bn.Epsilon).sqrt();
        var shift = beta - mean * scale;
        long[] bshape = [mean.shape[0], .. Enumerable.Repeat(1L, rank - 1 - axis)];
        var s = g.Const(scale.reshape(bshape), hint + "/scale");
        var b = g.Const(shift.reshape(bshape), hint + "/shift");
        return g.Node("Add", [g.Node("Mul", [x.Name, s], hint), b], hint);
    }

    /// <summary>(x − mean) / sqrt(var + ε) over <paramref name="axes"/> (biased variance), before scale and shift.</summary>
    private static string Standardize(OnnxGraphBuilder g, string x, long[] axes, double epsilon, string hint)
    {
        var mean = g.Reduce("ReduceMean", x, axes, true, hint + "/mean");
        var centered = g.Node("Sub", [x, mean], hint);
        var variance = g.Reduce("ReduceMean", g.Node("Mul", [centered, centered], hint), axes, true, hint + "/variance");
        var std = g.Node("Sqrt", [g.Node("Add", [variance, g.Scalar((float)epsilon, hint + "/epsilon")], hint)], hint);
        return g.Node("Div", [centered, std], hint);
    }

    /// <summary>A per-feature weight (one axis per entry of <paramref name="axes"/>) reshaped to broadcast against a rank-<paramref name="rank"/> value.</summary>
    private static string Broadcast(OnnxGraphBuilder g, Tensor weight, int[] axes, int rank, string hint)
    {
        var shape = Enumerable.Repeat(1L, rank).ToArray();
        for (int i = 0; i < axes.Length; i++) shape[axes[i]] = weight.shape[i];
        return g.Const(weight.reshape(shape), hint);
    }

    public static string LayerNorm(OnnxGraphBuilder g, LayerNormalization ln, OnnxValue x, string hint, string desc)
    {
        int rank = x.Shape.Length;
        var axes = ln.Axis.Select(a => a < 0 ? a + rank : a).Distinct().OrderBy(a => a).ToArray();
        if (ln.RmsScaling)
        {
            // Keras's deprecated rms_scaling: x / sqrt(var + ε) · gamma, the variance taken around the mean, no centering.
            var mean = g.Reduce("ReduceMean", x.Name, axes.Select(a => (long)a).ToArray(), true, hint + "/mean");
            var centered = g.Node("Sub", [x.Name, mean], hint);
            var variance = g.Reduce("ReduceMean", g.Node("Mul", [centered, centered], hint), axes.Select(a => (long)a).ToArray(), true, hint + "/variance");
            var y0 = g.Node("Div", [x.Name, g.Node("Sqrt", [g.Node("Add", [variance, g.Scalar((float)ln.Epsilon, hint + "/epsilon")], hint)], hint)], hint);
            return OnnxLayers.HasWeight(ln, "gamma") ? g.Node("Mul", [y0, Broadcast(g, OnnxLayers.Weight(ln, "gamma"), axes, rank, hint + "/gamma")], hint) : y0;
        }
        if (axes.Length == 1 && axes[0] == rank - 1)
        {
            long features = x.Shape[^1] ?? throw new NotSupportedException($"{desc}: the feature dimension must be known.");
            var gamma = ln.Scale ? g.Const(OnnxLayers.Weight(ln, "gamma"), hint + "/gamma") : g.Const(Enumerable.Repeat(1f, (int)features).ToArray(), [features], hint + "/gamma");
            var beta = ln.Center ? g.Const(OnnxLayers.Weight(ln, "beta"), hint + "/beta") : g.Const(new float[features], [features], hint + "/beta");
            return g.Node("LayerNormalization", [x.Name, gamma, beta], hint, ("axis", -1L), ("epsilon", (float)ln.Epsilon));
        }
        // Other axes: the moments over all of them; gamma and beta have the axes' shape.
        var y = Standardize(g, x.Name, axes.Select(a => (long)a).ToArray(), ln.Epsilon, hint);
        if (ln.Scale) y = g.Node("Mul", [y, Broadcast(g, OnnxLayers.Weight(ln, "gamma"), axes, rank, hint + "/gamma")], hint);
        if (ln.Center) y = g.Node("Add", [y, Broadcast(g, OnnxLayers.Weight(ln, "beta"), axes, rank, hint + "/beta")], hint);
        return y;
    }

    /// <summary>
    /// Keras's GroupNormalization: the channel axis viewed as (groups, channels / groups); the moments are taken over
    /// every non-batch axis except the group axis, then gamma and beta per channel.
    /// </summary>
    public static string GroupNorm(OnnxGraphBuilder g, GroupNormalization gn, OnnxValue x, string hint, string desc)
    {
        int rank = x.Shape.Length;
        int axis = gn.Axis < 0 ? gn.Axis + rank : gn.Axis;
        if (x.Shape.Skip(1).Any(d => d is null))
            throw new NotSupportedException($"{desc}: every non-batch dimension must be known to export (input {Engine.ShapeUtils.Format(x.Shape)}).");
        int channels = x.Shape[axis]!.Value;
        int groups = gn.Groups == -1 ? channels : gn.Groups;
        long[] grouped = [0, .. x.Shape[1..axis].Select(d => (long)d!.Value), groups, channels / groups, .. x.Shape[(axis + 1)..].Select(d => (long)d!.Value)];
        var gx = g.Reshape(x.Name, grouped, hint + "/group");
        var reduce = Enumerable.Range(1, grouped.Length - 1).Where(i => i != axis).Select(i => (long)i).ToArray();
        var y = g.Reshape(Standardize(g, gx, reduce, gn.Epsilon, hint), [0, .. x.Shape[1..].Select(d => (long)d!.Value)], hint + "/ungroup");
        if (gn.Scale) y = g.Node("Mul", [y, Broadcast(g, OnnxLayers.Weight(gn, "gamma"), [axis], rank, hint + "/gamma")], hint);
        if (gn.Center) y = g.Node("Add", [y, Broadcast(g, OnnxLayers.Weight(gn, "beta"), [axis], rank, hint + "/beta")], hint);
        return y;
    }

    /// <summary>Keras's RMSNormalization: x / sqrt(mean(x²) + ε) · scale over the axes.</summary>
    public static string RmsNorm(OnnxGraphBuilder g, RMSNormalization rms, OnnxValue x, string hint)
    {
        int rank = x.Shape.Length;
        var axes = rms.Axis.Select(a => a < 0 ? a + rank : a).Distinct().OrderBy(a => a).ToArray();
        var ms = g.Reduce("ReduceMean", g.Node("Mul", [x.Name, x.Name], hint), axes.Select(a => (long)a).ToArray(), true, hint);
        var y = g.Node("Div", [x.Name, g.Node("Sqrt", [g.Node("Add", [ms, g.Scalar((float)rms.Epsilon, hint + "/epsilon")], hint)], hint)], hint);
        return g.Node("Mul", [y, Broadcast(g, OnnxLayers.Weight(rms, "scale"), axes, rank, hint + "/scale")], hint);
    }

    /// <summary>Keras's UnitNormalization: x / sqrt(max(Σx², 1e-24)) over the axes.</summary>
    public static string UnitNorm(OnnxGraphBuilder g, UnitNormalization un, OnnxValue x, string hint)
    {
        int rank = x.Shape.Length;
        var axes = un.Axis.Select(a => (long)(a < 0 ? a + rank : a)).Distinct().ToArray();
        var sq = g.Reduce("ReduceSum", g.Node("Mul", [x.Name, x.Name], hint), axes, true, hint);
        var inv = g.Node("Reciprocal", [g.Node("Sqrt", [g.Node("Max", [sq, g.Scalar(1e-24f, hint + "/epsilon")], hint)], hint)], hint);
        return g.Node("Mul", [x.Name, inv], hint);
    }
}
