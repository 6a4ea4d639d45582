using Sharpkeras.Layers;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Sharpkeras.Onnx;

/// <summary>
/// The merging layers, with their masks as Merge.ComputeMasks combines them (the OR of the inputs' masks when every
/// input has one; Concatenate: the masks concatenated, a missing one all true) and the masked element-wise rules of
/// Maximum, Minimum and Multiply (a masked position takes the other operand's value).
/// </summary>
internal static class OnnxMerging
{
    public static OnnxValue Convert(OnnxGraphBuilder g, Merge merge, OnnxValue[] ins, int?[] outShape, string desc)
    {
        string hint = merge.Name;
        if (merge is Dot dot) return new OnnxValue(Dot(g, dot, ins, outShape, hint, desc), outShape);
        int rank = ins.Max(i => i.Shape.Length);
        if (merge is Concatenate cat)
        {
            int axis = cat.Axis < 0 ? cat.Axis + rank : cat.Axis;
            var y = g.Node("Concat", ins.Select(i => i.Name), hint, ("axis", (long)axis));
            string? mask = null;
            if (ins.Any(i => i.Mask != null))
            {
                if (axis == rank - 1)
                {
                    // any(-1) of the concatenated masks: the OR, all true as soon as one input has none.
                    if (ins.All(i => i.Mask != null))
                    {
                        mask = ins[0].Mask;
                        for (int i = 1; i < ins.Length; i++) mask = g.Node("Or", [mask!, ins[i].Mask!], hint + "/mask");
                    }
                }
                else if (ins.Any(i => i.Shape.Length != 3) || axis != 1)
                    throw new NotSupportedException($"{desc} concatenates masked values along axis {cat.Axis}; the ONNX exporter combines masks of (batch, steps, features) values only.");
                else
                    mask = g.Node("Concat", ins.Select(i => i.Mask ?? AllTrue(g, i.Name, hint)), hint + "/mask", ("axis", 1L));
            }
            return new OnnxValue(y, outShape, mask);
        }

        // Inputs of lower rank get axes of 1 after the batch axis, as Merge aligns them.
        var xs = ins.Select(i => i.Shape.Length == rank ? i.Name
            : g.Unsqueeze(i.Name, Enumerable.Range(1, rank - i.Shape.Length).Select(a => (long)a).ToArray(), hint + "/align")).ToArray();
        string? outMask = null;
        if (ins.All(i => i.Mask != null))
        {
            outMask = ins[0].Mask;
            for (int i = 1; i < ins.Length; i++) outMask = g.Node("Or", [outMask!, ins[i].Mask!], hint + "/mask");
        }
        var masks = ins.Select(i => i.Mask is null ? null : OnnxLayers.MaskFor(g, i.Mask, 2, rank, hint)).ToArray();
        bool anyMask = masks.Any(m => m != null);
        string result;
        switch (merge)
        {
            case Add:
                result = Fold(g, "Add", xs, hint);
                break;
            case Subtract:
                result = g.Node("Sub", [xs[0], xs[1]], hint);
                break;
            case Average:
                result = g.Node("Div", [Fold(g, "Add", xs, hint), g.Scalar(xs.Length, hint + "/count")], hint);
                break;
            case Maximum or Minimum when anyMask:
                result = MaskedElementwise(g, merge is Maximum ? "Max" : "Min", xs, masks, hint);
                break;
            case Maximum:
                result = g.Node("Max", xs, hint);
                break;
            case Minimum:
                result = g.Node("Min", xs, hint);
                break;
            case Multiply when anyMask:
            {
                // Masked positions count as 1; with every input masked, positions masked everywhere give 0.
                string? prod = null, all = null;
                var one = g.Scalar(1f, hint + "/one");
                for (int i = 0; i < xs.Length; i++)
                {
                    var x = masks[i] is string m ? g.Node("Where", [m, xs[i], one], hint) : xs[i];
                    prod = prod is null ? x : g.Node("Mul", [prod, x], hint);
                    if (masks[i] is string mm) all = all is null ? mm : g.Node("Or", [all, mm], hint);
                }
                result = masks.All(m => m != null) ? g.Node("Where", [all!, prod!, g.Scalar(0f, hint + "/zero")], hint) : prod!;
                break;
            }
            case Multiply:
                result = Fold(g, "Mul", xs, hint);
                break;
            default:
                throw new NotSupportedException($"{desc} cannot be exported to ONNX: the exporter has no conversion for {merge.GetType().Name}.");
        }
        return new OnnxValue(result, outShape, outMask);
    }

    private static string Fold(OnnxGraphBuilder g, string op, string[] xs, string hint)
    {
        var acc = xs[0];
        for (int i = 1; i < xs.Length; i++) acc = g.Node(op, [acc, xs[i]], hint);
        return acc;
    }

    /// <summary>MaskedElementwise.Apply: a masked operand takes the running result's value, and the reverse.</summary>
    private static string MaskedElementwise(OnnxGraphBuilder g, string op, string[] xs, string?[] masks, string hint)
    {
        string output = xs[0];
        string? outputMask = masks[0];
        for (int i = 1; i < xs.Length; i++)
        {
            var x = xs[i];
            var mask = masks[i];
            if (mask != null) x = g.Node("Where", [mask, x, output], hint);
            if (outputMask != null) output = g.Node("Where", [outputMask, output, x], hint);
            outputMask = mask != null && outputMask != null ? g.Node("Or", [outputMask, mask], hint) : null;
            output = g.Node(op, [output, x], hint);
        }
        return output;
    }

    /// <summary>An all-true (batch, steps) mask for a (batch, steps, ...) value.</summary>
    private static string AllTrue(OnnxGraphBuilder g, string x, string hint)
    {
        var shape = g.Slice(g.Node("Shape", [x], hint), [0], [2], [0], hint + "/mask_shape");
        var one = new global::Onnx.TensorProto { DataType = (int)DataType.Bool };
        one.Dims.Add(1);
        one.Int32Data.Add(1);
        return g.Node("ConstantOfShape", [shape], hint + "/mask", ("value", one));
    }

    /// <summary>
    /// Keras's Dot: the products summed over axes[0] of the first input and axes[1] of the second (each optionally
    /// L2-normalized along its axis first, x / sqrt(max(Σx², ε²))), the remaining axes of the first then the second.
    /// </summary>
    private static string Dot(OnnxGraphBuilder g, Dot dot, OnnxValue[] ins, int?[] outShape, string hint, string desc)
    {
        var (a, b) = (ins[0], ins[1]);
        int ra = a.Shape.Length, rb = b.Shape.Length;
        int a0 = dot.Axes[0] < 0 ? dot.Axes[0] + ra : dot.Axes[0];
        int a1 = dot.Axes[1] < 0 ? dot.Axes[1] + rb : dot.Axes[1];
        if (a.Shape.Skip(1).Concat(b.Shape.Skip(1)).Any(d => d is null))
            throw new NotSupportedException($"{desc}: every non-batch dimension of the inputs must be known to export.");
        string x = a.Name, y = b.Name;
        if (dot.Normalize)
        {
            float eps = (float)(Keras.Config.Epsilon * Keras.Config.Epsilon);
            string L2(string v, long axis, string h)
            {
                var sq = g.Reduce("ReduceSum", g.Node("Mul", [v, v], h), [axis], true, h);
                return g.Node("Div", [v, g.Node("Sqrt", [g.Node("Max", [sq, g.Scalar(eps, h + "/epsilon")], h)], h)], h);
            }
            x = L2(x, a0, hint + "/normalize_0");
            y = L2(y, a1, hint + "/normalize_1");
        }
        // x: (batch, rest0..., k), y: (batch, k, rest1...), flattened to (batch, r0, k) and (batch, k, r1).
        long k = a.Shape[a0]!.Value;
        var rest0 = Enumerable.Range(1, ra - 1).Where(i => i != a0).ToArray();
        var rest1 = Enumerable.Range(1, rb - 1).Where(i => i != a1).ToArray();
        x = g.Transpose(x, [0, .. rest0.Select(i => (long)i), a0], hint);
        y = g.Transpose(y, [0, a1, .. rest1.Select(i => (long)i)], hint);
        x = g.Reshape(x, [0, -1, k], hint);
        y = g.Reshape(y, [0, k, -1], hint);
        var r = g.Node("MatMul", [x, y], hint);
        long[] final = outShape.Length == 1 ? [0, 1] : [0, .. outShape.Skip(1).Select(d => (long)d!.Value)];
        return g.Reshape(r, final, hint);
    }
}
