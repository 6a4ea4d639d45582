using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// LSTM, GRU and SimpleRNN as ONNX nodes, unrolled over their fixed number of time steps with Keras's cell
/// equations and gate orders (LSTM i, f, c, o; GRU z, r, h with or without reset_after), <c>go_backwards</c>, and
/// Keras's masking: a masked step keeps the previous state and repeats the previous output (zeros with
/// <c>zero_output_for_mask</c>). The input projection of all steps is one MatMul.
/// </summary>
internal static class OnnxRecurrent
{
    /// <summary>Converts <paramref name="rnn"/>; <paramref name="reverseOutputs"/> returns its sequence in reverse processing order (Bidirectional's backward half).</summary>
    public static OnnxValue Convert(OnnxGraphBuilder g, RecurrentLayer rnn, OnnxValue x, int?[] outShape, bool reverseOutputs = false)
    {
        string hint = rnn.Name;
        string desc = OnnxLayers.Describe(rnn);
        if (rnn is ConvLSTM) throw new NotSupportedException($"{desc} is not exportable to ONNX: ConvLSTM layers have no ONNX conversion.");
        if (rnn.ReturnState) throw new NotSupportedException($"{desc}: returnState is not exported to ONNX.");
        if (x.Shape.Length != 3 || x.Shape[1] is not int steps)
            throw new NotSupportedException($"{desc}: the number of time steps must be fixed to export (input shape {Engine.ShapeUtils.Format(x.Shape)}).");
        int units = rnn is DropoutRNN d ? d.Units : throw new NotSupportedException($"{desc} cannot be exported to ONNX: no conversion for {rnn.GetType().Name}.");
        var (activation, recurrentActivation, gates) = rnn switch
        {
            LSTM l => (l.ActivationName, l.RecurrentActivationName, 4),
            GRU gr => (gr.ActivationName, gr.RecurrentActivationName, 3),
            SimpleRNN s => (s.ActivationName, (string?)null, 1),
            _ => throw new NotSupportedException($"{desc} cannot be exported to ONNX: no conversion for {rnn.GetType().Name}."),
        };
        bool useBias = rnn switch { LSTM l => l.UseBias, GRU gr => gr.UseBias, SimpleRNN s => s.UseBias, _ => false };
        bool resetAfter = rnn is GRU { ResetAfter: true };
        using var scope = torch.NewDisposeScope();
        var kernel = OnnxLayers.Weight(rnn, "kernel");
        var recurrent = OnnxLayers.Weight(rnn, "recurrent_kernel");
        Tensor? bias = useBias ? OnnxLayers.Weight(rnn, "bias") : null;
        Tensor? inputBias = bias is null ? null : resetAfter ? bias[0] : bias;
        Tensor? recurrentBias = bias is not null && resetAfter ? bias[1] : null;

        // Input projection for all steps: (batch, steps, gates * units).
        var projected = g.Node("MatMul", [x.Name, g.Const(kernel, hint + "/kernel")], hint);
        if (inputBias is not null) projected = g.Node("Add", [projected, g.Const(inputBias, hint + "/bias")], hint);

        // Zero initial state of shape (batch, units), batch taken from the input.
        var batch = g.Node("Slice", [g.Node("Shape", [x.Name], hint), g.Int64([0], hint + "/s0"), g.Int64([1], hint + "/s1")], hint);
        var stateShape = g.Node("Concat", [batch, g.Int64([units], hint + "/units")], hint, ("axis", 0L));
        var zero = new global::Onnx.TensorProto { DataType = (int)global::Onnx.TensorProto.Types.DataType.Float };
        zero.Dims.Add(1);
        zero.FloatData.Add(0f);
        var h = g.Node("ConstantOfShape", [stateShape], hint + "/h0", ("value", zero));
        var c = h;
        var zeros = h;

        string recurrentAll = g.Const(recurrent, hint + "/recurrent_kernel");
        string? recurrentZR = null, recurrentH = null;
        if (rnn is GRU && !resetAfter)
        {
            recurrentZR = g.Const(recurrent[.., ..(2 * units)], hint + "/recurrent_kernel_zr");
            recurrentH = g.Const(recurrent[.., (2 * units)..], hint + "/recurrent_kernel_h");
        }
        string? recBias = recurrentBias is null ? null : g.Const(recurrentBias, hint + "/recurrent_bias");
        string splits = g.Int64(Enumerable.Repeat((long)units, gates).ToArray(), hint + "/split");

        var outputs = new List<string>();
        for (int s = 0; s < steps; s++)
        {
            int t = rnn.GoBackwards ? steps - 1 - s : s;
            string at = $"{hint}/t{t}";
            var index = g.Int64([t], at + "/index", []);
            var p = g.Node("Gather", [projected, index], at, ("axis", 1L));
            string hNew, cNew = c;
            switch (rnn)
            {
                case LSTM:
                {
                    var z = g.Node("Add", [p, g.Node("MatMul", [h, recurrentAll], at)], at);
                    var parts = g.Nodes("Split", [z, splits], 4, at, ("axis", 1L));
                    var i = OnnxActivations.Apply(g, recurrentActivation, parts[0], at + "/i", desc);
                    var f = OnnxActivations.Apply(g, recurrentActivation, parts[1], at + "/f", desc);
                    var cand = OnnxActivations.Apply(g, activation, parts[2], at + "/c", desc);
                    var o = OnnxActivations.Apply(g, recurrentActivation, parts[3], at + "/o", desc);
                    cNew = g.Node("Add", [g.Node("Mul", [f, c], at), g.Node("Mul", [i, cand], at)], at);
                    hNew = g.Node("Mul", [o, OnnxActivations.Apply(g, activation, cNew, at + "/hc", desc)], at);
                    break;
                }
                case GRU:
                {
                    var xp = g.Nodes("Split", [p, splits], 3, at, ("axis", 1L));
                    string zg, rg, candidate;
                    if (resetAfter)
                    {
                        var inner = g.Node("MatMul", [h, recurrentAll], at);
                        if (recBias != null) inner = g.Node("Add", [inner, recBias], at);
                        var rp = g.Nodes("Split", [inner, splits], 3, at, ("axis", 1L));
                        zg = OnnxActivations.Apply(g, recurrentActivation, g.Node("Add", [xp[0], rp[0]], at), at + "/z", desc);
                        rg = OnnxActivations.Apply(g, recurrentActivation, g.Node("Add", [xp[1], rp[1]], at), at + "/r", desc);
                        candidate = g.Node("Add", [xp[2], g.Node("Mul", [rg, rp[2]], at)], at);
                    }
                    else
                    {
                        var rp = g.Nodes("Split", [g.Node("MatMul", [h, recurrentZR!], at), g.Int64([units, units], at + "/split2")], 2, at, ("axis", 1L));
                        zg = OnnxActivations.Apply(g, recurrentActivation, g.Node("Add", [xp[0], rp[0]], at), at + "/z", desc);
                        rg = OnnxActivations.Apply(g, recurrentActivation, g.Node("Add", [xp[1], rp[1]], at), at + "/r", desc);
                        candidate = g.Node("Add", [xp[2], g.Node("MatMul", [g.Node("Mul", [rg, h], at), recurrentH!], at)], at);
                    }
                    var hh = OnnxActivations.Apply(g, activation, candidate, at + "/hh", desc);
                    // h = z * h_prev + (1 - z) * hh
                    hNew = g.Node("Add", [g.Node("Mul", [zg, h], at),
                        g.Node("Mul", [g.Node("Sub", [g.Scalar(1f, at + "/one"), zg], at), hh], at)], at);
                    break;
                }
                default:
                    hNew = OnnxActivations.Apply(g, activation, g.Node("Add", [p, g.Node("MatMul", [h, recurrentAll], at)], at), at + "/h", desc);
                    break;
            }
            string output = hNew;
            if (x.Mask != null)
            {
                var mt = g.Node("Unsqueeze", [g.Node("Gather", [x.Mask, index], at + "/mask", ("axis", 1L)), g.Int64([1], at + "/mask_axis")], at + "/mask");
                output = g.Node("Where", [mt, hNew, rnn.ZeroOutputForMask ? zeros : (outputs.Count > 0 ? outputs[^1] : zeros)], at + "/out");
                hNew = g.Node("Where", [mt, hNew, h], at + "/h");
                if (rnn is LSTM) cNew = g.Node("Where", [mt, cNew, c], at + "/c");
            }
            outputs.Add(output);
            h = hNew;
            c = cNew;
        }
        if (!rnn.ReturnSequences) return new OnnxValue(outputs[^1], outShape);
        if (reverseOutputs) outputs.Reverse();
        var stacked = g.Node("Concat", outputs.Select((o, i) => g.Node("Unsqueeze", [o, g.Int64([1], $"{hint}/seq_axis{i}")], hint)), hint, ("axis", 1L));
        // The sequence keeps the input's timestep mask (RecurrentLayer.ComputeMask), as in Predict.
        return new OnnxValue(stacked, outShape, x.Mask);
    }
}
