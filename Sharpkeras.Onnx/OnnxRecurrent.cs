using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// LSTM, GRU and SimpleRNN (and RNN around their cells) as ONNX nodes, unrolled over their fixed number of time
/// steps with Keras's cell equations and gate orders (LSTM i, f, c, o; GRU z, r, h with or without reset_after),
/// <c>go_backwards</c>, initial states given as extra inputs, <c>return_state</c> (the final states as extra outputs)
/// and Keras's masking: a masked step keeps the previous state and repeats the previous output (zeros with
/// <c>zero_output_for_mask</c>). The input projection of all steps is one MatMul.
/// </summary>
internal static class OnnxRecurrent
{
    private static Tensor Weight(RecurrentLayer rnn, string name) =>
        rnn.OwnVariables.Any(v => v.Name == name) ? OnnxLayers.Weight(rnn, name) : OnnxLayers.Weight(rnn.Cell, name);

    private static bool HasWeight(RecurrentLayer rnn, string name) =>
        rnn.OwnVariables.Any(v => v.Name == name) || rnn.Cell.OwnVariables.Any(v => v.Name == name);

    /// <summary>
    /// Converts <paramref name="rnn"/> on [x, initial states…]; returns [output] or, with returnState, [output, h] /
    /// [output, h, c]. <paramref name="reverseOutputs"/> returns the sequence in reverse processing order
    /// (Bidirectional's backward half).
    /// </summary>
    public static OnnxValue[] Convert(OnnxGraphBuilder g, RecurrentLayer rnn, OnnxValue[] ins, int?[][] outShapes, bool reverseOutputs = false)
    {
        var x = ins[0];
        string hint = rnn.Name;
        string desc = OnnxLayers.Describe(rnn);
        if (rnn is ConvLSTM) throw new NotSupportedException($"{desc} is not exportable to ONNX: ConvLSTM layers have no ONNX conversion.");
        if (rnn.Stateful) throw new NotSupportedException($"{desc}: a stateful recurrent layer carries state between calls and is not exported to ONNX.");
        if (x.Shape.Length != 3 || x.Shape[1] is not int steps)
            throw new NotSupportedException($"{desc}: the number of time steps must be fixed to export (input shape {Engine.ShapeUtils.Format(x.Shape)}).");
        var cell = rnn.Cell;
        var (units, activation, recurrentActivation, gates, useBias) = cell switch
        {
            LSTMCell l => (l.Units, l.ActivationName, l.RecurrentActivationName, 4, l.UseBias),
            GRUCell gr => (gr.Units, gr.ActivationName, gr.RecurrentActivationName, 3, gr.UseBias),
            SimpleRNNCell s => (s.Units, s.ActivationName, (string?)null, 1, s.UseBias),
            _ => throw new NotSupportedException($"{desc} cannot be exported to ONNX: no conversion for its cell {cell.GetType().Name}."),
        };
        bool lstm = cell is LSTMCell, gru = cell is GRUCell;
        bool resetAfter = cell is GRUCell { ResetAfter: true };
        int stateCount = lstm ? 2 : 1;
        if (ins.Length != 1 && ins.Length != 1 + stateCount)
            throw new NotSupportedException($"{desc}: expected the sequence and {stateCount} initial state(s); got {ins.Length} inputs.");
        using var scope = torch.NewDisposeScope();
        var kernel = Weight(rnn, "kernel");
        var recurrent = Weight(rnn, "recurrent_kernel");
        Tensor? bias = useBias && HasWeight(rnn, "bias") ? Weight(rnn, "bias") : null;
        Tensor? inputBias = bias is null ? null : resetAfter ? bias[0] : bias;
        Tensor? recurrentBias = bias is not null && resetAfter ? bias[1] : null;

        // Input projection for all steps: (batch, steps, gates * units).
        var projected = g.Node("MatMul", [x.Name, g.Const(kernel, hint + "/kernel")], hint);
        if (inputBias is not null) projected = g.Node("Add", [projected, g.Const(inputBias, hint + "/bias")], hint);

        // Zero states of shape (batch, units), batch taken from the input; or the given initial states.
        var stateShape = g.Node("Concat", [g.BatchSize(x.Name, hint), g.Int64([units], hint + "/units")], hint, ("axis", 0L));
        var zeros = g.Zeros(stateShape, hint + "/h0");
        var h = ins.Length > 1 ? ins[1].Name : zeros;
        var c = ins.Length > 2 ? ins[2].Name : zeros;

        string recurrentAll = g.Const(recurrent, hint + "/recurrent_kernel");
        string? recurrentZR = null, recurrentH = null;
        if (gru && !resetAfter)
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
            if (lstm)
            {
                var z = g.Node("Add", [p, g.Node("MatMul", [h, recurrentAll], at)], at);
                var parts = g.Nodes("Split", [z, splits], 4, at, ("axis", 1L));
                var i = OnnxActivations.Apply(g, recurrentActivation, parts[0], at + "/i", desc);
                var f = OnnxActivations.Apply(g, recurrentActivation, parts[1], at + "/f", desc);
                var cand = OnnxActivations.Apply(g, activation, parts[2], at + "/c", desc);
                var o = OnnxActivations.Apply(g, recurrentActivation, parts[3], at + "/o", desc);
                cNew = g.Node("Add", [g.Node("Mul", [f, c], at), g.Node("Mul", [i, cand], at)], at);
                hNew = g.Node("Mul", [o, OnnxActivations.Apply(g, activation, cNew, at + "/hc", desc)], at);
            }
            else if (gru)
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
            }
            else
                hNew = OnnxActivations.Apply(g, activation, g.Node("Add", [p, g.Node("MatMul", [h, recurrentAll], at)], at), at + "/h", desc);
            string output = hNew;
            if (x.Mask != null)
            {
                var mt = g.Unsqueeze(g.Node("Gather", [x.Mask, index], at + "/mask", ("axis", 1L)), [1], at + "/mask");
                output = g.Node("Where", [mt, hNew, rnn.ZeroOutputForMask ? zeros : (outputs.Count > 0 ? outputs[^1] : zeros)], at + "/out");
                hNew = g.Node("Where", [mt, hNew, h], at + "/h");
                if (lstm) cNew = g.Node("Where", [mt, cNew, c], at + "/c");
            }
            outputs.Add(output);
            h = hNew;
            c = cNew;
        }
        OnnxValue result;
        if (!rnn.ReturnSequences) result = new OnnxValue(outputs[^1], outShapes[0]);
        else
        {
            if (reverseOutputs) outputs.Reverse();
            var stacked = g.Node("Concat", outputs.Select((o, i) => g.Unsqueeze(o, [1], $"{hint}/seq{i}")), hint, ("axis", 1L));
            // The sequence keeps the input's timestep mask (RecurrentLayer.ComputeMask), as in Predict.
            result = new OnnxValue(stacked, outShapes[0], x.Mask);
        }
        if (!rnn.ReturnState) return [result];
        // Final states: identities so that each is a value of its own (a state may also be the output).
        var states = new List<OnnxValue> { new(g.Node("Identity", [h], hint + "/state_h"), [x.Shape[0], units]) };
        if (lstm) states.Add(new OnnxValue(g.Node("Identity", [c], hint + "/state_c"), [x.Shape[0], units]));
        return [result, .. states];
    }

    /// <summary>
    /// Keras's Bidirectional: the backward layer runs reversed and its sequence is flipped back before merging;
    /// merge mode null gives both sequences; returnState appends the forward then the backward final states.
    /// </summary>
    public static OnnxValue[] Bidirectional(OnnxGraphBuilder g, Bidirectional bi, OnnxValue[] ins, int?[][] outShapes)
    {
        string desc = OnnxLayers.Describe(bi);
        if (bi.SubLayers.Count != 2 || bi.SubLayers[0] is not RecurrentLayer fwd || bi.SubLayers[1] is not RecurrentLayer bwd)
            throw new NotSupportedException($"{desc}: only Bidirectional around recurrent layers is exported.");
        var x = ins[0];
        int states = fwd.Cell is LSTMCell ? 2 : 1;
        OnnxValue[] fIns = ins.Length == 1 ? [x] : [x, .. ins[1..(1 + states)]];
        OnnxValue[] bIns = ins.Length == 1 ? [x] : [x, .. ins[(1 + states)..]];
        int?[] sequenceShape = bi.MergeMode is null ? outShapes[0] : [.. outShapes[0][..^1], fwd.Cell is DropoutRNNCell dc ? dc.Units : null];
        var stateShapes = outShapes.Skip(bi.MergeMode is null ? 2 : 1).Take(states).ToArray();
        int?[][] subShapes = [sequenceShape, .. stateShapes];
        var f = Convert(g, fwd, fIns, subShapes);
        var b = Convert(g, bwd, bIns, subShapes, reverseOutputs: true);
        string hint = bi.Name;
        var (fy, by) = (f[0].Name, b[0].Name);
        // The merged sequence keeps the input's timestep mask (Bidirectional.ComputeMasks), as in Predict.
        string? mask = bi.ReturnSequences ? x.Mask : null;
        var outputs = new List<OnnxValue>();
        switch (bi.MergeMode)
        {
            case "concat": outputs.Add(new OnnxValue(g.Node("Concat", [fy, by], hint, ("axis", -1L)), outShapes[0], mask)); break;
            case "sum": outputs.Add(new OnnxValue(g.Node("Add", [fy, by], hint), outShapes[0], mask)); break;
            case "mul": outputs.Add(new OnnxValue(g.Node("Mul", [fy, by], hint), outShapes[0], mask)); break;
            case "ave": outputs.Add(new OnnxValue(g.Node("Div", [g.Node("Add", [fy, by], hint), g.Scalar(2f, hint + "/two")], hint), outShapes[0], mask)); break;
            case null:
                outputs.Add(new OnnxValue(fy, outShapes[0], mask));
                outputs.Add(new OnnxValue(by, outShapes[1], mask));
                break;
            default: throw new NotSupportedException($"{desc}: merge mode '{bi.MergeMode}' is not exported.");
        }
        if (bi.ReturnState)
        {
            outputs.AddRange(f.Skip(1));
            outputs.AddRange(b.Skip(1));
        }
        return outputs.ToArray();
    }
}
