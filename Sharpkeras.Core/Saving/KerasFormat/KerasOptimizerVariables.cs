using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// The optimizer's group of a Keras weights file, <c>optimizer/vars</c> (Keras's <c>Optimizer.save_own_variables</c>:
/// its <c>variables</c> in creation order): "0" the iteration count (int64), "1" the learning rate (float32; absent
/// with a schedule), then, once built, the slot variables Keras's <c>build</c> creates, interleaved per model weight in
/// the order of Keras's <c>model.trainable_variables</c> (the weights file's group order): Adam and AdamW
/// "momentum", "velocity", then "velocity_hat" of every weight with amsgrad. They are torch's <c>exp_avg</c>,
/// <c>exp_avg_sq</c> and <c>max_exp_avg_sq</c>, the same quantities. Other optimizers keep state whose meaning
/// differs from Keras's (SGD's and RMSprop's buffers exclude the learning rate, for example): only the iteration
/// count and learning rate are written for them, and Keras, finding fewer variables than it built, skips restoring
/// the optimizer as it does for any mismatch. Sharpkeras's own <c>.skeras</c> files keep every optimizer's state.
/// </summary>
internal static class KerasOptimizerVariables
{
    /// <summary>The variables to write (the caller disposes them), in Keras's order.</summary>
    public static List<Tensor> Collect(Model model, Optimizers.Optimizer opt)
    {
        var list = new List<Tensor> { torch.tensor(opt.KerasIterations) };
        if (opt.Schedule is null) list.Add(torch.tensor((float)opt.LearningRate));
        if (!opt.Built || opt.UseEma || opt.GradientAccumulationSteps is not null) return list;
        var (slots, extra) = opt switch
        {
            Optimizers.Adam a => (new[] { "exp_avg", "exp_avg_sq" }, a.Amsgrad ? "max_exp_avg_sq" : null),
            Optimizers.AdamW w => (new[] { "exp_avg", "exp_avg_sq" }, w.Amsgrad ? "max_exp_avg_sq" : null),
            _ => (Array.Empty<string>(), (string?)null),
        };
        if (slots.Length == 0) return list;
        const string prefix = "optimizer/";
        var state = OptimizerStateStore.Collect(opt, model, prefix).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        try
        {
            var pathOf = new Dictionary<KerasVariable, string>(ReferenceEqualityComparer.Instance);
            foreach (var (path, v) in WeightStore.Paths(model)) pathOf[v] = path;
            var updated = new HashSet<KerasVariable>(opt.Variables, ReferenceEqualityComparer.Instance);
            // Keras's model.trainable_variables: each layer's variables in the file's group order, trainable ones only.
            var order = KerasWeightLayout.Entries(model).SelectMany(e => e.Variables).Where(updated.Contains).ToList();
            if (order.Count != updated.Count) return list; // weights outside the model: no Keras equivalent
            Tensor Slot(KerasVariable v, string field) =>
                state.TryGetValue($"{prefix}{pathOf[v]}/{field}", out var t) ? t.to(ScalarType.Float32).clone()
                : torch.zeros(v.KerasShape, dtype: ScalarType.Float32); // not stepped yet: Keras's zeros
            foreach (var v in order)
                foreach (var s in slots) list.Add(Slot(v, s));
            if (extra != null)
                foreach (var v in order) list.Add(Slot(v, extra));
            return list;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }
}
