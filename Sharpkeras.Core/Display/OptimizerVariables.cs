using Sharpkeras.Optimizers;

namespace Sharpkeras.Display;

/// <summary>
/// The variables Keras 3's optimizer of the same kind holds (its <c>optimizer.variables</c>), counted from the
/// weights it updates: <c>iteration</c> (int32 on the torch backend), <c>learning_rate</c> (float32, unless a
/// schedule), then one slot per weight for each of the optimizer's state variables (Adam: momentum and
/// velocity, plus velocity_hat with amsgrad; SGD: momentum when momentum ≠ 0; RMSprop: velocity, momentum
/// when momentum &gt; 0, average_gradient when centered; Adagrad: accumulator; Adadelta: two accumulators;
/// Adamax: momentum and norm; Nadam: momentum and velocity plus the scalar u_product), plus
/// <c>average</c> per weight with EMA and <c>gradient_accumulator</c> per weight with gradient accumulation.
/// Sharpkeras's optimizers keep this state inside torch optimizers, so the count is Keras's, not torch's.
/// </summary>
internal static class OptimizerVariables
{
    /// <summary>Keras's <c>count_params(optimizer.variables)</c> and their memory in bytes.</summary>
    public static (long count, double bytes) CountAndBytes(Optimizer optimizer)
    {
        if (optimizer is LossScaleOptimizer ls)
        {
            // Its own iteration, learning_rate, step_counter and dynamic_scale, then the wrapped optimizer's.
            var (n, b) = CountAndBytes(ls.InnerOptimizer);
            return (n + 4, b + 16);
        }
        long count = 1; double bytes = 4;                         // iteration (int32)
        if (optimizer.Schedule is null) { count += 1; bytes += 4; } // learning_rate (float32)
        double slots = optimizer switch
        {
            SGD s => s.Momentum != 0 ? 1 : 0,
            Adam a => a.Amsgrad ? 3 : 2,
            AdamW a => a.Amsgrad ? 3 : 2,
            RMSprop r => 1 + (r.Momentum > 0 ? 1 : 0) + (r.Centered ? 1 : 0),
            Adagrad => 1,
            Adadelta => 2,
            Adamax => 2,
            Nadam => 2,
            _ => optimizer.GetType().Name switch
            {
                "Lion" => 1,
                "Lamb" => 2,
                "Ftrl" => 2,
                _ => 0,
            },
        };
        if (optimizer is Nadam) { count += 1; bytes += 4; }      // u_product
        if (Flag(optimizer, "UseEma")) slots += 1;
        if (optimizer.GetType().GetProperty("GradientAccumulationSteps")?.GetValue(optimizer) is int steps && steps > 1) slots += 1;
        foreach (var v in optimizer.Variables)
        {
            long n = v.KerasShape.Aggregate(1L, (a, b) => a * b);
            count += (long)slots * n;
            bytes += slots * n * v.Value.ElementSize;
        }
        return (count, bytes);
    }

    private static bool Flag(Optimizer optimizer, string property) =>
        optimizer.GetType().GetProperty(property)?.GetValue(optimizer) is true;
}
